"""Two app servers (gunicorn) on one database behave as one application.

Each server is a separate process with its own connection pool and memory; all they share is
the database, the SECRET_KEY and (when configured) Redis. Through server A we write, fail
sign-ins, sign out and submit sign-in forms, and check through server B that it sees the record,
the lock, the ended session and the shared cap. The test runs against the suite's database:
PostgreSQL when TEST_DATABASE_URL says so, else the suite's SQLite file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from programme.config import PROJECT_ROOT
from tests.conftest import TEST_PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/0"
CAP = 6  # sign-in forms per address and minute on both servers
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Server:
    """gunicorn on a port the kernel picks (bound to port 0, read back from its log)."""

    def __init__(self, name: str, env: dict, log_dir: Path) -> None:
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.log_file = self.log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "1",
            "-b",
            "127.0.0.1:0",
            "--timeout",
            "60",
            "app:app",
        ]
        self.process = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        self.base = ""

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-2000:]}")
            if not self.base:
                found = LISTENING.search(self.log_path.read_text())
                self.base = f"http://127.0.0.1:{found.group(1)}" if found else ""
            if self.base:
                try:
                    if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready in {timeout} s:\n{self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()


@pytest.fixture(scope="module")
def servers(app, tmp_path_factory):
    shares_redis = _redis_available()
    env = {
        **os.environ,
        "PIP_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "TRUSTED_PROXIES": "1",  # each check signs in from an address of its own
        "LOGIN_REQUESTS_PER_MINUTE": str(CAP),
        "RATELIMIT_KEY_PREFIX": f"pip:test:{uuid.uuid4().hex}:",
    }
    env.pop("REDIS_URL", None)
    if shares_redis:
        env["REDIS_URL"] = REDIS_URL
    log_dir = tmp_path_factory.mktemp("two-servers")
    pair = [Server("a", env, log_dir), Server("b", env, log_dir)]
    try:
        for server in pair:  # both boot in parallel; wait for each in turn
            server.wait_ready()
        yield {"a": pair[0].base, "b": pair[1].base, "redis": shares_redis}
    finally:
        for server in pair:
            server.stop()
        if shares_redis:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for name in client.scan_iter(env["RATELIMIT_KEY_PREFIX"] + "*"):
                client.delete(name)


def _token(session: requests.Session, base: str, address: str, path: str = "/login") -> str:
    page = session.get(base + path, headers={"X-Forwarded-For": address}, timeout=30).text
    return CSRF.search(page).group(1)


def _sign_in(base: str, email: str, password: str, address: str, session=None) -> requests.Response:
    session = session or requests.Session()
    data = {"csrf_token": _token(session, base, address), "email": email, "password": password}
    return session.post(
        base + "/login", data=data, headers={"X-Forwarded-For": address}, allow_redirects=False, timeout=30
    )


def test_a_record_written_through_one_server_is_read_through_the_other(servers, make_user):
    admin = make_user("admin")
    browser = requests.Session()
    assert _sign_in(servers["a"], admin.email, TEST_PASSWORD, "203.0.113.1", browser).status_code == 302
    page = browser.get(servers["a"] + "/facilities/new", timeout=30).text
    code = f"TWO-{uuid.uuid4().hex[:6].upper()}"
    form = {
        "csrf_token": CSRF.search(page).group(1),
        "submission_token": re.search(r'name="submission_token"[^>]*value="([^"]+)"', page).group(1),
        "code": code,
        "name_kk": "Екі сервер",
        "name_ru": "Два сервера",
        "name_en": "Two servers",
        "region": "karaganda",
        "security_level": "medium",
        "timezone": "Asia/Almaty",
        "is_active": "y",
    }
    created = browser.post(servers["a"] + "/facilities/new", data=form, allow_redirects=False, timeout=30)
    assert created.status_code == 302, created.text[:500]
    # The same browser (cookies are per host, not per port) now asks the other server.
    listing = browser.get(servers["b"] + "/facilities", headers={"Accept-Language": "en"}, timeout=30)
    assert listing.status_code == 200
    assert code in listing.text


def test_failed_sign_ins_on_one_server_lock_the_account_on_the_other(servers, make_user):
    target, bystander = make_user("officer"), make_user("officer")
    # Ten failures on A, each from another address (as a spread-out guesser would); refused
    # attempts count too, so the lock comes at the tenth whatever the waits in between.
    for n in range(10):
        assert (
            _sign_in(servers["a"], target.email, "not-the-password", f"198.51.100.{n + 10}").status_code
            == 200
        )
    refused = _sign_in(servers["b"], target.email, TEST_PASSWORD, "198.51.100.99")
    assert refused.status_code == 200, "B let the right password in after A's failures"
    assert "Too many failed attempts" in refused.text or "Слишком много" in refused.text
    assert _sign_in(servers["b"], bystander.email, TEST_PASSWORD, "198.51.100.98").status_code == 302


def test_a_session_signed_out_on_one_server_is_refused_by_the_other(servers, make_user):
    user = make_user("coordinator")
    browser = requests.Session()
    assert _sign_in(servers["a"], user.email, TEST_PASSWORD, "192.0.2.1", browser).status_code == 302
    old_cookie = browser.cookies.get("pip_session")
    assert (
        requests.get(
            servers["b"] + "/", cookies={"pip_session": old_cookie}, allow_redirects=False, timeout=30
        ).status_code
        == 200
    )
    token = _token(browser, servers["a"], "192.0.2.1", "/")
    signed_out = browser.post(
        servers["a"] + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=30
    )
    assert signed_out.status_code == 302
    # The cookie from before the sign-out still carries a valid signature: the session
    # version in the database is what ends it, on every server.
    replay = requests.get(
        servers["b"] + "/", cookies={"pip_session": old_cookie}, allow_redirects=False, timeout=30
    )
    assert replay.status_code == 302
    assert "/login" in replay.headers["Location"]


def test_the_cap_on_sign_in_forms_is_shared_through_redis(servers):
    if not servers["redis"]:
        pytest.skip("no Redis at 127.0.0.1:6379: without it each server counts alone, by design")
    if time.time() % 60 > 45:  # the count is per minute: start in a fresh one
        time.sleep(61 - time.time() % 60)
    address = "203.0.113.77"
    sessions = {name: requests.Session() for name in ("a", "b")}
    tokens = {name: _token(sessions[name], servers[name], address) for name in sessions}
    statuses = []
    for n in range(CAP + 2):
        name = "ab"[n % 2]
        data = {"csrf_token": tokens[name], "email": f"nobody{n}@test.kz", "password": "wrong-password-1"}
        response = sessions[name].post(
            servers[name] + "/login", data=data, headers={"X-Forwarded-For": address}, timeout=30
        )
        statuses.append(response.status_code)
    # Three forms through each server, then both refuse: they count together, not 6 each.
    assert statuses == [200] * CAP + [429, 429]
