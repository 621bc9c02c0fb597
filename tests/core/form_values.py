"""Every form of the app, and hypothesis strategies for the values a browser (or an attacker) may
send to each of its fields: plausible values and hostile ones, chosen from the field's type.

Shared by the property tests on form validation (test_form_properties.py) and through HTTP
(test_post_properties.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
from datetime import date, time

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from hypothesis import strategies as st
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    FloatField,
    FormField,
    IntegerField,
    SelectFieldBase,
    SelectMultipleField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from programme import DOMAINS

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗ"
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "\t\r\n",
    "\u202e\u200b",  # right-to-left override, zero-width space
    "<script>alert(1)</script>",
    "'; DROP TABLE participant; --",
    '=HYPERLINK("http://x")',
    "%(max)d %s {0}",
    "😀" * 3,
]
# Field types that refuse some input even without validators (parsing, choices).
CHECKED_TYPES = (SelectFieldBase, IntegerField, FloatField, DecimalField, DateField, TimeField)
# Choices a view would set at request time (facilities, cohorts ... from the database).
VIEW_INT_CHOICES = [(1, "one"), (2, "two"), (7, "seven")]
VIEW_TEXT_CHOICES = [("draft", "draft"), ("running", "running")]


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass the app defines, after importing each domain's forms and views."""
    for domain in DOMAINS:
        for room in ("forms", "views"):
            if importlib.util.find_spec(f"programme.{domain}.{room}") is not None:
                importlib.import_module(f"programme.{domain}.{room}")

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found = {cls for cls in walk(FlaskForm) if cls.__module__.startswith("programme.")}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def fill_view_choices(form) -> None:
    """Give select fields whose choices the view sets at request time a stand-in list."""
    for field in walk_fields(form):
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", ()) is None:
            field.choices = VIEW_INT_CHOICES if field.coerce is int else VIEW_TEXT_CHOICES


def walk_fields(form):
    """The fields of a form, descending into field lists and sub-forms."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _walk_entry(entry)
        elif isinstance(field, FormField):
            yield from walk_fields(field.form)
        else:
            yield field


def _walk_entry(entry):
    if isinstance(entry, FormField):
        yield from walk_fields(entry.form)
    else:
        yield entry


def _max_length(field) -> int | None:
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


def text_values(max_length: int | None = None, regex=None) -> st.SearchStrategy[str]:
    limit = max_length or 200
    options = [
        st.text(max_size=40),  # any unicode, control characters included (no surrogates: not sendable)
        st.text(alphabet=KAZAKH + CYRILLIC + " -", min_size=1, max_size=60),
        st.sampled_from(HOSTILE_TEXT),
        st.builds(
            lambda n, ch: ch * n,
            st.sampled_from([limit - 1, limit, limit + 1, limit * 5]),
            st.sampled_from("aҚЖ😀"),
        ),
    ]
    if regex is not None:
        options.append(st.from_regex(regex, fullmatch=True).filter(lambda s: len(s) <= limit))
    return st.one_of(options)


def _choice_values(field) -> list[str]:
    values = []
    for choice in field.iter_choices():
        values.append(str(choice[0]))
    return values


def _int_values(field) -> st.SearchStrategy[str]:
    bounds = [v for v in field.validators if isinstance(v, NumberRange)]
    low = bounds[0].min if bounds and bounds[0].min is not None else -1000
    high = bounds[0].max if bounds and bounds[0].max is not None else 1000
    return int_text_values(int(low), int(high))


def int_text_values(low: int, high: int) -> st.SearchStrategy[str]:
    """Whole numbers around a range (just inside, just outside, huge) and text that is not one."""
    return st.one_of(
        st.integers(low - 2, high + 2).map(str),
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["", "1.5", "1e3", " 12 ", "１２", "٣", "0x10", "-0", "NaN"]),
        st.text(max_size=10),
    )


def _float_values(field) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["nan", "inf", "-inf", "1e400", "-1e400"]),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
        st.sampled_from(["", "0,5", "0.8", "1", "-0", " 1 "]),
        st.text(max_size=10),
    )


def date_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
        st.dates().map(lambda d: d.strftime("%d.%m.%Y")),
        st.sampled_from(["", "2024-02-30", "2023-13-01", "0000-01-01", "99999-12-31", "1-1-1", "today"]),
        st.text(max_size=12),
    )


def time_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.times().map(lambda t: t.strftime("%H:%M")),
        st.sampled_from(["", "24:00", "25:61", "9", "10:00:00", "noon"]),
        st.text(max_size=6),
    )


def field_values(field, plausible: bool = False) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The (name, value) pairs a post may carry for one field: none, one, or (lists) several.

    plausible=True gives what a careful user would type (within the field's declared bounds), so
    that whole forms validate often enough for their valid data to be checked too."""
    name = field.name
    absent = st.just([])
    if isinstance(field, FieldList):
        return _list_values(field, plausible)
    if isinstance(field, FileField):
        return absent if plausible else st.one_of(absent, text_values().map(lambda v: [(name, v)]))
    if isinstance(field, SelectMultipleField):
        values = [v for v in _choice_values(field) if v]
        if plausible:
            picks = st.lists(st.sampled_from(values or [""]), min_size=1, max_size=3, unique=True)
        else:
            picks = st.lists(st.one_of(st.sampled_from(values or [""]), text_values()), max_size=5)
        return picks.map(lambda chosen: [(name, v) for v in chosen])
    one = _plausible_value(field) if plausible else _any_value(field)
    if plausible:
        return one.map(lambda v: [(name, v)])
    return st.one_of(absent, one.map(lambda v: [(name, v)]))


