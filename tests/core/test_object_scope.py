"""Object-level access: a scoped user asking for another facility's or department's objects
gets 404 (or 403), on every route with an id in its path, pages, files, PDFs and exports alike.

The ids come from the same providers the route walk uses, asked on behalf of a second user of
the same role in another facility or department; the first user must not reach them.
"""

from __future__ import annotations

import pytest
from flask import url_for

from programme.core.permissions import access_rule_of
from tests.conftest import sign_in
from tests.core.db_state import changed_tables, database_state
from tests.core.test_payloads import FormCollector
from tests.route_params import fill

SCOPED_ROLES = ("officer", "coordinator", "facilitator")
# Objects readable across scopes by design (declared here, reviewed; not leaks): published
# curricula and plans are shared between departments (drafts are checked inside the domain's
# own tests); instruments are one national library, kept by coordinators together; facilities,
# their closures and calendars (no participant data) are planning facts for coordinators and
# facilitators; the iCal feed is reached by its secret token.
SHARED_READS = {
    ("coordinator", "facilities.show_facility"),
    ("coordinator", "scheduling.list_closures"),
    ("coordinator", "scheduling.show_facility_calendar"),
    ("facilitator", "scheduling.show_facility_calendar"),
}
SHARED_PREFIXES = (
    "curriculum.",
    "questionnaires.show_instrument",
    "questionnaires.export_instrument",
    "questionnaires.print_instrument",
    "questionnaires.edit_instrument",
    "questionnaires.edit_item",
    "questionnaires.edit_choice_list",
    "questionnaires.edit_group",
    "questionnaires.edit_subscale",
    "scheduling.show_ical_feed",
    "core.",
    "static",
    "bootstrap.",
)


def _shared(role: str, endpoint: str) -> bool:
    return (role, endpoint) in SHARED_READS or endpoint.startswith(SHARED_PREFIXES)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_objects_of_another_scope_are_not_found(app, client, demo_data, make_user, login_as, role):
    other = make_user(role)  # a new facility or department of its own
    me = login_as(role)
    assert (me.facility_id, me.department_id) != (other.facility_id, other.department_id)
    leaks = []
    for rule in app.url_map.iter_rules():
        if not rule.arguments or "GET" not in rule.methods or _shared(role, rule.endpoint):
            continue
        if role not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            theirs = url_for(rule.endpoint, **fill(rule, other))
        # the providers may have created rows for `other` with a fresh session; ask as `me`
        response = client.get(theirs)
        if response.status_code not in (403, 404):
            leaks.append((rule.endpoint, theirs, response.status_code))
    assert leaks == [], "\n".join(map(str, leaks))


def test_the_check_is_not_vacuous(app, client, demo_data, make_user, login_as):
    """The same walk with the owner signed in reaches the objects (so 404s above mean scope)."""
    owner = login_as("officer")
    reached = 0
    for rule in app.url_map.iter_rules():
        if "participant_id" not in rule.arguments or "GET" not in rule.methods:
            continue
        if "officer" not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            mine = url_for(rule.endpoint, **fill(rule, owner))
        if client.get(mine).status_code == 200:
            reached += 1
    assert reached >= 1


