from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import Regexp

from programme.core.forms import SelectField, VersionedForm, choices, length, required
from programme.core.submissions import OnceForm
from programme.facilities.regions import REGIONS, SECURITY_LEVELS, TIMEZONES


class FacilityForm(VersionedForm):
    code = StringField(
        _l("Code"),
        validators=[
            required(),
            length(20),
            Regexp(r"^[A-Za-z0-9-]+$", message=_l("Use only Latin letters, digits and hyphens.")),
        ],
        description=_l("A short unique code such as KRG-01."),
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[required(), length(200)])
    name_ru = StringField(_l("Name in Russian"), validators=[required(), length(200)])
    name_en = StringField(_l("Name in English"), validators=[required(), length(200)])
    region = SelectField(_l("Region"), choices=lambda: choices(REGIONS.items()), validators=[required()])
    security_level = SelectField(
        _l("Security level"), choices=lambda: choices(SECURITY_LEVELS.items()), validators=[required()]
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=choices((tz, tz) for tz in TIMEZONES),
        default="Asia/Almaty",
        validators=[required()],
    )
    is_active = BooleanField(_l("Active"), default=True)


class DepartmentForm(VersionedForm):
    university = StringField(_l("University"), validators=[required(), length(200)])
    name = StringField(_l("Department"), validators=[required(), length(200)])
    city = StringField(_l("City"), validators=[required(), length(100)])
    is_active = BooleanField(_l("Active"), default=True)


class NewFacilityForm(OnceForm, FacilityForm):
    pass


class NewDepartmentForm(OnceForm, DepartmentForm):
    pass
