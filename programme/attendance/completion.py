"""The completion rule, applied when a cohort ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from programme.attendance.rates import enrolment_rates
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.participants.models import Enrolment


@dataclass(frozen=True)
class CompletionResult:
    completed: int
    not_completed: int


def apply_completion(cohort, completed_at: datetime | None = None, commit: bool = True) -> CompletionResult:
    """Mark as completed everyone enrolled whose rate reaches the curriculum's completion share.

    Everyone enrolled or withdrawn gets their final attendance rate stored (for evaluation);
    people below the share stay "enrolled" (they did not complete). Safe to run again: the
    result depends only on the marks. The scheduling domain calls this when a cohort ends.
    """
    completed_at = completed_at or datetime.now(UTC)
    percent = cohort.curriculum_version.completion_percent
    rates = enrolment_rates(Enrolment.cohort_id == cohort.id)
    enrolments = (
        db.session.execute(
            select(Enrolment).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status.in_(("enrolled", "completed", "withdrawn"))
            )
        )
        .scalars()
        .all()
    )
    completed = not_completed = 0

    def apply() -> None:
        nonlocal completed, not_completed
        for enrolment in enrolments:
            rate = rates.get(enrolment.id)
            enrolment.final_attendance_rate = rate.share if rate else None
            if enrolment.status == "withdrawn":
                continue
            if rate is not None and rate.reaches(percent):
                if enrolment.status != "completed":
                    enrolment.status = "completed"
                    enrolment.completed_at = completed_at
                completed += 1
            else:
                enrolment.status = "enrolled"
                enrolment.completed_at = None
                not_completed += 1

    if commit:
        with unit_of_work():
            apply()
    else:
        apply()
    return CompletionResult(completed, not_completed)
