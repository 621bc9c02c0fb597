"""Translated labels for the coded values of the registry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LANGUAGES = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English"), "other": _l("Other")}
GENDERS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}
EDUCATION_LEVELS = {
    "none": _l("No formal education"),
    "primary": _l("Primary"),
    "basic_secondary": _l("Basic secondary"),
    "secondary": _l("Secondary"),
    "vocational": _l("Vocational"),
    "higher": _l("Higher"),
}
OFFENCE_CATEGORIES = {
    "violent": _l("Violent"),
    "property": _l("Property"),
    "drugs": _l("Drugs"),
    "economic": _l("Economic"),
    "traffic": _l("Traffic"),
    "other": _l("Other"),
}
ENROLMENT_STATUSES = {
    "enrolled": _l("Enrolled"),
    "waitlisted": _l("Waiting list"),
    "completed": _l("Completed the course"),
    "withdrawn": _l("Withdrawn"),
}
WITHDRAWAL_REASONS = {
    "released": _l("Released"),
    "transferred": _l("Transferred"),
    "voluntary": _l("Left voluntarily"),
    "disciplinary": _l("Disciplinary"),
    "health": _l("Health"),
}
WITHDRAWAL_CHOICES = {
    "stop_taking_part": _l("Stop taking part (data collected so far may be used)"),
    "exclude_data": _l("Stop taking part and exclude my data from the evaluation"),
}
