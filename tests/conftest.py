"""Fixtures shared by every test: app, db, client, login_as(role), factories, query counting.

The schema is made by the migrations (as in production), once per run. Each test starts from
empty tables. Set TEST_DATABASE_URL to a PostgreSQL URL to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
from itertools import count
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from programme import create_app
from programme.core import cache as figure_cache
from programme.core.national import move_sequences
from programme.core.querycount import assert_max_queries as _assert_max_queries
from programme.extensions import db as _db

TEST_PASSWORD = "correct-horse-battery-staple"
# Each domain's factories live in tests/factories/<domain>.py as fixtures, loaded as plugins.
pytest_plugins = sorted(
    f"tests.factories.{path.stem}"
    for path in (Path(__file__).parent / "factories").glob("*.py")
    if path.stem != "__init__"
)
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def _reset_schema(app) -> None:
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app():
    tmp_dir = Path(tempfile.mkdtemp(prefix="pip-test-"))
    application = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_dir),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SERVER_NAME": None,
        }
    )
    application.test_client_class = CsrfClient
    _reset_schema(application)
    yield application


def empty_all_tables() -> None:
    # DELETE, children first, is much faster than TRUNCATE for the few rows a test leaves.
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def db(app):
    """The database, emptied after each test."""
    with app.app_context():
        yield _db
        _db.session.remove()
        empty_all_tables()
        figure_cache.clear()  # emptied tables reset the data generations the cache keys hold


class CsrfClient(FlaskClient):
    """A test client that behaves like a separate browser talking to a server.

    Tests hold an app context (for factories and direct service calls). Each request runs in a
    fresh context, as on a real server, so nothing (signed-in user, session, `g`) leaks between
    the test and the request. The test's own session is committed before and expired after.
    Pages come in English unless a test chooses a language (the app's default is Russian).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.expire_all()
        return response

    def csrf_token(self) -> str:
        page = self.get("/login", follow_redirects=True).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, "no CSRF token on /login"
        return match.group(1) or match.group(2)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories ---------------------------------------------------------------------------------

_sequence = count(1)


@pytest.fixture
def make_facility(db):
    from programme.facilities.models import Facility

    def factory(**values) -> Facility:
        n = next(_sequence)
        defaults = dict(
            code=f"TST-{n:03d}",
            name_kk=f"Мекеме {n}",
            name_ru=f"Учреждение {n}",
            name_en=f"Facility {n}",
            region="karaganda",
            security_level="medium",
            timezone="Asia/Almaty",
            is_active=True,
        )
        facility = Facility(**{**defaults, **values})
        db.session.add(facility)
        db.session.commit()
        return facility

    return factory


@pytest.fixture
def make_department(db):
    from programme.facilities.models import Department

    def factory(**values) -> Department:
        n = next(_sequence)
        defaults = dict(university=f"University {n}", name="Department of Philosophy", city="Almaty")
        department = Department(**{**defaults, **values})
        db.session.add(department)
        db.session.commit()
        return department

    return factory


@pytest.fixture
def make_user(db, make_facility, make_department):
    from programme.auth.services import create_user

    def factory(role: str = "admin", **values):
        n = next(_sequence)
        if role == "officer" and "facility_id" not in values:
            values["facility_id"] = make_facility().id
        if role in ("coordinator", "facilitator") and "department_id" not in values:
            values["department_id"] = make_department().id
        values.setdefault("email", f"{role}{n}@test.kz")
        values.setdefault("full_name", f"Test {role.title()} {n}")
        values.setdefault("password", TEST_PASSWORD)
        values.setdefault("must_change_password", False)
        return create_user(role=role, **values)

    return factory


def sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post_form("/login", {"email": email, "password": password})


@pytest.fixture
def login_as(client, make_user):
    """login_as("officer") creates a user of that role, signs the client in, returns the user."""

    def do_login(role: str, **values):
        user = make_user(role, **values)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do_login


@pytest.fixture
def assert_max_queries(app):
    def guard(limit: int):
        return _assert_max_queries(_db.engine, limit)

    return guard


_demo_snapshot: list = []  # [(command result, {table: rows})] once the command has run


@pytest.fixture
def demo_data(app, db):
    """The demo data every domain registers, loaded as `flask seed-demo` does.

    The command runs for real in the first test that asks; its rows are kept, and later tests
    get exactly those rows copied back in: a fraction of a second instead of the 3 to 4 s of
    seeding (hashing the demo passwords, sealing, auditing), some fifty times a run.
    tests/core/test_demo.py runs the command again on top to check it stays idempotent.
    """
    if _demo_snapshot:
        result, rows = _demo_snapshot[0]
        with _db.engine.begin() as connection:
            for table in _db.metadata.sorted_tables:  # parents first
                if rows[table.name]:
                    connection.execute(table.insert(), rows[table.name])
            # Ids were given: PostgreSQL's sequences must go on after them (a test that loaded
            # the national data restarted them at 1).
            move_sequences(_db.metadata.sorted_tables, connection)
        figure_cache.clear()
        return result
    result = app.test_cli_runner().invoke(args=["seed-demo", "--quiet"])
    assert result.exit_code == 0, result.output
    db.session.commit()  # the command ran in this test's app context; end its transaction
    with _db.engine.connect() as connection:
        rows = {
            table.name: [
                dict(row._mapping)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in _db.metadata.sorted_tables
        }
    _demo_snapshot.append((result, rows))
    return result
