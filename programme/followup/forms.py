"""Forms of the follow-up domain (field checks only; the date rules live in the services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField

from programme.core.forms import SelectField, VersionedForm, choices, length, optional, required
from programme.facilities.regions import REGIONS
from programme.followup.labels import (
    GENDER_LABELS,
    OFFENCE_LABELS,
    OUTCOME_LABELS,
    RELEASE_TYPE_LABELS,
    SOURCE_LABELS,
)


def _blank_first(labels: dict) -> list:
    return [("", "—"), *labels.items()]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class ReleaseForm(VersionedForm):
    released_on = DateField(_l("Release date"), validators=[required()], format="%Y-%m-%d")
    release_type = SelectField(
        _l("Type of release"), choices=lambda: choices(RELEASE_TYPE_LABELS.items()), validators=[required()]
    )
    probation_region = SelectField(
        _l("Probation region"),
        choices=lambda: choices(_blank_first(REGIONS)),
        validators=[optional()],
        description=_l("Where the person is supervised after release, if anywhere."),
    )


class CheckForm(VersionedForm):
    checked_on = DateField(_l("Date of the check"), validators=[required()], format="%Y-%m-%d")
    source = SelectField(
        _l("Source"), choices=lambda: choices(_blank_first(SOURCE_LABELS)), validators=[required()]
    )
    outcome = SelectField(
        _l("Outcome"), choices=lambda: choices(_blank_first(OUTCOME_LABELS)), validators=[required()]
    )
    offence_date = DateField(
        _l("Date of the new offence"),
        validators=[optional()],
        format="%Y-%m-%d",
        description=_l("Only for a reconviction."),
    )
    conviction_date = DateField(
        _l("Date of the conviction"),
        validators=[optional()],
        format="%Y-%m-%d",
        description=_l("Only for a reconviction."),
    )
    offence_category = SelectField(
        _l("Category of the new offence"),
        choices=lambda: choices(_blank_first(OFFENCE_LABELS)),
        validators=[optional()],
    )
    is_custodial = SelectField(
        _l("Custodial sentence"),
        choices=lambda: choices([("", "—"), ("yes", _l("Yes")), ("no", _l("No"))]),
        coerce=lambda value: value if value in ("", "yes", "no", None) else "",
        validators=[optional()],
    )
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(2000)])

    def values(self) -> dict:
        return {
            "checked_on": self.checked_on.data,
            "source": self.source.data,
            "outcome": self.outcome.data,
            "offence_date": self.offence_date.data,
            "conviction_date": self.conviction_date.data,
            "offence_category": self.offence_category.data or None,
            "is_custodial": _yes_no(self.is_custodial.data),
            "notes": self.notes.data or "",
        }


class ComparisonPersonForm(FlaskForm):
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[required()])
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    facility_number = StringField(_l("Number at the facility"), validators=[required(), length(40)])
    birth_year = IntegerField(_l("Birth year"), validators=[required()])
    gender = SelectField(
        _l("Gender"), choices=lambda: choices(_blank_first(GENDER_LABELS)), validators=[required()]
    )
    offence_category = SelectField(
        _l("Offence category"), choices=lambda: choices(_blank_first(OFFENCE_LABELS)), validators=[required()]
    )
    is_repeat_conviction = SelectField(
        _l("Conviction"),
        choices=lambda: choices(
            [("", "—"), ("first", _l("First conviction")), ("repeat", _l("Repeat conviction"))]
        ),
        validators=[required()],
    )
    sentence_start = DateField(_l("Sentence start"), validators=[optional()], format="%Y-%m-%d")
    expected_release = DateField(_l("Expected release"), validators=[optional()], format="%Y-%m-%d")
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(2000)])

    def values(self) -> dict:
        return {
            "full_name": self.full_name.data,
            "facility_number": self.facility_number.data,
            "birth_year": self.birth_year.data,
            "gender": self.gender.data,
            "offence_category": self.offence_category.data,
            "is_repeat_conviction": {"first": False, "repeat": True}.get(self.is_repeat_conviction.data),
            "sentence_start": self.sentence_start.data,
            "expected_release": self.expected_release.data,
            "notes": self.notes.data or "",
        }


class ExportForm(FlaskForm):
    file_format = SelectField(
        _l("Format"),
        choices=lambda: choices([("csv", "CSV"), ("xlsx", _l("Excel (XLSX)")), ("sav", _l("SPSS (.sav)"))]),
        validators=[required()],
    )
    purpose = TextAreaField(
        _l("Purpose of the export"),
        validators=[required(), length(500, 10)],
        description=_l("Recorded in the audit trail, e.g. the analysis plan this export serves."),
    )
