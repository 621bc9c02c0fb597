"""The national synthetic data generator: deterministic, consistent, in proportion."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import DateTime, func, select

from programme.attendance.models import AttendanceMark
from programme.auth.models import User
from programme.core import national
from programme.facilities.models import Facility
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Answer, Response, ResponseScore
from programme.scheduling.models import Cohort, ProgrammeSession
from tests.conftest import empty_all_tables

TINY = 0.002


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _rows_without_hash(plan: national.Plan) -> dict:
    # Password hashes carry a random salt; everything else must repeat exactly.
    return {
        model.__tablename__: [{k: v for k, v in row.items() if k != "password_hash"} for row in rows]
        for model, rows in plan.tables.items()
    }


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(db):
    first = national.build(seed=11, fraction=TINY)
    again = national.build(seed=11, fraction=TINY)
    other = national.build(seed=12, fraction=TINY)
    assert _rows_without_hash(first) == _rows_without_hash(again)
    assert _rows_without_hash(first)["answer"] != _rows_without_hash(other)["answer"]


def test_loaded_data_is_consistent_and_in_proportion(db):
    counts = national.load(seed=11, fraction=TINY)

    for model in (Cohort, ProgrammeSession, Participant, Enrolment, AttendanceMark, Response, Answer):
        assert _count(db, model) == counts[model.__tablename__] > 0
    assert _count(db, ProgrammeSession) == 10 * _count(db, Cohort)
    assert _count(db, Answer) == 20 * _count(db, Response)
    assert _count(db, ResponseScore) == 5 * _count(db, Response)  # four subscales and the total
    assert _count(db, FollowUpCheck) == 2 * _count(db, Release)
    assert _count(db, Consent) == _count(db, Participant)
    # Every mark belongs to a person enrolled in that session's cohort.
    orphan_marks = db.session.execute(
        select(func.count())
        .select_from(AttendanceMark)
        .join(ProgrammeSession, ProgrammeSession.id == AttendanceMark.session_id)
        .outerjoin(
            Enrolment,
            (Enrolment.cohort_id == ProgrammeSession.cohort_id)
            & (Enrolment.participant_id == AttendanceMark.participant_id),
        )
        .where(Enrolment.id.is_(None))
    ).scalar()
    assert orphan_marks == 0
    # Only held sessions have marks; comparison people are never enrolled.
    assert (
        db.session.execute(
            select(func.count())
            .select_from(AttendanceMark)
            .join(ProgrammeSession, ProgrammeSession.id == AttendanceMark.session_id)
            .where(ProgrammeSession.status != "held")
        ).scalar()
        == 0
    )
    assert (
        db.session.execute(
            select(func.count()).select_from(Enrolment).join(Participant).where(Participant.is_comparison)
        ).scalar()
        == 0
    )
    emails = set(db.session.execute(select(User.email)).scalars())
    assert {"admin@demo.kz", "coordinator@demo.kz", "facilitator@demo.kz", "officer@demo.kz"} <= emails
    assert "evaluator@demo.kz" in emails


def test_larger_fraction_scales_the_data(db):
    small = national.build(seed=3, fraction=TINY).counts()
    larger = national.build(seed=3, fraction=4 * TINY).counts()
    assert larger["cohort"] > small["cohort"]
    assert larger["answer"] > 2 * small["answer"]


def test_loading_twice_is_refused(db):
    national.load(seed=5, fraction=TINY)
    try:
        national.load(seed=5, fraction=TINY)
    except national.NationalDataExists:
        refused = True
    else:
        refused = False
    assert refused


def test_scores_reverse_items_and_need_eighty_percent_answered():
    nan = np.nan
    values = np.array([[5, 1, 5, 5, 5], [5, nan, nan, 5, 5]], dtype=float)
    reverse = np.array([False, True, False, False, False])
    scored = national.score_matrix(values, reverse, 1, 5, {"ALL": [0, 1, 2, 3, 4]})
    means, answered = scored["ALL"]
    assert means[0] == 5.0  # the reversed 1 counts as 5
    assert np.isnan(means[1])  # 3 of 5 answered is below 80 %
    assert list(answered) == [5, 3]


# --- interrupted loads: resumed, refused, restarted ------------------------------------------------

RESUME_FRACTION = 0.01


class Interrupted(Exception):
    """Stands for a killed process or a lost connection half-way through the load."""


def _national_rows(db) -> dict:
    """Every table's rows but the audit trail's (its times and hashes differ per run) and the figure
    cache's data generations (counted per commit, with a random stamp), without the columns that
    hold the clock or a random salt or uuid by design."""
    result = {}
    for table in db.metadata.sorted_tables:
        if table.name in ("audit_event", "data_generation"):
            continue
        columns = [
            column
            for column in table.columns
            if column.name not in ("password_hash", "lineage", "published_at")
            and not (
                isinstance(column.type, DateTime)
                and (column.default is not None or column.server_default is not None)
            )
        ]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        result[table.name] = [tuple(row) for row in rows]
    return result


def _interrupt_after(monkeypatch, batches: int) -> None:
    real = national._insert_batch
    written = {"batches": 0}

    def insert_then_fail(table, rows):
        if written["batches"] == batches:
            raise Interrupted(f"stopped after {batches} batches")
        real(table, rows)
        written["batches"] += 1

    monkeypatch.setattr(national, "_insert_batch", insert_then_fail)


@pytest.mark.parametrize("batches", [2, 25])  # during the organisations; among the answers
def test_an_interrupted_load_resumes_to_exactly_the_rows_of_an_uninterrupted_one(db, monkeypatch, batches):
    monkeypatch.setattr(national, "BATCH", 300)  # many batches at this small size
    whole = national.load(seed=5, fraction=RESUME_FRACTION)
    expected = _national_rows(db)
    db.session.commit()  # end this session's read before the tables are emptied beside it
    empty_all_tables()

    _interrupt_after(monkeypatch, batches)
    with pytest.raises(Interrupted):
        national.load(seed=5, fraction=RESUME_FRACTION)
    db.session.rollback()
    partial = _national_rows(db)
    assert 0 < sum(map(len, partial.values())) < sum(map(len, expected.values()))
    with pytest.raises(national.NationalDataExists, match="--resume continues it"):
        national.load(seed=5, fraction=RESUME_FRACTION)
    monkeypatch.undo()
    monkeypatch.setattr(national, "BATCH", 300)
    resumed = national.load(resume=True)
    assert resumed == whole
    assert _national_rows(db) == expected
    assert national.interrupted_load() is None
    with pytest.raises(national.NationalDataExists, match="no interrupted national load"):
        national.load(resume=True)


def test_cli_refuses_a_rerun_then_restarts_an_interrupted_load(app, db, monkeypatch):
    runner = app.test_cli_runner()
    _interrupt_after(monkeypatch, 1)
    args = ["seed-demo", "--scale", "national", "--fraction", str(TINY), "--seed", "3", "--quiet"]
    assert isinstance(runner.invoke(args=args).exception, Interrupted)
    monkeypatch.undo()
    refused = runner.invoke(args=args)
    assert refused.exit_code != 0 and "--restart wipes it" in refused.output
    restarted = runner.invoke(args=[*args[:-1], "--restart"])  # not quiet: progress by tenths
    assert restarted.exit_code == 0, restarted.output
    assert "national data: 10 % (" in restarted.output and "national data: 100 % (" in restarted.output
    db.session.commit()
    assert national.interrupted_load() is None
    assert _count(db, Facility) == national.scaled(national.BASE["facilities"], TINY, 2)
    refused = runner.invoke(args=[*args, "--restart"])  # a finished load is not wiped
    assert refused.exit_code != 0 and "not an interrupted national load" in refused.output
