"""Statistics for pre/post evaluation: plain numbers in, results out (no database, no Flask).

Every function returns a result or `NotEnoughData` with a reason code; no figure is ever NaN
(a figure that cannot be computed is None, with a note saying why). Distributions and tests come
from scipy and statsmodels; only the textbook formulas (alpha, effect sizes, RCI) are written here.

Methods (Lakens 2013, "Calculating and reporting effect sizes", is the reference):
- complete pairs only; differences are post - pre, so a positive change is an increase;
- mean change with a t interval: d̄ ± t(0.975, n-1) · s_d / √n; paired t-test; Wilcoxon
  signed-rank (scipy's default: zero differences dropped, exact p for small n) as the robust check;
- Cohen's d_z = d̄ / s_d with an exact CI from the noncentral t distribution of t = d_z·√n
  (Cumming & Finch 2001); d_av = d̄ / ((s_pre + s_post) / 2) with a normal-approximation CI,
  SE = √(2(1 - r)/n + d_av²/(2n)), r the pre-post correlation (Morris & DeShon 2002);
  Hedges' correction J = 1 - 3/(4·df - 1), df = n - 1, g = J·d and its CI = J·CI(d);
- Cronbach's alpha on complete cases, α = k/(k-1) · (1 - Σ var(item) / var(total));
- reliable change index (Jacobson & Truax 1991): SE = SD_pre·√(1 - r_xx), S_diff = √2·SE,
  RCI = (post - pre) / S_diff, |RCI| > 1.96 reliable; SD_pre over the complete pairs;
- Holm's step-down adjustment across the subscales shown together (as statsmodels computes it);
- Spearman's rank correlation for dose (scipy).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import optimize, stats

# Fewer pairs than this give "not enough data": with two pairs the t interval has one degree of
# freedom and the SD of the differences rests on a single contrast.
MIN_PAIRS = 3
MIN_CASES_ALPHA = 3
RCI_THRESHOLD = 1.96
CONFIDENCE = 0.95

# Reason codes (translated by the evaluation views and documents).
NO_DATA = "no_data"
TOO_FEW = "too_few"
ZERO_VARIANCE = "zero_variance"
TOO_FEW_ITEMS = "too_few_items"
NO_RELIABILITY = "no_reliability"
NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class NotEnoughData:
    reason: str
    n: int = 0
    enough = False


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class EffectSize:
    value: float | None
    ci: Interval | None
    hedges: float | None
    hedges_ci: Interval | None
    note: str | None = None  # reason code when the value or its CI could not be computed


@dataclass(frozen=True)
class PairedComparison:
    n: int
    mean_pre: float
    sd_pre: float
    mean_post: float
    sd_post: float
    mean_change: float
    sd_change: float
    change_ci: Interval
    t: float
    df: int
    p: float
    wilcoxon_statistic: float | None
    wilcoxon_p: float | None
    r_pre_post: float | None
    d_z: EffectSize
    d_av: EffectSize
    enough = True


@dataclass(frozen=True)
class Alpha:
    value: float
    cases: int
    items: int
    enough = True


@dataclass(frozen=True)
class ReliableChange:
    n: int
    reliability: float
    sd_pre: float
    se_measurement: float
    s_diff: float
    # Aligned with the input; NaN where the pair is incomplete. Left out of == and repr: the
    # other fields say whether two results are the same, and an array has no single truth value.
    index_array: np.ndarray = field(compare=False, repr=False)
    improved: int
    unchanged: int
    worse: int
    enough = True

    @cached_property
    def indices(self) -> tuple[float | None, ...]:
        """Each person's index, None where the pair is incomplete: built when asked for (20,000
        floats per scale nationally, which the pages never show one by one)."""
        return tuple(None if math.isnan(value) else value for value in self.index_array.tolist())


@dataclass(frozen=True)
class Correlation:
    n: int
    rho: float
    p: float
    enough = True


def finite(value) -> float | None:
    """A float, or None for None / NaN / infinity (so nothing non-finite reaches a page)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _floats(values: Sequence) -> np.ndarray:
    """The values as a float array, None and non-finite values as NaN (one vectorised pass)."""
    array = np.array(values, dtype=float) if len(values) else np.empty(0)
    array[~np.isfinite(array)] = np.nan
    return array


def complete_pairs(pre: Sequence, post: Sequence) -> tuple[np.ndarray, np.ndarray]:
    if len(pre) != len(post):
        raise ValueError("pre and post must have the same length")
    before, after = _floats(pre), _floats(post)
    kept = ~(np.isnan(before) | np.isnan(after))
    return before[kept], after[kept]


