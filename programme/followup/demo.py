"""Demo follow-up: a comparison group at the facilities of the completed demo cohorts, releases
for most of those cohorts' people, and checks with a mix of outcomes, so the curves show.

Completers reoffend less often than non-completers and the comparison group (a demo, not data).
Checks due in the last fortnight and the next month stay open, so the worklist has work in it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from programme.auth.models import User
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.followup import services
from programme.followup.dates import local_today
from programme.followup.models import FollowUpCheck, Release
from programme.participants.models import Enrolment, Participant
from programme.scheduling.models import Cohort

# Release windows per completed cohort: (first day, days across which releases spread).
RELEASE_WINDOWS = {
    "Алматы — көктем 2025": (date(2025, 4, 15), 35),  # whole 18-month window passed by late 2026
    "Караганда — осень 2025": (date(2025, 11, 15), 80),
    "Түркістан — көктем 2026": (date(2026, 5, 15), 70),
}
COMPARISON_PEOPLE = {"ALA-02": 7, "KRG-01": 7, "TRK-05": 6}
COMPARISON_RELEASES = {"ALA-02": date(2025, 4, 10), "KRG-01": date(2025, 11, 20), "TRK-05": date(2026, 5, 20)}
REOFFENCE_CHANCE = {"completer": 0.1, "non_completer": 0.2, "comparison": 0.22}  # per check interval
OFFENCES = ("property", "property", "violent", "drugs", "economic", "other")
SURNAMES = ("Ахметов", "Сейткали", "Жумагулов", "Иванов", "Омаров", "Касымов", "Байжанов", "Ким", "Нуров")
NAMES = ("Асхат", "Бауыржан", "Ержан", "Павел", "Руслан", "Санжар", "Талгат", "Дамир", "Нурлан")


def has_followup() -> bool:
    return db.session.execute(select(Release.id).limit(1)).first() is not None


def _comparison_people(facilities: dict[str, Facility]) -> list[Participant]:
    existing = set(
        db.session.execute(select(Participant.study_code).where(Participant.is_comparison)).scalars()
    )
    people = []
    with unit_of_work():
        for code, count in COMPARISON_PEOPLE.items():
            facility = facilities.get(code)
            if facility is None:
                continue
            for index in range(1, count + 1):
                study_code = f"C-{code.replace('-', '')}-{index:02d}"
                if study_code in existing:
                    continue
                chooser = random.Random(study_code)  # noqa: S311 - reproducible demo data
                released = index <= count - 1  # the last one is still inside, due for release soon
                person = Participant(
                    study_code=study_code,
                    facility_id=facility.id,
                    full_name=f"{chooser.choice(SURNAMES)} {chooser.choice(NAMES)}",
                    facility_number=f"CMP-{index:03d}",
                    birth_year=chooser.randint(1970, 2002),
                    gender="male",
                    languages=[],
                    education_level="secondary",
                    offence_category=chooser.choice(OFFENCES),
                    is_repeat_conviction=chooser.random() < 0.4,
                    sentence_start=date(2022, 3, 1),
                    expected_release=COMPARISON_RELEASES[code] + timedelta(days=index * 6)
                    if released
                    else local_today(facility.timezone) + timedelta(days=40),
                    is_comparison=True,
                    notes="",
                )
                db.session.add(person)
                people.append(person)
    return people


def _cohort_people() -> list[tuple[Participant, str, date]]:
    """(person, group, release day) for about three quarters of the completed cohorts' people."""
    cohorts = dict(
        db.session.execute(select(Cohort.name, Cohort.id).where(Cohort.name.in_(RELEASE_WINDOWS))).all()
    )
    found = []
    for name, cohort_id in cohorts.items():
        first_day, spread = RELEASE_WINDOWS[name]
        enrolments = db.session.execute(
            select(Enrolment, Participant)
            .join(Participant, Participant.id == Enrolment.participant_id)
            .where(Enrolment.cohort_id == cohort_id, Enrolment.status != "waitlisted")
            .order_by(Participant.id)
        ).all()
        for index, (enrolment, person) in enumerate(enrolments):
            if index % 4 == 3:
                continue  # still inside
            group = "completer" if enrolment.status == "completed" else "non_completer"
            found.append((person, group, first_day + timedelta(days=(index * 7) % spread)))
    return found


def _record_checks(person: Participant, group: str, released_on: date, today: date, officer_id) -> None:
    chooser = random.Random(f"checks-{person.study_code}")  # noqa: S311 - reproducible demo data
    previous = released_on
    reconvicted_custodial = False
    for check in services.checks_of(person.id):
        if check.due_on > today - timedelta(days=14):
            break  # recent and coming checks stay open for the worklist
        checked_on = check.due_on + timedelta(days=chooser.randint(0, 10))
        values = {
            "checked_on": checked_on,
            "source": chooser.choice(("probation", "court_records")),
            "notes": "",
        }
        roll = chooser.random()
        if reconvicted_custodial:
            values["outcome"] = "returned_to_custody"
        elif roll < REOFFENCE_CHANCE[group]:
            offence = previous + timedelta(days=chooser.randint(1, max(1, (checked_on - previous).days - 20)))
            custodial = chooser.random() < 0.5
            values.update(
                outcome="reconvicted",
                offence_date=offence,
                conviction_date=min(checked_on, offence + timedelta(days=chooser.randint(10, 60))),
                offence_category=chooser.choice(OFFENCES),
                is_custodial=custodial,
            )
            reconvicted_custodial = custodial
        elif roll > 0.96:
            values["outcome"] = chooser.choice(("lost_to_follow_up", "left_country", "deceased"))
        else:
            values["outcome"] = "no_new_conviction"
        services.record_check(check, values, officer_id)
        previous = checked_on
        if values["outcome"] in ("left_country", "deceased", "lost_to_follow_up", "returned_to_custody"):
            break


def seed_followup() -> list[str]:
    facilities = {
        f.code: f
        for f in db.session.execute(select(Facility).where(Facility.code.in_(COMPARISON_PEOPLE))).scalars()
    }
    if not facilities:
        return []
    created_people = _comparison_people(facilities)
    officers = dict(
        db.session.execute(
            select(User.facility_id, User.id).where(User.role == "officer").order_by(User.id)
        ).all()
    )
    released = set(db.session.execute(select(Release.participant_id)).scalars())
    comparison = db.session.execute(
        select(Participant).where(Participant.is_comparison.is_(True), Participant.study_code.like("C-%"))
    ).scalars()
    plan = [
        (person, "comparison", person.expected_release)
        for person in comparison
        if person.expected_release and person.expected_release <= local_today(None)
    ]
    plan += _cohort_people()
    releases = 0
    for person, group, released_on in plan:
        if person.id in released:
            continue
        today = local_today(person.facility.timezone)
        if released_on > today:
            continue
        officer_id = officers.get(person.facility_id)
        release_type = random.Random(person.study_code).choice(  # noqa: S311 - reproducible demo data
            ("end_of_sentence", "conditional_early", "probation")
        )
        services.record_release(
            person,
            {
                "released_on": released_on,
                "release_type": release_type,
                "probation_region": person.facility.region,
            },
            officer_id,
        )
        _record_checks(person, group, released_on, today, officer_id)
        releases += 1
    lines = []
    if created_people:
        lines.append(f"followup: {len(created_people)} comparison people")
    if releases:
        checks = db.session.execute(
            select(FollowUpCheck.id).where(FollowUpCheck.checked_on.is_not(None))
        ).all()
        lines.append(f"followup: {releases} releases, {len(checks)} checks recorded")
    return lines
