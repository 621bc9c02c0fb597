"""Every figure of the statistics module against an independent computation on the same numbers."""

from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import DescrStatsW

from programme.evaluation import stats as ev

PRE = [2.8, 3.1, 2.5, 3.6, 2.9, 3.3, 2.2, 3.0, 3.4, 2.7, None, 3.2]
POST = [3.4, 3.3, 3.1, 3.8, 3.6, 3.2, 2.9, 3.5, 3.9, 3.0, 3.1, None]
EXACT = 1e-9


def pairs():
    kept = [(a, b) for a, b in zip(PRE, POST, strict=True) if a is not None and b is not None]
    return np.array([a for a, _ in kept]), np.array([b for _, b in kept])


def test_paired_comparison_matches_scipy_and_statsmodels():
    result = ev.paired_comparison(PRE, POST)
    before, after = pairs()
    diff = after - before
    n = len(diff)
    assert result.n == n == 10
    assert result.mean_pre == pytest.approx(np.mean(before), abs=EXACT)
    assert result.mean_post == pytest.approx(np.mean(after), abs=EXACT)
    assert result.sd_pre == pytest.approx(np.std(before, ddof=1), abs=EXACT)
    assert result.sd_post == pytest.approx(np.std(after, ddof=1), abs=EXACT)
    described = DescrStatsW(diff)
    assert result.mean_change == pytest.approx(described.mean, abs=EXACT)
    assert result.sd_change == pytest.approx(described.std * math.sqrt(n / (n - 1)), abs=EXACT)
    low, high = described.tconfint_mean(alpha=0.05)
    assert (result.change_ci.low, result.change_ci.high) == pytest.approx((low, high), abs=EXACT)
    t_value, p_value, df = described.ttest_mean(0)
    assert result.t == pytest.approx(t_value, abs=EXACT)
    assert result.p == pytest.approx(p_value, abs=EXACT)
    assert result.df == df == n - 1
    wilcoxon = stats.wilcoxon(diff)
    nonzero = diff[diff != 0]
    ranks = stats.rankdata(np.abs(nonzero))
    assert result.wilcoxon_statistic == pytest.approx(
        min(ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()), abs=EXACT
    )
    assert result.wilcoxon_statistic == pytest.approx(wilcoxon.statistic, abs=EXACT)
    assert result.wilcoxon_p == pytest.approx(wilcoxon.pvalue, abs=EXACT)
    assert result.r_pre_post == pytest.approx(np.corrcoef(before, after)[0, 1], abs=EXACT)


def test_effect_sizes_follow_lakens_formulas():
    result = ev.paired_comparison(PRE, POST)
    before, after = pairs()
    diff = after - before
    n = len(diff)
    d_z = diff.mean() / diff.std(ddof=1)
    j = 1 - 3 / (4 * (n - 1) - 1)
    assert result.d_z.value == pytest.approx(d_z, abs=EXACT)
    assert result.d_z.hedges == pytest.approx(j * d_z, abs=EXACT)
    # The exact CI: the observed t sits at the 97.5th / 2.5th percentile of the noncentral t.
    t_obs = d_z * math.sqrt(n)
    low, high = result.d_z.ci.low * math.sqrt(n), result.d_z.ci.high * math.sqrt(n)
    assert stats.nct.cdf(t_obs, n - 1, low) == pytest.approx(0.975, abs=1e-9)
    assert stats.nct.cdf(t_obs, n - 1, high) == pytest.approx(0.025, abs=1e-9)
    assert result.d_z.hedges_ci.low == pytest.approx(j * result.d_z.ci.low, abs=EXACT)

    d_av = diff.mean() / ((before.std(ddof=1) + after.std(ddof=1)) / 2)
    r = stats.pearsonr(before, after)[0]
    se = math.sqrt(2 * (1 - r) / n + d_av**2 / (2 * n))
    assert result.d_av.value == pytest.approx(d_av, abs=EXACT)
    assert result.d_av.ci.low == pytest.approx(d_av - stats.norm.ppf(0.975) * se, abs=EXACT)
    assert result.d_av.ci.high == pytest.approx(d_av + stats.norm.ppf(0.975) * se, abs=EXACT)
    assert result.d_av.hedges == pytest.approx(j * d_av, abs=EXACT)
    assert result.d_av.hedges_ci.high == pytest.approx(j * result.d_av.ci.high, abs=EXACT)


