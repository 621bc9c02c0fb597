"""Hostile text in every text field of every form never executes or breaks a page.

For each role, every page with a POST form is filled with attack payloads in each free-text
field and submitted; then every page the role can read is fetched again. No answer may be a
500, and no payload may come back unescaped (an executable tag) anywhere.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import url_for
from sqlalchemy import select

from programme.core.permissions import ROLES, access_rule_of
from programme.facilities.models import Department
from tests.route_params import fill

SCRIPT = "<script>alert('xss')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = [SCRIPT, ATTRIBUTE, "'; DROP TABLE participant; --", "{{ 7*7 }} ${7*7}", '=HYPERLINK("http://x")']
RAW_MARKERS = ("<script>alert('xss')", "<img src=x onerror")
SKIP = {"auth.logout", "auth.set_language", "static", "bootstrap.static"}
FREE_TEXT_TYPES = {"text", "search", ""}


class FormCollector(HTMLParser):
    """Collects each POST form's action and fields (name, type, value, options)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action"), "fields": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea") and attrs.get("name"):
            kind = "textarea" if tag == "textarea" else (attrs.get("type") or "").lower()
            self._form["fields"].append(
                {"name": attrs["name"], "type": kind, "value": attrs.get("value", "")}
            )
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "type": "select", "value": None}
            self._form["fields"].append(self._select)
        elif self._select is not None and tag == "option" and self._select["value"] is None:
            self._select["value"] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _form_data(form: dict, payload: str) -> dict:
    data = {}
    for field in form["fields"]:
        if field["type"] in ("checkbox", "radio", "submit", "file"):
            continue
        if field["type"] in FREE_TEXT_TYPES or field["type"] == "textarea":
            data[field["name"]] = payload if field["name"] not in ("csrf_token", "next") else field["value"]
        else:
            data[field["name"]] = field["value"] or ""
    return data


def _readable_urls(app, user):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        if user.role not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            yield rule.endpoint, url_for(rule.endpoint, **fill(rule, user))


@pytest.mark.parametrize("role", ROLES)
def test_payloads_in_every_form_never_execute(app, client, db, demo_data, login_as, role):
    user = login_as(role)
    pages = dict(_readable_urls(app, user))
    for endpoint, url in pages.items():
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        collector = FormCollector()
        collector.feed(response.get_data(as_text=True))
        for form in collector.forms:
            action = form["action"] or url
            if any(action.endswith(suffix) for suffix in ("/logout", "/language")):
                continue
            for payload in PAYLOADS:
                answer = client.post(action, data=_form_data(form, payload))
                assert answer.status_code < 500, (role, endpoint, action, payload, answer.status_code)
                if "text/html" not in answer.content_type:
                    continue  # a file (PDF, spreadsheet): checked by its domain's escaping tests
                body = answer.get_data(as_text=True)
                for marker in RAW_MARKERS:
                    assert marker not in body, (role, endpoint, action, marker)
    for endpoint, url in pages.items():
        response = client.get(url)
        if "text/html" not in response.content_type:
            continue
        body = response.get_data(as_text=True)
        for marker in RAW_MARKERS:
            assert marker not in body, (role, endpoint, marker)
    if role == "admin":  # the walk really stored payloads (not only refused forms)
        stored = db.session.execute(select(Department).where(Department.university == SCRIPT)).scalars().all()
        assert stored, "no form accepted a payload: the test would prove nothing"
