"""Shared service-layer pieces: validation failures, stale edits, one transaction per action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from programme.extensions import db


class ValidationFailed(Exception):
    """A rule refused the input; `problems` maps a field name (or "" for the form) to messages."""

    def __init__(self, problems: dict[str, list[str]] | str):
        if isinstance(problems, str):
            problems = {"": [problems]}
        self.problems = problems
        super().__init__("; ".join(str(m) for msgs in problems.values() for m in msgs))

    @classmethod
    def on(cls, field: str, message) -> ValidationFailed:
        return cls({field: [message]})


class StaleEdit(Exception):
    """The record changed since the form was opened; saving would overwrite someone's work."""

    message = _l("Someone else saved this record after you opened it.")

    def __init__(self, current):
        self.current = current
        super().__init__(str(self.message))


def check_version(obj, submitted_version: int | None) -> None:
    if submitted_version is not None and int(submitted_version) != obj.version_id:
        raise StaleEdit(obj)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit everything done inside, or nothing: a failure rolls the whole action back."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
