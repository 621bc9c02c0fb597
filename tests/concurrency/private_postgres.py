"""A private PostgreSQL server for a test that must stop and start its database.

The shared server at 5432 is never touched. The cluster is made with initdb in a temporary
directory owned by the `postgres` OS user (the tests run as root, and PostgreSQL refuses to run
as root), listens on a free port, and is removed at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.concurrency.live import free_port


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def can_run_private_postgres() -> str | None:
    """None when a private server can be made here, else why not."""
    if postgres_binaries() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql"
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "needs root and runuser to run initdb as the postgres user"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres OS user"
    return None


@dataclass
class PrivatePostgres:
    directory: Path
    port: int
    binaries: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", str(self.binaries / "pg_ctl"), "-D", str(self.data)]
        subprocess.run([*command, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=60"
        self._pg_ctl("-l", str(self.directory / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")

    def create_database(self, name: str) -> None:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres") as connection:
            connection.autocommit = True
            connection.execute(f'CREATE DATABASE "{name}"')

    def wait_until_accepting(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"):
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("the private PostgreSQL server did not come up")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = postgres_binaries()
    assert binaries is not None
    directory = Path(tempfile.mkdtemp(prefix="pip-private-pg-"))
    owner = pwd.getpwnam("postgres")
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(directory, free_port(), binaries)
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(binaries / "initdb"),
            "-D",
            str(server.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(directory, ignore_errors=True)
