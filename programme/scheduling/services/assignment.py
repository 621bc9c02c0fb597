"""Giving sessions to facilitators: one session, or every session of a cohort with a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from programme.auth.models import User
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.notifications.services import add_notifications
from programme.scheduling.models import ASSIGNMENT_ROLES, Cohort, ProgrammeSession, SessionAssignment
from programme.scheduling.services.conflicts import (
    Check,
    booking_for,
    check_assignment,
    evaluate,
    is_double_booking,
    load_staffing,
    role_label,
    sessions_with_assignments,
)
from programme.scheduling.services.generation import ACTIVE_STATUSES, session_params
from programme.scheduling.services.scope import internal_link, to_local

# Logged when the database refused an overlap that the check before the insert did not see.
DATABASE_REFUSAL = "double booking refused by the database"


class NeedsConfirmation(Exception):
    """Only soft warnings stand in the way: the coordinator may confirm them."""

    def __init__(self, check: Check):
        self.check = check
        super().__init__("; ".join(check.soft))


class AssignmentRefused(ValidationFailed):
    def __init__(self, check: Check):
        self.check = check
        super().__init__({"": list(check.hard)})


def _check_role(role: str) -> None:
    if role not in ASSIGNMENT_ROLES:
        raise ValidationFailed.on("role", _("Choose lead or co-facilitator."))


def assign_facilitator(
    session: ProgrammeSession, facilitator: User, role: str, confirmed: bool = False
) -> Check:
    """Assign after the checks: hard problems refuse, soft warnings need `confirmed`."""
    _check_role(role)
    data = load_staffing([facilitator.id], session.starts_at, session.ends_at)
    check = evaluate(session, facilitator.id, role, data)
    if check.hard:
        raise AssignmentRefused(check)
    if check.soft and not confirmed:
        raise NeedsConfirmation(check)
    link = internal_link("scheduling.show_cohort", cohort_id=session.cohort_id)
    try:
        with unit_of_work():
            previous = db.session.execute(
                select(SessionAssignment).where(
                    SessionAssignment.session_id == session.id, SessionAssignment.role == role
                )
            ).scalar_one_or_none()
            if previous is not None:
                add_notifications([previous.user_id], "unassigned", session_params(session), link)
                db.session.delete(previous)
                db.session.flush()
            db.session.add(SessionAssignment(session_id=session.id, user_id=facilitator.id, role=role))
            add_notifications([facilitator.id], "assigned", {**session_params(session), "role": role}, link)
    except IntegrityError as error:
        if not is_double_booking(error):
            raise
        raise AssignmentRefused(_refusal_after_race(session, facilitator.id, role)) from error
    return check


def _refusal_after_race(session: ProgrammeSession, user_id: int, role: str) -> Check:
    """The database refused an overlap our check did not see: someone else's assignment was
    committed in between. Checked again (now it is visible), it reads as the usual refusal."""
    current_app.logger.warning(DATABASE_REFUSAL + " (session %s, user %s)", session.id, user_id)
    check = check_assignment(session, user_id, role)
    if not check.hard:
        check.hard.append(_("Already booked on an overlapping session at that time."))
    return check


def remove_assignment(session: ProgrammeSession, assignment_id: int) -> bool:
    assignment = db.session.execute(
        select(SessionAssignment).where(
            SessionAssignment.id == assignment_id, SessionAssignment.session_id == session.id
        )
    ).scalar_one_or_none()
    if assignment is None:
        return False
    with unit_of_work():
        add_notifications(
            [assignment.user_id],
            "unassigned",
            session_params(session),
            internal_link("scheduling.show_cohort", cohort_id=session.cohort_id),
        )
        db.session.delete(assignment)
    return True


@dataclass
class ReportLine:
    session: ProgrammeSession
    day: date
    outcome: str  # assigned, refused, skipped
    reasons: list[str] = field(default_factory=list)


def assign_to_cohort(
    cohort: Cohort, facilitator: User, role: str, confirmed: bool = False
) -> list[ReportLine]:
    """Give every upcoming session of the cohort to this facilitator where the rules allow.

    One transaction; the report says per date what was assigned and why the rest was refused.
    Without `confirmed`, sessions with soft warnings are refused with those warnings.
    """
    _check_role(role)
    sessions = sessions_with_assignments(cohort.id)
    report: list[ReportLine] = []
    if not sessions:
        return report
    data = load_staffing([facilitator.id], sessions[0].starts_at, sessions[-1].ends_at)
    assigned: list[ProgrammeSession] = []
    timezone = cohort.facility.timezone
    with unit_of_work():
        for session in sessions:
            day = to_local(session.starts_at, timezone).date()
            if session.status not in ACTIVE_STATUSES:
                report.append(
                    ReportLine(session, day, "skipped", [_("The session is already held or cancelled.")])
                )
                continue
            holder = next((a for a in session.assignments if a.role == role), None)
            if holder is not None and holder.user_id == facilitator.id:
                report.append(ReportLine(session, day, "skipped", [_("Already assigned in this role.")]))
                continue
            if holder is not None:
                report.append(
                    ReportLine(
                        session,
                        day,
                        "refused",
                        [
                            _(
                                "%(name)s is already the %(role)s.",
                                name=holder.user.full_name,
                                role=role_label(role),
                            )
                        ],
                    )
                )
                continue
            check = evaluate(session, facilitator.id, role, data)
            if check.hard or (check.soft and not confirmed):
                report.append(ReportLine(session, day, "refused", check.hard + check.soft))
                continue
            if not _insert_unless_double_booked(session.id, facilitator.id, role):
                check = _refusal_after_race(session, facilitator.id, role)
                report.append(ReportLine(session, day, "refused", check.hard))
                continue
            data.add_booking(facilitator.id, booking_for(session, role))
            assigned.append(session)
            report.append(ReportLine(session, day, "assigned", check.soft))
        if assigned:
            add_notifications(
                [facilitator.id],
                "assigned_many",
                {"cohort": cohort.name, "count": len(assigned), "role": role},
                internal_link("scheduling.show_cohort", cohort_id=cohort.id),
            )
    return report


def _insert_unless_double_booked(session_id: int, user_id: int, role: str) -> bool:
    """One assignment inside the cohort's transaction, under a savepoint: if the database refuses
    it as an overlap (another coordinator was faster), only this line is refused."""
    try:
        with db.session.begin_nested():
            db.session.add(SessionAssignment(session_id=session_id, user_id=user_id, role=role))
    except IntegrityError as error:
        if not is_double_booking(error):
            raise
        return False
    return True
