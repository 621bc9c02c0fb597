"""Property tests through HTTP: generated values posted to a representative set of form pages.

For each page below (two or three per domain, creating and editing records), the admin's form is
read from the page itself (its fields, options, hidden values and CSRF token, as a browser would
see it), and hypothesis posts values: each field either keeps what the page shows or gets a
value generated from its type (see form_values.py). Properties: never a 500; a post that is not
accepted (no redirect) changes nothing in the database, audit trail included.
"""

from __future__ import annotations

from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from programme.core.permissions import access_rule_of
from tests.core.db_state import changed_tables, database_state
from tests.core.form_values import HOSTILE_TEXT, date_values, int_text_values, text_values, time_values
from tests.core.test_payloads import FormCollector
from tests.route_params import fill

HTTP_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REPRESENTATIVE = (
    "attendance.take_register",
    "attendance.export_attendance",
    "auth.create_user",
    "auth.edit_user",
    "curriculum.create_curriculum",
    "curriculum.edit_plan",
    "curriculum.edit_steps",
    "evaluation.export_dataset",
    "facilities.create_facility",
    "facilities.edit_department",
    "followup.record_release",
    "followup.create_comparison_person",
    "followup.record_check",
    "participants.create_participant",
    "participants.transfer_participant",
    "participants.record_consent",
    "questionnaires.create_administration",
    "questionnaires.edit_item",
    "questionnaires.enter_responses",
    "scheduling.create_cohort",
    "scheduling.list_closures",
    "scheduling.edit_facilitator",
)


class FieldCollector(FormCollector):
    """The payload test's form reader, also keeping every option and each field's attributes."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        if self._form is None:
            return
        attributes = dict(attrs)
        if tag in ("input", "textarea", "select") and attributes.get("name"):
            self._form["fields"][-1]["attrs"] = attributes
        elif tag == "option" and self._select is not None:
            self._select.setdefault("options", []).append(attributes.get("value", ""))


def _generated(field: dict) -> st.SearchStrategy[str]:
    kind, attrs = field["type"], field.get("attrs", {})
    if kind == "select":
        return st.one_of(st.sampled_from(field.get("options") or [""]), text_values())
    if kind == "number":
        return int_text_values(_number(attrs.get("min"), -1000), _number(attrs.get("max"), 1000))
    if kind == "date":
        return date_values()
    if kind == "time":
        return time_values()
    if kind in ("checkbox", "radio"):
        return st.one_of(st.just(field["value"] or "y"), st.sampled_from(HOSTILE_TEXT))
    return text_values(_number(attrs.get("maxlength"), None))


def _number(value, default):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _post_values(form: dict) -> st.SearchStrategy[list[tuple[str, str]]]:
    parts = []
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if kind in ("submit", "file") or name in ("csrf_token", "next"):
            continue
        if kind == "hidden":
            parts.append(st.just([(name, field["value"] or "")]))
            continue
        shown = [] if kind in ("checkbox", "radio") else [(name, field["value"] or "")]
        parts.append(
            st.one_of(st.just(shown), st.just([]), _generated(field).map(lambda v, n=name: [(n, v)]))
        )
    return st.tuples(*parts).map(lambda groups: [pair for group in groups for pair in group])


def _page_form(client, url: str) -> tuple[dict, str, str]:
    page = client.get(url, follow_redirects=True)  # e.g. a published plan's editor opens its draft
    assert page.status_code == 200, (url, page.status_code)
    url = page.request.path
    collector = FieldCollector()
    collector.feed(page.get_data(as_text=True))
    forms = [f for f in collector.forms if (f["action"] or url).split("?")[0] == url.split("?")[0]]
    assert forms, f"{url}: no form posting to the page itself"
    form = max(forms, key=lambda f: len(f["fields"]))  # the page's main form, not a button
    token = next(f["value"] for f in form["fields"] if f["name"] == "csrf_token")
    return form, token, url


def test_every_domain_with_form_pages_is_represented(app):
    with app.app_context():
        domains = {
            rule.endpoint.split(".")[0]
            for rule in app.url_map.iter_rules()
            if {"GET", "POST"} <= rule.methods and rule.endpoint != "auth.login"
        }
        assert all("admin" in access_rule_of(endpoint).allowed_roles() for endpoint in REPRESENTATIVE)
    assert domains <= {endpoint.split(".")[0] for endpoint in REPRESENTATIVE}


def rules_by_endpoint(app) -> dict:
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_generated_posts_never_fail_and_refusals_change_nothing(app, client, demo_data, login_as):
    admin = login_as("admin")
    rules = rules_by_endpoint(app)
    with app.test_request_context():
        drafts = url_for("curriculum.create_draft", **fill(rules["curriculum.create_draft"], admin))
    # plans are edited in a draft (a published plan's editor leads back to the plan)
    assert client.post_form(drafts).status_code == 302
    outcomes = {}
    for endpoint in REPRESENTATIVE:
        with app.test_request_context():
            url = url_for(endpoint, **fill(rules[endpoint], admin))
        outcomes[endpoint] = _post_generated_values(client, endpoint, url)
    assert all(seen["refused"] for seen in outcomes.values()), outcomes  # the validators were reached
    assert sum(seen["accepted"] > 0 for seen in outcomes.values()) >= len(REPRESENTATIVE) // 3, outcomes


def _post_generated_values(client, endpoint: str, url: str) -> dict:
    form, token, url = _page_form(client, url)
    seen = {"accepted": 0, "refused": 0}
    state = {"now": database_state()}

    @HTTP_SETTINGS
    @given(pairs=_post_values(form))
    def check(pairs):
        response = client.post(url, data=MultiDict([*pairs, ("csrf_token", token)]))
        assert response.status_code < 500, (endpoint, pairs)
        after = database_state()
        refused = response.status_code != 302 and "text/html" in response.content_type
        if refused:
            assert changed_tables(state["now"], after) == [], (endpoint, response.status_code, pairs)
        seen["refused" if refused else "accepted"] += 1
        state["now"] = after

    check()
    return seen
