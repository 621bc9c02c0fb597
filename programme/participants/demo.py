"""Demo participants: about twelve people per demo cohort, at the cohort's facility.

Names are realistic Kazakh and Russian names (surname first, as on facility records); most
people consented, a few did not, one consent is withdrawn and one person left their cohort.
Cohorts are found by name (programme/core/demo_plan.py); without them nothing is made.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta

from sqlalchemy import select

from programme.core.demo_plan import DEMO_COHORTS
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.participants.models import Consent, Enrolment, Participant
from programme.participants.services import unused_study_codes
from programme.scheduling.models import Cohort

KAZAKH_SURNAMES = (
    "Ахметов",
    "Сейтжанов",
    "Омаров",
    "Жақсылықов",
    "Бекмұхамбетов",
    "Нұрланов",
    "Серікбаев",
    "Тоқтаров",
    "Қожахметов",
    "Әбдірахманов",
    "Мұқанов",
    "Ермеков",
    "Сәрсенбаев",
    "Байжанов",
    "Жұмабеков",
    "Қасымов",
    "Тұрсынбаев",
    "Исабеков",
    "Оспанов",
    "Әлиев",
    "Құдайбергенов",
    "Ғаббасов",
)
KAZAKH_NAMES = (
    "Ерлан",
    "Нұрлан",
    "Асхат",
    "Бауыржан",
    "Дәурен",
    "Қайрат",
    "Ерболат",
    "Айдос",
    "Жандос",
    "Нұржан",
    "Ержан",
    "Самат",
    "Арман",
    "Талғат",
    "Марат",
    "Ғалым",
    "Әділет",
    "Серік",
    "Болат",
    "Өмірзақ",
)
KAZAKH_FATHERS = ("Серікұлы", "Болатұлы", "Маратұлы", "Қайратұлы", "Ержанұлы", "Нұрланұлы", "Талғатұлы")
RUSSIAN_SURNAMES = (
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
)
RUSSIAN_NAMES = (
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Николай",
    "Иван",
    "Михаил",
    "Виктор",
    "Павел",
    "Евгений",
    "Олег",
)
RUSSIAN_FATHERS = (
    "Сергеевич",
    "Викторович",
    "Александрович",
    "Николаевич",
    "Иванович",
    "Петрович",
    "Юрьевич",
)
OFFENCES = ("property", "property", "violent", "drugs", "economic", "traffic", "other")
EDUCATION = ("basic_secondary", "secondary", "secondary", "vocational", "vocational", "higher", "primary")


def _person(rng: random.Random, kazakh: bool) -> tuple[str, list[str]]:
    if kazakh:
        name = f"{rng.choice(KAZAKH_SURNAMES)} {rng.choice(KAZAKH_NAMES)} {rng.choice(KAZAKH_FATHERS)}"
        return name, ["kk", "ru"] if rng.random() < 0.7 else ["kk"]
    name = f"{rng.choice(RUSSIAN_SURNAMES)} {rng.choice(RUSSIAN_NAMES)} {rng.choice(RUSSIAN_FATHERS)}"
    return name, ["ru"]


def _people_for(plan, index: int, facility_code: str, rng: random.Random) -> list[dict]:
    kazakh_share = 0.75 if plan.language == "kk" else 0.4
    people, names = [], set()
    while len(people) < plan.participants:
        full_name, languages = _person(rng, rng.random() < kazakh_share)
        if full_name in names:
            continue
        names.add(full_name)
        start = plan.start_date - timedelta(days=rng.randint(200, 1800))
        people.append(
            {
                "full_name": full_name,
                "facility_number": f"{facility_code}-{index + 1}{len(people) + 1:03d}",
                "birth_year": rng.randint(1965, 2003),
                "gender": "male",
                "languages": languages,
                "education_level": rng.choice(EDUCATION),
                "offence_category": rng.choice(OFFENCES),
                "is_repeat_conviction": rng.random() < 0.35,
                "sentence_start": start,
                "expected_release": start + timedelta(days=rng.randint(900, 3600)),
                "notes": "",
            }
        )
    return people


def seed_participants() -> list[str]:
    cohorts = {
        cohort.name: cohort
        for cohort in db.session.execute(
            select(Cohort).where(Cohort.name.in_([plan.name for plan in DEMO_COHORTS]))
        ).scalars()
    }
    if not cohorts:
        return []
    already = set(
        db.session.execute(
            select(Enrolment.cohort_id).where(Enrolment.cohort_id.in_([c.id for c in cohorts.values()]))
        ).scalars()
    )
    created = 0
    with unit_of_work():
        for index, plan in enumerate(DEMO_COHORTS):
            cohort = cohorts.get(plan.name)
            if cohort is None or cohort.id in already or plan.participants == 0:
                continue
            rng = random.Random(zlib.crc32(plan.name.encode()))  # noqa: S311 - repeatable demo data
            people = _people_for(plan, index, cohort.facility.code, rng)
            codes = unused_study_codes(len(people))
            for position, (values, code) in enumerate(zip(people, codes, strict=True)):
                participant = Participant(facility_id=cohort.facility_id, study_code=code, **values)
                consented_on = plan.start_date - timedelta(days=10)
                # One person per cohort in two cohorts did not consent: attends, no questionnaires.
                if not (position == len(people) - 1 and index in (1, 3)):
                    consent = Consent(consented_on=min(consented_on, date.today()), form_version="v1")
                    if index == 0 and position == 5:
                        consent.withdrawn_on = plan.start_date + timedelta(days=30)
                        consent.withdrawal_choice = "exclude_data"
                    participant.consents.append(consent)
                enrolment = Enrolment(
                    cohort_id=cohort.id, status="enrolled", enrolled_on=min(consented_on, date.today())
                )
                if index == 3 and position == 2:
                    enrolment.status = "withdrawn"
                    enrolment.withdrawal_reason = "released"
                    enrolment.withdrawn_on = min(plan.start_date + timedelta(days=20), date.today())
                participant.enrolments.append(enrolment)
                db.session.add(participant)
                created += 1
    return [f"participants: {created} created"] if created else []


def has_participants() -> bool:
    return db.session.execute(select(Participant.id).limit(1)).first() is not None
