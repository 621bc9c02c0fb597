"""A cap on sign-in requests per client address per minute, shared by every app server via Redis.

The database throttle (programme.auth.throttle) slows down password guessing per account and
per address, counting failures. This cap is cruder and cheaper: it bounds how many sign-in
forms one address may submit per minute at all, before any password hash is computed (argon2
costs tens of milliseconds of CPU and 64 MiB per attempt, so a flood of sign-ins is a denial of
service even when every attempt fails).

Counting: a fixed one-minute window per address. With REDIS_URL set, every app server and
worker counts in the same Redis key (INCR, expiring with its window), so the cap holds for the
whole deployment. Without Redis each process counts its own requests: the cap then holds per
worker, which still bounds a flood on the embedded (single-server) setup. If Redis stops
answering, counting falls back to the process, with a warning in the log, rather than letting
every request through or refusing every sign-in.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import abort, current_app, request

log = logging.getLogger(__name__)
WINDOW_SECONDS = 60
LIMITED_ENDPOINTS = frozenset({"auth.login", "auth.verify_second_factor"})


class MemoryCounter:
    """Counts per key and window in this process (the windows of past minutes are dropped)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, int], int] = {}
        self.lock = threading.Lock()

    def hit(self, key: str, window: int) -> int:
        with self.lock:
            for old in [k for k in self.counts if k[1] < window]:
                del self.counts[old]
            self.counts[key, window] = self.counts.get((key, window), 0) + 1
            return self.counts[key, window]


class RedisCounter:
    """Counts in Redis: one key per address and window, expiring just after its window."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.prefix = prefix
        self.fallback = MemoryCounter()

    def hit(self, key: str, window: int) -> int:
        name = f"{self.prefix}{key}:{window}"
        try:
            pipeline = self.client.pipeline()
            pipeline.incr(name)
            pipeline.expire(name, WINDOW_SECONDS + 5)
            count, _expiry = pipeline.execute()
            return int(count)
        except Exception:  # noqa: BLE001 - any Redis failure: count in the process instead
            log.warning("rate limit: Redis unreachable, counting in this process", exc_info=True)
            return self.fallback.hit(key, window)


def counter(app=None):
    app = app or current_app
    found = app.extensions.get("pip_rate_counter")
    if found is None:
        url = app.config.get("REDIS_URL")
        found = RedisCounter(url, app.config["RATELIMIT_KEY_PREFIX"]) if url else MemoryCounter()
        app.extensions["pip_rate_counter"] = found
    return found


def current_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def limit_sign_in_requests():
    """before_request: a sign-in form beyond the address's cap this minute is answered 429."""
    limit = current_app.config.get("LOGIN_REQUESTS_PER_MINUTE") or 0
    if limit <= 0 or request.method != "POST" or request.endpoint not in LIMITED_ENDPOINTS:
        return None
    address = request.remote_addr or "unknown"
    if counter().hit(f"sign-in:{address}", current_window()) > limit:
        abort(429)
    return None
