"""Acceptance: an evaluator visits every page and export their role reaches and never sees a
demo participant's name or facility number."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from programme.attendance.demo import seed_attendance
from programme.auth.demo import DEMO_PASSWORD
from programme.core.permissions import EVALUATOR, access_rule_of
from programme.participants.demo import seed_participants
from programme.participants.models import Enrolment, Participant
from programme.scheduling.models import Cohort, ProgrammeSession
from tests.conftest import sign_in
from tests.core.test_routes import get_rules
from tests.route_params import fill

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)


def readable(response, tmp_path) -> str:
    if response.mimetype == "application/pdf":
        path = tmp_path / "page.pdf"
        path.write_bytes(response.data)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    if "spreadsheetml" in response.mimetype:
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
        return "\n".join(
            str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
        )
    if response.mimetype.startswith("image/"):
        return ""  # charts: drawn from figures and study codes only (see evaluation's chart tests)
    return response.get_data(as_text=True)


def test_evaluator_sees_no_names_or_numbers_anywhere(app, client, db, demo_cohorts, tmp_path):
    seed_participants()
    seed_attendance()
    db.session.commit()
    people = db.session.execute(select(Participant)).scalars().all()
    secrets = {p.full_name for p in people} | {p.facility_number for p in people}
    assert len(people) >= 50
    ids = {
        "cohort_id": db.session.execute(select(Cohort.id)).scalars().all(),
        "participant_id": [p.id for p in people],
        "session_id": db.session.execute(select(ProgrammeSession.id)).scalars().all(),
        "enrolment_id": db.session.execute(select(Enrolment.id)).scalars().all(),
    }
    assert sign_in(client, "evaluator@demo.kz", DEMO_PASSWORD).status_code == 302
    from programme.auth.models import User

    evaluator = db.session.execute(select(User).where(User.email == "evaluator@demo.kz")).scalar_one()
    visited = 0
    seen_codes = set()
    for rule in get_rules(app):
        if EVALUATOR not in access_rule_of(rule.endpoint).allowed_roles() or rule.endpoint == "auth.logout":
            continue
        arguments = list(rule.arguments)
        if len(arguments) == 1 and arguments[0] in ids:
            values = [{arguments[0]: value} for value in ids[arguments[0]]]
        else:
            values = [fill(rule, evaluator)]
        for params in values:
            with app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **params)
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
            text = readable(response, tmp_path)
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, (url, leaked[:3])
            seen_codes |= {p.study_code for p in people if p.study_code in text}
            visited += 1
    for file_format in ("csv", "xlsx"):
        response = client.post_form(
            "/attendance/exports",
            {"file_format": file_format, "purpose": "evaluation dataset", "cohort_id": 0},
        )
        assert response.status_code == 200
        text = readable(response, tmp_path) if file_format == "xlsx" else response.data.decode("utf-8-sig")
        assert not [secret for secret in secrets if secret in text]
        seen_codes |= {p.study_code for p in people if p.study_code in text}
    assert visited > 70
    assert len(seen_codes) >= 40, "the evaluator does see people, by code"
