"""Form helpers shared by every domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

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
