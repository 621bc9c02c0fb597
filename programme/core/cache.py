"""A cache for expensive figures, invalidated by per-table data generations.

`cached(key, compute, depends_on=[Model, ...])` returns `compute()`'s value, reusing it while no
table it depends on has changed. Each watched table has a row in `data_generation` whose counter
is bumped when a transaction that flushed changes to the table (or ran an ORM bulk
INSERT/UPDATE/DELETE on it) commits, inside that transaction: every app server sees the bump
exactly when the change is committed, and a rolled-back change bumps nothing. (Figures read
inside a transaction after its own uncommitted writes may come from the cache; no page computes
figures after writing in the same request.) The current generations are read in one query and are part
of the stored key: a change makes the old entries unreachable (they expire on their own).

The generations are read *before* the figures are computed, so a value is never stored under a
generation older than its data (it can only be newer, which is harmless).

Where values live:
- Redis, when CACHE_REDIS_URL (or REDIS_URL) is set: shared by every app server and worker;
  entries expire after CACHE_TIMEOUT seconds. Values are pickled and signed with an HMAC of
  SECRET_KEY, so a value planted in Redis by someone else is refused, not unpickled.
- otherwise in the process (a small LRU per worker): no extra service to run for the embedded
  SQLite mode; each worker computes a figure once per data change. Not in the database: the
  values are megabytes of figures and charts, and reading them back from a table would cost
  about what recomputing the cheaper ones does.

Keys must hold the whole scope of the figure (filters, role scope, language), so one facility's
or role's figures are never served to another: callers pass them in `key`.
The epoch row ('*', made with a random stamp by the migration) keeps two databases that share
one Redis (a re-created database, a second deployment) from reading each other's entries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle  # nosec B403 - only our own HMAC-signed values are unpickled
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Integer, String, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from programme.core.memory import cycle_collection_paused
from programme.extensions import db

log = logging.getLogger(__name__)
EPOCH = "*"
DEFAULT_TIMEOUT = 24 * 3600
LOCAL_ENTRIES = 64

_watched: set[str] = set()


class DataGeneration(db.Model):
    """How many committed changes each watched table has had (the cache's invalidation key)."""

    __tablename__ = "data_generation"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    stamp: Mapped[str] = mapped_column(String(32), nullable=False)


def table_names(models: Iterable) -> tuple[str, ...]:
    """Table names of models, tables or names (what watch() returns can be passed on)."""
    return tuple(
        sorted(
            {
                model if isinstance(model, str) else getattr(model, "__tablename__", None) or model.name
                for model in models
            }
        )
    )


def watch(*models) -> tuple[str, ...]:
    """Start counting changes of these tables (call at import time, before any write)."""
    names = table_names(models)
    _watched.update(names)
    return names


def watch_every_table() -> None:
    """Count changes of every table of the app (create_app, once its models are imported).

    Cached page fragments depend on whichever tables their drawing read (cached_fragment), so
    every table's changes must be counted, by every process alike.
    """
    _watched.update(name for name in db.metadata.tables if name != DataGeneration.__tablename__)


# --- bumping ----------------------------------------------------------------------------------


def bump(session: Session, names: Iterable[str]) -> None:
    """Add one to the generation of these tables, in the session's current transaction."""
    names = sorted(set(names))
    if not names:
        return
    connection = session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    table = DataGeneration.__table__
    statement = insert(table).values(
        [{"table_name": name, "generation": 1, "stamp": secrets.token_hex(8)} for name in names]
    )
    # A fresh random stamp with every bump: a database restored from a backup, whose counters
    # then climb again from older values, never meets the keys of the data it replaced.
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.table_name],
        set_={"generation": table.c.generation + 1, "stamp": statement.excluded.stamp},
    )
    connection.execute(statement)


def _touched_tables(session: Session) -> set[str]:
    touched: set[str] = set()
    for obj in (*session.new, *session.deleted):
        touched.add(obj.__table__.name)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            touched.add(obj.__table__.name)
    return touched & _watched


def _pending(session: Session) -> set[str]:
    return session.info.setdefault("data_generation_touched", set())


@event.listens_for(Session, "after_flush")
def _note_flushed_tables(session: Session, _flush_context) -> None:
    _pending(session).update(_touched_tables(session))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statement(state):
    # session.execute(insert/update/delete(Model)...) skips the flush: count it here, when it
    # changed a row (an UPDATE that matched nothing, a refused request's, changes nothing).
    if state.is_insert or state.is_update or state.is_delete:
        name = getattr(getattr(state.statement, "table", None), "name", None)
        if name in _watched:
            result = state.invoke_statement()
            if getattr(result, "rowcount", -1) != 0:
                _pending(state.session).add(name)
            return result
    return None


@event.listens_for(Session, "before_commit")
def _bump_at_commit(session: Session) -> None:
    # One bump per transaction, at its end: the generation rows are locked only while the
    # commit runs, and always in the same (sorted) order, so two writers cannot deadlock on them.
    session.flush()
    touched = session.info.pop("data_generation_touched", set())
    if touched:
        bump(session, touched)
        _forget_generations()  # this request reads the new generations from here on


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("data_generation_touched", None)


