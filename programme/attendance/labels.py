"""Translated labels for attendance values (and the scheduling statuses shown next to them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUSES = {"present": _l("Present"), "late": _l("Late"), "excused": _l("Excused"), "absent": _l("Absent")}
REASONS = {
    "court": _l("Court"),
    "medical": _l("Medical"),
    "visit": _l("Visit"),
    "transfer": _l("Transfer"),
    "lockdown": _l("Lockdown"),
    "refused": _l("Refused"),
    "other": _l("Other"),
}
SESSION_STATUSES = {
    "scheduled": _l("scheduled"),
    "held": _l("held"),
    "cancelled": _l("cancelled"),
    "moved": _l("moved"),
}
COHORT_STATUSES = {
    "planned": _l("planned"),
    "running": _l("running"),
    "completed": _l("completed"),
    "cancelled": _l("cancelled"),
}
