from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email

from programme.core.forms import SelectField, VersionedForm, choices, length, optional, required
from programme.core.i18n import LANGUAGE_NAMES
from programme.core.permissions import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[required(), length(255)])
    password = PasswordField(_l("Password"), validators=[required(), length(256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required(), length(256)])
    new_password = PasswordField(_l("New password"), validators=[required(), length(256)])


def _role_choices():
    return choices(ROLE_LABELS.items())


def _email():
    return Email(message=_l("Enter an e-mail address such as name@example.kz."))


class UserForm(VersionedForm):
    email = EmailField(_l("E-mail"), validators=[required(), length(255), _email()])
    full_name = StringField(_l("Full name"), validators=[required(), length(200)])
    role = SelectField(_l("Role"), choices=_role_choices, validators=[required()])
    facility_id = SelectField(_l("Facility (education officers)"), coerce=int, validators=[optional()])
    department_id = SelectField(
        _l("Department (coordinators and facilitators)"), coerce=int, validators=[optional()]
    )
    is_active = BooleanField(_l("Account active"), default=True)


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Temporary password"),
        validators=[required(), length(256)],
        description=_l("At least 12 characters. The user must change it at first sign-in."),
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New temporary password"),
        validators=[required(), length(256)],
        description=_l("The user must change it at the next sign-in; all their sessions end."),
    )


class LanguageForm(FlaskForm):
    locale = SelectField(choices=choices(LANGUAGE_NAMES.items()))


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[required(), length(20)],
        description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
