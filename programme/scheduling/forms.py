"""Forms of the scheduling domain (field validation only; the rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
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

WEEKDAYS = (
    (1, _l("Monday")),
    (2, _l("Tuesday")),
    (3, _l("Wednesday")),
    (4, _l("Thursday")),
    (5, _l("Friday")),
    (6, _l("Saturday")),
    (7, _l("Sunday")),
)
LANGUAGE_CHOICES = (("kk", _l("Kazakh")), ("ru", _l("Russian")), ("en", _l("English")))
ROLE_CHOICES = (("lead", _l("Lead facilitator")), ("co", _l("Co-facilitator")))


class CohortForm(VersionedForm):
    name = StringField(_l("Name"), validators=[required(), length(200)])
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[required()])
    curriculum_version_id = SelectField(_l("Curriculum version"), coerce=int, validators=[required()])
    language = SelectField(
        _l("Language of delivery"), choices=choices(LANGUAGE_CHOICES), validators=[required()]
    )
    capacity = IntegerField(
        _l("Capacity"),
        default=12,
        validators=[required(), NumberRange(min=1, max=40, message=_l("Give a number from 1 to 40."))],
    )
    room = StringField(_l("Room"), validators=[optional(), length(100)])
    start_date = DateField(_l("Start date"), validators=[required()])
    weekdays = CheckboxesField(_l("Weekdays"), coerce=int, choices=choices(WEEKDAYS), validators=[required()])
    start_time = TimeField(_l("Start time (facility's local time)"), validators=[required()])
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        default=120,
        validators=[required(), NumberRange(min=15, max=480, message=_l("Give a number from 15 to 480."))],
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validators=[required()])


class MoveSessionForm(FlaskForm):
    day = DateField(_l("New date"), validators=[required()])
    at = TimeField(_l("New start time (facility's local time)"), validators=[required()])
    shift_following = BooleanField(_l("Shift the following sessions by the same time"))


class CancelSessionForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[required(), length(200)])


class AssignForm(FlaskForm):
    facilitator_id = SelectField(_l("Facilitator"), coerce=int, validators=[required()])
    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES), validators=[required()])
    confirm = BooleanField(_l("I have read the warnings and confirm the assignment"))


class ClosureForm(FlaskForm):
    start_date = DateField(_l("First day"), validators=[required()])
    end_date = DateField(_l("Last day"), validators=[required()])
    reason = StringField(
        _l("Reason (lockdown, quarantine, holiday ...)"), validators=[required(), length(200)]
    )


class ProfileForm(VersionedForm):
    languages = CheckboxesField(_l("Languages spoken"), choices=choices(LANGUAGE_CHOICES))
    training_date = DateField(_l("Training date"), validators=[optional()])
    max_sessions_per_week = IntegerField(
        _l("Maximum sessions per week"),
        default=3,
        validators=[required(), NumberRange(min=1, max=14, message=_l("Give a number from 1 to 14."))],
    )


class PassForm(FlaskForm):
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[required()])
    number = StringField(_l("Pass number"), validators=[required(), length(60)])
    valid_from = DateField(_l("Valid from"), validators=[required()])
    valid_until = DateField(_l("Valid until (inclusive)"), validators=[required()])


class SlotForm(FlaskForm):
    weekday = SelectField(_l("Weekday"), coerce=int, choices=choices(WEEKDAYS), validators=[required()])
    start_time = TimeField(_l("From"), validators=[required()])
    end_time = TimeField(_l("Until"), validators=[required()])


class ExceptionForm(FlaskForm):
    start_date = DateField(_l("First day away"), validators=[required()])
    end_date = DateField(_l("Last day away"), validators=[required()])
    reason = StringField(_l("Reason"), validators=[optional(), length(200)])


class SessionLogForm(VersionedForm):
    chosen_question = TextAreaField(_l("The question the group chose"), validators=[required(), length(2000)])
    themes = TextAreaField(_l("Themes"), validators=[optional(), length(2000)])
    engagement = SelectField(
        _l("Engagement (1 low – 5 high)"),
        coerce=int,
        choices=choices((n, str(n)) for n in range(1, 6)),
        validators=[required()],
    )
    incidents = TextAreaField(_l("Incidents"), validators=[optional(), length(2000)])
    reflection = TextAreaField(_l("Short reflection"), validators=[optional(), length(4000)])