def _any_value(field) -> st.SearchStrategy[str]:
    if isinstance(field, BooleanField):
        return st.sampled_from(["y", "on", "true", "false", "", "0", "яә"])
    if isinstance(field, SelectFieldBase):
        return st.one_of(st.sampled_from(_choice_values(field) or [""]), text_values())
    if isinstance(field, IntegerField):
        return _int_values(field)
    if isinstance(field, (FloatField, DecimalField)):
        return _float_values(field)
    if isinstance(field, DateField):
        return date_values()
    if isinstance(field, TimeField):
        return time_values()
    regex = next((v.regex for v in field.validators if isinstance(v, Regexp)), None)
    return text_values(_max_length(field), regex)


def _range(field, low: float, high: float) -> tuple[float, float]:
    for validator in field.validators:
        if isinstance(validator, NumberRange):
            low = validator.min if validator.min is not None else low
            high = validator.max if validator.max is not None else high
    return low, high


def _plausible_value(field) -> st.SearchStrategy[str]:
    if isinstance(field, BooleanField):
        return st.sampled_from(["y", ""])
    if isinstance(field, SelectFieldBase):
        values = [v for v in _choice_values(field) if v]
        return st.sampled_from(values or [""])
    if isinstance(field, IntegerField):
        low, high = _range(field, 1, 2000)
        return st.integers(int(low), int(high)).map(str)
    if isinstance(field, (FloatField, DecimalField)):
        low, high = _range(field, -100, 100)
        return st.floats(low, high, allow_nan=False).map(lambda x: f"{x:.3f}")
    if isinstance(field, DateField):
        return st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
    if isinstance(field, TimeField):
        return st.times().map(lambda t: t.strftime("%H:%M"))
    if isinstance(field, EmailField):
        return st.from_regex(r"[a-z]{1,12}", fullmatch=True).map(lambda local: f"{local}@example.kz")
    regex = next((v.regex for v in field.validators if isinstance(v, Regexp)), None)
    low = max([v.min for v in field.validators if isinstance(v, Length)] + [1])
    high = max(low, min(_max_length(field) or 40, 40))
    if regex is not None:
        return st.from_regex(regex, fullmatch=True).filter(lambda s: low <= len(s) <= high)
    return st.text(alphabet=KAZAKH + CYRILLIC + "abc 0123456789", min_size=low, max_size=high).filter(
        str.strip
    )


