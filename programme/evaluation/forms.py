"""The filter form (GET, shared by every evaluation page) and the export form (POST, with purpose)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import ValidationError

from programme.core.cache import cached
from programme.core.forms import SelectField, choices, required
from programme.curriculum.models import CurriculumText, CurriculumVersion
from programme.evaluation.analysis import text_of
from programme.evaluation.scope import (
    AGE_BANDS,
    ATTENDANCE_BANDS,
    CONVICTIONS,
    LANGUAGE_NAMES,
    Filters,
)
from programme.extensions import db
from programme.facilities.models import Facility
from programme.facilities.regions import REGIONS
from programme.questionnaires.models import Administration, Instrument
from programme.scheduling.models import Cohort
from programme.scheduling.services.cohorts import cohort_filter_options

ANY = ("", _l("All"))


def timepoint_label(code: str) -> str:
    if code == "pre":
        return str(_l("Before (pre)"))
    if code == "post":
        return str(_l("After (post)"))
    if code.startswith("followup_"):
        return str(_l("Follow-up %(n)s", n=code.removeprefix("followup_")))
    return code


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


OPTION_TABLES = (Instrument, Administration, Facility, Cohort, CurriculumVersion, CurriculumText)


def filter_option_lists(kind: str, locale: str, facility_id: int | None, cohort_id: int | None) -> dict:
    """The filters' lists of instruments, timepoints, facilities, cohorts and curricula, as plain
    (value, label) pairs: five queries (one of them scans every administration) that every
    analysis page would run, reused until one of their tables changes."""
    key = {"figure": "evaluation.filter_options", "kind": kind, "locale": locale}
    key.update({"facility": facility_id, "cohort": cohort_id})
    return cached(key, lambda: _option_lists(kind, locale, facility_id, cohort_id), OPTION_TABLES)


def _option_lists(kind: str, locale: str, facility_id: int | None, cohort_id: int | None) -> dict:
    instruments = db.session.execute(
        select(Instrument.code, Instrument.texts)
        .where(Instrument.kind == kind)
        .order_by(Instrument.code, Instrument.number)
    ).all()
    names = {code: text_of(texts, locale, code) for code, texts in instruments}  # latest wins
    timepoints = sorted(
        db.session.execute(select(Administration.timepoint).distinct()).scalars(),
        key=lambda tp: (tp != "pre", tp != "post", tp),
    ) or ["pre", "post"]
    facilities = db.session.execute(select(Facility.id, Facility.code).order_by(Facility.code)).all()
    titles: dict[int, dict] = {}
    for curriculum_id, language, title in db.session.execute(
        select(CurriculumVersion.curriculum_id, CurriculumText.language, CurriculumText.title)
        .join(CurriculumText, CurriculumText.curriculum_version_id == CurriculumVersion.id)
        .order_by(CurriculumVersion.curriculum_id, CurriculumVersion.number)
    ):
        titles.setdefault(curriculum_id, {})[language] = title
    return {
        "instruments": list(names.items()),
        "timepoints": timepoints,
        "facilities": [(fid, code) for fid, code in facilities],
        "cohorts": cohort_filter_options(facility_id, cohort_id),
        "curricula": [(cid, text_of(texts, locale, str(cid))) for cid, texts in titles.items()],
    }


class FilterForm(FlaskForm):
    """Read from the query string; no CSRF (nothing changes)."""

    class Meta:
        csrf = False

    instrument = SelectField(_l("Instrument"), choices=[])
    timepoint_from = SelectField(_l("From"), choices=[], default="pre")
    timepoint_to = SelectField(_l("To"), choices=[], default="post")
    region = SelectField(_l("Region"))
    facility_id = SelectField(_l("Facility"), choices=[], coerce=_int_or_none)
    cohort_id = SelectField(
        _l("Cohort"),
        choices=[],
        coerce=_int_or_none,
        description=_l("Choose a facility first: its cohorts are listed here."),
    )
    curriculum_id = SelectField(_l("Curriculum"), choices=[], coerce=_int_or_none)
    period_from = DateField(_l("Cohorts starting from"), validators=[])
    period_to = DateField(_l("Cohorts starting until"), validators=[])
    attendance_band = SelectField(_l("Attendance"))
    age_band = SelectField(_l("Age band"))
    conviction = SelectField(_l("Conviction"))
    language = SelectField(_l("Language of the cohort"))

    def __init__(self, *args, kind: str = "scored", shown: bool = True, **kwargs):
        """`shown=False` for a download that never renders the form: the facility, cohort and
        curriculum lists are then read only when the query string names one to check."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        given = kwargs.get("formdata") or (args[0] if args else None) or {}

        def needed(name: str) -> bool:
            return shown or bool(given.get(name))

        locale = str(get_locale() or "ru")
        facility_given, cohort_given = (
            _int_or_none(given.get(name)) for name in ("facility_id", "cohort_id")
        )
        lists = filter_option_lists(kind, locale, facility_given, cohort_given)
        self.instrument.choices = choices(lists["instruments"])
        self.timepoint_from.choices = choices([(tp, timepoint_label(tp)) for tp in lists["timepoints"]])
        self.timepoint_to.choices = choices([(tp, timepoint_label(tp)) for tp in lists["timepoints"]])
        self.facility_id.choices = choices([ANY] + (lists["facilities"] if needed("facility_id") else []))
        self.region.choices = choices([ANY] + [(code, str(label)) for code, label in REGIONS.items()])
        self.cohort_id.choices = choices([ANY] + (lists["cohorts"] if needed("cohort_id") else []))
        self.curriculum_id.choices = choices([ANY] + (lists["curricula"] if needed("curriculum_id") else []))
        self.attendance_band.choices = choices([ANY] + [(c, str(v[2])) for c, v in ATTENDANCE_BANDS.items()])
        self.age_band.choices = choices([ANY] + [(c, str(v[2])) for c, v in AGE_BANDS.items()])
        self.conviction.choices = choices([ANY] + [(c, str(v)) for c, v in CONVICTIONS.items()])
        self.language.choices = choices([ANY] + [(c, str(v)) for c, v in LANGUAGE_NAMES.items()])

    def validate_timepoint_to(self, field):
        if field.data == self.timepoint_from.data and self.kind == "scored":
            raise ValidationError(_l("Choose two different timepoints."))

    def filters(self) -> Filters:
        """The filters to apply; an invalid choice falls back to "all" rather than failing."""
        self.validate()
        values = {}
        for name in (
            "facility_id",
            "region",
            "cohort_id",
            "curriculum_id",
            "attendance_band",
            "age_band",
            "conviction",
            "language",
        ):
            field = getattr(self, name)
            valid = {str(choice.value) for choice in field.choices}
            values[name] = field.data if str(field.data) in valid and field.data not in ("", None) else None
        for name in ("period_from", "period_to"):
            values[name] = getattr(self, name).data if not getattr(self, name).errors else None
        codes = [choice.value for choice in self.instrument.choices]
        instrument = self.instrument.data if self.instrument.data in codes else (codes[0] if codes else None)
        if self.kind == "scored" and "REFLECT" in codes and self.instrument.data not in codes:
            instrument = "REFLECT"
        timepoints = [choice.value for choice in self.timepoint_from.choices]
        first = self.timepoint_from.data if self.timepoint_from.data in timepoints else "pre"
        second = self.timepoint_to.data if self.timepoint_to.data in timepoints else "post"
        if first == second and self.kind == "scored":
            first, second = "pre", "post"
        self.instrument.data, self.timepoint_from.data, self.timepoint_to.data = instrument, first, second
        return Filters(instrument=instrument, timepoint_from=first, timepoint_to=second, **values)


PURPOSES = {
    "analysis": _l("Statistical analysis for the programme evaluation"),
    "publication": _l("Preparing a journal article or conference paper"),
    "ministry": _l("Report to the ministry or the Penal Correction Committee"),
    "quality": _l("Checking data quality"),
}
FORMATS = {
    "csv_long": _l("CSV, long (one row per person and timepoint)"),
    "csv_wide": _l("CSV, wide (one row per person)"),
    "xlsx": _l("Excel workbook (long, wide and codebook sheets)"),
    "sav_long": _l("SPSS .sav, long"),
    "sav_wide": _l("SPSS .sav, wide"),
    "codebook": _l("Codebook (Excel)"),
}


class ExportForm(FlaskForm):
    file_format = SelectField(_l("File"), choices=choices(FORMATS.items()), validators=[required()])
    purpose = SelectField(
        _l("Purpose of this export"),
        choices=choices([("", _l("Choose a purpose")), *PURPOSES.items()]),
        validators=[required()],
        description=_l("Recorded in the audit log with your name, the filters and the time."),
    )
