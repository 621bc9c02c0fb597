"""Flashed messages: each distinct message waits in the session once.

Flask appends every flash to the session cookie until a page shows them. A form sent twice
before the next page (a double click, a retried save, a script posting registers) would queue
the same message again and again, and the signed cookie that every request carries and re-signs
grows with each copy. The reader needs to see "Register saved" once.
"""

from __future__ import annotations

from flask import Flask, message_flashed, session

FLASHES = "_flashes"  # Flask's session key for queued messages


def _drop_repeat(_app: Flask, message: str, category: str, **_extra) -> None:
    queued = session.get(FLASHES, [])
    # Same kind, same words, same type: Markup("<b>x</b>") and the text "<b>x</b>" compare equal
    # but are shown differently.
    if any(
        kind == category and text == message and type(text) is type(message) for kind, text in queued[:-1]
    ):
        session[FLASHES] = queued[:-1]


def keep_each_message_once(app: Flask) -> None:
    message_flashed.connect(_drop_repeat, app)
