"""Language and time zone choice for each request, and locale-aware template helpers."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    facility = getattr(current_user, "facility", None) if current_user else None
    if facility is not None:
        return facility.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def localized(obj, field: str, locale: str) -> str:
    """obj.<field>_<locale>, falling back to ru, kk, en in that order (for names in 3 languages)."""
    for lang in (locale, "ru", "kk", "en"):
        value = getattr(obj, f"{field}_{lang}", None)
        if value:
            return value
    return ""
