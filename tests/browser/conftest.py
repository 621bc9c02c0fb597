"""Browser journeys: the app served on a local port, driven by Debian's Chromium via Playwright.

No browser is downloaded: Playwright launches /usr/bin/chromium. Without it these tests are
skipped with that reason (and `make test` says so before the run). A failing journey leaves a
screenshot in tests/browser/screenshots/.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from programme.auth.demo import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}"))


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(20_000)
    browser_page = context.new_page()
    yield browser_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        browser_page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=user-menu]")
    wait_until_ready(page)


def wait_until_ready(page) -> None:
    """The page's scripts have attached their handlers (app.js marks <html data-js-ready>)."""
    page.wait_for_selector("html[data-js-ready=true]", state="attached")


def open_menu(page, toggle_testid: str) -> None:
    """Open a dropdown once its script listens: a click that lands before Bootstrap has attached
    does nothing, which on a loaded machine left the menu shut and the next click timing out."""
    wait_until_ready(page)
    page.click(f"[data-testid={toggle_testid}]")
    page.wait_for_selector(f"[data-testid={toggle_testid}][aria-expanded=true]")


def log_out(page) -> None:
    open_menu(page, "user-menu")
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-submit]")
