"""Demo answers to the resocialisation survey, so the survey tables show real figures.

Runs after the questionnaires seeder: it uses the survey instrument that seeder imports (code
RESOC) and the demo cohorts' enrolments, and answers the survey once ("pre") for each enrolled
person, with shares close to the seed article's (Table 1 and the text). It adds nothing when the
survey already has responses, or when the instrument or the cohorts are not there.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.core.demo_plan import DEMO_COHORTS
from programme.core.services import unit_of_work
from programme.extensions import db
from programme.participants.models import Enrolment
from programme.questionnaires.models import Administration, Answer, Instrument, Response
from programme.scheduling.models import Cohort

SURVEY_CODE = "RESOC"
# Shares (yes, no, not needed, hard to say) of the article's Table 1.
AFTER_RELEASE = {
    "AR_EMPLOYMENT": (68.3, 19.6, 7.0, 5.1),
    "AR_HOUSING": (22.8, 17.4, 6.9, 52.9),
    "AR_BENEFITS": (20.7, 19.2, 6.9, 53.1),
    "AR_MONEY": (17.8, 22.2, 6.0, 53.9),
    "AR_EDUCATION": (18.7, 17.3, 7.7, 56.2),
    "AR_DRUGS_ALCOHOL": (2.0, 32.1, 8.7, 57.3),
}
# Regions where the article found staff support on arrival much lower.
LOW_SUPPORT_REGIONS = {"abai", "almaty_city", "east_kazakhstan"}


def _survey() -> Instrument | None:
    return db.session.execute(
        select(Instrument)
        .where(Instrument.code == SURVEY_CODE)
        .order_by(Instrument.number.desc())
        .limit(1)
        .options(selectinload(Instrument.items))
    ).scalar_one_or_none()


def has_survey_answers() -> bool:
    return (
        db.session.execute(
            select(Response.id)
            .join(Administration, Administration.id == Response.administration_id)
            .join(Instrument, Instrument.id == Administration.instrument_id)
            .where(Instrument.code == SURVEY_CODE)
            .limit(1)
        ).first()
        is not None
    )


def _answer(rng: random.Random, item, region: str, values: list[str]) -> str | None:
    if rng.random() < 0.04:
        return None  # skipped
    if item.code in AFTER_RELEASE:
        return rng.choices(values, weights=AFTER_RELEASE[item.code])[0]
    if item.code == "ARRIVAL_SUPPORT":
        yes = 35 if region in LOW_SUPPORT_REGIONS else 95
        return rng.choices(values, weights=(yes, 100 - yes, 5, 5))[0]
    if item.code == "STAFF_ATTITUDE":
        positive = 33 if region in LOW_SUPPORT_REGIONS else 80
        weights = [positive, 8] + [max(1, (100 - positive) // max(1, len(values) - 2))] * (len(values) - 2)
        return rng.choices(values, weights=weights)[0]
    if item.code == "PEER_PRESSURE":
        return rng.choices(values, weights=(7, 85, 8))[0]
    return rng.choices(values, weights=[70, 15] + [8] * (len(values) - 2))[0]


def seed_survey_answers() -> list[str]:
    survey = _survey()
    if survey is None or has_survey_answers():
        return []
    names = [plan.name for plan in DEMO_COHORTS if plan.status in ("completed", "running")]
    cohorts = db.session.execute(
        select(Cohort).where(Cohort.name.in_(names)).options(selectinload(Cohort.facility))
    ).scalars()
    cohorts = list(cohorts)
    enrolments = db.session.execute(
        select(Enrolment).where(
            Enrolment.cohort_id.in_([c.id for c in cohorts]), Enrolment.status != "waitlisted"
        )
    ).scalars()
    people: dict[int, list[int]] = {}
    for enrolment in enrolments:
        people.setdefault(enrolment.cohort_id, []).append(enrolment.participant_id)
    choices = {entry["name"]: [str(c["value"]) for c in entry["choices"]] for entry in survey.choice_lists}
    items = [item for item in survey.items if item.item_type == "single_choice"]
    administrations = {
        a.cohort_id: a
        for a in db.session.execute(
            select(Administration).where(
                Administration.instrument_id == survey.id, Administration.timepoint == "pre"
            )
        ).scalars()
    }
    created = 0
    with unit_of_work():
        for cohort in cohorts:
            if not people.get(cohort.id):
                continue
            administration = administrations.get(cohort.id)
            if administration is None:
                administration = Administration(
                    cohort_id=cohort.id,
                    instrument_id=survey.id,
                    timepoint="pre",
                    opens_on=cohort.start_date - timedelta(days=7),
                    closes_on=cohort.start_date + timedelta(days=7),
                )
                db.session.add(administration)
                db.session.flush()
            for participant_id in sorted(people[cohort.id]):
                rng = random.Random(f"{cohort.name}-{participant_id}")  # noqa: S311 - demo data
                response = Response(
                    administration_id=administration.id,
                    participant_id=participant_id,
                    status="complete",
                    mode="paper",
                    language=cohort.language,
                    answered_on=cohort.start_date - timedelta(days=2),
                )
                for item in items:
                    value = _answer(rng, item, cohort.facility.region, choices[item.choice_list])
                    response.answers.append(
                        Answer(
                            item_id=item.id,
                            entry=1,
                            value_text=value,
                            missing_code=None if value is not None else "missing",
                        )
                    )
                db.session.add(response)
                created += 1
    return [f"survey answers: {created}"] if created else []
