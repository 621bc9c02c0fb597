from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField

from programme.core.forms import SelectField, choices, length, optional, required


class RegisterForm(FlaskForm):
    """The register's fields are one row per person (status-<id>, reason-<id>, note-<id>),
    read by the service; this form carries the CSRF token."""


class ExportForm(FlaskForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[optional()])
    file_format = RadioField(
        _l("Format"),
        choices=lambda: choices([("xlsx", _l("Excel (XLSX)")), ("csv", _l("CSV"))]),
        default="xlsx",
        validators=[required()],
    )
    purpose = StringField(
        _l("Purpose of this export"),
        validators=[required(), length(200, 5)],
        description=_l('Recorded in the audit log, e.g. "quarterly report to the department".'),
    )
