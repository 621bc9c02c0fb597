"""Forms of the registry: field validation only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange

from programme.core.forms import (
    CheckboxesField,
    SelectField,
    VersionedForm,
    choices,
    length,
    optional,
    required,
)
from programme.participants import labels
from programme.participants.privacy import SUBJECT_ACCESS_PURPOSES


def _with_blank(options: dict) -> list:
    return choices([("", _l("Not recorded")), *options.items()])


class ParticipantForm(VersionedForm):
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[required()])
    full_name = StringField(
        _l("Full name"),
        validators=[required(), length(200)],
        description=_l("Surname first, as in the facility's records: Ахметов Ерлан Серикович."),
    )
    facility_number = StringField(_l("Facility number"), validators=[required(), length(40)])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[required(), NumberRange(1920, 2100, message=_l("Write the year as four digits."))],
    )
    gender = SelectField(_l("Gender"), choices=lambda: _with_blank(labels.GENDERS), validators=[optional()])
    languages = CheckboxesField(_l("Languages"), choices=lambda: choices(labels.LANGUAGES.items()))
    education_level = SelectField(
        _l("Education"), choices=lambda: _with_blank(labels.EDUCATION_LEVELS), validators=[optional()]
    )
    offence_category = SelectField(
        _l("Offence category"),
        choices=lambda: _with_blank(labels.OFFENCE_CATEGORIES),
        validators=[optional()],
    )
    is_repeat_conviction = SelectField(
        _l("Conviction"),
        choices=lambda: choices(
            [("", _l("Not recorded")), ("no", _l("First conviction")), ("yes", _l("Repeat conviction"))]
        ),
        validators=[optional()],
    )
    sentence_start = DateField(_l("Sentence start"), validators=[optional()])
    expected_release = DateField(_l("Expected release"), validators=[optional()])
    notes = TextAreaField(_l("Notes"), validators=[optional(), length(2000)])

    def values(self) -> dict:
        data = {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version_id", "facility_id")
        }
        data["is_repeat_conviction"] = {"yes": True, "no": False}.get(data.get("is_repeat_conviction") or "")
        return data

    def load(self, participant) -> None:
        if self.is_submitted():
            return
        self.is_repeat_conviction.data = {True: "yes", False: "no"}.get(participant.is_repeat_conviction, "")
        for field in ("gender", "education_level", "offence_category"):
            getattr(self, field).data = getattr(participant, field) or ""


class ImportForm(FlaskForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file."))],
        description=_l("The first row names the columns."),
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[required()])


class TransferForm(FlaskForm):
    to_facility_id = SelectField(_l("Receiving facility"), coerce=int, validators=[required()])
    transferred_on = DateField(_l("Date of transfer"), validators=[required()])
    new_facility_number = StringField(
        _l("Number at the receiving facility"),
        validators=[optional(), length(40)],
        description=_l("Leave empty to keep the current number."),
    )


class ConsentForm(FlaskForm):
    consented_on = DateField(_l("Date of consent"), validators=[required()])
    form_version = StringField(_l("Consent form version"), validators=[required(), length(40)], default="v1")


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = DateField(_l("Date of withdrawal"), validators=[required()])
    choice = RadioField(
        _l("What the person asked for"),
        choices=lambda: choices(labels.WITHDRAWAL_CHOICES.items()),
        validators=[required()],
    )


class EnrolForm(FlaskForm):
    participant_ids = CheckboxesField(_l("People to enrol"), coerce=int, validators=[required()])


class WithdrawEnrolmentForm(FlaskForm):
    reason = SelectField(
        _l("Reason"), choices=lambda: choices(labels.WITHDRAWAL_REASONS.items()), validators=[required()]
    )
    withdrawn_on = DateField(_l("Date"), validators=[required()])


class SubjectAccessForm(FlaskForm):
    file_format = RadioField(
        _l("File"),
        choices=lambda: choices(
            [("pdf", _l("PDF, to hand to the person")), ("json", _l("JSON, machine-readable"))]
        ),
        default="pdf",
        validators=[required()],
    )
    purpose = SelectField(
        _l("Purpose of this export"),
        choices=lambda: choices([("", _l("Choose a purpose")), *SUBJECT_ACCESS_PURPOSES.items()]),
        validators=[required()],
        description=_l("Recorded in the audit log with your name and the time."),
    )


class ForgetForm(FlaskForm):
    study_code = StringField(
        _l("Type the study code to confirm"),
        validators=[required(), length(20)],
        description=_l("This cannot be undone."),
    )


class RetentionForm(FlaskForm):
    confirm = BooleanField(
        _l("I have checked the list: remove these people's names and facility numbers now."),
        validators=[required()],
    )
