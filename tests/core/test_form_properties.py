"""Property tests on the validation of every form of the app (hypothesis).

Each form class is filled with values generated from its fields' types (any unicode, Kazakh and
Cyrillic text, control characters, very long text, numbers out of range, broken dates and times,
select values outside the choices, several values for one field, nothing at all) and validated
in Russian. Properties: validate() never raises; every error is a non-empty message that is not
an English message the catalogues translate; a form that validates holds only data within the
bounds its fields declare (lengths, number ranges, choices, patterns, required fields).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask_wtf.file import FileRequired
from hypothesis import HealthCheck, given, settings
from werkzeug.datastructures import MultiDict
from wtforms import SelectField

from programme.config import PROJECT_ROOT
from tests.core.form_values import (
    CHECKED_TYPES,
    fill_view_choices,
    form_classes,
    form_values,
    out_of_bounds,
    walk_fields,
)

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _catalogue_paths(lang: str) -> list[Path]:
    project = sorted((PROJECT_ROOT / "translations").glob(f"*/{lang}/LC_MESSAGES/messages.po"))
    return [*project, Path(wtforms.__file__).parent / "locale" / lang / "LC_MESSAGES" / "wtforms.po"]


def untranslated_patterns(lang: str) -> list[re.Pattern]:
    """English messages the catalogues translate into `lang` (placeholders match any text)."""
    patterns = []
    for path in _catalogue_paths(lang):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=lang)
        for message in catalogue:
            msgid = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
            translation = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
            # fuzzy entries are left out of the compiled catalogue: English there is WTForms' choice
            if msgid and translation and translation != msgid and not message.fuzzy:
                parts = PLACEHOLDER.split(msgid)
                patterns.append(re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL))
    return patterns


def _messages(errors):
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, (list, tuple)):
        for value in errors:
            yield from _messages(value)
    else:
        yield errors


FORMS = form_classes()


def test_every_domain_has_forms_in_the_walk():
    domains = {cls.__module__.split(".")[1] for cls in FORMS}
    assert len(FORMS) >= 50 and {"auth", "participants", "scheduling", "questionnaires"} <= domains


@pytest.fixture(scope="module")
def english_messages():
    return untranslated_patterns("ru")


@pytest.mark.parametrize(
    "form_class", FORMS, ids=lambda cls: f"{cls.__module__.split('.')[1]}.{cls.__name__}"
)
def test_validation_never_fails_and_keeps_its_bounds(app, form_class, english_messages):
    outcomes = {"valid": 0, "refused": 0}

    def bound(formdata):
        form = form_class(formdata=formdata, meta={"csrf": False})
        fill_view_choices(form)
        return form

    with app.test_request_context(method="POST", headers={"Accept-Language": "ru"}):
        empty = bound(MultiDict())
        strategy = form_values(empty)
        can_validate = not any(_unsatisfiable(field) for field in walk_fields(empty))
        can_refuse = any(field.validators or isinstance(field, CHECKED_TYPES) for field in walk_fields(empty))

    @PROPERTY_SETTINGS
    @given(pairs=strategy)
    def check(pairs):
        with app.test_request_context(method="POST", headers={"Accept-Language": "ru"}):
            form = bound(MultiDict(pairs))
            if form.validate():
                outcomes["valid"] += 1
                assert out_of_bounds(form) == []
                return
            outcomes["refused"] += 1
            for message in _messages(form.errors):
                text = str(message)
                assert text.strip(), (form_class, form.errors)
                leftover = [p.pattern for p in english_messages if p.fullmatch(text)]
                assert not leftover, f"{form_class.__name__}: {text!r} is shown in English under ru"

    check()
    if can_refuse:
        assert outcomes["refused"] > 0  # the generator reached the validators, not only blank posts
    if can_validate:
        assert outcomes["valid"] > 0  # so the bounds of valid data were checked, not only refusals


def _unsatisfiable(field) -> bool:
    """A field no generated post can fill: a required file, or a select the database fills."""
    if any(isinstance(v, FileRequired) for v in field.validators):
        return True
    return isinstance(field, SelectField) and not list(field.iter_choices())


def test_the_english_message_check_bites(app, english_messages):
    """An English message the catalogue translates is recognised, placeholders filled in."""
    assert any(p.fullmatch("Use at most 200 characters.") for p in english_messages)
    assert any(p.fullmatch("This field is required.") for p in english_messages)
    assert not any(p.fullmatch("Используйте не более 200 символов.") for p in english_messages)