FILES = ("static", "bootstrap.")
# POSTs allowed across scopes by design: (role, endpoint) -> the reason. Each entry is reviewed.
# (The shared reads above do not extend to writes: another department's curriculum is read-only.)
_LIBRARY = "the instrument library is national and kept by coordinators together (see SHARED_PREFIXES)"
SHARED_WRITES: dict[tuple[str, str], str] = {
    ("coordinator", "questionnaires.change_instrument_status"): _LIBRARY,
    ("coordinator", "questionnaires.create_version"): _LIBRARY,
    ("coordinator", "questionnaires.delete_item"): _LIBRARY,
    ("coordinator", "questionnaires.edit_choice_list"): _LIBRARY,
    ("coordinator", "questionnaires.edit_group"): _LIBRARY,
    ("coordinator", "questionnaires.edit_instrument"): _LIBRARY,
    ("coordinator", "questionnaires.edit_item"): _LIBRARY,
    ("coordinator", "questionnaires.edit_subscale"): _LIBRARY,
    ("coordinator", "curriculum.clone_curriculum"): "a published curriculum is shared: a coordinator "
    "may copy it into their own department (the original is untouched; the copy's department is "
    "checked by the form, another department's is refused with 400)",
}
# POSTs that are not answered 403/404 but do nothing to another scope's object, so they confirm
# nothing; the database must still be unchanged. (role, endpoint) -> the reason.
INERT_POSTS: dict[tuple[str, str], str] = {
    **{
        (role, "notifications.mark_notification_read"): "the update is filtered by the signed-in user's "
        "id: someone else's notification, or none, gets the same no-op redirect as an already-read one"
        for role in SCOPED_ROLES
    },
    ("coordinator", "scheduling.list_closures"): "the closures page is a shared read for coordinators "
    "(SHARED_READS); only admins and the facility's officers may add a closure, so a coordinator's "
    "post just shows the page again",
}


def _owner_forms(app, owner_client, owner) -> dict[str, dict]:
    """The forms the owner is shown on their object pages: action URL -> plausible field values."""
    forms: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.arguments or "GET" not in rule.methods or rule.endpoint.startswith(FILES):
            continue
        if owner.role not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            page = url_for(rule.endpoint, **fill(rule, owner))
        response = owner_client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        collector = FormCollector()
        collector.feed(response.get_data(as_text=True))
        for form in collector.forms:
            action = (form["action"] or page).split("?")[0]
            values = {
                field["name"]: field["value"] or ""
                for field in form["fields"]
                if field["type"] not in ("submit", "file") and field["name"] != "csrf_token"
            }
            forms.setdefault(action, values)
    return forms


def post_walk(app, client, me, other) -> tuple[list, int]:
    """POST to every route with an id in its path, at `other`'s objects, signed in as `me`.

    Returns the posts that were not refused with 403/404 or that changed the database, and how
    many posts were made."""
    role = me.role
    targets = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if not rule.arguments or "POST" not in rule.methods:
            continue
        if (role, rule.endpoint) in SHARED_WRITES or role not in access_rule_of(
            rule.endpoint
        ).allowed_roles():
            continue
        with app.test_request_context():
            targets.append((rule.endpoint, url_for(rule.endpoint, **fill(rule, other))))
    owner_client = app.test_client()
    assert sign_in(owner_client, other.email).status_code == 302
    forms = _owner_forms(app, owner_client, other)
    leaks = []
    before = database_state()
    for endpoint, theirs in targets:
        response = client.post_form(theirs, forms.get(theirs, {}))
        after = database_state()
        changed = changed_tables(before, after)
        refused = response.status_code in (403, 404) or (role, endpoint) in INERT_POSTS
        if not refused or changed:
            leaks.append((endpoint, theirs, response.status_code, changed))
        before = after
    return leaks, len(targets)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_posts_to_objects_of_another_scope_are_refused_and_change_nothing(
    app, client, demo_data, make_user, login_as, role
):
    other = make_user(role)
    me = login_as(role)
    leaks, posted = post_walk(app, client, me, other)
    assert posted >= 3, posted  # every scoped role has POST routes with ids to try
    assert leaks == [], "\n".join(map(str, leaks))


def test_shared_writes_each_give_a_reason():
    reasons = [*SHARED_WRITES.values(), *INERT_POSTS.values()]
    assert all(len(reason) > 20 for reason in reasons)


def test_the_post_walk_reaches_the_owners_objects(app, client, demo_data, login_as):
    """The same posts by the owner get past the loaders (so the 404s above mean scope, not a
    provider aiming at nothing)."""
    owner = login_as("officer")
    forms = _owner_forms(app, client, owner)
    reached = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        if not rule.arguments or "POST" not in rule.methods:
            continue
        if "officer" not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            mine = url_for(rule.endpoint, **fill(rule, owner))
        if client.post_form(mine, forms.get(mine, {})).status_code not in (403, 404):
            reached.append(rule.endpoint)
    assert len(reached) >= 8, reached
