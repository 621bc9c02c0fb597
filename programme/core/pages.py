"""Pages whose content is reused: drawn once per user and arguments, until a table it read changes.

For the pages people open again and again with the same arguments (lists, analysis tables): the
page's template is drawn with `content_only` (base.html then gives its title and content alone),
kept as cached fragments (programme.core.cache.cached_fragments), and put into the layout, whose
menu and messages are drawn for each request. Forms in the content get each request's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from programme.core.cache import cached_fragments

CONTENT_SEPARATOR = Markup("<!-- pip: content -->")


def render_cached_page(template: str, context: Callable[[], dict]) -> str:
    """`template` drawn with `context()` for this endpoint and query string, its title and
    content reused until a table they read changes (what `context` reads is part of that)."""
    name = f"page {request.endpoint} {request.view_args} {request.query_string.decode('latin-1')}"
    parts = cached_fragments(name, current_user, lambda: _title_and_content(template, context()))
    return render_template("core/cached_page.html", **parts)


def _title_and_content(template: str, context: dict) -> dict[str, str]:
    drawn = render_template(template, content_only=True, content_separator=CONTENT_SEPARATOR, **context)
    title, _separator, content = drawn.partition(CONTENT_SEPARATOR)
    return {"title": title.strip(), "content": content}
