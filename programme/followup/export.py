"""Export of the pseudonymised survival dataset as CSV, XLSX and SPSS .sav, audited with a purpose."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
import pyreadstat
from flask_babel import gettext as _
from openpyxl import Workbook

from programme.audit.services import record
from programme.core.services import ValidationFailed, unit_of_work
from programme.followup.dataset import AGE_BAND_CODES, GROUPS, FollowupFilters, build_dataset
from programme.followup.measures import RC_CATEGORIES

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "sav": ("application/x-spss-sav", "sav"),
}
COLUMNS = (
    "study_code",
    "group",
    "facility_code",
    "region",
    "age_band",
    "repeat_conviction",
    "attendance_rate",
    "prepost_change",
    "rc_category",
    "time_days",
    "event",
    "eligible_12m",
    "proven_12m",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def variable_labels() -> dict[str, str]:
    return {
        "study_code": _("Study code (pseudonym)"),
        "group": _("Group"),
        "facility_code": _("Facility code"),
        "region": _("Region of the facility"),
        "age_band": _("Age band at release"),
        "repeat_conviction": _("Repeat conviction (1) or first (0)"),
        "attendance_rate": _("Attendance rate (0 to 1)"),
        "prepost_change": _("Pre/post change of the total score"),
        "rc_category": _("Reliable change category"),
        "time_days": _("Days from release to reoffence or censoring"),
        "event": _("Reoffence (1) or censored (0)"),
        "eligible_12m": _("Whole 18-month window passed (1/0)"),
        "proven_12m": _("Proven reoffence within 12 months (1/0)"),
    }


def dataset_frame(filters) -> pd.DataFrame:
    rows = build_dataset(filters).rows
    records = [
        {
            "study_code": row.study_code,
            "group": row.group,
            "facility_code": row.facility_code,
            "region": row.region,
            "age_band": row.age_band,
            "repeat_conviction": None if row.is_repeat is None else int(row.is_repeat),
            "attendance_rate": row.attendance_rate,
            "prepost_change": row.prepost_change,
            "rc_category": row.rc_category,
            "time_days": row.time_days,
            "event": int(row.event),
            "eligible_12m": int(row.eligible_12m),
            "proven_12m": int(row.proven_12m),
        }
        for row in rows
    ]
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(frame: pd.DataFrame):
    for record_ in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
        yield [_safe(value) for value in record_]


def to_csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(frame.columns)
    writer.writerows(_cells(frame))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survival"
    sheet.append(list(frame.columns))
    for row in _cells(frame):
        sheet.append(row)
    labels = workbook.create_sheet("variables")
    labels.append(["variable", "label"])
    for name, label in variable_labels().items():
        labels.append([name, label])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_sav(frame: pd.DataFrame) -> bytes:
    """Categories become numbered codes with value labels; every variable carries its label."""
    from programme.facilities.regions import REGIONS
    from programme.followup.dates import AGE_BAND_LABELS
    from programme.followup.labels import GROUP_LABELS, RC_LABELS

    coded = frame.copy()
    value_labels: dict[str, dict[float, str]] = {}
    for column, codes, labels in (
        ("group", GROUPS, GROUP_LABELS),
        ("age_band", AGE_BAND_CODES, AGE_BAND_LABELS),
        ("rc_category", RC_CATEGORIES, RC_LABELS),
        ("region", tuple(REGIONS), REGIONS),
    ):
        numbers = {code: float(i) for i, code in enumerate(codes, start=1)}
        coded[column] = coded[column].map(numbers).astype(float)
        value_labels[column] = {numbers[code]: str(labels[code]) for code in codes}
    yes_no = {0.0: _("No"), 1.0: _("Yes")}
    for column in ("repeat_conviction", "event", "eligible_12m", "proven_12m"):
        coded[column] = coded[column].astype(float)
        value_labels[column] = yes_no
    for column in ("attendance_rate", "prepost_change", "time_days"):
        coded[column] = coded[column].astype(float)
    coded["study_code"] = coded["study_code"].astype(str)
    coded["facility_code"] = coded["facility_code"].astype(str)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "survival.sav"
        labels = variable_labels()
        pyreadstat.write_sav(
            coded,
            str(path),
            column_labels=[labels[c] for c in coded.columns],
            variable_value_labels=value_labels,
        )
        return path.read_bytes()


def export_dataset(filters, file_format: str, purpose: str) -> tuple[bytes, str, str]:
    """(content, mimetype, file name); the export is written to the audit trail with its purpose."""
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        raise ValidationFailed.on(
            "purpose", _("Say in a sentence what the export is for (10 characters or more).")
        )
    if file_format not in FORMATS:
        raise ValidationFailed.on("file_format", _("Choose a file format from the list."))
    filters = FollowupFilters.coerce(filters)
    frame = dataset_frame(filters)
    content = {"csv": to_csv, "xlsx": to_xlsx, "sav": to_sav}[file_format](frame)
    with unit_of_work():
        record(
            "export",
            "followup_survival_dataset",
            None,
            {"format": file_format, "rows": len(frame), "filters": filters.as_args()},
            purpose=purpose,
        )
    mimetype, extension = FORMATS[file_format]
    return content, mimetype, f"survival-dataset.{extension}"
