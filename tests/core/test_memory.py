"""The cycle collector waits during large computations and runs again afterwards."""

from __future__ import annotations

import gc

import pytest

from programme.core import cache
from programme.core.memory import cycle_collection_paused


def test_paused_inside_restored_after_even_on_error_and_when_nested():
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer pause alone
    assert gc.isenabled()
    with pytest.raises(ValueError), cycle_collection_paused():
        raise ValueError("a failed computation")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("enabled", [True, False])
def test_cached_figures_are_computed_with_the_collector_paused(app, enabled):
    seen = []
    app.config["CACHE_ENABLED"] = enabled
    try:
        with app.test_request_context():
            value = cache.cached({"figure": "test.gc"}, lambda: seen.append(gc.isenabled()) or 42, [])
    finally:
        app.config["CACHE_ENABLED"] = True
    assert value == 42 and seen == [False] and gc.isenabled()
