"""All or nothing: each action that writes many rows fails half-way (a statement after earlier
ones of the same action already ran) and leaves every table, the audit trail included, exactly as
it was. Through the service, and through HTTP for the register and the participant import."""

from __future__ import annotations

import errno
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import OperationalError

from programme.attendance.export import export_attendance
from programme.attendance.models import AttendanceMark
from programme.attendance.registers import load_register, save_register
from programme.curriculum import transfer
from programme.evaluation.analysis import SmallCells
from programme.evaluation.scope import Filters
from programme.evaluation.services import export_dataset
from programme.operations import backup
from programme.operations.backup import BackupError, create_backup, restore_backup
from programme.participants import imports, privacy
from programme.participants.models import Consent, Participant
from programme.questionnaires.services.entry import enter_paper_form
from programme.questionnaires.services.instruments import create_from_definition
from programme.questionnaires.services.xlsform import export_xlsform, read_xlsform
from programme.scheduling.services.assignment import assign_to_cohort
from programme.scheduling.services.closures import create_closure
from programme.scheduling.services.generation import generate_sessions
from tests.core.faults import assert_unchanged, failing_on, snapshot
from tests.operations.test_backup import empty_target

AN_INDEX = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'ix_%' LIMIT 1"
HEADER = "full_name;facility_number;birth_year;gender;languages;sentence_start;expected_release"


@pytest.fixture(autouse=True)
def english(app, db):
    with app.test_request_context(headers={"Accept-Language": "en"}), force_locale("en"):
        yield


def people_csv(count: int) -> bytes:
    lines = [HEADER] + [
        f"Омаров Асхат {n};K-{n:04d};198{n % 10};male;kk, ru;2023-01-10;01.06.2028"
        for n in range(1, count + 1)
    ]
    return "\n".join(lines).encode("utf-8")


def assert_fails_whole(action, verb: str, table: str, *, after: tuple[str, str], nth: int = 1):
    """Run `action` with the `nth` write of `table` (after a write of `after`) failing; the
    failure surfaces and the database is exactly as before. Returns what ran before it."""
    before = snapshot()
    with failing_on(verb, table, nth=nth, after=after) as injection:
        with pytest.raises(OperationalError, match="injected failure"):
            action()
    assert injection.fired, f"the action never wrote {verb} {table}"
    assert injection.wrote(*after), injection.writes  # the failure came half-way, not first
    assert_unchanged(before, snapshot())
    return injection


# --- imports -----------------------------------------------------------------------------------


def test_participant_import_fails_whole(db, make_facility):
    facility = make_facility()
    rows = imports.read_table("people.csv", people_csv(5))
    assert_fails_whole(
        lambda: imports.import_rows(facility.id, "people.csv", rows),
        "INSERT",
        "audit_event",
        after=("INSERT", "participant"),
        nth=6,  # the five people's audit rows are written; the import's own row, last, fails
    )
    # Nothing was half-saved, so the same rows import cleanly afterwards.
    assert len(imports.import_rows(facility.id, "people.csv", rows)) == 5


