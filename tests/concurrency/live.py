"""A real app server in a subprocess (gunicorn, several workers and threads) and browser-like
HTTP clients for it, for the tests that race requests against each other.

The server uses the same database as the test (the suite's SQLite file or TEST_DATABASE_URL). It
runs only inside one test function, which commits its set-up data first and reads the outcome
after the server has answered everything, so the per-test emptying of the tables (tests/conftest)
happens when the server is already stopped and the two never fight.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.conftest import CSRF_INPUT, TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "live-server-secret-key-for-tests-only-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def live_server(database_url: str, workers: int = 2, threads: int = 20) -> Iterator[LiveServer]:
    """gunicorn on a free port, serving this checkout's app against `database_url`."""
    port = free_port()
    env = {
        **os.environ,
        "PIP_ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "PYTHONPATH": str(ROOT),
    }
    log_path = Path(tempfile.mkstemp(prefix="pip-live-", suffix=".log")[1])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "2",
        # Browsers are prepared one by one before a race: keep their connections open meanwhile
        # (the 2 s default closes them, and a POST sent as the server closes is reset).
        "--keep-alive",
        "120",
        "--no-control-socket",  # its default path is shared by every gunicorn on the machine
        "app:app",
    ]
    with log_path.open("w") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_path.unlink(missing_ok=True)  # failing assertions quote its tail


def _wait_until_up(server: LiveServer, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{server.log()[-3000:]}")
        try:
            requests.get(f"{server.base}/healthz", timeout=10)
            return
        except requests.RequestException:  # not listening yet, or the workers still loading
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{server.log()[-3000:]}")


class Browser:
    """One person's browser: its own cookies, English pages, CSRF tokens read from form pages."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, timeout=60, **kwargs)

    def csrf_token(self, form_page: str) -> str:
        page = self.get(form_page)
        assert page.status_code == 200, (form_page, page.status_code)
        match = CSRF_INPUT.search(page.text)
        assert match, f"no CSRF token on {form_page}"
        return match.group(1) or match.group(2)

    def sign_in(self, email: str) -> None:
        token = self.csrf_token("/login")
        answer = self.post("/login", {"email": email, "password": TEST_PASSWORD}, token)
        assert answer.status_code == 302, answer.text[:500]

    def post(self, path: str, data: dict, token: str, follow: bool = False) -> requests.Response:
        return self.http.post(
            self.base + path, data={**data, "csrf_token": token}, allow_redirects=follow, timeout=60
        )


@dataclass
class Answer:
    name: str
    status: int
    text: str
    location: str = ""


@dataclass
class Race:
    """Actions prepared beforehand, fired together from their own threads behind one barrier."""

    actions: list[tuple[str, Callable[[], requests.Response]]] = field(default_factory=list)

    def add(self, name: str, action: Callable[[], requests.Response]) -> None:
        self.actions.append((name, action))

    def run(self) -> tuple[list[Answer], float]:
        barrier = threading.Barrier(len(self.actions))
        answers: list[Answer | None] = [None] * len(self.actions)
        failures: list[BaseException] = []

        def worker(index: int, name: str, action) -> None:
            try:
                barrier.wait(timeout=60)
                response = action()
                answers[index] = Answer(
                    name, response.status_code, response.text, response.headers.get("Location", "")
                )
            except BaseException as error:  # noqa: BLE001 - reported by the test thread below
                failures.append(error)

        started = time.monotonic()
        threads = [
            threading.Thread(target=worker, args=(index, name, action), daemon=True)
            for index, (name, action) in enumerate(self.actions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.monotonic() - started
        if failures:
            raise failures[0]
        assert all(answer is not None for answer in answers), "a request did not finish"
        return [answer for answer in answers if answer is not None], elapsed
