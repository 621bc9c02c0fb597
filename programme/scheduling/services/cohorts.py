"""Cohorts: creation from a published curriculum version, edits, status changes."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from programme.core.permissions import ADMIN
from programme.core.services import ValidationFailed, check_version, unit_of_work
from programme.curriculum.models import Curriculum, CurriculumText, CurriculumVersion
from programme.extensions import db
from programme.facilities.models import Facility
from programme.scheduling.models import Cohort, ProgrammeSession
from programme.scheduling.services.scope import visible_cohorts

COHORT_FIELDS = (
    "name",
    "facility_id",
    "curriculum_version_id",
    "language",
    "capacity",
    "room",
    "start_date",
    "weekdays",
    "start_time",
    "duration_minutes",
)
STATUS_LABELS = {
    "planned": _l("Planned"),
    "running": _l("Running"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
}
# Allowed status changes: planned -> running -> completed, and cancelled from planned or running.
STATUS_FLOW = {
    "planned": ("running", "cancelled"),
    "running": ("completed", "cancelled"),
    "completed": (),
    "cancelled": (),
}


def list_cohorts(user, status: str | None = None):
    query = (
        visible_cohorts(user)
        .options(joinedload(Cohort.facility))
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())
    )
    if status in STATUS_LABELS:
        query = query.where(Cohort.status == status)
    return query


def cohort_filter_options(
    facility_id: int | None, chosen_id: int | None, statuses: tuple[str, ...] = ()
) -> list[tuple[int, str]]:
    """(id, name) of the cohorts an analysis filter lists: the chosen facility's, else only the
    chosen cohort (so a link naming one still shows it; a cohort of another facility than the
    chosen one is not offered, and the filter falls back to all the facility's cohorts).
    Every cohort of the country would be 1,600 options: 80 KB on each page, more each year,
    and no one can pick from such a list.
    """
    if facility_id is None and chosen_id is None:
        return []
    query = select(Cohort.id, Cohort.name).order_by(Cohort.start_date, Cohort.id)
    if facility_id is not None:
        query = query.where(Cohort.facility_id == facility_id)
    else:
        query = query.where(Cohort.id == chosen_id)
    if statuses:
        query = query.where(Cohort.status.in_(statuses))
    return [(cohort_id, name) for cohort_id, name in db.session.execute(query)]


def session_counts(cohort_ids: list[int]) -> dict[int, dict[str, int]]:
    """Sessions per cohort and status, in one query."""
    counts: dict[int, dict[str, int]] = {cohort_id: {} for cohort_id in cohort_ids}
    if not cohort_ids:
        return counts
    rows = db.session.execute(
        select(ProgrammeSession.cohort_id, ProgrammeSession.status, func.count(ProgrammeSession.id))
        .where(ProgrammeSession.cohort_id.in_(cohort_ids))
        .group_by(ProgrammeSession.cohort_id, ProgrammeSession.status)
    ).all()
    for cohort_id, status, count in rows:
        counts[cohort_id][status] = count
    return counts


def published_versions(user) -> list[tuple[int, str]]:
    """(id, label) of the published curriculum versions the user may run: their department's."""
    locale = str(get_locale() or "ru")
    query = (
        select(CurriculumVersion, Curriculum.department_id)
        .join(Curriculum, Curriculum.id == CurriculumVersion.curriculum_id)
        .where(CurriculumVersion.status == "published")
        .order_by(CurriculumVersion.id)
    )
    if user.role != ADMIN:
        query = query.where(Curriculum.department_id == user.department_id)
    versions = db.session.execute(query).all()
    ids = [version.id for version, _department in versions]
    titles: dict[int, dict[str, str]] = {}
    if ids:
        for version_id, language, title in db.session.execute(
            select(CurriculumText.curriculum_version_id, CurriculumText.language, CurriculumText.title).where(
                CurriculumText.curriculum_version_id.in_(ids)
            )
        ):
            titles.setdefault(version_id, {})[language] = title
    choices = []
    for version, _department in versions:
        names = titles.get(version.id, {})
        title = names.get(locale) or names.get("ru") or names.get("en") or _("Curriculum")
        choices.append((version.id, _("%(title)s, version %(number)d", title=title, number=version.number)))
    return choices


def _validate(user, values: dict, cohort: Cohort | None) -> dict:
    clean = {key: values[key] for key in COHORT_FIELDS if key in values}
    clean["name"] = (clean.get("name") or "").strip()
    problems: dict[str, list[str]] = {}
    version = db.session.get(CurriculumVersion, int(clean.get("curriculum_version_id") or 0))
    if version is None or version.status != "published":
        problems["curriculum_version_id"] = [_("Choose a published curriculum version.")]
    elif user.role != ADMIN and version.curriculum.department_id != user.department_id:
        problems["curriculum_version_id"] = [_("Choose a curriculum of your department.")]
    elif cohort is not None and version.curriculum.department_id != cohort.department_id:
        problems["curriculum_version_id"] = [_("Choose a curriculum of the cohort's department.")]
    else:
        clean["department_id"] = version.curriculum.department_id
    facility = db.session.get(Facility, int(clean.get("facility_id") or 0))
    if facility is None or not facility.is_active:
        problems["facility_id"] = [_("Choose an active facility.")]
    weekdays = sorted({int(day) for day in clean.get("weekdays") or []})
    if not weekdays or any(day < 1 or day > 7 for day in weekdays):
        problems["weekdays"] = [_("Choose at least one weekday.")]
    clean["weekdays"] = weekdays
    if (
        cohort is not None
        and cohort.sessions
        and (
            clean.get("facility_id") != cohort.facility_id
            or clean.get("curriculum_version_id") != cohort.curriculum_version_id
        )
    ):
        problems[""] = [_("Sessions exist: the facility and the curriculum can no longer change.")]
    if problems:
        raise ValidationFailed(problems)
    return clean


def create_cohort(user, values: dict) -> Cohort:
    clean = _validate(user, values, None)
    with unit_of_work():
        cohort = Cohort(status="planned", **clean)
        db.session.add(cohort)
    return cohort


def update_cohort(user, cohort: Cohort, values: dict, version_id: int | None = None) -> Cohort:
    check_version(cohort, version_id)
    clean = _validate(user, values, cohort)
    with unit_of_work():
        for key, value in clean.items():
            setattr(cohort, key, value)
    return cohort


def change_status(cohort: Cohort, status: str) -> Cohort:
    if status not in STATUS_FLOW.get(cohort.status, ()):
        raise ValidationFailed.on(
            "status",
            _(
                "A cohort cannot go from %(old)s to %(new)s.",
                old=STATUS_LABELS[cohort.status],
                new=STATUS_LABELS.get(status, status),
            ),
        )
    with unit_of_work():
        cohort.status = status
    return cohort
