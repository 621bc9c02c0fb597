"""Views of the questionnaires domain: one blueprint, split by topic."""

from flask import Blueprint

bp = Blueprint("questionnaires", __name__)


@bp.app_template_filter("in_language")
def in_language(texts: dict | None, language: str) -> str:
    """A {"kk": ..., "ru": ..., "en": ...} text in the wanted language, falling back to the others."""
    texts = texts or {}
    for lang in (language, "ru", "kk", "en"):
        if texts.get(lang):
            return texts[lang]
    return ""


from programme.questionnaires.views import administrations, entry, instruments, kiosk  # noqa: E402,F401
