"""Forms of the questionnaires domain: field validation only; rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Regexp

from programme.core.forms import SelectField, choices, length, optional, required
from programme.questionnaires.models import INSTRUMENT_KINDS, ITEM_TYPES, SCORING_METHODS

CODE_RULE = Regexp(r"^[A-Za-z][A-Za-z0-9_]*$", message=_l("Start with a letter; use letters, digits and _."))
# A finite bound (NumberRange also refuses "nan"): "inf" or "nan" would break the JSON definition.
NUMBER_BOUND = NumberRange(
    min=-1_000_000, max=1_000_000, message=_l("Write a number from %(min)s to %(max)s.")
)
KIND_LABELS = {"scored": _l("Scored (subscales)"), "categorical": _l("Categorical (survey)")}
ITEM_TYPE_LABELS = {
    "likert": _l("Likert scale"),
    "single_choice": _l("Single choice"),
    "number": _l("Number (numeric answer)"),
    "text": _l("Free text"),
}
METHOD_LABELS = {"mean": _l("Mean of answered items"), "sum": _l("Sum")}
LANGUAGE_FIELD_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}


class InstrumentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[required(), length(40), CODE_RULE])
    kind = SelectField(
        _l("Kind"),
        choices=lambda: choices((k, KIND_LABELS[k]) for k in INSTRUMENT_KINDS),
        validators=[required()],
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[optional(), length(200)])
    name_ru = StringField(_l("Name in Russian"), validators=[optional(), length(200)])
    name_en = StringField(_l("Name in English"), validators=[optional(), length(200)])
    purpose_kk = TextAreaField(_l("Purpose in Kazakh"), validators=[optional(), length(2000)])
    purpose_ru = TextAreaField(_l("Purpose in Russian"), validators=[optional(), length(2000)])
    purpose_en = TextAreaField(_l("Purpose in English"), validators=[optional(), length(2000)])
    instructions_kk = TextAreaField(_l("Instructions in Kazakh"), validators=[optional(), length(2000)])
    instructions_ru = TextAreaField(_l("Instructions in Russian"), validators=[optional(), length(2000)])
    instructions_en = TextAreaField(_l("Instructions in English"), validators=[optional(), length(2000)])


class InstrumentTextsForm(InstrumentForm):
    """The same texts for an existing instrument (code and kind stay)."""

    code = None
    kind = None


class ItemForm(FlaskForm):
    code = StringField(_l("Item code"), validators=[required(), length(40), CODE_RULE])
    position = IntegerField(
        _l("Position"),
        validators=[optional(), NumberRange(min=1, max=500)],
        description=_l("1 is the first item."),
    )
    item_type = SelectField(
        _l("Response type"), choices=lambda: choices((t, ITEM_TYPE_LABELS[t]) for t in ITEM_TYPES)
    )
    choice_list = SelectField(_l("Choice list"), choices=[], validate_choice=False)
    subscale_code = SelectField(_l("Subscale"), choices=[], validate_choice=False)
    is_reverse = BooleanField(_l("Reverse-scored"))
    group_code = SelectField(_l("Group heading"), choices=[], validate_choice=False)
    min_value = FloatField(_l("Smallest number allowed"), validators=[optional(), NUMBER_BOUND])
    max_value = FloatField(_l("Largest number allowed"), validators=[optional(), NUMBER_BOUND])
    text_kk = TextAreaField(_l("Text in Kazakh"), validators=[optional(), length(2000)])
    text_ru = TextAreaField(_l("Text in Russian"), validators=[optional(), length(2000)])
    text_en = TextAreaField(_l("Text in English"), validators=[optional(), length(2000)])


class ChoiceListForm(FlaskForm):
    name = StringField(_l("List name"), validators=[required(), length(40), CODE_RULE])
    lines = TextAreaField(
        _l("Choices"),
        validators=[required(), length(8000)],
        description=_l("One line per choice: value; Kazakh label; Russian label; English label."),
    )


class GroupForm(FlaskForm):
    code = StringField(_l("Group code"), validators=[required(), length(40), CODE_RULE])
    text_kk = TextAreaField(_l("Heading in Kazakh"), validators=[optional(), length(2000)])
    text_ru = TextAreaField(_l("Heading in Russian"), validators=[optional(), length(2000)])
    text_en = TextAreaField(_l("Heading in English"), validators=[optional(), length(2000)])


class SubscaleForm(FlaskForm):
    code = StringField(
        _l("Subscale code"),
        validators=[required(), length(40), CODE_RULE],
        description=_l("TOTAL for the total score."),
    )
    method = SelectField(_l("Score"), choices=lambda: choices((m, METHOD_LABELS[m]) for m in SCORING_METHODS))
    min_answered_share = FloatField(
        _l("Smallest share of items answered"),
        default=0.8,
        validators=[
            required(),
            NumberRange(min=0, max=1, message=_l("Write a share between 0 and 1, e.g. 0.8.")),
        ],
    )
    prorate = BooleanField(_l("Prorate the sum (mean × number of items)"))
    text_kk = StringField(_l("Name in Kazakh"), validators=[optional(), length(200)])
    text_ru = StringField(_l("Name in Russian"), validators=[optional(), length(200)])
    text_en = StringField(_l("Name in English"), validators=[optional(), length(200)])


class ImportForm(FlaskForm):
    spreadsheet = FileField(
        _l("XLSForm spreadsheet (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["xlsx"], _l("Only .xlsx files.")),
        ],
    )


TIMEPOINT_CHOICES = (
    ("pre", _l("Before the course")),
    ("post", _l("After the course")),
    ("followup_1", _l("Follow-up 1")),
    ("followup_2", _l("Follow-up 2")),
    ("followup_3", _l("Follow-up 3")),
)


class AdministrationForm(FlaskForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validate_choice=False)
    instrument_id = SelectField(_l("Instrument"), coerce=int, validate_choice=False)
    timepoint = SelectField(_l("Timepoint"), choices=lambda: choices(TIMEPOINT_CHOICES))
    opens_on = DateField(_l("Opens on"), validators=[required()])
    closes_on = DateField(_l("Closes on"), validators=[required()])
    requires_double_entry = BooleanField(_l("Paper forms are typed twice (double entry)"))


class PaperEntryForm(FlaskForm):
    """The fixed fields of a paper form; the answers come as item-<code> fields."""

    participant_code = StringField(_l("Participant code"), validators=[required(), length(16)])
    answered_on = DateField(_l("Date on the form"), validators=[required()])
    language = SelectField(_l("Language of the form"), choices=lambda: choices(LANGUAGE_FIELD_LABELS.items()))


class KioskStartForm(FlaskForm):
    participant_code = StringField(_l("Your code"), validators=[optional(), length(16)])
    participant_id = IntegerField(validators=[optional()])
    language = SelectField(choices=lambda: choices(LANGUAGE_FIELD_LABELS.items()))


class KioskExitForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[required()])
