"""Numbers as shown on pages and in the PDF (locale-aware, never NaN, suppressed when small)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

DASH = "—"


def number(value, digits: int = 2) -> str:
    if value is None:
        return DASH
    pattern = "0." + "0" * digits if digits else "0"
    return format_decimal(value, format=pattern)


def p_value(value) -> str:
    if value is None:
        return DASH
    if value < 0.001:
        return "< " + number(0.001, 3)
    return number(value, 3)


def interval(ci, digits: int = 2) -> str:
    if ci is None:
        return DASH
    return f"[{number(ci.low, digits)}; {number(ci.high, digits)}]"


def suppressed_mark(minimum: int) -> str:
    return _("n < %(minimum)d: hidden", minimum=minimum)
