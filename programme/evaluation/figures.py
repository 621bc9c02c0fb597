"""The charts of each page, with translated labels and the small-group rule applied.

Pages and the PDF report call the same functions, so they show the same images.
"""

from __future__ import annotations

import numpy as np
from flask_babel import gettext as _
from scipy import stats as scipy_stats

from programme.evaluation import charts
from programme.evaluation.analysis import Dose, Group, ScaleComparison, SmallCells, text_of
from programme.evaluation.forms import timepoint_label


def scale_label(scale, locale: str) -> str:
    if scale is None:
        return ""
    if scale.code == "TOTAL":
        return _("Total score")
    return text_of(scale.texts, locale, scale.code)


def comparison_charts(
    comparison: ScaleComparison, first: str, second: str, locale: str, small_cells: SmallCells
) -> dict[str, charts.Chart]:
    result = comparison.result
    if not result.enough or small_cells.hides(result.n):
        return {}
    label = scale_label(comparison.scale, locale)
    before, after = comparison.pairs
    pairs = np.column_stack((before, after))
    first_label, second_label = timepoint_label(first), timepoint_label(second)
    paired = charts.paired_chart(
        pairs,
        (result.mean_pre, result.mean_post),
        _mean_intervals(comparison),
        (first_label, second_label),
        label,
        _("Each person's score before and after, with the means and their 95 %% CIs: %(scale)s", scale=label),
    )
    change = charts.change_histogram(
        comparison.changes,
        _("Change in score (%(second)s minus %(first)s)", second=second_label, first=first_label),
        _("Number of people"),
        _("Distribution of the change in score: %(scale)s", scale=label),
    )
    return {"paired": paired, "change": change}


def _mean_intervals(comparison: ScaleComparison):
    result = comparison.result
    t = float(scipy_stats.t.ppf(0.975, result.n - 1))
    half_pre = t * result.sd_pre / result.n**0.5
    half_post = t * result.sd_post / result.n**0.5
    return (
        (result.mean_pre - half_pre, result.mean_pre + half_pre),
        (result.mean_post - half_post, result.mean_post + half_post),
    )


def forest_chart(groups: list[Group], scale, locale: str, small_cells: SmallCells) -> charts.Chart | None:
    rows = [
        (group.label, group.result.mean_change, group.result.change_ci.low, group.result.change_ci.high)
        for group in groups
        if group.result.enough and not small_cells.hides(group.result.n)
    ]
    if not rows:
        return None
    label = scale_label(scale, locale)
    return charts.forest_plot(
        rows,
        _("Mean change with 95 %% CI: %(scale)s", scale=label),
        _("Forest plot of the mean change by group: %(scale)s", scale=label),
    )


def dose_chart(dose: Dose, locale: str, small_cells: SmallCells) -> charts.Chart | None:
    if not dose.points or small_cells.hides(len(dose.points)) or len(dose.points) < 2:
        return None
    label = scale_label(dose.scale, locale)
    return charts.dose_scatter(
        [(p.attendance_rate, p.change) for p in dose.points],
        _("Attendance rate (%)"),
        _("Change: %(scale)s", scale=label),
        _("Change in score against attendance rate: %(scale)s", scale=label),
    )
