"""The figure cache: generations follow committed changes, values are scoped and signed."""

from __future__ import annotations

import uuid

import pytest

from programme.core import cache
from programme.core.cache import DataGeneration
from programme.facilities.models import Facility


def test_generations_count_committed_changes_only(db, make_facility):
    generation = lambda: db.session.get(DataGeneration, "facility")  # noqa: E731
    facility = make_facility()
    first = generation().generation
    facility.name_en = "Renamed"
    db.session.commit()
    assert generation().generation == first + 1
    facility.name_en = "Rolled back"
    db.session.flush()
    db.session.rollback()
    assert generation().generation == first + 1


def test_cached_value_is_reused_until_its_table_changes(app, db, make_facility):
    facility = make_facility()
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.cached("k", compute, depends_on=[Facility]) == 1
    assert cache.cached("k", compute, depends_on=[Facility]) == 1
    assert cache.cached("other", compute, depends_on=[Facility]) == 2
    facility.name_en = "Changed"
    db.session.commit()
    assert cache.cached("k", compute, depends_on=[Facility]) == 3


def test_invalidate_command_makes_every_figure_stale(app, db, make_facility):
    make_facility()
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert cache.cached("k", compute, depends_on=[Facility]) == 1
    result = app.test_cli_runner().invoke(args=["cache-invalidate"])
    assert result.exit_code == 0, result.output
    assert cache.cached("k", compute, depends_on=[Facility]) == 2


def test_redis_store_refuses_unsigned_values(app):
    redis = pytest.importorskip("redis")
    prefix = f"pip:test-{uuid.uuid4().hex}:"  # its own keys: CI runs two suites at once
    store = cache.RedisStore("redis://127.0.0.1:6379/9", "secret", prefix, 60)
    try:
        store.client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    store.set("a", {"mean": 1.5})
    assert store.get("a") == {"mean": 1.5}
    store.client.set(f"{prefix}b", b"x" * 40)
    assert store.get("b") is None
    store.clear()