def hedges_j(df: int) -> float:
    return 1 - 3 / (4 * df - 1)


def _scaled(interval: Interval | None, factor: float) -> Interval | None:
    if interval is None:
        return None
    return Interval(interval.low * factor, interval.high * factor)


def noncentral_t_interval(t_value: float, df: int, confidence: float = CONFIDENCE) -> Interval | None:
    """Noncentrality parameters whose t distributions put t_value at the upper and lower tails."""
    tail = (1 - confidence) / 2

    def solve(target: float) -> float | None:
        def gap(nc: float) -> float:
            return float(stats.nct.cdf(t_value, df, nc)) - target

        # cdf(t; nc) falls as nc grows: widen a bracket around t until the sign changes. The
        # bracket starts near the interval's expected size, since scipy's nct.cdf turns NaN far
        # out in the tails.
        width = 3.0 * math.sqrt(1 + t_value**2 / (2 * df))
        for _ in range(8):
            low, high = t_value - width, t_value + width
            g_low, g_high = gap(low), gap(high)
            if not (math.isfinite(g_low) and math.isfinite(g_high)):
                return None
            if g_low * g_high < 0:
                try:
                    return optimize.brentq(gap, low, high, xtol=1e-12, rtol=1e-12, maxiter=500)
                except (ValueError, RuntimeError):
                    return None
            width *= 1.5
        return None

    lower, upper = solve(1 - tail), solve(tail)
    if lower is None or upper is None:
        return None
    return Interval(lower, upper)


def _d_z(mean_change: float, sd_change: float, n: int, t_value: float) -> EffectSize:
    d_z = mean_change / sd_change
    j = hedges_j(n - 1)
    nc = noncentral_t_interval(t_value, n - 1)
    ci = None if nc is None else Interval(nc.low / math.sqrt(n), nc.high / math.sqrt(n))
    return EffectSize(d_z, ci, j * d_z, _scaled(ci, j), None if ci else NOT_COMPUTABLE)


def _d_av(mean_change: float, sd_pre: float, sd_post: float, r: float | None, n: int) -> EffectSize:
    average_sd = (sd_pre + sd_post) / 2
    if average_sd == 0:
        return EffectSize(None, None, None, None, ZERO_VARIANCE)
    d_av = mean_change / average_sd
    j = hedges_j(n - 1)
    if r is None:
        return EffectSize(d_av, None, j * d_av, None, ZERO_VARIANCE)
    se = math.sqrt(2 * (1 - r) / n + d_av**2 / (2 * n))
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    ci = Interval(d_av - z * se, d_av + z * se)
    return EffectSize(d_av, ci, j * d_av, _scaled(ci, j))


def paired_comparison(pre: Sequence, post: Sequence) -> PairedComparison | NotEnoughData:
    """Compare two timepoints on the complete pairs of `pre` and `post` (None = missing)."""
    before, after = complete_pairs(pre, post)
    n = len(before)
    if n == 0:
        return NotEnoughData(NO_DATA, 0)
    if n < MIN_PAIRS:
        return NotEnoughData(TOO_FEW, n)
    change = after - before
    if np.ptp(change) == 0:
        return NotEnoughData(ZERO_VARIANCE, n)
    df = n - 1
    mean_change = float(change.mean())
    sd_change = float(change.std(ddof=1))
    sd_pre, sd_post = float(before.std(ddof=1)), float(after.std(ddof=1))
    margin = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * sd_change / math.sqrt(n)
    test = stats.ttest_rel(after, before)
    wilcoxon_statistic = wilcoxon_p = None
    if np.count_nonzero(change) > 0:
        wilcoxon = stats.wilcoxon(after, before)
        wilcoxon_statistic, wilcoxon_p = finite(wilcoxon.statistic), finite(wilcoxon.pvalue)
    r = None
    if sd_pre > 0 and sd_post > 0:
        r = finite(stats.pearsonr(before, after).statistic)
    return PairedComparison(
        n=n,
        mean_pre=float(before.mean()),
        sd_pre=sd_pre,
        mean_post=float(after.mean()),
        sd_post=sd_post,
        mean_change=mean_change,
        sd_change=sd_change,
        change_ci=Interval(mean_change - margin, mean_change + margin),
        t=float(test.statistic),
        df=df,
        p=float(test.pvalue),
        wilcoxon_statistic=wilcoxon_statistic,
        wilcoxon_p=wilcoxon_p,
        r_pre_post=r,
        d_z=_d_z(mean_change, sd_change, n, float(test.statistic)),
        d_av=_d_av(mean_change, sd_pre, sd_post, r, n),
    )


