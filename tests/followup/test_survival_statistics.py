"""Kaplan–Meier and log-rank agree with independent computations on a small known dataset
(ties, censoring at an event time, censoring at the end)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy.stats import chi2, norm
from statsmodels.duration.survfunc import survdiff
from statsmodels.stats.proportion import proportion_confint

from programme.followup.dataset import SurvivalRow
from programme.followup.measures import group_curve, log_rank, proportion

# (days, event) for two groups: ties at 5 and 10 (an event and a censoring at the same time),
# censored people at the end of each group.
GROUP_A = [(3, 1), (5, 1), (5, 1), (5, 0), (8, 1), (10, 0), (10, 1), (12, 1), (15, 0), (15, 1)]
GROUP_B = [(4, 1), (5, 0), (9, 1), (10, 1), (14, 0), (16, 0), (18, 1), (20, 0), (20, 0)]


def rows_of(group: str, data) -> list[SurvivalRow]:
    return [
        SurvivalRow(
            person_id=i,
            study_code=f"S{i}",
            group=group,
            facility_code="X",
            region="karaganda",
            age_band=None,
            is_repeat=None,
            attendance_rate=None,
            prepost_change=None,
            rc_category=None,
            time_days=days,
            event=bool(event),
            eligible_12m=False,
            proven_12m=False,
            released_on=date(2025, 1, 1),
        )
        for i, (days, event) in enumerate(data)
    ]


def hand_kaplan_meier(data):
    """Product-limit by hand: at each event time S *= (1 - d/n); censored at t stay at risk at t."""
    survival, variance_sum, at_risk, result = 1.0, 0.0, len(data), []
    for time in sorted({t for t, _ in data}):
        deaths = sum(1 for t, e in data if t == time and e)
        leaving = sum(1 for t, _ in data if t == time)
        if deaths:
            survival *= 1 - deaths / at_risk
            if at_risk > deaths:
                variance_sum += deaths / (at_risk * (at_risk - deaths))
            result.append((time, at_risk, deaths, survival, variance_sum))
        at_risk -= leaving
    return result


def test_kaplan_meier_matches_the_product_limit_by_hand(app):
    curve = group_curve("completer", rows_of("completer", GROUP_A), minimum=5)
    expected = hand_kaplan_meier(GROUP_A)
    by_day = {row[0]: row for row in curve.table}
    # Known values for group A, worked on paper: 0.9, 0.7, 0.58333, 0.46667, 0.31111, 0.15556.
    assert [round(s, 5) for *_r, s, _v in expected] == [0.9, 0.7, 0.58333, 0.46667, 0.31111, 0.15556]
    for time, at_risk, deaths, survival, variance_sum in expected:
        day, risk, events, _censored, estimate, low, high = by_day[time]
        assert (risk, events) == (at_risk, deaths)
        assert estimate == pytest.approx(survival, abs=1e-9)
        # Exponential Greenwood (log(-log S)) 95 % band, computed by hand.
        spread = norm.ppf(0.975) * math.sqrt(variance_sum / math.log(survival) ** 2)
        assert low == pytest.approx(survival ** math.exp(spread), abs=1e-6)
        assert high == pytest.approx(survival ** math.exp(-spread), abs=1e-6)
    assert (curve.n, curve.events, curve.censored) == (10, 7, 3)
    assert curve.median == 10  # first time S drops to 0.5 or below (0.46667 at day 10)


def test_life_table_groups_the_events_by_quarter_up_to_the_longest_follow_up(app):
    data = [(30, 1), (95, 1), (100, 1), (120, 0), (200, 1), (400, 0)]
    curve = group_curve("completer", rows_of("completer", data), minimum=5)
    rows = [
        (first, last, at_risk, events, censored)
        for first, last, at_risk, events, censored, *_s in curve.life_table
    ]
    assert rows == [
        (0, 91, 6, 1, 0),
        (92, 182, 5, 2, 1),  # events at 95 and 100, censored at 120
        (183, 273, 2, 1, 0),
        (274, 364, 1, 0, 0),
        (365, 455, 1, 0, 1),  # the longest follow-up, 400 days, ends the table
    ]
    survival_at_end = [round(row[5], 6) for row in curve.life_table]
    # Kaplan-Meier by hand: 5/6, then x 4/5 x 3/4 = 1/2, then x 1/2 = 1/4, and no change after.
    assert survival_at_end == [round(5 / 6, 6), 0.5, 0.25, 0.25, 0.25]
    by_day = {row[0]: row for row in curve.table}
    assert curve.life_table[1][6:] == by_day[100][5:]  # the band of the last event in the quarter


def test_survival_points_read_the_step_function_and_stop_at_the_longest_follow_up(app):
    long_group = [(100, 1), (200, 0), (300, 1), (400, 0), (500, 0), (800, 0)]
    curve = group_curve("completer", rows_of("completer", long_group), minimum=5)
    points = {point.months: point for point in curve.points}
    assert points[6].survival == pytest.approx(5 / 6)  # day 183: after the event at day 100
    assert points[12].survival == pytest.approx(5 / 6 * 3 / 4)  # day 365: after day 300
    assert points[24].survival == pytest.approx(5 / 6 * 3 / 4)  # day 730 < 800: still followed
    assert curve.median is None  # never at or below one half: not reached


def hand_log_rank(first, second) -> float:
    observed_minus_expected, variance = 0.0, 0.0
    everyone = [(t, e, 0) for t, e in first] + [(t, e, 1) for t, e in second]
    for time in sorted({t for t, e, _g in everyone if e}):
        at_risk = [(t, e, g) for t, e, g in everyone if t >= time]
        n, n_first = len(at_risk), sum(1 for *_x, g in at_risk if g == 0)
        deaths = sum(1 for t, e, _g in at_risk if t == time and e)
        deaths_first = sum(1 for t, e, g in at_risk if t == time and e and g == 0)
        observed_minus_expected += deaths_first - deaths * n_first / n
        if n > 1:
            variance += deaths * (n_first / n) * (1 - n_first / n) * (n - deaths) / (n - 1)
    return observed_minus_expected**2 / variance


def test_log_rank_agrees_with_a_hand_computation_and_with_statsmodels(app):
    rows = rows_of("completer", GROUP_A) + rows_of("comparison", GROUP_B)
    result = log_rank(rows, ["completer", "comparison"])
    statistic = hand_log_rank(GROUP_A, GROUP_B)
    assert result.statistic == pytest.approx(statistic, rel=1e-9)
    assert result.df == 1
    assert result.p_value == pytest.approx(chi2.sf(statistic, 1), rel=1e-9)
    times = [t for t, _ in GROUP_A + GROUP_B]
    status = [e for _, e in GROUP_A + GROUP_B]
    groups = [0] * len(GROUP_A) + [1] * len(GROUP_B)
    sm_statistic, sm_p = survdiff(times, status, groups)
    assert result.statistic == pytest.approx(sm_statistic, rel=1e-9)
    assert result.p_value == pytest.approx(sm_p, rel=1e-9)


def test_groups_smaller_than_the_minimum_are_suppressed(app):
    curve = group_curve("comparison", rows_of("comparison", GROUP_B[:4]), minimum=5)
    assert curve.suppressed and curve.table == [] and curve.points == []
    assert proportion(1, 4, 5).suppressed
    assert proportion(1, 4, 5).rate is None


def test_rate_has_a_wilson_interval(app):
    rate = proportion(3, 10, 5)
    low, high = proportion_confint(3, 10, method="wilson")
    assert (rate.rate, rate.low, rate.high) == (0.3, pytest.approx(low), pytest.approx(high))
    assert rate.low == pytest.approx(0.1078, abs=1e-4) and rate.high == pytest.approx(0.6032, abs=1e-4)