@pytest.mark.parametrize(
    ("pre", "post", "reason", "n"),
    [
        ([], [], ev.NO_DATA, 0),
        ([None, None], [None, 3.0], ev.NO_DATA, 0),
        ([3.0], [4.0], ev.TOO_FEW, 1),
        ([3.0, 2.0], [4.0, 4.0], ev.TOO_FEW, 2),
        ([3.0, 2.0, 1.0], [4.0, 3.0, 2.0], ev.ZERO_VARIANCE, 3),
        ([float("nan")] * 4, [2.0] * 4, ev.NO_DATA, 0),
    ],
)
def test_edge_cases_say_not_enough_data(pre, post, reason, n):
    result = ev.paired_comparison(pre, post)
    assert result.enough is False
    assert (result.reason, result.n) == (reason, n)
    if reason != ev.ZERO_VARIANCE:  # equal changes still have an RCI each
        assert ev.reliable_change(pre, post, 0.8).reason == reason


def test_no_figure_is_nan_when_one_timepoint_has_no_spread():
    result = ev.paired_comparison([3.0, 3.0, 3.0, 3.0], [3.0, 4.0, 3.5, 5.0])
    assert result.enough
    assert result.r_pre_post is None
    assert result.d_av.ci is None and result.d_av.note == ev.ZERO_VARIANCE
    for value in (result.t, result.p, result.d_z.value, result.d_av.value, result.wilcoxon_p):
        assert value is not None and math.isfinite(value)


ITEMS = [
    [4, 5, 4, 3],
    [3, 3, 2, 3],
    [5, 5, 4, 5],
    [2, 3, 2, 1],
    [4, 4, 5, 4],
    [3, None, 3, 3],
    [1, 2, 2, 2],
    [4, 3, 4, 4],
]


def test_cronbach_alpha_equals_the_two_way_anova_consistency_icc():
    result = ev.cronbach_alpha(ITEMS)
    complete = [row for row in ITEMS if None not in row]
    assert (result.cases, result.items) == (7, 4)
    # Independent: alpha = 1 - MS_error / MS_subjects in a two-way (subject x item) ANOVA.
    long = pd.DataFrame(
        [(s, i, v) for s, row in enumerate(complete) for i, v in enumerate(row)],
        columns=["subject", "item", "score"],
    )
    table = anova_lm(smf.ols("score ~ C(subject) + C(item)", data=long).fit())
    ms_subject = table.loc["C(subject)", "mean_sq"]
    ms_error = table.loc["Residual", "mean_sq"]
    assert result.value == pytest.approx(1 - ms_error / ms_subject, abs=EXACT)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([], ev.NO_DATA),
        ([[None, None], [None, 2]], ev.NO_DATA),
        ([[1], [2], [3]], ev.TOO_FEW_ITEMS),
        ([[1, 2], [2, 3]], ev.TOO_FEW),
        ([[2, 2], [2, 2], [2, 2]], ev.ZERO_VARIANCE),
    ],
)
def test_alpha_edge_cases(rows, reason):
    assert ev.cronbach_alpha(rows).reason == reason


def test_reliable_change_index_per_person_and_counts():
    pre = [10, 12, 14, 9, 11, 13, 15, None]
    post = [16, 12, 8, 10, 17, 13, 14, 12]
    result = ev.reliable_change(pre, post, 0.85)
    before = np.array([10, 12, 14, 9, 11, 13, 15], dtype=float)
    after = np.array([16, 12, 8, 10, 17, 13, 14], dtype=float)
    s_diff = math.sqrt(2) * before.std(ddof=1) * math.sqrt(1 - 0.85)
    expected = (after - before) / s_diff
    assert result.s_diff == pytest.approx(s_diff, abs=EXACT)
    assert result.indices[:7] == pytest.approx(list(expected), abs=EXACT)
    assert result.indices[7] is None
    assert result.improved == int((expected > 1.96).sum()) == 2
    assert result.worse == int((expected < -1.96).sum()) == 1
    assert result.unchanged == 4