def test_participant_import_over_http_answers_503_and_saves_nothing(client, db, login_as):
    login_as("officer")
    preview = client.post_form(
        "/participants/import",
        {"file": (io.BytesIO(people_csv(4)), "people.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = preview.split('name="token" type="hidden" value="')[1].split('"')[0]
    body = {"token": token, "csrf_token": client.csrf_token()}
    before = snapshot()
    with failing_on("INSERT", "audit_event", after=("INSERT", "participant")) as injection:
        response = client.post("/participants/import/confirm", data=body)
    assert injection.fired and response.status_code == 503
    assert "Nothing was lost" in response.get_data(as_text=True)
    assert_unchanged(before, snapshot())
    assert client.post("/participants/import/confirm", data=body).status_code == 302
    assert db.session.execute(select(func.count(Participant.id))).scalar_one() == 4


def test_curriculum_import_fails_whole(db, make_complete_version, make_department):
    document = transfer.export_document(make_complete_version())
    department = make_department()
    assert_fails_whole(
        lambda: transfer.import_document(document, department.id),
        "INSERT",
        "session_plan_text",
        after=("INSERT", "session_plan"),
    )


def test_questionnaire_import_fails_whole(db, make_instrument):
    definition, _version = read_xlsform(export_xlsform(make_instrument()))
    assert_fails_whole(
        lambda: create_from_definition(definition),
        "INSERT",
        "subscale",
        after=("INSERT", "instrument_item"),
    )


def test_paper_questionnaire_entry_fails_whole(
    db, make_user, make_cohort, make_instrument, make_administration, make_expected_people
):
    cohort = make_cohort()
    administration = make_administration(
        cohort, make_instrument(), opens_on=date(2026, 9, 20), closes_on=date(2026, 10, 20)
    )
    person = make_expected_people(cohort, 1)[0]
    officer = make_user("officer", facility_id=cohort.facility_id)
    answers = {"OPEN1": "4", "OPEN2": "5", "OPEN3": "2", "SELF1": "3", "SELF2": "2", "SELF3": "1"}
    raw = {f"item-{code}": value for code, value in answers.items()}
    assert_fails_whole(
        lambda: enter_paper_form(officer, administration, person.study_code, date(2026, 10, 1), "ru", raw),
        "INSERT",
        "response_score",
        after=("INSERT", "answer"),
    )


# --- registers ---------------------------------------------------------------------------------


def _register(make_held_cohort, **values):
    _cohort, (session,), people = make_held_cohort(people=4, held=1, **values)
    return session, people


def test_register_save_fails_whole(db, make_held_cohort, make_user):
    session, people = _register(make_held_cohort)
    session.status = "scheduled"
    db.session.commit()
    read, lines = load_register(make_user("admin"), session.id)
    entries = {p.id: {"status": "present", "reason": None, "note": ""} for p in people}
    injection = assert_fails_whole(
        lambda: save_register(read, lines, entries, None),
        "INSERT",
        "audit_event",
        after=("UPDATE", "programme_session"),  # marked held, then its audit row fails
    )
    assert injection.wrote("INSERT", "attendance_mark")


def test_register_correction_fails_whole(db, make_held_cohort, make_mark, make_user):
    session, people = _register(make_held_cohort)
    for person in people:
        make_mark(session, person, "present")
    read, lines = load_register(make_user("admin"), session.id)
    entries = {p.id: {"status": "absent", "reason": "medical", "note": "ill"} for p in people}
    assert_fails_whole(
        lambda: save_register(read, lines, entries, None),
        "INSERT",
        "audit_event",
        after=("UPDATE", "attendance_mark"),
    )


def test_register_save_over_http_answers_503_and_saves_nothing(client, db, login_as, make_held_cohort):
    officer = login_as("officer")
    session, people = _register(make_held_cohort, facility_id=officer.facility_id)
    body = {f"status-{p.id}": "late" for p in people} | {"csrf_token": client.csrf_token()}
    url = f"/sessions/{session.id}/register"
    before = snapshot()
    with failing_on("INSERT", "audit_event", after=("INSERT", "attendance_mark")) as injection:
        response = client.post(url, data=body)
    assert injection.fired and response.status_code == 503
    assert_unchanged(before, snapshot())
    assert client.post(url, data=body).status_code == 302  # the same form saves on the retry
    assert db.session.execute(select(func.count(AttendanceMark.id))).scalar_one() == 4


# --- scheduling --------------------------------------------------------------------------------


def test_session_generation_fails_whole(db, make_cohort):
    cohort = make_cohort(start_date=date(2027, 5, 4), weekdays=[2], start_time=time(10), status="planned")
    assert_fails_whole(
        lambda: generate_sessions(cohort, preview=False),
        "INSERT",
        "audit_event",
        after=("INSERT", "programme_session"),
        nth=4,
    )


def test_bulk_assignment_fails_whole(
    db, make_facility, make_department, make_cohort, make_session, make_facilitator
):
    department, facility = make_department(), make_facility()
    cohort = make_cohort(facility_id=facility.id, department_id=department.id, start_date=date(2027, 3, 2))
    for sequence in range(1, 5):
        make_session(cohort, sequence)
    facilitator = make_facilitator(department.id, pass_facilities=[facility.id])
    injection = assert_fails_whole(
        lambda: assign_to_cohort(cohort, facilitator, "lead", confirmed=True),
        "INSERT",
        "audit_event",
        after=("INSERT", "session_assignment"),
        nth=3,  # two assignments' audit rows are written, the third fails
    )
    # Each date is written under its own savepoint (a refused date fails alone), yet a failure
    # of the database itself undoes the dates already written.
    assert [write for write in injection.writes if write == ("INSERT", "session_assignment")][1:]


def test_closure_cancelling_sessions_fails_whole(
    db, make_facility, make_department, make_cohort, make_session, make_user, assign
):
    department, facility = make_department(), make_facility()
    cohort = make_cohort(facility_id=facility.id, department_id=department.id, start_time=time(10))
    sessions = [make_session(cohort, n, datetime(2026, 12, n, 5, 0, tzinfo=UTC)) for n in range(1, 4)]
    assign(sessions[0], make_user("facilitator", department_id=department.id))
    make_user("coordinator", department_id=department.id)
    injection = assert_fails_whole(
        lambda: create_closure(facility, date(2026, 12, 1), date(2026, 12, 3), "Lockdown", None),
        "INSERT",
        "notification",
        after=("UPDATE", "programme_session"),  # closure, cancellations and their audit rows written
    )
    assert injection.wrote("INSERT", "facility_closure") and injection.wrote("INSERT", "audit_event")


# --- privacy -----------------------------------------------------------------------------------


def test_retention_run_with_apply_fails_whole(app, db, make_participant, make_check, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 365)
    for _ in range(3):
        make_check(make_participant(), 24, checked_on=date(2023, 1, 10))
    before = snapshot()
    with failing_on("INSERT", "audit_event", nth=2, after=("UPDATE", "participant")) as injection:
        result = app.test_cli_runner().invoke(args=["retention", "run", "--apply"])
    assert injection.fired and result.exit_code != 0
    assert isinstance(result.exception, OperationalError)
    assert_unchanged(before, snapshot())
    names = db.session.execute(select(Participant.full_name)).scalars().all()
    assert len(names) == 3 and all(names)


def test_forget_by_anonymising_fails_whole(db, make_held_cohort, make_mark):
    _cohort, sessions, (person,) = make_held_cohort(people=1, held=1)
    make_mark(sessions[0], person, "present")
    assert_fails_whole(
        lambda: privacy.forget(person), "INSERT", "audit_event", after=("UPDATE", "participant")
    )


def test_forget_by_erasing_fails_whole(db, make_held_cohort, make_mark):
    _cohort, sessions, (person,) = make_held_cohort(people=1, held=1)
    make_mark(sessions[0], person, "present")
    consent = db.session.execute(select(Consent).where(Consent.participant_id == person.id)).scalar_one()
    consent.withdrawn_on, consent.withdrawal_choice = date(2026, 10, 1), "exclude_data"
    db.session.commit()
    assert_fails_whole(
        lambda: privacy.forget(person), "INSERT", "audit_event", after=("DELETE", "participant")
    )
    assert db.session.get(Participant, person.id) is not None


def test_generation_after_a_failure_gives_the_whole_plan(db, make_cohort):
    """The retry after a failed generation is refused by nothing half-written."""
    cohort = make_cohort(start_date=date(2027, 5, 4), weekdays=[2], start_time=time(10), status="planned")
    with failing_on("INSERT", "audit_event", after=("INSERT", "programme_session")):
        with pytest.raises(OperationalError):
            generate_sessions(cohort, preview=False)
    db.session.expire_all()
    plan = generate_sessions(cohort, preview=False)
    assert len(plan.sessions) == 10
    assert timedelta(0) < plan.sessions[1].starts_at - plan.sessions[0].starts_at


# --- backup restore ------------------------------------------------------------------------------


def _archive(tmp_path, make_held_cohort, make_mark) -> Path:
    _cohort, sessions, people = make_held_cohort(people=3, held=2)
    for person in people:
        make_mark(sessions[0], person, "present")
    return Path(create_backup(tmp_path / "backups").path)


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).get_table_names()
    finally:
        engine.dispose()


def test_a_restore_failing_half_way_leaves_the_target_empty(
    db, tmp_path, make_held_cohort, make_mark, monkeypatch
):
    archive = _archive(tmp_path, make_held_cohort, make_mark)
    with empty_target(db, tmp_path) as target:
        if db.engine.dialect.name == "sqlite":
            # The disk fills up after part of the database file is written.
            def disk_full(source, destination, length):
                destination.write(source.read(length // 2))
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(backup.shutil, "copyfileobj", disk_full)
            with pytest.raises(OSError, match="No space left"):
                restore_backup(archive, target)
            assert list((tmp_path).glob("restored.db*")) == []
            assert not [p for p in tmp_path.iterdir() if p.name.endswith(".restoring")]
        else:
            # An object in the way of the last step (the indexes, after all rows are copied).
            index = db.session.execute(text(AN_INDEX)).scalar_one()
            clash = create_engine(target)
            with clash.begin() as connection:
                connection.execute(text(f'CREATE VIEW "{index}" AS SELECT 1 AS one'))
            clash.dispose()
            with pytest.raises(BackupError, match="pg_restore failed"):
                restore_backup(archive, target)
            assert _tables(target) == []


# --- exports: read only but for their audit row, so a re-run is safe ----------------------------


def assert_reruns_safely(export):
    """Two runs give the same file and add one audit row each, nothing else; a run whose audit
    row fails serves nothing and leaves nothing."""
    before = snapshot()
    first, second = export(), export()
    assert first == second
    after = snapshot()
    assert {name for name in before if before[name] != after[name]} == {"audit_event"}
    assert len(after["audit_event"]) == len(before["audit_event"]) + 2
    with failing_on("INSERT", "audit_event") as injection:
        with pytest.raises(OperationalError):
            export()
    assert injection.fired
    assert_unchanged(after, snapshot())
    return first


def test_attendance_export_reruns_safely(db, make_user, make_held_cohort, make_mark):
    _cohort, sessions, people = make_held_cohort(people=3, held=2)
    for session in sessions:
        for person in people:
            make_mark(session, person, "present")
    officer = make_user("officer", facility_id=people[0].facility_id)
    exported = assert_reruns_safely(lambda: export_attendance(officer, "csv", "quarterly report"))
    assert all(person.study_code in str(exported) for person in people)


def test_evaluation_export_reruns_safely(db, make_study):
    make_study(per_cohort=6)

    def export():
        return export_dataset(
            Filters(instrument="REFLECT"), "csv_wide", "analysis", SmallCells(5, True), "en"
        )

    assert len(assert_reruns_safely(lambda: export().content)) > 0