def _list_values(field: FieldList, plausible: bool) -> st.SearchStrategy[list[tuple[str, str]]]:
    template = field.entries[0] if field.entries else None
    if template is None:
        return st.just([])
    prefix = f"{field.name}-0-"
    sub_fields = list(_walk_entry(template))

    def entry(index: int):
        renamed = []
        for sub in sub_fields:
            strategy = field_values(sub, plausible).map(
                lambda pairs: [(n.replace(prefix, f"{field.name}-{index}-", 1), v) for n, v in pairs]
            )
            renamed.append(strategy)
        return st.tuples(*renamed).map(lambda parts: [pair for part in parts for pair in part])

    count = st.integers(1, 3) if plausible else st.integers(0, (field.max_entries or 5) + 3)
    return count.flatmap(lambda n: st.tuples(*[entry(i) for i in range(n)])).map(
        lambda entries: [pair for part in entries for pair in part]
    )


def form_values(form) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Values for every field of a bound form (csrf off), as a list of (name, value) pairs: a
    careful user's, one hostile field among careful ones, a careless mix, or all hostile."""
    fields = [field for field in form if field.name != "csrf_token"]

    def joined(parts):
        return st.tuples(*parts).map(lambda groups: [pair for group in groups for pair in group])

    careful = [field_values(field, plausible=True) for field in fields]
    hostile = [field_values(field) for field in fields]
    if not fields:
        return st.just([])
    one_bad = st.integers(0, len(fields) - 1).flatmap(
        lambda bad: joined([hostile[i] if i == bad else careful[i] for i in range(len(fields))])
    )
    mixed = joined([st.one_of(good, bad) for good, bad in zip(careful, hostile, strict=True)])
    return st.one_of(joined(careful), one_bad, mixed, joined(hostile))


def _coerced(field, value):
    try:
        return field.coerce(value)
    except (TypeError, ValueError):
        return value


def out_of_bounds(form) -> list[str]:
    """For a form that validated: each field whose data breaks a bound it declares."""
    broken = []
    for field in walk_fields(form):
        data = field.data
        for validator in field.validators:
            if isinstance(validator, Length) and isinstance(data, str):
                if len(data) > validator.max >= 0 or (data and len(data) < validator.min):
                    broken.append(
                        f"{field.name}: length {len(data)} outside {validator.min}..{validator.max}"
                    )
            elif isinstance(validator, NumberRange) and data is not None:
                if isinstance(data, float) and not math.isfinite(data):
                    broken.append(f"{field.name}: {data!r} is not a number in range")
                elif (validator.min is not None and data < validator.min) or (
                    validator.max is not None and data > validator.max
                ):
                    broken.append(f"{field.name}: {data!r} outside {validator.min}..{validator.max}")
            elif isinstance(validator, DataRequired) and not data:
                broken.append(f"{field.name}: required but empty")
            elif isinstance(validator, Regexp) and isinstance(data, str) and data:
                if not validator.regex.match(data):
                    broken.append(f"{field.name}: {data!r} does not match its pattern")
        optional_and_empty = data in (None, "", []) and any(isinstance(v, Optional) for v in field.validators)
        if (
            isinstance(field, SelectFieldBase)
            and getattr(field, "validate_choice", True)
            and not optional_and_empty
        ):
            allowed = {choice[0] for choice in field.iter_choices()}
            coerced = {_coerced(field, value) for value in allowed}
            values = data if isinstance(field, SelectMultipleField) else [data]
            for value in values or []:
                if value not in coerced and str(value) not in allowed:
                    broken.append(f"{field.name}: {value!r} is not one of the choices")
        if isinstance(field, (FloatField, DecimalField)) and data is not None and not math.isfinite(data):
            broken.append(f"{field.name}: {data!r} is not a finite number")
        if isinstance(field, DateField) and data is not None and not isinstance(data, date):
            broken.append(f"{field.name}: {data!r} is not a date")
        if isinstance(field, TimeField) and data is not None and not isinstance(data, time):
            broken.append(f"{field.name}: {data!r} is not a time")
    return broken
