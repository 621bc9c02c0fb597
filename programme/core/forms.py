"""Form helpers shared by every domain."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from programme.core.services import ValidationFailed


def required():
    return DataRequired(message=_l("This field is required."))


def length(maximum: int, minimum: int = -1):
    return Length(
        min=minimum,
        max=maximum,
        message=_l("Use between %(min)d and %(max)d characters.")
        if minimum > 0
        else _l("Use at most %(max)d characters."),
    )


def optional():
    return Optional()


class VersionedForm(FlaskForm):
    """A form editing an existing record carries the version it was opened at."""

    version_id = HiddenField()

    def submitted_version(self) -> int | None:
        try:
            return int(self.version_id.data)
        except (TypeError, ValueError):
            return None


OPTION = Markup('<option value="%s">%s</option>')
SELECTED_OPTION = Markup('<option value="%s" selected>%s</option>')


class QuickSelect(Select):
    """WTForms' select with its plain options written directly.

    WTForms builds every option through its general attribute writer; the analysis filters list a
    hundred facilities, regions and cohorts on every page, and that took two fifths of the page's
    time. An option with extra attributes (or no value) still goes through WTForms.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or choice.value is None:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        template = SELECTED_OPTION if choice.selected else OPTION
        return template % (value, choice.label or choice.value)  # Markup's % escapes both


class SelectField(wtforms.SelectField):
    """The project's select: WTForms' own, drawn by QuickSelect."""

    widget = QuickSelect()


class CheckboxesField(SelectMultipleField):
    """A multi-select shown as a list of checkboxes.

    A value outside the choices only comes from a tampered post; WTForms' own message for it is
    left untranslated (fuzzy) in its Russian catalogue, so we say it in our words.
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose only from the options shown.")) from None


class ActionForm(FlaskForm):
    """An empty form: a button that POSTs with a CSRF token (logout, delete, deactivate)."""


def apply_problems(form: FlaskForm, failure: ValidationFailed) -> None:
    """Attach a service's refusal to the form's fields (or the form itself) for display."""
    for field_name, messages in failure.problems.items():
        field = getattr(form, field_name, None) if field_name else None
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            if field is not None:
                field.errors = target
        target.extend(str(message) for message in messages)


def form_values(form: FlaskForm) -> dict:
    """The submitted field values, without the CSRF token and the record version."""
    return {
        name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "version_id")
    }


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