@pytest.mark.parametrize("reliability", [None, 0.0, 1.0, float("nan")])
def test_reliable_change_needs_a_usable_reliability(reliability):
    result = ev.reliable_change([1, 2, 3], [2, 3, 5], reliability)
    assert result.reason == ev.NO_RELIABILITY


def test_holm_matches_statsmodels_and_keeps_missing():
    p_values = {"OPEN": 0.01, "SELF": 0.04, "REASON": None, "TOTAL": 0.03, "DIALOGUE": 0.2}
    adjusted = ev.holm(p_values)
    expected = multipletests([0.01, 0.04, 0.03, 0.2], method="holm")[1]
    assert [adjusted[k] for k in ("OPEN", "SELF", "TOTAL", "DIALOGUE")] == pytest.approx(
        list(expected), abs=EXACT
    )
    assert adjusted["REASON"] is None
    # Hand check of the step-down rule: smallest p times 4, then max(previous, p times 3), ...
    assert adjusted["OPEN"] == pytest.approx(0.04, abs=EXACT)
    assert adjusted["TOTAL"] == pytest.approx(0.09, abs=EXACT)
    assert ev.holm({"A": None}) == {"A": None}


def test_holm_equals_statsmodels_exactly_with_ties_and_caps(monkeypatch):
    # multipletests runs gc.collect() on every call; with the whole suite's objects in memory
    # that is half a second each, 90 s for these 200 cases. Collection changes no result.
    monkeypatch.setattr(gc, "collect", lambda *args: 0)
    generator = np.random.default_rng(11)
    for size in (1, 2, 5, 9):
        for _ in range(50):
            values = generator.choice([0.001, 0.02, 0.2, 0.5, 0.9, *generator.random(6)], size=size)
            adjusted = ev.holm({str(i): float(v) for i, v in enumerate(values)})
            expected = multipletests(values, method="holm")[1]
            assert [adjusted[str(i)] for i in range(size)] == [float(v) for v in expected]


def test_spearman_matches_ranked_pearson():
    change = [0.5, 0.1, 0.9, -0.2, 0.4, None, 0.7]
    rate = [0.8, 0.5, 1.0, 0.3, 0.8, 0.9, 0.6]
    result = ev.spearman(change, rate)
    x = np.array([0.5, 0.1, 0.9, -0.2, 0.4, 0.7])
    y = np.array([0.8, 0.5, 1.0, 0.3, 0.8, 0.6])
    rho = stats.pearsonr(stats.rankdata(x), stats.rankdata(y))[0]
    assert result.n == 6
    assert result.rho == pytest.approx(rho, abs=EXACT)
    t = rho * math.sqrt((6 - 2) / (1 - rho**2))
    assert result.p == pytest.approx(2 * stats.t.sf(abs(t), 4), abs=EXACT)


@pytest.mark.parametrize(
    ("x", "y", "reason"),
    [([], [], ev.NO_DATA), ([1, 2], [3, 4], ev.TOO_FEW), ([1, 1, 1], [1, 2, 3], ev.ZERO_VARIANCE)],
)
def test_spearman_edge_cases(x, y, reason):
    assert ev.spearman(x, y).reason == reason


@pytest.mark.parametrize("df", [3, 9, 29, 89, 299])
def test_noncentral_interval_holds_across_t_values(df):
    for t_value in np.linspace(-25, 25, 26):
        interval = ev.noncentral_t_interval(float(t_value), df)
        assert stats.nct.cdf(t_value, df, interval.low) == pytest.approx(0.975, abs=1e-8)
        assert stats.nct.cdf(t_value, df, interval.high) == pytest.approx(0.025, abs=1e-8)


def test_an_interval_scipy_cannot_compute_is_reported_not_nan():
    interval = ev.noncentral_t_interval(-29.0, 2)
    assert interval is None
    result = ev.paired_comparison([1.0, 2.0, 3.0], [1.1, 2.1, 3.2])  # t is about 11.5 with df = 2
    assert result.enough and result.d_z.value is not None
    assert result.d_z.ci is not None or result.d_z.note == ev.NOT_COMPUTABLE
