"""Forty people pressing save at the same moment, against a real server (gunicorn, 2 workers x 20
threads) on the suite's database (SQLite file in WAL mode, or PostgreSQL): no 5xx, every answer a
success or a clear refusal, no lost update, and one facilitator never booked twice at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from programme.attendance.models import AttendanceMark
from programme.audit.models import AuditEvent
from programme.audit.services import verify_chain
from programme.questionnaires.models import Response
from programme.scheduling.models import ProgrammeSession, SessionAssignment
from programme.scheduling.services.assignment import DATABASE_REFUSAL
from tests.concurrency.live import Browser, Race, live_server
from tests.conftest import TEST_PASSWORD

PEOPLE = 6
PAIRS = 8  # facilitators raced over per round
STATUSES = ("present", "late", "excused", "absent")
TODAY = date.today()
REFLECT_ITEMS = [f"{s}{i}" for s in ("OPEN", "REASON", "SELF", "DIALOGUE") for i in range(1, 6)]


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def server(app):
    """One server for the module, on the suite's database. Between tests it is idle (holds no
    lock or transaction), so the per-test emptying of the tables does not disturb it."""
    with live_server(app.config["SQLALCHEMY_DATABASE_URI"]) as running:
        yield running


@pytest.fixture
def admins(make_user):
    """Forty signed-in browsers are made per test; each belongs to its own admin account."""

    def make(count: int) -> list:
        return [make_user("admin") for _ in range(count)]

    return make


def _browsers(server, users) -> list[Browser]:
    browsers = []
    for user in users:
        browser = Browser(server.base)
        browser.sign_in(user.email)
        browsers.append(browser)
    return browsers


def _no_server_errors(answers, server) -> None:
    assert [a for a in answers if a.status >= 500] == [], [(a.name, a.status, a.text[:300]) for a in answers]
    assert "Traceback" not in server.log(), server.log()[-4000:]


@pytest.fixture
def place(make_department, make_facility, make_curriculum_version):
    """One department working at one facility, with one published curriculum for its cohorts."""
    department, facility = make_department(), make_facility()
    version = make_curriculum_version(department_id=department.id)
    in_department = {
        "facility_id": facility.id,
        "department_id": department.id,
        "curriculum_version_id": version.id,
    }
    return {"in_department": in_department, "department": department, "facility": facility}


@pytest.fixture
def scene(
    db,
    place,
    make_cohort,
    make_session,
    make_held_cohort,
    make_expected_people,
    shipped_instruments,
    make_administration,
    make_facilitator,
):
    department, facility, in_department = place["department"], place["facility"], place["in_department"]
    _cohort, register_sessions, people = make_held_cohort(people=PEOPLE, held=11, **in_department)
    entry_cohort = make_cohort(start_date=TODAY, **in_department)
    entry_people = make_expected_people(entry_cohort, 8)
    administration = make_administration(
        entry_cohort,
        shipped_instruments["REFLECT"],
        opens_on=TODAY - timedelta(days=10),
        closes_on=TODAY + timedelta(days=10),
    )
    # Future sessions to move, each staffed by its own facilitator (the database copies the times).
    moving_cohort = make_cohort(start_date=TODAY + timedelta(days=30), **in_department)
    first = datetime.combine(TODAY + timedelta(days=30), datetime.min.time(), tzinfo=UTC) + timedelta(hours=5)
    moving = [
        make_session(moving_cohort, sequence=n, starts_at=first + timedelta(weeks=n)) for n in range(1, 6)
    ]
    staff = [make_facilitator(department.id, pass_facilities=[facility.id]) for _ in moving]
    for session, person in zip(moving, staff, strict=True):
        db.session.add(SessionAssignment(session_id=session.id, user_id=person.id, role="lead"))
    empty_cohort = make_cohort(start_date=TODAY + timedelta(days=60), **in_department)
    db.session.commit()
    return {
        **place,
        "register_sessions": register_sessions,
        "people": people,
        "administration": administration,
        "entry_people": entry_people,
        "moving": moving,
        "empty_cohort": empty_cohort,
    }


def _register(people, status: str, note: str) -> dict:
    data = {}
    for person in people:
        data[f"status-{person.id}"] = status
        data[f"note-{person.id}"] = note
    return data


def _overlapping_pairs(make_cohort, make_session, make_facilitator, place, count: int, offset_days: int):
    """`count` facilitators, each with two sessions at the same time: one in a shared cohort, the
    other the only session of a cohort of its own (so assigning that whole cohort touches no
    other pair)."""
    in_department = place["in_department"]
    start = TODAY + timedelta(days=offset_days)
    shared = make_cohort(start_date=start, **in_department)
    pairs = []
    for n in range(count):
        starts_at = datetime.combine(start + timedelta(days=n), datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=5
        )
        person = make_facilitator(
            place["department"].id, pass_facilities=[place["facility"].id], max_sessions_per_week=14
        )
        own = make_cohort(start_date=start, **in_department)
        one = make_session(shared, sequence=n + 1, starts_at=starts_at)
        # Overlapping by an hour, not identical: the database compares intervals.
        other = make_session(own, sequence=1, starts_at=starts_at + timedelta(hours=1))
        pairs.append((person, one, other, own))
    return pairs


def test_forty_people_saving_at_once_get_answers_and_lose_nothing(
    server, db, scene, admins, make_cohort, make_session, make_facilitator
):
    pairs = _overlapping_pairs(make_cohort, make_session, make_facilitator, scene, 4, 90)
    users = admins(40)
    db.session.commit()
    sessions, people = scene["register_sessions"], scene["people"]
    moving = scene["moving"]
    targets = {session.id: (TODAY + timedelta(days=100 + index)) for index, session in enumerate(moving)}

    browsers = iter(_browsers(server, users))
    race = Race()

    def prepare(name, form_page, path, data, follow=False):
        browser = next(browsers)
        token = browser.csrf_token(form_page)
        race.add(name, lambda: browser.post(path, data, token, follow=follow))

    # 10 registers of different sessions, 6 people saving one register with different marks.
    for index, session in enumerate(sessions[:10]):
        url = f"/sessions/{session.id}/register"
        prepare(f"register-{index}", url, url, _register(people, "present", f"own-{index}"))
    same = sessions[10]
    for index in range(6):
        url = f"/sessions/{same.id}/register"
        prepare(f"same-register-{index}", url, url, _register(people, STATUSES[index % 4], f"same-{index}"))
    # 8 paper forms: 6 different people, and one person's form typed by two at once.
    entry_url = f"/administrations/{scene['administration'].id}/entry"
    codes = [p.study_code for p in scene["entry_people"][:6]] + [scene["entry_people"][6].study_code] * 2
    for index, code in enumerate(codes):
        data = {"participant_code": code, "answered_on": TODAY.isoformat(), "language": "ru"}
        data |= {f"item-{item}": str(1 + index % 5) for item in REFLECT_ITEMS}
        prepare(f"entry-{index}", entry_url, entry_url, data)
    # 6 schedule changes: 4 sessions moved, and one session moved by two people at once.
    for index, session in enumerate(moving[:4]):
        url = f"/sessions/{session.id}/move"
        prepare(f"move-{index}", url, url, {"day": targets[session.id].isoformat(), "at": "10:00"})
    contested = moving[4]
    for index, at in enumerate(("09:00", "16:00")):
        url = f"/sessions/{contested.id}/move"
        prepare(f"move-same-{index}", url, url, {"day": targets[contested.id].isoformat(), "at": at})
    # 2 people generating the sessions of one new cohort.
    generate = f"/cohorts/{scene['empty_cohort'].id}/sessions/generate"
    for index in range(2):
        prepare(f"generate-{index}", generate, generate, {}, follow=True)
    # 8: four facilitators, each given two overlapping sessions by two people at once.
    for index, (person, one, other, _own) in enumerate(pairs):
        for side, session in (("a", one), ("b", other)):
            url = f"/sessions/{session.id}/assignments"
            data = {"facilitator_id": person.id, "role": "lead", "confirm": "y"}
            prepare(f"assign-{index}-{side}", url, url, data)
    assert len(race.actions) == 40

    db.session.commit()  # hold no transaction while the server works
    answers, elapsed = race.run()
    _no_server_errors(answers, server)

    by_name = {answer.name: answer for answer in answers}
    db.session.commit()  # end the test's own read transaction: see what the server committed

    # Registers of different sessions: all saved, exactly as sent.
    for index, session in enumerate(sessions[:10]):
        assert by_name[f"register-{index}"].status == 302, by_name[f"register-{index}"].text[:500]
        marks = db.session.execute(
            select(AttendanceMark).where(AttendanceMark.session_id == session.id)
        ).scalars()
        assert sorted((m.status, m.note) for m in marks) == [("present", f"own-{index}")] * PEOPLE
    # One register saved by six: each answer a success or the "changed by someone else" refusal;
    # the saved register is wholly one successful submission (no mixture, no duplicate marks).
    same_answers = [by_name[f"same-register-{index}"] for index in range(6)]
    assert {a.status for a in same_answers} <= {302, 409}
    assert all("Changed by someone else" in a.text for a in same_answers if a.status == 409)
    winners = {f"same-{index}" for index, a in enumerate(same_answers) if a.status == 302}
    marks = (
        db.session.execute(select(AttendanceMark).where(AttendanceMark.session_id == same.id)).scalars().all()
    )
    assert len(marks) == PEOPLE and len({(m.status, m.note) for m in marks}) == 1 and marks[0].note in winners

    # Paper forms: six saved; the doubly typed one saved once, the other typist told so.
    for index in range(6):
        assert by_name[f"entry-{index}"].status == 302, by_name[f"entry-{index}"].text[:500]
    doubled = [by_name["entry-6"], by_name["entry-7"]]
    assert sorted(a.status for a in doubled) == [200, 302]
    refused = next(a for a in doubled if a.status == 200).text
    assert "is already entered" in refused or "Someone else saved this form at the same moment" in refused
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 7

    # Moves: each saved where it was sent, and the assignments' copies of the times follow.
    for index, session in enumerate(moving[:4]):
        assert by_name[f"move-{index}"].status == 302
        db.session.refresh(session)
        assert _as_utc(session.starts_at) == datetime.combine(
            targets[session.id], datetime.min.time(), UTC
        ) + (timedelta(hours=5))
    contested_answers = [by_name["move-same-0"], by_name["move-same-1"]]
    assert {a.status for a in contested_answers} <= {302, 409} and 302 in {
        a.status for a in contested_answers
    }
    db.session.refresh(contested)
    local_hour = (_as_utc(contested.starts_at) + timedelta(hours=5)).hour
    moved_to = {9: 0, 16: 1}[local_hour]
    assert contested_answers[moved_to].status == 302
    copies = db.session.execute(
        select(SessionAssignment.starts_at, ProgrammeSession.starts_at).join(ProgrammeSession)
    ).all()
    assert all(copy == original for copy, original in copies)

    # Generation: one person generated the sessions, the other was told they exist; no duplicates.
    texts = [by_name[f"generate-{index}"].text for index in range(2)]
    assert sum("sessions generated" in text for text in texts) == 1
    assert sum("This cohort already has sessions" in text for text in texts) == 1
    generated = db.session.execute(
        select(ProgrammeSession.sequence).where(ProgrammeSession.cohort_id == scene["empty_cohort"].id)
    ).scalars()
    assert sorted(generated) == list(range(1, 11))

    # Overlapping assignments: exactly one of each pair, the other refused as the app check says.
    for index, (person, one, other, _own) in enumerate(pairs):
        statuses = sorted(by_name[f"assign-{index}-{side}"].status for side in "ab")
        assert statuses == [302, 409], statuses
        loser = next(
            by_name[f"assign-{index}-{side}"]
            for side in "ab"
            if by_name[f"assign-{index}-{side}"].status == 409
        )
        assert "Already booked at" in loser.text
        held = (
            db.session.execute(
                select(SessionAssignment.session_id).where(SessionAssignment.user_id == person.id)
            )
            .scalars()
            .all()
        )
        assert len(held) == 1 and held[0] in (one.id, other.id)
    print(f"\n40 requests at once on {db.engine.dialect.name}: all answered in {elapsed:.2f} s")


def test_twenty_prints_and_saves_at_once_keep_the_audit_chain_whole(server, db, scene, admins):
    """A register PDF is a read request that writes its audit row at the end. Ten of them beside
    ten register saves, all at once, must each link their row to the one before: the chain's last
    hash is read under the write lock (SQLite) or the chain's advisory lock (PostgreSQL). Read
    from a print's older snapshot, it forked the chain under the benchmark's load."""
    users = admins(20)
    db.session.commit()
    browsers = _browsers(server, users)
    sessions, people = scene["register_sessions"], scene["people"]
    pdf = f"/cohorts/{sessions[0].cohort_id}/register.pdf"
    race = Race()
    for index, browser in enumerate(browsers[:10]):
        race.add(f"print-{index}", lambda browser=browser: browser.get(pdf, allow_redirects=False))
    for index, (browser, session) in enumerate(zip(browsers[10:], sessions[:10], strict=True)):
        url = f"/sessions/{session.id}/register"
        token = browser.csrf_token(url)
        data = _register(people, "present", f"printed-{index}")
        race.add(
            f"save-{index}",
            lambda browser=browser, url=url, data=data, token=token: browser.post(url, data, token),
        )
    db.session.commit()
    before = db.session.execute(select(func.max(AuditEvent.id))).scalar() or 0

    answers, _elapsed = race.run()
    _no_server_errors(answers, server)
    assert sorted(a.status for a in answers if a.name.startswith("print")) == [200] * 10
    assert sorted(a.status for a in answers if a.name.startswith("save")) == [302] * 10
    db.session.commit()
    written = db.session.execute(
        select(AuditEvent.action, func.count()).where(AuditEvent.id > before).group_by(AuditEvent.action)
    ).all()
    assert dict(written) == {"print": 10, "take_register": 10}
    report = verify_chain()
    assert report.is_intact, f"chain broken at audit row {report.first_broken_id}"


@pytest.mark.parametrize("rounds", [3])
def test_one_facilitator_on_two_overlapping_sessions_at_once_wins_once(
    server, db, place, admins, make_cohort, make_session, make_facilitator, rounds
):
    """Eight facilitators per round, each given two overlapping sessions by two people at the same
    moment (one through the session's page, one through the cohort's page every other time)."""
    rounds_of_pairs = [
        _overlapping_pairs(make_cohort, make_session, make_facilitator, place, PAIRS, 120 + 20 * r)
        for r in range(rounds)
    ]
    users = admins(2 * PAIRS)
    db.session.commit()
    winners = []
    signed_in = _browsers(server, users)
    refused_before = server.log().count(DATABASE_REFUSAL)
    for pairs in rounds_of_pairs:
        browsers = iter(signed_in)
        race = Race()
        for index, (person, one, other, own) in enumerate(pairs):
            for session in (one, other):
                browser = next(browsers)
                data = {"facilitator_id": person.id, "role": "lead", "confirm": "y"}
                if session is other and index % 2:
                    url = f"/cohorts/{own.id}/assignments"  # the whole (one-session) cohort
                else:
                    url = f"/sessions/{session.id}/assignments"
                token = browser.csrf_token(url)
                race.add(url, lambda b=browser, u=url, d=data, t=token: b.post(u, d, t))
        db.session.commit()
        answers, _elapsed = race.run()
        _no_server_errors(answers, server)
        assert {a.status for a in answers} <= {200, 302, 409}
        refusals = [a for a in answers if a.status == 409 or "report-refused" in a.text]
        assert all("Already booked at" in a.text for a in refusals)
        db.session.commit()  # a fresh read transaction sees the server's commits
        for person, one, other, _own in pairs:
            held = (
                db.session.execute(
                    select(SessionAssignment.session_id).where(
                        SessionAssignment.user_id == person.id,
                        SessionAssignment.session_id.in_([one.id, other.id]),
                    )
                )
                .scalars()
                .all()
            )
            assert len(held) == 1, (person.id, held)
            winners.append(held[0] == one.id)
    refused_by_database = server.log().count(DATABASE_REFUSAL) - refused_before
    assert len(winners) == PAIRS * rounds
    print(
        f"\n{len(winners)} races on {db.engine.dialect.name}: shared cohort won {sum(winners)}; "
        f"{refused_by_database} refusals came from the database's guard (the check had passed)"
    )


def test_one_person_signing_in_on_ten_devices_at_once_gets_in_everywhere(server, db, make_user):
    person = make_user("admin")
    db.session.commit()
    race = Race()
    for _ in range(10):
        browser = Browser(server.base)
        token = browser.csrf_token("/login")
        data = {"email": person.email, "password": TEST_PASSWORD}
        race.add("sign-in", lambda b=browser, d=data, t=token: b.post("/login", d, t))
    answers, _elapsed = race.run()
    _no_server_errors(answers, server)
    assert [a.status for a in answers] == [302] * 10, [a.text[:300] for a in answers if a.status != 302]
