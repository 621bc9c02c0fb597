"""Reoffending measures for evaluators: the 12-month proven reoffending rate, Kaplan–Meier
survival with log-rank comparisons, a Cox model, and reoffending by reliable change category.

Everything is computed from `dataset.build_dataset(filters)`; figures from fewer people than
SMALL_CELL_MINIMUM are suppressed (their `suppressed` flag is set and the numbers left out).
The evaluation report calls `reoffending_rate_12m(filters)`, `survival_summary(filters)` and
`charts.survival_chart_png(summary)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import current_app
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from lifelines.utils import median_survival_times
from statsmodels.stats.proportion import proportion_confint

from programme.core.cache import cached, watch
from programme.facilities.models import Facility
from programme.followup.cox import CoxResult, fit_cox
from programme.followup.dataset import GROUPS, Dataset, FollowupFilters, SurvivalRow, build_dataset
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Enrolment, Participant
from programme.questionnaires.models import (
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
)
from programme.scheduling.models import Cohort

# Survival is read at these follow-up points (months, days: months × 365.25 / 12, rounded).
SURVIVAL_POINTS = ((6, 183), (12, 365), (24, 730))
# The page's life table groups days from release by quarter, as reoffending studies report it:
# a few rows per group whatever the number of people (the full event table is in the export).
LIFE_TABLE_DAYS = 91
RC_CATEGORIES = ("reliable_increase", "no_reliable_change", "reliable_decrease")


def small_cell_minimum() -> int:
    return int(current_app.config.get("SMALL_CELL_MINIMUM", 5))


@dataclass
class Rate:
    n: int
    count: int | None = None
    rate: float | None = None
    low: float | None = None
    high: float | None = None
    suppressed: bool = False


def proportion(count: int, n: int, minimum: int) -> Rate:
    """count/n with a Wilson 95 % CI; suppressed below the small-cell minimum, empty at n = 0."""
    if n == 0:
        return Rate(0)
    if n < minimum:
        return Rate(n, suppressed=True)
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return Rate(n, count, count / n, float(low), float(high))


@dataclass
class RateSummary:
    overall: Rate
    groups: dict[str, Rate]
    not_yet_eligible: int


def rate_from_rows(rows: list[SurvivalRow], minimum: int) -> RateSummary:
    eligible = [row for row in rows if row.eligible_12m]
    groups = {
        group: proportion(
            sum(row.proven_12m for row in eligible if row.group == group),
            sum(row.group == group for row in eligible),
            minimum,
        )
        for group in GROUPS
    }
    overall = proportion(sum(row.proven_12m for row in eligible), len(eligible), minimum)
    if any(rate.suppressed for rate in groups.values()):
        # Otherwise a hidden group's figures follow from the total minus the groups shown.
        overall = Rate(overall.n, suppressed=True)
    return RateSummary(overall, groups, len(rows) - len(eligible))


def reoffending_rate_12m(filters=None) -> RateSummary:
    """Proven reoffending at 12 months (offence within 12 months of release, convicted within
    18), over people whose whole 18-month window had passed on the analysis date."""
    return rate_from_rows(build_dataset(filters).rows, small_cell_minimum())


@dataclass
class PointEstimate:
    months: int
    days: int
    survival: float | None  # None: beyond the longest follow-up of the group
    low: float | None = None
    high: float | None = None


@dataclass
class GroupCurve:
    group: str
    n: int
    events: int = 0
    censored: int = 0
    suppressed: bool = False
    points: list[PointEstimate] = field(default_factory=list)
    median: float | None = None  # None: not reached
    median_low: float | None = None
    median_high: float | None = None
    # (days, at risk, events, censored, survival, lower, upper) at each time something happened
    table: list[tuple] = field(default_factory=list)
    # (first day, last day, at risk at the start, events, censored, survival at the end, lower,
    # upper) per LIFE_TABLE_DAYS interval up to the longest follow-up: what the page shows
    life_table: list[tuple] = field(default_factory=list)
    # step curve for charts: (days, survival, lower, upper)
    curve: list[tuple] = field(default_factory=list)


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def kaplan_meier(durations: list[int], events: list[bool], label: str) -> KaplanMeierFitter:
    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit(durations, event_observed=events, label=label)
    return fitter


def group_curve(group: str, rows: list[SurvivalRow], minimum: int) -> GroupCurve:
    result = GroupCurve(group, len(rows))
    if len(rows) < minimum:
        result.suppressed = len(rows) > 0
        return result
    fitter = kaplan_meier([r.time_days for r in rows], [r.event for r in rows], group)
    result.events = sum(r.event for r in rows)
    result.censored = result.n - result.events
    survival = fitter.survival_function_.iloc[:, 0]
    bands = fitter.confidence_interval_survival_function_
    lower, upper = bands.iloc[:, 0], bands.iloc[:, 1]
    longest = max(r.time_days for r in rows)
    for months, days in SURVIVAL_POINTS:
        if days > longest:
            result.points.append(PointEstimate(months, days, None))
            continue
        upto = survival.index <= days
        result.points.append(
            PointEstimate(
                months,
                days,
                float(survival[upto].iloc[-1]),
                float(lower[upto].iloc[-1]),
                float(upper[upto].iloc[-1]),
            )
        )
    result.median = _finite(fitter.median_survival_time_)
    median_bands = median_survival_times(fitter.confidence_interval_)
    result.median_low = _finite(median_bands.iloc[0, 0])
    result.median_high = _finite(median_bands.iloc[0, 1])
    table = fitter.event_table
    for days, row in table.iterrows():
        if row["observed"] == 0 and row["censored"] == 0:
            continue
        result.table.append(
            (
                int(days),
                int(row["at_risk"]),
                int(row["observed"]),
                int(row["censored"]),
                float(survival.loc[days]),
                float(lower.loc[days]),
                float(upper.loc[days]),
            )
        )
    result.curve = [
        (float(days), float(survival.loc[days]), float(lower.loc[days]), float(upper.loc[days]))
        for days in survival.index
    ]
    result.life_table = life_table(result, longest)
    return result


def life_table(curve: GroupCurve, longest: int) -> list[tuple]:
    """The event table grouped into LIFE_TABLE_DAYS intervals (the first one includes day 0).

    At risk: people still followed at the interval's start; survival and its band: the
    Kaplan-Meier estimate at the interval's last day (the step function, not a new estimate).
    """
    rows = []
    for start in range(0, max(longest, 1), LIFE_TABLE_DAYS):
        first, last_day = (start + 1 if start else 0), start + LIFE_TABLE_DAYS  # whole days, inclusive
        inside = [row for row in curve.table if first <= row[0] <= last_day]
        at_risk = curve.n - sum(row[2] + row[3] for row in curve.table if row[0] < first)
        last = next((row for row in reversed(curve.table) if row[0] <= last_day), None)
        survival, low, high = (last[4], last[5], last[6]) if last else (1.0, 1.0, 1.0)
        events, censored = sum(row[2] for row in inside), sum(row[3] for row in inside)
        rows.append((first, last_day, at_risk, events, censored, survival, low, high))
    return rows


@dataclass
class LogRank:
    groups: tuple[str, ...]
    statistic: float
    df: int
    p_value: float


def log_rank(rows: list[SurvivalRow], groups: list[str]) -> LogRank | None:
    chosen = [row for row in rows if row.group in groups]
    if len(groups) < 2 or not any(row.event for row in chosen):
        return None
    result = multivariate_logrank_test(
        [r.time_days for r in chosen], [r.group for r in chosen], [r.event for r in chosen]
    )
    return LogRank(
        tuple(groups), float(result.test_statistic), int(result.degrees_of_freedom), float(result.p_value)
    )


@dataclass
class RcRow:
    category: str
    n: int
    events: int | None
    rate: Rate
    suppressed: bool


@dataclass
class SurvivalSummary:
    dataset: Dataset
    minimum: int
    curves: list[GroupCurve]
    overall_test: LogRank | None
    pairwise_tests: list[LogRank]
    rate: RateSummary
    cox: CoxResult
    reliable_change: list[RcRow]

    @property
    def shown_curves(self) -> list[GroupCurve]:
        return [curve for curve in self.curves if curve.n and not curve.suppressed]


def reliable_change_table(rows: list[SurvivalRow], minimum: int) -> list[RcRow]:
    table = []
    for category in RC_CATEGORIES:
        chosen = [row for row in rows if row.rc_category == category]
        eligible = [row for row in chosen if row.eligible_12m]
        suppressed = 0 < len(chosen) < minimum
        table.append(
            RcRow(
                category,
                len(chosen),
                None if suppressed else sum(row.event for row in chosen),
                proportion(sum(row.proven_12m for row in eligible), len(eligible), minimum),
                suppressed,
            )
        )
    return table


# Every table build_dataset() and pre_post_change() read (programme.core.cache).
SURVIVAL_TABLES = (
    Participant,
    Release,
    FollowUpCheck,
    Facility,
    Enrolment,
    Cohort,
    Response,
    ResponseScore,
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
)
watch(*SURVIVAL_TABLES)


def survival_summary(filters=None) -> SurvivalSummary:
    """Everything the follow-up pages and the evaluation report show, for these filters.

    Cached until one of SURVIVAL_TABLES changes; the key holds the filters, the analysis date
    and the small-cell minimum (the figures do not depend on the viewer beyond that: only
    evaluators and admins reach them, and both see the same pseudonymised summary)."""
    filters = FollowupFilters.coerce(filters)
    key = {
        "figure": "followup.survival",
        "filters": filters.as_args(),
        "on": filters.on().isoformat(),
        "minimum": small_cell_minimum(),
    }
    return cached(key, lambda: _survival_summary(filters), depends_on=SURVIVAL_TABLES)


def _survival_summary(filters: FollowupFilters) -> SurvivalSummary:
    dataset = build_dataset(filters)
    minimum = small_cell_minimum()
    rows = dataset.rows
    curves = [group_curve(group, [r for r in rows if r.group == group], minimum) for group in GROUPS]
    testable = [curve.group for curve in curves if curve.n >= minimum]
    pairwise = [
        test
        for i, first in enumerate(testable)
        for second in testable[i + 1 :]
        if (test := log_rank(rows, [first, second])) is not None
    ]
    return SurvivalSummary(
        dataset=dataset,
        minimum=minimum,
        curves=curves,
        overall_test=log_rank(rows, testable) if len(testable) > 2 else None,
        pairwise_tests=pairwise,
        rate=rate_from_rows(rows, minimum),
        cox=fit_cox(rows, minimum),
        reliable_change=reliable_change_table(rows, minimum),
    )
