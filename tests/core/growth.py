"""Grow the demo data in the scopes the demo accounts see, for the query-count guard.

Every cohort gets `copies` clones (same facility, department, curriculum, status, sessions and
facilitators), and every cohort, old or new, gets as many extra people as it had, with marks on
its held sessions, a response (copied from one in the same administration) where it had
questionnaires, and a release with follow-up checks for completed cohorts. Each demo account gets
unread notifications. The audit trail grows on its own (every row goes through the ORM).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from programme.attendance.models import AttendanceMark
from programme.auth.models import User
from programme.extensions import db
from programme.followup.models import FollowUpCheck, Release
from programme.notifications.services import add_notifications
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Administration, Answer, Response, ResponseScore
from programme.scheduling.models import Cohort, ProgrammeSession, SessionAssignment

MARK_STATUSES = ("present", "absent", "late", "present", "excused")
COHORT_COLUMNS = (
    "facility_id",
    "department_id",
    "curriculum_version_id",
    "language",
    "capacity",
    "room",
    "start_date",
    "weekdays",
    "start_time",
    "duration_minutes",
    "status",
)


def table_sizes(tables=(Cohort, ProgrammeSession, Participant, Enrolment, AttendanceMark, Response)) -> dict:
    return {
        t.__tablename__: db.session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables
    }


def _clone_cohort(cohort: Cohort, copy: int) -> Cohort:
    clone = Cohort(name=f"{cohort.name} / {copy}", **{c: getattr(cohort, c) for c in COHORT_COLUMNS})
    db.session.add(clone)
    db.session.flush()
    sessions = db.session.execute(
        select(ProgrammeSession).where(ProgrammeSession.cohort_id == cohort.id).order_by(ProgrammeSession.id)
    ).scalars()
    for session in sessions:
        # A day later per copy: the same month, and no double booking of the same facilitator.
        shift = timedelta(days=copy)
        twin = ProgrammeSession(
            cohort_id=clone.id,
            sequence=session.sequence,
            plan_id=session.plan_id,
            starts_at=session.starts_at + shift,
            ends_at=session.ends_at + shift,
            room=session.room,
            status=session.status,
            cancel_reason=session.cancel_reason,
        )
        db.session.add(twin)
        db.session.flush()
        for assignment in db.session.execute(
            select(SessionAssignment).where(SessionAssignment.session_id == session.id)
        ).scalars():
            db.session.add(
                SessionAssignment(session_id=twin.id, user_id=assignment.user_id, role=assignment.role)
            )
    for administration in db.session.execute(
        select(Administration).where(Administration.cohort_id == cohort.id)
    ).scalars():
        db.session.add(
            Administration(
                cohort_id=clone.id,
                instrument_id=administration.instrument_id,
                timepoint=administration.timepoint,
                opens_on=administration.opens_on,
                closes_on=administration.closes_on,
                requires_double_entry=administration.requires_double_entry,
            )
        )
    db.session.commit()
    return clone


def _copy_answers(pairs: list[tuple[Response, Response]]) -> None:
    """Answers and scores of each new response copied from its template, in two bulk inserts
    (tens of thousands of rows: through the ORM, with an audit row each, they take a minute)."""
    answers, scores = [], []
    for response, template in pairs:
        answers += [
            {
                "response_id": response.id,
                "item_id": a.item_id,
                "entry": a.entry,
                "value_number": a.value_number,
                "value_text": a.value_text,
                "missing_code": a.missing_code,
            }
            for a in template.answers
        ]
        scores += [
            {
                "response_id": response.id,
                "subscale_code": c.subscale_code,
                "score": c.score,
                "answered_count": c.answered_count,
                "item_count": c.item_count,
                "scoring_version": c.scoring_version,
            }
            for c in template.scores
        ]
    if answers:
        db.session.execute(insert(Answer.__table__), answers)
    if scores:
        db.session.execute(insert(ResponseScore.__table__), scores)


def _new_person(cohort: Cohort, n: int) -> Participant:
    person = Participant(
        study_code=f"G{cohort.id:04d}{n:04d}",
        facility_id=cohort.facility_id,
        full_name=f"Растущий Участник {cohort.id}-{n}",
        facility_number=f"G-{cohort.id}-{n}",
        birth_year=1980 + n % 20,
        gender=("male", "female")[n % 2],
        languages=["ru"],
        education_level="secondary",
        offence_category="property",
        is_repeat_conviction=bool(n % 3),
        sentence_start=date(2024, 1, 15),
        expected_release=date(2026, 12, 1) + timedelta(days=n),
    )
    person.consents.append(Consent(consented_on=date(2025, 9, 1), form_version="v1"))
    return person


def _add_people(cohort: Cohort, count: int, template: dict) -> None:
    held = (
        db.session.execute(
            select(ProgrammeSession.id).where(
                ProgrammeSession.cohort_id == cohort.id, ProgrammeSession.status == "held"
            )
        )
        .scalars()
        .all()
    )
    administrations = (
        db.session.execute(select(Administration).where(Administration.cohort_id == cohort.id))
        .scalars()
        .all()
    )
    finished = cohort.status == "completed"
    people = [_new_person(cohort, n) for n in range(count)]
    db.session.add_all(people)
    db.session.flush()  # one flush per cohort for the ids (each flush also writes audit rows)
    marks: list[dict] = []
    responses: list[tuple[Response, Response]] = []
    for n, person in enumerate(people):
        db.session.add(
            Enrolment(
                participant_id=person.id,
                cohort_id=cohort.id,
                status="completed" if finished else "enrolled",
                enrolled_on=cohort.start_date - timedelta(days=7),
            )
        )
        marks += [
            {
                "session_id": session_id,
                "participant_id": person.id,
                "status": MARK_STATUSES[(n + index) % len(MARK_STATUSES)],
                "note": "",
                "recorded_at": datetime.now(UTC),
                "version_id": 1,
            }
            for index, session_id in enumerate(held)
        ]
        for administration in administrations:
            found = template.get(administration.instrument_id, {}).get(administration.timepoint)
            if found is not None:
                response = Response(
                    administration_id=administration.id,
                    participant_id=person.id,
                    status=found.status,
                    mode=found.mode,
                    answered_on=found.answered_on,
                )
                db.session.add(response)
                responses.append((response, found))
        if finished:
            released_on = date(2025, 6, 1) + timedelta(days=10 * n)
            db.session.add(
                Release(participant_id=person.id, released_on=released_on, release_type="end_of_sentence")
            )
            for months in (6, 12, 24):
                db.session.add(
                    FollowUpCheck(
                        participant_id=person.id,
                        months_after_release=months,
                        due_on=released_on + timedelta(days=30 * months),
                        notes="",
                    )
                )
    db.session.flush()
    if marks:
        db.session.execute(insert(AttendanceMark.__table__), marks)
    _copy_answers(responses)
    db.session.commit()


def _response_templates() -> dict:
    """One complete response per instrument and time point, to copy for the new people."""
    templates: dict = {}
    rows = db.session.execute(
        select(Response, Administration)
        .join(Administration, Administration.id == Response.administration_id)
        .where(Response.status == "complete")
        .order_by(Response.id)
    ).all()
    for response, administration in rows:
        templates.setdefault(administration.instrument_id, {}).setdefault(administration.timepoint, response)
    return templates


def grow(copies: int = 4, notifications: int = 12) -> dict:
    """Make the data about (copies + 1) x larger in every scope; returns the sizes before/after."""
    before = table_sizes()
    templates = _response_templates()
    originals = db.session.execute(select(Cohort).order_by(Cohort.id)).scalars().all()
    enrolled = dict(
        db.session.execute(select(Enrolment.cohort_id, func.count()).group_by(Enrolment.cohort_id)).all()
    )
    for cohort in originals:
        people = max(enrolled.get(cohort.id, 0), 4)
        _add_people(cohort, people * copies, templates)
        for copy in range(1, copies + 1):
            _add_people(_clone_cohort(cohort, copy), people, templates)
    users = db.session.execute(select(User.id)).scalars().all()
    for n in range(notifications):
        add_notifications(users, "session_moved", {"cohort": f"Cohort {n}", "sequence": n, "when": "—"})
    db.session.commit()
    return {"before": before, "after": table_sizes()}
