from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
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
from programme.core.i18n import LANGUAGE_LABELS
from programme.curriculum.content import STEP_KINDS, STIMULUS_KIND_LABELS
from programme.curriculum.editing import SETTING_LIMITS

DEFAULTS = {"group_size": 12, "session_minutes": 120, "sessions_count": 10, "completion_percent": 75}


def _number(label, name, description=None):
    low, high = SETTING_LIMITS[name]
    return IntegerField(
        label,
        default=DEFAULTS[name],
        validators=[
            required(),
            NumberRange(low, high, message=_l("Enter a whole number from %(min)s to %(max)s.")),
        ],
        description=description,
    )


class CurriculumForm(VersionedForm):
    title = StringField(_l("Title"), validators=[required(), length(300)])
    summary = TextAreaField(_l("Summary"), validators=[optional(), length(20_000)], render_kw={"rows": 4})
    aims = TextAreaField(
        _l("Aims"),
        validators=[optional(), length(20_000)],
        render_kw={"rows": 4},
        description=_l("One aim per line."),
    )
    languages = CheckboxesField(
        _l("Languages it must be complete in before publishing"),
        choices=lambda: choices(LANGUAGE_LABELS.items()),
        default=["kk", "ru", "en"],
    )
    group_size = _number(_l("Intended group size"), "group_size")
    session_minutes = _number(
        _l("Session length in minutes"), "session_minutes", _l("The steps of each session must fit in it.")
    )
    sessions_count = _number(_l("Number of sessions"), "sessions_count")
    completion_percent = _number(
        _l("Attendance needed to complete (%)"), "completion_percent", _l("Share of held sessions, e.g. 75.")
    )
    excused_count_as_attended = BooleanField(_l("Excused absences count as attended"), default=True)


class NewCurriculumForm(CurriculumForm):
    department_id = SelectField(_l("Owning department"), coerce=int, validators=[required()])


class PlanForm(VersionedForm):
    title = StringField(_l("Title"), validators=[required(), length(300)])
    question = TextAreaField(
        _l("Philosophical question or theme"), validators=[optional()], render_kw={"rows": 2}
    )
    aims = TextAreaField(
        _l("Aims"), validators=[optional()], render_kw={"rows": 3}, description=_l("One per line.")
    )
    concepts = TextAreaField(
        _l("Key concepts"),
        validators=[optional(), length(2000)],
        render_kw={"rows": 3},
        description=_l("One concept per line; they are the tags used to find plans."),
    )
    stimulus_kind = SelectField(_l("Kind of stimulus"), choices=lambda: choices(STIMULUS_KIND_LABELS.items()))
    stimulus_title = StringField(_l("Stimulus title"), validators=[optional(), length(300)])
    stimulus_text = TextAreaField(
        _l("Stimulus"),
        validators=[optional()],
        render_kw={"rows": 10},
        description=_l("The story, thought experiment, text or description of the picture."),
    )
    stimulus_source = TextAreaField(
        _l("Source and attribution"), validators=[optional(), length(2000)], render_kw={"rows": 2}
    )
    follow_up_questions = TextAreaField(
        _l("Follow-up questions for the facilitator"),
        validators=[optional()],
        render_kw={"rows": 5},
        description=_l("One per line."),
    )
    safeguarding_notes = TextAreaField(
        _l("Safeguarding notes"), validators=[optional()], render_kw={"rows": 3}
    )
    materials = TextAreaField(_l("Materials needed"), validators=[optional()], render_kw={"rows": 3})
    handout_text = TextAreaField(
        _l("Participants' handout"),
        validators=[optional()],
        render_kw={"rows": 8},
        description=_l("Printed in large type for participants: no facilitator notes here."),
    )


class StepForm(Form):
    class Meta:
        def get_translations(self, form):
            # A plain sub-form does not inherit Flask-WTF's translated WTForms messages
            # ("Not a valid choice." stayed English in kk and ru).
            return wtforms_translations

    kind = SelectField(_l("Kind"), choices=lambda: choices((k, v[0]) for k, v in STEP_KINDS.items()))
    minutes = StringField(_l("Minutes"), render_kw={"inputmode": "numeric", "class": "js-step-minutes"})
    title = StringField(_l("Title"), validators=[optional(), length(200)])
    guidance = TextAreaField(_l("Facilitator guidance"), validators=[optional()], render_kw={"rows": 3})


class StepsForm(VersionedForm):
    steps = FieldList(FormField(StepForm), min_entries=1, max_entries=20)


class ImportForm(FlaskForm):
    document = FileField(_l("Curriculum file (JSON)"), validators=[FileRequired(_l("Choose a file."))])
    department_id = SelectField(_l("Owning department"), coerce=int, validators=[required()])


class TransferForm(FlaskForm):
    target_version_id = SelectField(_l("Move to curriculum"), coerce=int, validators=[required()])


class CloneForm(FlaskForm):
    department_id = SelectField(_l("Department of the copy"), coerce=int, validators=[required()])
