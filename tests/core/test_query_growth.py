"""No page's SQL statement count grows with the data, and every page stays within a fixed bound.

Every GET page each role may open (the route walk of test_routes.py, with the same URL
providers) is requested as the demo account of that role on the demo data, counting its SQL
statements; then the data grows about five-fold in the same scopes (tests/core/growth.py) and the
same URLs are requested again. A page whose count is larger at the larger size runs a query per
row somewhere: the test fails and names it with both statement lists' difference.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from flask import url_for
from flask_login import current_user
from sqlalchemy import select

from programme.auth.demo import DEMO_PASSWORD
from programme.auth.models import User
from programme.core.permissions import ROLES, access_rule_of
from programme.core.querycount import count_queries
from programme.extensions import db
from tests.core.growth import grow
from tests.route_params import fill

QUERY_BOUND = 12
SKIP_ENDPOINTS = {"static", "bootstrap.static", "auth.logout"}
# Pages allowed more than QUERY_BOUND statements (still the same count at every size), each
# with the reason. Reviewed: raise a page's count here only with a reason a reader accepts.
OVER_BOUND: dict[str, str] = {}
# Pages whose count may grow with the data, with the reason.
GROWS_BY_DESIGN: dict[str, str] = {
    "audit.verify_events": "checks the whole hash chain, reading it in batches of 5,000 rows",
}
# Documents and analyses that take seconds each to build: their count does not depend on the
# role, so they are walked for the first role allowed (not for every role) to keep this quick.
SLOW_TO_BUILD = frozenset(
    {
        "questionnaires.print_questionnaires",
        "evaluation.download_report",
        "evaluation.show_comparison",
        "evaluation.show_groups",
        "evaluation.show_dose",
        "curriculum.download_booklet",
        "followup.survival_chart",
        "audit.verify_events",
    }
)


@dataclass(frozen=True)
class Visit:
    url: str
    status: int
    statements: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.statements)


def demo_clients(app) -> dict:
    clients = {}
    for role in ROLES:
        client = app.test_client()
        response = client.post_form("/login", {"email": f"{role}@demo.kz", "password": DEMO_PASSWORD})
        assert response.status_code == 302, role
        clients[role] = client
    return clients


def page_urls(app, role: str, endpoints=None) -> dict[str, str]:
    user = db.session.execute(select(User).where(User.email == f"{role}@demo.kz")).scalar_one()
    urls = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        if endpoints is not None and rule.endpoint not in endpoints:
            continue
        if role not in access_rule_of(rule.endpoint).allowed_roles():
            continue
        with app.test_request_context():
            urls[rule.endpoint] = url_for(rule.endpoint, **fill(rule, user))
    return urls


def walk(clients: dict, urls: dict[tuple[str, str], str]) -> dict[tuple[str, str], Visit]:
    visits = {}
    for (role, endpoint), url in urls.items():
        with count_queries(db.engine) as log:
            response = clients[role].get(url)
        visits[role, endpoint] = Visit(url, response.status_code, tuple(log.statements))
    return visits


def growth_problems(small: dict, large: dict) -> list[str]:
    """Pages whose count is larger at the larger size (with the statements that were added)."""
    problems = []
    for key, before in small.items():
        after = large[key]
        if after.count <= before.count or key[1] in GROWS_BY_DESIGN:
            continue
        added = Counter(after.statements) - Counter(before.statements)
        lines = "\n".join(f"      {n} x {s[:140]}" for s, n in added.most_common(3))
        problems.append(f"{key[0]} {key[1]} {after.url}: {before.count} -> {after.count}\n{lines}")
    return problems


def bound_problems(visits: dict) -> list[str]:
    return [
        f"{role} {endpoint} {visit.url}: {visit.count} statements"
        for (role, endpoint), visit in visits.items()
        if visit.count > QUERY_BOUND and endpoint not in OVER_BOUND
    ]


def all_page_urls(app) -> dict[tuple[str, str], str]:
    urls, walked = {}, set()
    for role in ROLES:
        for endpoint, url in page_urls(app, role).items():
            if endpoint in SLOW_TO_BUILD and endpoint in walked:
                continue
            walked.add(endpoint)
            urls[role, endpoint] = url
    return urls


def test_no_page_runs_more_queries_on_more_data(app, demo_data):
    clients = demo_clients(app)
    urls = all_page_urls(app)
    small = walk(clients, urls)
    sizes = grow()
    large = walk(clients, urls)
    assert sizes["after"]["participant"] >= 4 * sizes["before"]["participant"], sizes
    assert sizes["after"]["attendance_mark"] >= 4 * sizes["before"]["attendance_mark"], sizes
    failed = {key: (small[key].status, large[key].status) for key in small if large[key].status >= 400}
    assert not failed, f"pages failing at the larger size: {failed}"
    problems = growth_problems(small, large)
    assert not problems, "query count grows with the data:\n" + "\n".join(problems)
    # The bound is checked on the second visit (the larger size, never more than the first by
    # now): a page's first request in a process may run a statement once (PostgreSQL: 13 vs 12).
    over = bound_problems(large)
    assert not over, f"more than {QUERY_BOUND} statements:\n" + "\n".join(over)
    needed = {endpoint for (_role, endpoint), visit in large.items() if visit.count > QUERY_BOUND}
    assert set(OVER_BOUND) <= needed, f"exemptions no longer needed: {set(OVER_BOUND) - needed}"
    assert len(small) > 100, "the walk found too few pages"


def test_the_guard_catches_a_query_per_row(app, demo_data, monkeypatch):
    """A per-row loop (one query per notification) slipped into every page's menu is caught."""
    from programme.notifications import BellLabel
    from programme.notifications.models import Notification

    def count_row_by_row(_label) -> int:
        ids = db.session.execute(select(Notification.id).where(Notification.user_id == current_user.id))
        return sum(db.session.get(Notification, i).read_at is None for i in ids.scalars().all())

    monkeypatch.setattr(BellLabel, "_count", count_row_by_row)
    clients = demo_clients(app)
    urls = {
        (role, e): u
        for role in ("officer", "evaluator")
        for e, u in page_urls(app, role, {"core.index"}).items()
    }
    walk(clients, urls)
    small = walk(clients, urls)
    grow(copies=1, notifications=3)
    problems = growth_problems(small, walk(clients, urls))
    assert len(problems) == 2, problems
    assert all("notification" in problem.split("\n", 1)[1] for problem in problems), problems


@pytest.mark.parametrize("name", ["OVER_BOUND", "GROWS_BY_DESIGN"])
def test_exemptions_name_real_endpoints(app, name):
    declared = set(globals()[name])
    assert declared <= {rule.endpoint for rule in app.url_map.iter_rules()}
