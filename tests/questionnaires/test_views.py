"""Views: who may use each page, and the happy paths, over HTTP."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from programme.questionnaires.models import Administration, Instrument, Response
from programme.questionnaires.services.xlsform import export_xlsform
from programme.scheduling.models import ProgrammeSession, SessionAssignment
from tests.conftest import CSRF_INPUT, sign_in

TODAY = date.today()


@pytest.fixture
def scene(
    db,
    make_department,
    make_facility,
    make_cohort,
    make_expected_people,
    make_user,
    shipped_instruments,
    make_administration,
):
    department, facility = make_department(), make_facility()
    cohort = make_cohort(facility_id=facility.id, department_id=department.id, start_date=TODAY)
    # make_cohort needs a curriculum version of this department: it made one.
    people = make_expected_people(cohort, 4, full_name="Ахметов Ерлан Серікұлы")
    reflection = shipped_instruments["REFLECT"]
    administration = make_administration(
        cohort, reflection, opens_on=TODAY - timedelta(days=10), closes_on=TODAY + timedelta(days=10)
    )
    return {
        "department": department,
        "facility": facility,
        "cohort": cohort,
        "people": people,
        "reflection": reflection,
        "administration": administration,
        "coordinator": make_user("coordinator", department_id=department.id),
        "officer": make_user("officer", facility_id=facility.id),
    }


def login(client, user):
    assert sign_in(client, user.email).status_code == 302


def answers(value="4"):
    return {
        f"item-{code}": value
        for code in [f"{s}{i}" for s in ("OPEN", "REASON", "SELF", "DIALOGUE") for i in range(1, 6)]
    }


# --- instruments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status", [("evaluator", 200), ("coordinator", 200), ("officer", 403), ("facilitator", 403)]
)
def test_instrument_list_by_role(client, login_as, shipped_instruments, role, status):
    login_as(role)
    assert client.get("/instruments").status_code == status


def test_evaluator_cannot_build(client, login_as, shipped_instruments):
    login_as("evaluator")
    assert client.get("/instruments/new").status_code == 403
    instrument_id = shipped_instruments["REFLECT"].id
    assert client.post_form(f"/instruments/{instrument_id}/new-version").status_code == 403


def test_coordinator_builds_an_instrument(client, db, login_as):
    login_as("coordinator")
    response = client.post_form(
        "/instruments/new", {"code": "MINE", "kind": "scored", "name_en": "Mine", "name_ru": "Мой"}
    )
    assert response.status_code == 302
    instrument = db.session.execute(select(Instrument).where(Instrument.code == "MINE")).scalar_one()
    base = f"/instruments/{instrument.id}"
    assert (
        client.post_form(
            f"{base}/choice-lists", {"name": "yn", "lines": "1; Иә; Да; Yes\n2; Жоқ; Нет; No"}
        ).status_code
        == 302
    )
    assert (
        client.post_form(
            f"{base}/subscales", {"code": "S", "method": "mean", "min_answered_share": "0.8", "text_en": "S"}
        ).status_code
        == 302
    )
    response = client.post_form(
        f"{base}/items/new",
        {
            "code": "Q1",
            "item_type": "likert",
            "choice_list": "yn",
            "subscale_code": "S",
            "is_reverse": "y",
            "text_en": "Question",
        },
    )
    assert response.status_code == 302
    assert client.post_form(f"{base}/status", {"status": "active"}).status_code == 302
    db.session.expire_all()
    assert (instrument.status, instrument.items[0].is_reverse, instrument.items[0].max_value) == (
        "active",
        True,
        2,
    )
    page = client.get(base).get_data(as_text=True)
    assert "Question" in page and "Reverse" in page


def test_editing_a_locked_instrument_in_the_builder_makes_a_new_version(client, db, scene, make_response):
    make_response(scene["administration"], scene["people"][0], {"OPEN1": 3})
    login(client, scene["coordinator"])
    item = scene["reflection"].items[0]
    response = client.post_form(
        f"/instruments/{scene['reflection'].id}/items/{item.id}/edit",
        {
            "code": item.code,
            "item_type": "likert",
            "choice_list": "agree5",
            "subscale_code": "OPEN",
            "text_en": "Reworded",
        },
        follow_redirects=True,
    )
    assert "locked" in response.get_data(as_text=True)
    versions = (
        db.session.execute(select(Instrument.number).where(Instrument.code == "REFLECT")).scalars().all()
    )
    assert sorted(versions) == [1, 2]


def test_export_and_import_over_http(client, db, login_as, shipped_instruments):
    login_as("coordinator")
    exported = client.get(f"/instruments/{shipped_instruments['RESOC'].id}/xlsform")
    assert exported.status_code == 200
    assert exported.mimetype.endswith("spreadsheetml.sheet")
    response = client.post_form(
        "/instruments/import",
        {"spreadsheet": (BytesIO(exported.data), "resoc.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert (
        db.session.execute(select(func.count(Instrument.id)).where(Instrument.code == "RESOC")).scalar_one()
        == 2
    )


def test_a_bad_import_lists_its_problems_and_imports_nothing(client, db, login_as, make_instrument):
    login_as("admin")
    instrument = make_instrument(code="BROKEN")
    data = export_xlsform(instrument)
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(data))
    workbook["survey"]["A3"] = "select_one nowhere"
    buffer = BytesIO()
    workbook.save(buffer)
    response = client.post_form(
        "/instruments/import",
        {"spreadsheet": (BytesIO(buffer.getvalue()), "b.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sheet survey, row 3, column A (type)" in page
    assert db.session.execute(select(func.count(Instrument.id))).scalar_one() == 1


# --- administrations ---------------------------------------------------------------------------


def test_coordinator_schedules_an_administration_for_own_cohort(client, db, scene):
    login(client, scene["coordinator"])
    response = client.post_form(
        "/administrations/new",
        {
            "cohort_id": scene["cohort"].id,
            "instrument_id": scene["reflection"].id,
            "timepoint": "post",
            "opens_on": (TODAY + timedelta(days=60)).isoformat(),
            "closes_on": (TODAY + timedelta(days=80)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert db.session.execute(select(func.count(Administration.id))).scalar_one() == 2


def test_coordinator_of_another_department_cannot_schedule_or_see(client, db, scene, login_as):
    login_as("coordinator")
    response = client.post_form(
        "/administrations/new",
        {
            "cohort_id": scene["cohort"].id,
            "instrument_id": scene["reflection"].id,
            "timepoint": "post",
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
        },
    )
    assert "Choose one of your cohorts." in response.get_data(as_text=True)
    assert client.get(f"/administrations/{scene['administration'].id}").status_code == 404


def test_window_must_not_close_before_it_opens(client, scene):
    login(client, scene["coordinator"])
    response = client.post_form(
        "/administrations/new",
        {
            "cohort_id": scene["cohort"].id,
            "instrument_id": scene["reflection"].id,
            "timepoint": "post",
            "opens_on": "2026-02-01",
            "closes_on": "2026-01-01",
        },
    )
    assert "The window must close on or after the day it opens." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["evaluator"])
def test_evaluator_has_no_administrations(client, login_as, role):
    login_as(role)
    assert client.get("/administrations").status_code == 403


def test_officer_sees_progress_with_names_of_own_facility(client, scene, login_as):
    login(client, scene["officer"])
    page = client.get(f"/administrations/{scene['administration'].id}").get_data(as_text=True)
    assert scene["people"][0].study_code in page and "Ахметов Ерлан" in page
    client.post_form("/logout")
    other = login_as("officer")
    assert other.facility_id != scene["facility"].id
    assert client.get(f"/administrations/{scene['administration'].id}").status_code == 404


def test_coordinator_sees_codes_but_no_names(client, scene):
    login(client, scene["coordinator"])
    page = client.get(f"/administrations/{scene['administration'].id}").get_data(as_text=True)
    assert scene["people"][0].study_code in page and "Ахметов" not in page


# --- paper entry -------------------------------------------------------------------------------


def test_officer_types_a_form_and_is_ready_for_the_next(client, db, scene):
    login(client, scene["officer"])
    url = f"/administrations/{scene['administration'].id}/entry"
    assert client.get(url).status_code == 200
    data = {
        "participant_code": scene["people"][0].study_code,
        "answered_on": TODAY.isoformat(),
        "language": "ru",
        **answers(),
    }
    response = client.post_form(url, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("entry?language=ru")
    assert db.session.execute(select(Response.status)).scalar_one() == "complete"


def test_out_of_range_over_http_shows_the_message_and_saves_nothing(client, db, scene):
    login(client, scene["officer"])
    url = f"/administrations/{scene['administration'].id}/entry"
    data = {
        "participant_code": scene["people"][0].study_code,
        "answered_on": TODAY.isoformat(),
        "language": "ru",
        **answers(),
        "item-SELF3": "6",
    }
    page = client.post_form(url, data).get_data(as_text=True)
    assert "Item SELF3: 6 is out of range: type a number from 1 to 5." in page
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 0


def test_facilitator_and_evaluator_do_not_type_forms(client, scene, login_as):
    login_as("facilitator")
    assert client.get(f"/administrations/{scene['administration'].id}/entry").status_code == 403


def test_differences_are_resolved_over_http(client, db, scene, make_user):
    scene["administration"].requires_double_entry = True
    db.session.commit()
    url = f"/administrations/{scene['administration'].id}/entry"
    data = {
        "participant_code": scene["people"][0].study_code,
        "answered_on": TODAY.isoformat(),
        "language": "ru",
        **answers(),
    }
    login(client, scene["officer"])
    client.post_form(url, data)
    client.post_form("/logout")
    second = make_user("officer", facility_id=scene["facility"].id)
    login(client, second)
    response = client.post_form(url, {**data, "item-OPEN4": "2"})
    response_id = db.session.execute(select(Response.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/responses/{response_id}/differences")
    page = client.get(f"/responses/{response_id}/differences").get_data(as_text=True)
    assert 'data-testid="difference-OPEN4"' in page and 'data-testid="difference-OPEN1"' not in page
    assert client.post_form(f"/responses/{response_id}/differences", {"item-OPEN4": "2"}).status_code == 302
    assert db.session.execute(select(Response.status)).scalar_one() == "complete"


# --- PDF ---------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_russian_pdf_has_codes_and_items_in_entry_order(client, scene, tmp_path):
    login(client, scene["coordinator"])
    response = client.get(f"/administrations/{scene['administration'].id}/questionnaire.pdf?lang=ru")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "q.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    text = " ".join(text.split())  # table cells wrap lines between words
    assert all(person.study_code in text for person in scene["people"])
    items = scene["reflection"].items
    first, second = items[0].texts["ru"], items[1].texts["ru"]
    assert "Опросник рефлексии" in text and first in text
    assert text.index(first) < text.index(second)
    assert "☐" in text


def test_pdf_of_an_unknown_language_is_404(client, scene):
    login(client, scene["coordinator"])
    assert (
        client.get(f"/administrations/{scene['administration'].id}/questionnaire.pdf?lang=de").status_code
        == 404
    )


# --- kiosk -------------------------------------------------------------------------------------


@pytest.fixture
def facilitator(scene, make_user, db):
    user = make_user("facilitator", department_id=scene["department"].id)
    starts = datetime.combine(TODAY, time(5, 0), tzinfo=UTC)
    session = ProgrammeSession(
        cohort_id=scene["cohort"].id, sequence=1, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    session.assignments.append(SessionAssignment(user_id=user.id, role="lead"))
    db.session.add(session)
    db.session.commit()
    return user


def test_kiosk_shows_only_first_names_and_locks_the_tablet(client, db, scene, facilitator):
    login(client, facilitator)
    response = client.post_form(f"/administrations/{scene['administration'].id}/kiosk")
    assert response.headers["Location"].endswith("/kiosk")
    page = client.get("/kiosk").get_data(as_text=True)
    assert "Ерлан А." in page and "Ахметов" not in page and scene["people"][0].study_code not in page
    assert 'data-testid="main-menu"' not in page
    assert "Атыңызды басыңыз" in client.get("/kiosk?language=kk").get_data(as_text=True)
    assert client.get("/administrations").headers["Location"].endswith("/kiosk")  # nothing else

    person = scene["people"][0]
    begin = client.post_form("/kiosk/begin", {"participant_id": person.id, "language": "kk"})
    assert begin.headers["Location"].endswith("/kiosk/questionnaire")
    form = client.get("/kiosk/questionnaire").get_data(as_text=True)
    assert scene["reflection"].items[0].texts["kk"] in form
    token = CSRF_INPUT.search(form)
    done = client.post(
        "/kiosk/questionnaire",
        data={"item-OPEN1": "5", "item-OPEN2": "1", "csrf_token": token.group(1) or token.group(2)},
    )
    assert done.headers["Location"].endswith("/kiosk?thanks=1")
    response = db.session.execute(select(Response)).scalar_one()
    assert (response.mode, response.language, response.status) == ("kiosk", "kk", "complete")
    start = client.get("/kiosk?thanks=1").get_data(as_text=True)
    assert "Ерлан А." in start  # the others are still waiting; the one who answered is gone
    assert start.count('data-testid="kiosk-person"') == 3

    token = CSRF_INPUT.search(start)
    token = token.group(1) or token.group(2)
    assert (
        client.post("/kiosk/exit", data={"password": "wrong-password-here", "csrf_token": token}).status_code
        == 200
    )
    left = client.post("/kiosk/exit", data={"password": "correct-horse-battery-staple", "csrf_token": token})
    assert left.status_code == 302
    assert client.get("/administrations").status_code == 200


def test_facilitator_of_other_cohorts_cannot_open_the_kiosk(client, scene, login_as):
    login_as("facilitator")
    assert client.post_form(f"/administrations/{scene['administration'].id}/kiosk").status_code == 404


# --- query counts ------------------------------------------------------------------------------


def _grow(scene, make_cohort, make_expected_people, make_administration, make_response, cohorts: int):
    for _ in range(cohorts):
        cohort = make_cohort(facility_id=scene["facility"].id, department_id=scene["department"].id)
        people = make_expected_people(cohort, 3)
        administration = make_administration(cohort, scene["reflection"])
        for person in people[:2]:
            make_response(administration, person, {"OPEN1": 4}, {"OPEN": 4.0, "TOTAL": 4.0})


@pytest.mark.parametrize("cohorts", [1, 6])
def test_pages_keep_their_query_count(
    client,
    scene,
    assert_max_queries,
    make_cohort,
    make_expected_people,
    make_administration,
    make_response,
    cohorts,
):
    _grow(scene, make_cohort, make_expected_people, make_administration, make_response, cohorts)
    login(client, scene["officer"])
    with assert_max_queries(12):
        assert client.get("/administrations").status_code == 200
    administration_id = db_last_administration()
    with assert_max_queries(14):
        assert client.get(f"/administrations/{administration_id}").status_code == 200
    with assert_max_queries(14):
        assert client.get(f"/administrations/{administration_id}/entry").status_code == 200


def db_last_administration() -> int:
    from programme.extensions import db

    return db.session.execute(select(func.max(Administration.id))).scalar_one()


def test_dashboard_shows_open_questionnaires_and_missing_answers(client, scene):
    login(client, scene["officer"])
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="count-open-questionnaires">1<' in page
    assert "4 answers still missing" in page


@pytest.mark.parametrize("versions", [1, 8])
def test_instrument_list_keeps_its_query_count(
    client, login_as, make_instrument, assert_max_queries, versions
):
    for number in range(versions):
        make_instrument(code=f"I{number}")
    login_as("coordinator")
    with assert_max_queries(8):
        assert client.get("/instruments").status_code == 200
