"""The analysis dataset as files: CSV, XLSX and SPSS .sav (long and wide), and its codebook.

Pseudonymised: study codes, age bands and attendance rates; never names, facility numbers,
birth years or dates. For evaluators the small-group rule applies: the export needs at least
SMALL_CELL_MINIMUM people, and the cohort, facility, region and curriculum of people in a
cohort with fewer than that many people are blanked (local suppression, stated in the codebook).
"""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path

import pandas as pd
import pyreadstat
from flask_babel import gettext as _
from openpyxl import Workbook

from programme.evaluation.analysis import SmallCells, text_of
from programme.evaluation.dataset import Case, Dataset
from programme.evaluation.forms import timepoint_label
from programme.evaluation.scope import AGE_BANDS, ATTENDANCE_BANDS, CONVICTIONS, LANGUAGE_NAMES
from programme.facilities.regions import REGIONS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: str  # "string", "numeric", "categorical"
    values: dict[int, str] | None = None


@dataclass
class Table:
    frame: pd.DataFrame  # categorical variables as integer codes (missing = NaN)
    variables: list[Variable]
    notes: list[str]


def variable_name(code: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", code)
    return name if name[:1].isalpha() else f"v_{name}"


def _codes(values: list[str], labels: dict) -> dict[str, int]:
    ordered = [value for value in labels if value in set(values)]
    return {value: number for number, value in enumerate(ordered, start=1)}


def _small_cohorts(cases: list[Case], small_cells: SmallCells) -> set[int]:
    sizes: dict[int, int] = {}
    for case in cases:
        sizes[case.cohort_id] = sizes.get(case.cohort_id, 0) + 1
    return {cohort for cohort, size in sizes.items() if small_cells.hides(size)}


def _person_columns(dataset: Dataset, small_cells: SmallCells, locale: str):
    """Per-case attribute columns (codes) and their variables."""
    cases = dataset.cases
    hidden = _small_cohorts(cases, small_cells)
    cohorts = {c.cohort_id: c.cohort_name for c in sorted(cases, key=lambda c: c.cohort_id)}
    facilities = {c.facility_code: c.facility_code for c in sorted(cases, key=lambda c: c.facility_code)}
    curricula = {c.curriculum_id: str(c.curriculum_id) for c in sorted(cases, key=lambda c: c.curriculum_id)}
    maps = {
        "cohort": ({k: n for n, k in enumerate(cohorts, start=1)}, cohorts, _("Cohort")),
        "facility": ({k: n for n, k in enumerate(facilities, start=1)}, facilities, _("Facility")),
        "region": (_codes([c.region for c in cases], REGIONS), REGIONS, _("Region of the facility")),
        "curriculum": (
            {k: n for n, k in enumerate(curricula, start=1)},
            {k: _("Curriculum %(id)s", id=k) for k in curricula},
            _("Curriculum"),
        ),
        "language": (
            _codes([c.language for c in cases], LANGUAGE_NAMES),
            LANGUAGE_NAMES,
            _("Language of the cohort"),
        ),
        "age_band": (
            _codes([c.age_band for c in cases], AGE_BANDS),
            {k: v[2] for k, v in AGE_BANDS.items()},
            _("Age band at the start of the cohort"),
        ),
        "conviction": (
            _codes([c.conviction for c in cases], CONVICTIONS),
            CONVICTIONS,
            _("First or repeat conviction"),
        ),
        "attendance_band": (
            _codes([c.attendance_band for c in cases], ATTENDANCE_BANDS),
            {k: v[2] for k, v in ATTENDANCE_BANDS.items()},
            _("Attendance band"),
        ),
    }
    getters = {
        "cohort": lambda c: c.cohort_id,
        "facility": lambda c: c.facility_code,
        "region": lambda c: c.region,
        "curriculum": lambda c: c.curriculum_id,
        "language": lambda c: c.language,
        "age_band": lambda c: c.age_band,
        "conviction": lambda c: c.conviction,
        "attendance_band": lambda c: c.attendance_band,
    }
    blanked = {"cohort", "facility", "region", "curriculum"}
    columns: dict[str, list] = {"study_code": [c.study_code for c in cases]}
    variables = [Variable("study_code", _("Study code (pseudonym)"), "string")]
    for name, (codes, labels, label) in maps.items():
        column = []
        for case in cases:
            if name in blanked and case.cohort_id in hidden:
                column.append(None)
            else:
                column.append(codes.get(getters[name](case)))
        columns[name] = column
        variables.append(
            Variable(name, label, "categorical", {n: str(labels.get(k, k)) for k, n in codes.items()})
        )
    columns["attendance_pct"] = [
        None if c.attendance_rate is None else round(100 * float(c.attendance_rate), 1) for c in cases
    ]
    variables.append(Variable("attendance_pct", _("Share of held sessions attended (%)"), "numeric"))
    notes = []
    if hidden:
        notes.append(
            _(
                "Cohort, facility, region and curriculum are left blank for %(count)d people in cohorts "
                "with fewer than %(minimum)d people in this export.",
                count=sum(1 for c in cases if c.cohort_id in hidden),
                minimum=small_cells.minimum,
            )
        )
    return columns, variables, notes


def long_table(dataset: Dataset, small_cells: SmallCells, locale: str) -> Table:
    person, variables, notes = _person_columns(dataset, small_cells, locale)
    timepoints = (dataset.first, dataset.second)
    rows: dict[str, list] = {name: [] for name in person}
    rows["timepoint"] = []
    scale_columns = {scale.code: variable_name(f"score_{scale.code}") for scale in dataset.scales}
    for column in scale_columns.values():
        rows[column] = []
    for index, case in enumerate(dataset.cases):
        for number, timepoint in enumerate(timepoints, start=1):
            if timepoint not in case.scores:
                continue
            for name in person:
                rows[name].append(person[name][index])
            rows["timepoint"].append(number)
            for code, column in scale_columns.items():
                rows[column].append(case.score(timepoint, code))
    variables = variables + [
        Variable(
            "timepoint",
            _("Timepoint"),
            "categorical",
            {n: timepoint_label(tp) for n, tp in enumerate(timepoints, start=1)},
        )
    ]
    for scale in dataset.scales:
        variables.append(Variable(scale_columns[scale.code], _scale_title(scale, locale), "numeric"))
    return Table(_frame(rows, variables), variables, notes)


def wide_table(dataset: Dataset, small_cells: SmallCells, locale: str) -> Table:
    person, variables, notes = _person_columns(dataset, small_cells, locale)
    rows = dict(person)
    first, second = dataset.first, dataset.second
    for scale in dataset.scales:
        title = _scale_title(scale, locale)
        for suffix, timepoint in (("t1", first), ("t2", second)):
            name = variable_name(f"{scale.code}_{suffix}")
            rows[name] = [case.score(timepoint, scale.code) for case in dataset.cases]
            variables.append(Variable(name, f"{title}: {timepoint_label(timepoint)}", "numeric"))
        name = variable_name(f"{scale.code}_change")
        rows[name] = [case.change(scale.code, first, second) for case in dataset.cases]
        variables.append(Variable(name, _("%(scale)s: change (t2 - t1)", scale=title), "numeric"))
    return Table(_frame(rows, variables), variables, notes)


def _scale_title(scale, locale: str) -> str:
    return _("Total score") if scale.code == "TOTAL" else text_of(scale.texts, locale, scale.code)


def _frame(rows: dict[str, list], variables: list[Variable]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[v.name for v in variables])
    for variable in variables:
        if variable.kind != "string":
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce").astype("float64")
    return frame


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([v.name for v in table.variables])
    for record in table.frame.itertuples(index=False):
        writer.writerow(["" if _cell(value) is None else _cell(value) for value in record])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def codebook_rows(table: Table) -> list[list[str]]:
    rows = [[_("Variable"), _("Label"), _("Type"), _("Values")]]
    kinds = {"string": _("text"), "numeric": _("number"), "categorical": _("categorical (coded)")}
    for variable in table.variables:
        values = "; ".join(f"{code} = {label}" for code, label in (variable.values or {}).items())
        rows.append([variable.name, variable.label, kinds[variable.kind], values])
    return rows


def scoring_rows(dataset: Dataset, locale: str) -> list[list[str]]:
    rows = [[_("Scale"), _("Label"), _("Items (R = reverse-scored)"), _("Rule")]]
    reverse = {item.code for item in dataset.items if item.is_reverse}
    for scale in dataset.scales:
        items = ", ".join(f"{code} (R)" if code in reverse else code for code in scale.items)
        rule = _(
            "%(method)s of the answered items when at least %(share)d %% are answered, otherwise missing",
            method=_("Sum") if scale.method == "sum" else _("Mean"),
            share=round(100 * scale.min_answered_share),
        )
        if scale.prorate:
            rule += "; " + _("prorated: mean x number of items")
        rows.append([scale.code, _scale_title(scale, locale), items, rule])
    rows.append(["", "", "", _("Reverse-scored item: x' = (min + max) - x.")])
    return rows


def _sheet(workbook: Workbook, title: str, rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append([_cell(value) for value in row])


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_xlsx(long: Table, wide: Table, dataset: Dataset, locale: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, table in (("long", long), ("wide", wide)):
        frame = table.frame.astype(object).where(table.frame.notna(), None)
        _sheet(workbook, title, [list(frame.columns)] + frame.values.tolist())
    _add_codebook(workbook, wide, long, dataset, locale)
    return _workbook_bytes(workbook)


def _add_codebook(workbook: Workbook, wide: Table, long: Table, dataset: Dataset, locale: str) -> None:
    _sheet(workbook, "codebook_wide", codebook_rows(wide))
    _sheet(workbook, "codebook_long", codebook_rows(long))
    notes = [[note] for note in wide.notes] or [[_("No values were suppressed.")]]
    _sheet(workbook, "scoring", scoring_rows(dataset, locale) + [[""]] + notes)


def codebook_xlsx(long: Table, wide: Table, dataset: Dataset, locale: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_codebook(workbook, wide, long, dataset, locale)
    return _workbook_bytes(workbook)


def to_sav(table: Table) -> bytes:
    frame = table.frame  # written as it is: pyreadstat does not change it, so no copy
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "dataset.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            column_labels={v.name: v.label for v in table.variables},
            variable_value_labels={
                v.name: {float(code): label for code, label in v.values.items()}
                for v in table.variables
                if v.values
            },
            variable_measure={
                v.name: {"string": "nominal", "categorical": "nominal", "numeric": "scale"}[v.kind]
                for v in table.variables
            },
        )
        return path.read_bytes()
