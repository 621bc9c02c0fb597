"""PostgreSQL restarts under load (a private server; the shared one is never touched): answers
during the outage are the translated 503 "try again" page, /healthz says the database is down,
the app recovers by itself within seconds, and every write that was answered as saved is kept."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from programme import create_app
from programme.extensions import db as _db
from programme.participants.models import Participant
from programme.questionnaires.models import Response
from programme.questionnaires.services.instruments import import_shipped
from tests.concurrency.live import Browser, live_server
from tests.concurrency.private_postgres import can_run_private_postgres, private_postgres

pytestmark = pytest.mark.slow

WRITERS, READERS = 4, 4
PEOPLE = 400
BEFORE, OUTAGE, AFTER = 3.0, 4.0, 8.0  # seconds of load before, during and after the outage
RECOVERY_LIMIT = 5.0  # every request that starts this long after the database is back succeeds
TODAY = date.today()
ITEMS = [f"{s}{i}" for s in ("OPEN", "REASON", "SELF", "DIALOGUE") for i in range(1, 6)]
TRY_AGAIN = "The database is not answering for a moment. Nothing was lost; try again shortly."


@dataclass
class Outcome:
    kind: str  # write, read, health
    started: float
    finished: float
    status: int  # 0: no HTTP answer at all
    text: str
    code: str = ""


@pytest.fixture
def restartable_site(
    make_user,
    make_department,
    make_facility,
    make_cohort,
    make_expected_people,
    make_administration,
):
    """A private PostgreSQL with a migrated database holding an admin, a cohort of PEOPLE and an
    open questionnaire; yields (server, url, ids). Made through the suite's factories, inside an
    app context of its own (Flask-SQLAlchemy binds the session to the current app)."""
    reason = can_run_private_postgres()
    if reason:
        pytest.skip(reason)
    with private_postgres() as server:
        server.create_database("pip_restart")
        url = server.url("pip_restart")
        site = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "r" * 40})
        with site.app_context():
            upgrade()
            admin = make_user("admin")
            department, facility = make_department(), make_facility()
            cohort = make_cohort(facility_id=facility.id, department_id=department.id, start_date=TODAY)
            people = make_expected_people(cohort, PEOPLE)
            reflect = next(i for i in import_shipped() if i.code == "REFLECT")
            administration = make_administration(
                cohort, reflect, opens_on=TODAY - timedelta(days=5), closes_on=TODAY + timedelta(days=5)
            )
            _db.session.commit()
            ids = {
                "admin": admin.email,
                "cohort": cohort.id,
                "administration": administration.id,
                "codes": [person.study_code for person in people],
            }
            _db.session.remove()
            _db.engine.dispose()
        yield server, url, ids


def _timed(kind: str, request, code: str = "") -> Outcome:
    started = time.monotonic()
    try:
        answer = request()
        status, text = answer.status_code, answer.text
    except requests.RequestException as error:
        status, text = 0, repr(error)
    return Outcome(kind, started, time.monotonic(), status, text, code)


def test_database_restart_under_load_gives_503_then_recovers_and_keeps_every_saved_write(
    app, restartable_site
):
    database, url, ids = restartable_site
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()
    codes = iter(ids["codes"])
    entry = f"/administrations/{ids['administration']}/entry"
    answers = {f"item-{item}": "3" for item in ITEMS}

    with live_server(url, workers=2, threads=8) as server:

        def writer() -> None:
            browser = Browser(server.base)
            browser.sign_in(ids["admin"])
            token = browser.csrf_token(entry)
            while not stop.is_set():
                with lock:
                    code = next(codes, None)
                if code is None:
                    return
                data = {"participant_code": code, "answered_on": TODAY.isoformat(), "language": "ru"}
                outcome = _timed("write", lambda d=data | answers: browser.post(entry, d, token), code)
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.1)

        def reader() -> None:
            browser = Browser(server.base)
            browser.sign_in(ids["admin"])
            pages = itertools.cycle(
                [f"/cohorts/{ids['cohort']}", f"/administrations/{ids['administration']}"]
            )
            while not stop.is_set():
                outcome = _timed("read", lambda: browser.get(next(pages)))
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.05)

        def health() -> None:
            while not stop.is_set():
                outcome = _timed("health", lambda: requests.get(f"{server.base}/healthz", timeout=30))
                with lock:
                    outcomes.append(outcome)
                time.sleep(0.2)

        threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
        threads += [threading.Thread(target=reader) for _ in range(READERS)]
        threads.append(threading.Thread(target=health))
        for thread in threads:
            thread.start()
        time.sleep(BEFORE)
        down_from = time.monotonic()
        database.stop("fast")  # a restart: sessions are ended, the server goes away
        time.sleep(OUTAGE)
        database.start()  # returns once the server accepts connections
        up_at = time.monotonic()
        time.sleep(AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server_alive = server.process.poll() is None
        log = server.log()

    # The figures, for the report.
    during = [o for o in outcomes if down_from <= o.started < up_at]
    after_up = [o for o in outcomes if o.started >= up_at]
    failures_after = [o for o in after_up if o.status not in (200, 302)]
    recovered_in = max((o.finished - up_at for o in failures_after), default=0.0)
    first_success = min((o.finished - up_at for o in after_up if o.status in (200, 302)), default=-1.0)
    counts = {
        kind: {
            status: sum(1 for o in outcomes if o.kind == kind and o.status == status)
            for status in sorted({o.status for o in outcomes if o.kind == kind})
        }
        for kind in ("write", "read", "health")
    }
    print(
        f"\nrestart under load: {len(outcomes)} requests; by kind and status {counts}; "
        f"{sum(o.status == 503 for o in during)} of {len(during)} answers during the "
        f"{up_at - down_from:.1f} s outage were 503; last failure {recovered_in:.2f} s after the database "
        f"was back; {len(failures_after)} failures after it; first success {first_success:.2f} s after it"
    )

    # No traceback, no 500, no dropped connection: a success, or the translated "try again" page.
    assert server_alive and "Traceback" not in log, log[-4000:]
    assert log.count("Booting worker") == 2, "a worker was restarted"
    assert {o.status for o in outcomes} <= {200, 302, 503}, [
        (o.kind, o.status, o.text[:200]) for o in outcomes if o.status not in (200, 302, 503)
    ]
    for outcome in outcomes:
        if outcome.status == 503 and outcome.kind != "health":
            assert "Please try again" in outcome.text and TRY_AGAIN in outcome.text, outcome.text[:500]
    # Before the restart everything worked; the load did meet the outage; /healthz reported it.
    assert all(o.status in (200, 302) for o in outcomes if o.finished < down_from)
    assert any(o.status == 503 for o in during if o.kind != "health")
    health_down = [o for o in during if o.kind == "health" and o.status == 503]
    assert health_down and all('"database":"down"' in o.text.replace(" ", "") for o in health_down)
    # Recovery without restarting the app: everything started a few seconds after is a success.
    assert all(o.status in (200, 302) for o in after_up if o.started >= up_at + RECOVERY_LIMIT)
    assert any(o.kind == "health" and o.status == 200 for o in after_up)
    # Nothing answered as saved is lost.
    saved = {o.code for o in outcomes if o.kind == "write" and o.status == 302}
    assert saved
    check = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "r" * 40})
    with check.app_context():
        stored = set(
            _db.session.execute(
                select(Participant.study_code).join(Response, Response.participant_id == Participant.id)
            ).scalars()
        )
        _db.session.remove()
        _db.engine.dispose()
    assert saved <= stored, sorted(saved - stored)[:10]
