"""The soak report's arithmetic: memory that settles passes, memory that keeps growing fails,
and the per-minute table counts every request once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def soak():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("soak", BENCH / "soak.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def samples(minutes: int, total_mb):
    return [{"second": second, "total_mb": total_mb(second)} for second in range(0, minutes * 60 + 1, 10)]


def test_memory_that_grows_during_warm_up_then_settles_passes(soak):
    verdict = soak.memory_verdict(samples(10, lambda s: 480.0 if s < 30 else 580.0 + (s % 20) / 10))
    assert verdict["verdict"] == "pass"
    assert verdict["start_mb"] == 480.0 and verdict["max_mb"] == 581.0
    assert abs(verdict["growth_percent"]) < 1


def test_memory_that_keeps_growing_fails(soak):
    verdict = soak.memory_verdict(samples(10, lambda s: 500.0 + s / 2))  # 30 MB a minute, no end
    assert verdict["verdict"] == "FAIL"
    assert verdict["last_third_slope_mb_per_min"] == pytest.approx(30.0)
    assert not verdict["flattening"]


def test_slow_growth_that_flattens_below_the_limit_passes(soak):
    verdict = soak.memory_verdict(samples(10, lambda s: 500.0 + 40 * (1 - 0.5 ** (s / 60))))
    assert verdict["flattening"] and verdict["growth_percent"] < 20
    assert verdict["verdict"] == "pass"


def test_per_minute_counts_requests_errors_and_p95(soak):
    rows = [(second, 100.0 if second < 60 else 200.0, second != 90, "page") for second in range(0, 120, 2)]
    rows.append((61.0, 5000.0, True, "slow page"))
    table = soak.per_minute(rows)
    assert [(r["minute"], r["requests"], r["errors"]) for r in table] == [(1, 30, 0), (2, 31, 1)]
    assert table[0]["p95_ms"] == 100.0 and table[1]["p95_ms"] == 200.0
    assert soak.per_page(rows)[0]["page"] == "slow page"
