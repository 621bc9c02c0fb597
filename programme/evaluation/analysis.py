"""From the dataset to the results shown on pages, in the report and beside charts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l

from programme.core.permissions import EVALUATOR
from programme.evaluation import stats
from programme.evaluation.dataset import Case, Dataset, ScaleInfo
from programme.evaluation.scope import ATTENDANCE_BANDS

REASONS = {
    stats.NO_DATA: _l("Not enough data: nobody has answers at both timepoints."),
    stats.TOO_FEW: _l("Not enough data: at least %(minimum)d complete pairs are needed."),
    stats.ZERO_VARIANCE: _l("Not enough data: the scores do not vary, so this cannot be computed."),
    stats.TOO_FEW_ITEMS: _l("Not enough data: a scale needs at least two items for alpha."),
    stats.NO_RELIABILITY: _l("Not enough data: no usable reliability (alpha at the first timepoint)."),
    stats.NOT_COMPUTABLE: _l("This figure could not be computed from these numbers."),
}


def reason_text(reason: str | None) -> str:
    if reason is None:
        return ""
    return str(REASONS.get(reason, REASONS[stats.NOT_COMPUTABLE])) % {"minimum": stats.MIN_PAIRS}


@dataclass(frozen=True)
class SmallCells:
    """The small-group rule: figures from fewer than `minimum` people are hidden when active."""

    minimum: int
    active: bool

    def hides(self, n: int | None) -> bool:
        return self.active and n is not None and 0 < n < self.minimum

    def count(self, n: int) -> int | None:
        """A head count as shown: None (suppressed) when it is small."""
        return None if self.hides(n) else n


def small_cells_for(user) -> SmallCells:
    minimum = int(current_app.config.get("SMALL_CELL_MINIMUM", 5))
    return SmallCells(minimum=minimum, active=getattr(user, "role", EVALUATOR) == EVALUATOR)


def text_of(texts: dict | None, locale: str, fallback: str = "") -> str:
    texts = texts or {}
    value = texts.get(locale) or texts.get("en") or texts.get("ru") or next(iter(texts.values()), None)
    if isinstance(value, dict):
        value = value.get("name")
    return value or fallback


@dataclass
class ScaleComparison:
    scale: ScaleInfo
    result: stats.PairedComparison | stats.NotEnoughData
    alpha_first: stats.Alpha | stats.NotEnoughData
    alpha_second: stats.Alpha | stats.NotEnoughData
    rci: stats.ReliableChange | stats.NotEnoughData
    p_holm: float | None
    first: np.ndarray  # each case's score at the first timepoint, NaN where none
    second: np.ndarray

    @property
    def n(self) -> int:
        return self.result.n

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The scores of the people with both, first and second."""
        return stats.complete_pairs(self.first, self.second)

    @cached_property
    def changes(self) -> list[float]:
        before, after = self.pairs
        return (after - before).tolist()

    @cached_property
    def change_summary(self) -> ChangeSummary:
        """Smallest, largest, how many above and below zero: once, not per template use."""
        changes = self.changes
        return ChangeSummary(
            min(changes, default=None),
            max(changes, default=None),
            sum(1 for change in changes if change > 0),
            sum(1 for change in changes if change < 0),
        )


@dataclass(frozen=True)
class ChangeSummary:
    smallest: float | None
    largest: float | None
    above_zero: int
    below_zero: int


def compare(dataset: Dataset) -> list[ScaleComparison]:
    """Every scale of the instrument between the two timepoints, Holm-adjusted together."""
    comparisons = []
    for scale in dataset.scales:
        first = dataset.scores(dataset.first, scale.code)
        second = dataset.scores(dataset.second, scale.code)
        result = stats.paired_comparison(first, second)
        alpha_first = stats.cronbach_alpha(dataset.item_table(dataset.first, scale))
        alpha_second = stats.cronbach_alpha(dataset.item_table(dataset.second, scale))
        reliability = alpha_first.value if alpha_first.enough else None
        comparisons.append(
            ScaleComparison(
                scale,
                result,
                alpha_first,
                alpha_second,
                stats.reliable_change(first, second, reliability),
                None,
                first,
                second,
            )
        )
    adjusted = stats.holm({c.scale.code: (c.result.p if c.result.enough else None) for c in comparisons})
    for comparison in comparisons:
        comparison.p_holm = adjusted[comparison.scale.code]
    return comparisons


@dataclass
class DosePoint:
    study_code: str
    attendance_rate: float
    change: float


@dataclass
class Dose:
    scale: ScaleInfo | None
    correlation: stats.Correlation | stats.NotEnoughData
    points: list[DosePoint]
    bands: list[tuple[str, object, stats.PairedComparison | stats.NotEnoughData]]


def find_scale(dataset: Dataset, code: str | None) -> ScaleInfo | None:
    for scale in dataset.scales:
        if scale.code == code:
            return scale
    return dataset.scales[-1] if dataset.scales else None  # TOTAL comes last


def _paired_for(cases: list[Case], dataset: Dataset, scale: ScaleInfo):
    return stats.paired_comparison(
        [c.score(dataset.first, scale.code) for c in cases],
        [c.score(dataset.second, scale.code) for c in cases],
    )


def dose(dataset: Dataset, scale_code: str | None) -> Dose:
    scale = find_scale(dataset, scale_code)
    if scale is None:
        return Dose(None, stats.NotEnoughData(stats.NO_DATA), [], [])
    points = []
    for case in dataset.cases:
        change = case.change(scale.code, dataset.first, dataset.second)
        if change is not None and case.attendance_rate is not None:
            points.append(DosePoint(case.study_code, float(case.attendance_rate), change))
    correlation = stats.spearman([p.change for p in points], [p.attendance_rate for p in points])
    bands = []
    for code, (_low, _high, label) in ATTENDANCE_BANDS.items():
        members = [c for c in dataset.cases if c.attendance_band == code]
        bands.append((code, label, _paired_for(members, dataset, scale)))
    return Dose(scale, correlation, points, bands)


@dataclass
class Group:
    key: str
    label: str
    result: stats.PairedComparison | stats.NotEnoughData


GROUPINGS = {"facility": _l("Facility"), "cohort": _l("Cohort")}


def groups(dataset: Dataset, scale_code: str | None, by: str) -> tuple[ScaleInfo | None, list[Group]]:
    scale = find_scale(dataset, scale_code)
    if scale is None:
        return None, []
    members: dict[str, list[Case]] = {}
    labels: dict[str, str] = {}
    for case in dataset.cases:
        if by == "cohort":
            key, label = str(case.cohort_id), case.cohort_name
        else:
            key, label = case.facility_code, case.facility_code
        members.setdefault(key, []).append(case)
        labels[key] = label
    result = [Group(key, labels[key], _paired_for(cases, dataset, scale)) for key, cases in members.items()]
    result.sort(key=lambda group: group.label)
    return scale, result
