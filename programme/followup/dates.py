"""Calendar arithmetic for follow-up windows, and age bands."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

# (code, lowest age, highest age or None)
AGE_BANDS = (
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55+", 55, None),
)
AGE_BAND_LABELS = {
    "18-24": _l("18–24 years"),
    "25-34": _l("25–34 years"),
    "35-44": _l("35–44 years"),
    "45-54": _l("45–54 years"),
    "55+": _l("55 years and over"),
}


def add_months(start: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def local_today(timezone: str | None) -> date:
    return datetime.now(ZoneInfo(timezone or "Asia/Almaty")).date()


def age_band(birth_year: int | None, on_year: int) -> str | None:
    """The band of a person's age in `on_year` (age by birth year: the data hold no birthday)."""
    if birth_year is None:
        return None
    age = on_year - birth_year
    for code, lowest, highest in AGE_BANDS:
        if age >= lowest and (highest is None or age <= highest):
            return code
    return None


def birth_years_of_band(code: str, on_year: int) -> tuple[int | None, int]:
    """(earliest, latest) birth year of people in band `code` in `on_year`; earliest None = open."""
    for band, lowest, highest in AGE_BANDS:
        if band == code:
            return (on_year - highest if highest is not None else None), on_year - lowest
    raise ValueError(code)
