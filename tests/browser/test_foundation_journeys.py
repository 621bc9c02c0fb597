"""Every demo role signs in, sees its own menu, switches to Kazakh and signs out."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from programme.auth.demo import DEMO_ACCOUNTS
from programme.core.registry import registry
from tests.browser.conftest import log_in, log_out, open_menu

ROLE_ACCOUNTS = {role: email for email, role, *_rest in DEMO_ACCOUNTS[:5]}


def _menu_labels(app, role: str, locale: str) -> list[str]:
    with app.test_request_context(), force_locale(locale):
        items = sorted((item for item in registry(app).nav if role in item.roles), key=lambda i: i.order)
        return [str(item.label) for item in items]


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
def test_role_signs_in_sees_its_menu_switches_to_kazakh_and_signs_out(app, page, demo_data, role):
    log_in(page, ROLE_ACCOUNTS[role])
    menu = page.locator("[data-testid=main-menu] .nav-link")
    assert menu.all_inner_texts() == _menu_labels(app, role, "en")
    if role != "admin":
        assert page.locator("text=Audit log").count() == 0

    page.select_option("[data-testid=language-switch]", "kk")
    page.wait_for_selector("html[lang=kk][data-js-ready=true]", state="attached")
    assert menu.all_inner_texts() == _menu_labels(app, role, "kk")
    with app.test_request_context(), force_locale("kk"):
        kazakh_heading = gettext("What you can do here")
        kazakh_sign_out = gettext("Sign out")
    assert kazakh_heading != "What you can do here"
    assert page.locator("[data-testid=role-panel] h2").inner_text() == kazakh_heading

    open_menu(page, "user-menu")
    assert page.locator("[data-testid=logout]").inner_text() == kazakh_sign_out
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-submit]")
    assert page.locator("html").get_attribute("lang") == "kk"


def test_logout_in_one_browser_signs_out_the_other(browser, live_server, demo_data):
    contexts = [browser.new_context(base_url=live_server) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        log_in(first, "coordinator@demo.kz")
        log_in(second, "coordinator@demo.kz")
        log_out(first)
        second.goto("/")
        assert "/login" in second.url
    finally:
        for context in contexts:
            context.close()
