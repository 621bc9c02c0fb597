"""The cap on sign-in forms per address and minute: per process without Redis, shared with it."""

from __future__ import annotations

import uuid

import pytest

from programme.core import ratelimit
from programme.core.ratelimit import MemoryCounter, RedisCounter, current_window

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379 (start it to test the shared counter)")


@pytest.fixture
def capped(app, monkeypatch):
    """The cap switched on (3 a minute) with a fresh per-process counter."""
    monkeypatch.setitem(app.config, "LOGIN_REQUESTS_PER_MINUTE", 3)
    monkeypatch.setitem(app.extensions, "pip_rate_counter", MemoryCounter())
    return app


def _sign_in(client, address: str):
    return client.post_form(
        "/login",
        {"email": "nobody@test.kz", "password": "wrong-password-123"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_sign_ins_beyond_the_cap_are_refused_with_429(capped, client):
    statuses = [_sign_in(client, "198.51.100.1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = _sign_in(client, "198.51.100.1")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert "Wait a minute" in refused.get_data(as_text=True)


def test_the_cap_is_per_address_and_only_for_sign_in_forms(capped, client):
    for _ in range(4):
        _sign_in(client, "198.51.100.2")
    assert _sign_in(client, "198.51.100.3").status_code == 200
    assert client.get("/login", environ_base={"REMOTE_ADDR": "198.51.100.2"}).status_code == 200


def test_no_cap_when_switched_off(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_REQUESTS_PER_MINUTE", 0)
    monkeypatch.setitem(app.extensions, "pip_rate_counter", MemoryCounter())
    assert {_sign_in(client, "198.51.100.4").status_code for _ in range(5)} == {200}


def test_a_new_minute_starts_a_new_count():
    counter = MemoryCounter()
    assert [counter.hit("a", 10) for _ in range(3)] == [1, 2, 3]
    assert counter.hit("a", 11) == 1
    assert ("a", 10) not in counter.counts


def test_without_redis_each_process_counts_alone(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.delitem(app.extensions, "pip_rate_counter", raising=False)
    assert isinstance(ratelimit.counter(app), MemoryCounter)


def test_two_servers_share_one_count_through_redis():
    _redis_or_skip()
    prefix = f"pip:test:{uuid.uuid4().hex}:"
    server_a, server_b = RedisCounter(REDIS_URL, prefix), RedisCounter(REDIS_URL, prefix)
    window = current_window()
    try:
        assert [server_a.hit("sign-in:x", window), server_b.hit("sign-in:x", window)] == [1, 2]
        assert server_a.hit("sign-in:x", window) == 3
        assert 0 < server_a.client.ttl(f"{prefix}sign-in:x:{window}") <= 65
    finally:
        for name in server_a.client.scan_iter(f"{prefix}*"):
            server_a.client.delete(name)


def test_an_unreachable_redis_falls_back_to_counting_in_the_process(caplog):
    closed = RedisCounter("redis://127.0.0.1:1/0", "pip:test:")
    assert [closed.hit("sign-in:y", 5) for _ in range(2)] == [1, 2]
    assert "Redis unreachable" in caplog.text