def cronbach_alpha(rows) -> Alpha | NotEnoughData:
    """Alpha over the complete cases of a cases x items table (None or NaN = missing answer).

    `rows` is a list of rows or a 2-D numpy array; it is handled as one float array, so the
    national dataset (tens of thousands of cases) costs a few vectorised passes."""
    table = np.asarray(rows, dtype=float)
    if table.ndim != 2:
        table = table.reshape(len(table), -1) if table.size else np.empty((len(table), 0))
    items = table.shape[1]
    complete = table[np.isfinite(table).all(axis=1)] if items else table[:0]
    cases = len(complete)
    if not cases:
        return NotEnoughData(NO_DATA, 0)
    if items < 2:
        return NotEnoughData(TOO_FEW_ITEMS, cases)
    if cases < MIN_CASES_ALPHA:
        return NotEnoughData(TOO_FEW, cases)
    total_variance = float(complete.sum(axis=1).var(ddof=1))
    if total_variance == 0:
        return NotEnoughData(ZERO_VARIANCE, cases)
    item_variances = float(complete.var(axis=0, ddof=1).sum())
    value = items / (items - 1) * (1 - item_variances / total_variance)
    return Alpha(value=value, cases=cases, items=items)


def reliable_change(
    pre: Sequence, post: Sequence, reliability: float | None, threshold: float = RCI_THRESHOLD
) -> ReliableChange | NotEnoughData:
    """Jacobson-Truax RCI per person; higher scores are taken as better (reverse items flipped)."""
    before, after = complete_pairs(pre, post)
    n = len(before)
    if n == 0:
        return NotEnoughData(NO_DATA, 0)
    if n < MIN_PAIRS:
        return NotEnoughData(TOO_FEW, n)
    reliability = finite(reliability)
    if reliability is None or not 0 < reliability < 1:
        return NotEnoughData(NO_RELIABILITY, n)
    sd_pre = float(before.std(ddof=1))
    if sd_pre == 0:
        return NotEnoughData(ZERO_VARIANCE, n)
    se = sd_pre * math.sqrt(1 - reliability)
    s_diff = math.sqrt(2) * se
    all_indices = (_floats(post) - _floats(pre)) / s_diff  # NaN where the pair is incomplete
    improved = int(np.count_nonzero(all_indices > threshold))
    worse = int(np.count_nonzero(all_indices < -threshold))
    return ReliableChange(
        n=n,
        reliability=reliability,
        sd_pre=sd_pre,
        se_measurement=se,
        s_diff=s_diff,
        index_array=all_indices,
        improved=improved,
        unchanged=n - improved - worse,
        worse=worse,
    )


def holm(p_values: Mapping[str, float | None]) -> dict[str, float | None]:
    """Holm-adjusted p-values for the keys that have one; None stays None.

    The step-down as statsmodels' multipletests(method="holm") computes it, operation for
    operation (sorted p times (m, m-1, ..., 1), running maximum, capped at 1); written out
    because multipletests runs a full gc.collect() on every call, which costs most of a second
    when the national dataset is in memory. tests/evaluation/test_stats.py checks both agree."""
    present = {key: finite(p) for key, p in p_values.items() if finite(p) is not None}
    adjusted: dict[str, float | None] = {key: None for key in p_values}
    if present:
        values = np.asarray(list(present.values()))
        order = np.argsort(values)
        ranked = np.take(values, order) * np.arange(len(values), 0, -1)
        corrected = np.maximum.accumulate(ranked)
        corrected[corrected > 1] = 1
        unsorted = np.empty_like(corrected)
        unsorted[order] = corrected
        adjusted.update(zip(present, (float(p) for p in unsorted), strict=True))
    return adjusted


def spearman(x: Sequence, y: Sequence) -> Correlation | NotEnoughData:
    """Spearman's rho on the complete pairs of x and y."""
    first, second = complete_pairs(x, y)
    n = len(first)
    if n == 0:
        return NotEnoughData(NO_DATA, 0)
    if n < MIN_PAIRS:
        return NotEnoughData(TOO_FEW, n)
    if np.ptp(first) == 0 or np.ptp(second) == 0:
        return NotEnoughData(ZERO_VARIANCE, n)
    result = stats.spearmanr(first, second)
    rho, p = finite(result.statistic), finite(result.pvalue)
    if rho is None or p is None:
        return NotEnoughData(NOT_COMPUTABLE, n)
    return Correlation(n=n, rho=rho, p=p)
