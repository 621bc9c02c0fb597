"""Translated labels of the follow-up domain's codes, shared by forms, pages and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from programme.participants.labels import GENDERS, OFFENCE_CATEGORIES

RELEASE_TYPE_LABELS = {
    "end_of_sentence": _l("End of sentence"),
    "conditional_early": _l("Conditional early release"),
    "probation": _l("Transfer to probation"),
    "amnesty": _l("Amnesty"),
    "other": _l("Other"),
}
SOURCE_LABELS = {
    "probation": _l("Probation service"),
    "court_records": _l("Court records"),
    "self_report": _l("Self-report"),
    "other": _l("Other"),
}
OUTCOME_LABELS = {
    "no_new_conviction": _l("No new conviction"),
    "reconvicted": _l("Reconvicted"),
    "returned_to_custody": _l("Returned to custody"),
    "deceased": _l("Deceased"),
    "left_country": _l("Left the country"),
    "lost_to_follow_up": _l("Lost to follow-up"),
}
# People's categories belong to the registry: one source of their labels.
OFFENCE_LABELS = OFFENCE_CATEGORIES
GENDER_LABELS = GENDERS
GROUP_LABELS = {
    "completer": _l("Completers"),
    "non_completer": _l("Non-completers"),
    "comparison": _l("Comparison group"),
}
CONVICTION_LABELS = {"first": _l("First conviction"), "repeat": _l("Repeat conviction")}
RC_LABELS = {
    "reliable_increase": _l("Reliable increase"),
    "no_reliable_change": _l("No reliable change"),
    "reliable_decrease": _l("Reliable decrease"),
}