def invalidate_all() -> int:
    """Bump every watched table and the epoch (committed): all cached figures become stale."""
    names = sorted({*_watched, EPOCH})
    bump(db.session, names)
    db.session.commit()
    return len(names) - 1


# --- reading ----------------------------------------------------------------------------------


MEMO = "pip.data_generations"  # in the request's WSGI environ: one per request, never shared


def generations(names: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The current (generation, stamp) of these tables and of the epoch.

    Every watched table's row is read in one query, once per request (kept with the request
    until it commits a change): a page with several cached figures pays one statement in all.
    Outside a request (commands, tests) they are read every time.
    """
    wanted = sorted({*names, EPOCH})
    environ = request.environ if has_request_context() else {}
    found = environ.get(MEMO)
    if found is None:
        rows = db.session.execute(
            select(DataGeneration.table_name, DataGeneration.generation, DataGeneration.stamp)
        ).all()
        found = environ[MEMO] = {name: (generation, stamp) for name, generation, stamp in rows}
    return {name: found.get(name, (0, "")) for name in wanted}


def _forget_generations() -> None:
    if has_request_context():
        request.environ.pop(MEMO, None)


def _digest(key: Any, state: dict) -> str:
    text = json.dumps([key, state], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached_for_user(name: str, user, compute: Callable[[], Any], depends_on: Iterable) -> Any:
    """A dashboard figure of one user: keyed by the user (their scope, and whether they see
    names), the language and the hour, so a figure counting what is due today follows the date
    wherever the facility is (time zones differ by whole hours). Only plain values: never ORM
    objects, which would be detached in the next request."""
    key = {"figure": name, **_viewer(user), "hour": datetime.now(UTC).strftime("%Y-%m-%dT%H")}
    return cached(key, compute, depends_on)


def _viewer(user) -> dict:
    """Who a per-user value is for: the user and their scope (a changed scope: a new key) and
    the language it is drawn in."""
    return {
        "user": [user.id, user.role, user.facility_id, user.department_id],
        "locale": str(get_locale() or ""),
    }


def cached(key: Any, compute: Callable[[], Any], depends_on: Iterable) -> Any:
    """compute()'s value for this key, reused until a table in `depends_on` changes.

    `key` is anything JSON-serialisable (with str() for dates) naming the figure and its whole
    scope: filters, the viewer's role scope and the language."""
    names = watch(*depends_on)
    _note_read(names)  # a fragment drawn with this figure depends on its tables too
    if not current_app.config.get("CACHE_ENABLED", True):
        return _computed(compute)
    digest = _digest(key, generations(names))
    store = _store()
    found = store.get(digest)
    if found is not None:
        return found
    value = _computed(compute)
    store.set(digest, value)
    return value


def _computed(compute: Callable[[], Any]) -> Any:
    # What is worth caching is a large computation: the cycle collector waits until it is done.
    with cycle_collection_paused():
        return compute()


# --- stores -----------------------------------------------------------------------------------


class LocalStore:
    """A per-process LRU of a few entries (values kept as objects, not copied)."""

    def __init__(self, size: int = LOCAL_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, digest: str) -> Any:
        with self.lock:
            if digest not in self.entries:
                return None
            self.entries.move_to_end(digest)
            return self.entries[digest]

    def set(self, digest: str, value: Any) -> None:
        with self.lock:
            self.entries[digest] = value
            self.entries.move_to_end(digest)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class RedisStore:
    """Signed pickles in Redis under `prefix`, expiring after `timeout` seconds."""

    def __init__(self, url: str, secret: str, prefix: str, timeout: int) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.secret = secret.encode("utf-8")
        self.prefix = prefix
        self.timeout = timeout

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self.secret, payload, hashlib.sha256).digest()

    def get(self, digest: str) -> Any:
        try:
            blob = self.client.get(self.prefix + digest)
        except Exception:  # noqa: BLE001 - an unreachable cache only costs a recomputation
            log.warning("cache: Redis unreachable, computing without it", exc_info=True)
            return None
        if not blob or len(blob) < 32:
            return None
        signature, payload = blob[:32], blob[32:]
        if not hmac.compare_digest(signature, self._sign(payload)):
            log.warning("cache: refused an entry with a wrong signature (%s)", digest)
            return None
        return pickle.loads(payload)  # noqa: S301 # nosec B301 - signed by us, checked above

    def set(self, digest: str, value: Any) -> None:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.client.set(self.prefix + digest, self._sign(payload) + payload, ex=self.timeout)
        except Exception:  # noqa: BLE001 - see get()
            log.warning("cache: Redis unreachable, value not stored", exc_info=True)

    def clear(self) -> None:
        for name in self.client.scan_iter(self.prefix + "*"):
            self.client.delete(name)


