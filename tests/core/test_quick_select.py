"""The project's select draws the same options as WTForms' own, escaped, with the choice kept."""

from __future__ import annotations

import re

import wtforms
from wtforms import Form
from wtforms.fields.choices import SelectChoice

from programme.core.forms import SelectField, choices

CHOICES = choices([("", "All regions"), ("1", 'Tab "<b>" & co'), (2, "Two"), (True, "Yes")])


def _options(html: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of each option, whatever the attribute order."""
    found = []
    for attributes, label in re.findall(r"<option ([^>]*)>(.*?)</option>", str(html)):
        value = re.search(r'value="([^"]*)"', attributes).group(1)
        found.append((value, "selected" in attributes.split(), label))
    return found


def test_quick_select_matches_wtforms_select(app):
    class Quick(Form):
        field = SelectField(choices=CHOICES, render_kw={"class": "form-select"})

    class Plain(Form):
        field = wtforms.SelectField(choices=CHOICES, render_kw={"class": "form-select"})

    with app.test_request_context():
        for chosen in ("", "1", 2, True):
            quick, plain = Quick(data={"field": chosen}).field(), Plain(data={"field": chosen}).field()
            assert _options(quick) == _options(plain)
            assert sum(selected for _value, selected, _label in _options(quick)) == 1
            assert quick.split(">", 1)[0] == plain.split(">", 1)[0]  # the <select ...> itself
        html = str(Quick(data={"field": "1"}).field())
        assert "Tab &#34;&lt;b&gt;&#34; &amp; co" in html and "<b>" not in html


def test_options_with_their_own_attributes_still_get_them(app):
    class Quick(Form):
        field = SelectField(
            choices=[SelectChoice("a", "A", render_kw={"disabled": True}), SelectChoice("b", "B")]
        )

    with app.test_request_context():
        html = str(Quick().field())
    assert re.search(r'<option disabled value="a">A</option>', html)
    assert '<option value="b">B</option>' in html