def _store():
    app = current_app._get_current_object()
    store = app.extensions.get("figure_cache")
    if store is None:
        url = app.config.get("CACHE_REDIS_URL") or app.config.get("REDIS_URL")
        if url:
            store = RedisStore(
                url,
                app.config["SECRET_KEY"],
                app.config.get("CACHE_KEY_PREFIX", "pip:figures:"),
                int(app.config.get("CACHE_TIMEOUT", DEFAULT_TIMEOUT)),
            )
        else:
            store = LocalStore()
        app.extensions["figure_cache"] = store
    return store


def clear() -> None:
    """Forget every cached value of this app (tests; never needed for correctness)."""
    _store().clear()


# --- fragments of pages -------------------------------------------------------------------------

FRAGMENT_MINUTES = 5  # a fragment's longest life: what it shows as "upcoming" or "overdue" moves on
_TABLE_WORD = re.compile(r"[a-z_][a-z0-9_]*")
_capturing = threading.local()  # per thread (one request at a time): the tables read so far


@contextmanager
def _reading_tables() -> Iterator[set[str]]:
    """The tables the statements inside the block read (nested blocks: each outer one too)."""
    stack = _capturing.__dict__.setdefault("stack", [])
    found: set[str] = set()
    stack.append(found)
    try:
        yield found
    finally:
        stack.pop()


def _note_read(names: Iterable[str]) -> None:
    for found in getattr(_capturing, "stack", ()):
        found.update(names)


@event.listens_for(Engine, "before_cursor_execute")
def _note_statement_tables(_connection, _cursor, statement, _parameters, _context, _many) -> None:
    if getattr(_capturing, "stack", None):
        # Every table named anywhere in the statement (a column of it is named "table.column"):
        # a word that only looks like a table adds a dependency, never loses one.
        _note_read(set(_TABLE_WORD.findall(statement)) & _watched)


def cached_fragment(name: str, user, render: Callable[[], str]) -> Markup:
    """A fragment of a page drawn for this user (a dashboard's panels), reused until a table it
    read changes, and for FRAGMENT_MINUTES at most. See cached_fragments."""
    return cached_fragments(name, user, lambda: {"html": render()})["html"]


def cached_fragments(name: str, user, render: Callable[[], dict[str, str]]) -> dict[str, Markup]:
    """Parts of a page drawn together for this user ({"title": ..., "body": ...}, each HTML),
    reused until a table their drawing read changes, and for FRAGMENT_MINUTES at most.

    Their dependencies are what the drawing read: every table its statements named, and the
    tables of the cached figures it used. They are stored beside the parts and checked against
    the current generations before they are reused. The key holds the user and their scope, the
    language and the time (in FRAGMENT_MINUTES steps), and `name` the rest (which page, which
    arguments). Forms inside are drawn with a placeholder for the CSRF token (one session's
    secret, never stored): each request puts its own in. Work that must happen on every request
    (a permission check, an audit row) stays outside `render`; a check inside it is covered by
    the key (the same user) and by the dependencies (what it read).
    """
    if not current_app.config.get("CACHE_ENABLED", True):
        return _all_drawn(render())
    now = datetime.now(UTC)
    step = now.replace(minute=now.minute - now.minute % FRAGMENT_MINUTES)
    key = {"fragment": name, **_viewer(user), "time": step.strftime("%Y-%m-%dT%H:%M")}
    store = _store()
    tables_digest = _digest(key, {"tables": True})
    tables = store.get(tables_digest)
    if tables is not None:
        found = store.get(_digest(key, generations(tables)))
        if found is not None:
            return _all_drawn(found)
    # Every generation as it is before drawing: the parts are stored under these, never newer.
    before = generations(_watched)
    with _reading_tables() as read, _csrf_placeholder():
        parts = render()
    tables = sorted(read)
    store.set(tables_digest, tables)
    store.set(_digest(key, {table: before[table] for table in (*tables, EPOCH)}), parts)
    return _all_drawn(parts)


CSRF_PLACEHOLDER = "pip-csrf-token-placeholder"


@contextmanager
def _csrf_placeholder() -> Iterator[None]:
    """Within the block forms get the placeholder as their CSRF token (Flask-WTF keeps the
    request's token in g under the field's name); the request's own token is kept."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    missing = object()
    real = g.pop(field, missing)
    setattr(g, field, CSRF_PLACEHOLDER)
    try:
        yield
    finally:
        g.pop(field, None)
        if real is not missing:
            setattr(g, field, real)


def _all_drawn(parts: dict[str, str]) -> dict[str, Markup]:
    if any(CSRF_PLACEHOLDER in html for html in parts.values()):
        token = generate_csrf()  # this request's, for this session
        parts = {name: html.replace(CSRF_PLACEHOLDER, token) for name, html in parts.items()}
    return {name: drawn_html(html) for name, html in parts.items()}


def drawn_html(html: str) -> Markup:
    # The output of our own templates, autoescaped when they were drawn: safe as it is.
    return Markup(html)  # noqa: S704  # nosec B704
