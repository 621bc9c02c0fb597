"""The analysis dataset: scores and item answers of the people in scope, at two timepoints.

A "case" is one person in one cohort (pairs are formed within a cohort). People who withdrew
consent asking for their data to be excluded are dropped and counted in the attrition. The
dataset is built with a fixed number of queries whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from programme.evaluation.scope import Filters, scoped_responses
from programme.extensions import db
from programme.questionnaires.models import TOTAL_CODE, Answer, Instrument, InstrumentItem, ResponseScore


@dataclass(frozen=True)
class ScaleInfo:
    code: str
    texts: dict
    items: tuple[str, ...]  # item codes in order
    method: str = "mean"
    min_answered_share: float = 0.8
    prorate: bool = False


@dataclass(frozen=True)
class ItemInfo:
    code: str
    texts: dict
    subscale: str | None
    is_reverse: bool
    minimum: float | None
    maximum: float | None


@dataclass
class Case:
    participant_id: int
    study_code: str
    cohort_id: int
    cohort_name: str
    facility_id: int
    facility_code: str
    region: str
    curriculum_id: int
    language: str
    age_band: str
    conviction: str
    attendance_rate: float | None
    attendance_band: str
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)  # timepoint -> scale
    answers: dict[str, dict[str, float | None]] = field(default_factory=dict)  # timepoint -> item

    def score(self, timepoint: str, scale: str) -> float | None:
        return self.scores.get(timepoint, {}).get(scale)

    def change(self, scale: str, first: str, second: str) -> float | None:
        before, after = self.score(first, scale), self.score(second, scale)
        return None if before is None or after is None else after - before


@dataclass(frozen=True)
class Attrition:
    both: int  # responded at both timepoints
    first_only: int
    second_only: int
    excluded: int  # people who asked for their data to be excluded


@dataclass
class Dataset:
    filters: Filters
    instrument: Instrument | None
    scales: list[ScaleInfo]
    items: list[ItemInfo]
    cases: list[Case]
    attrition: Attrition

    @property
    def first(self) -> str:
        return self.filters.timepoint_from

    @property
    def second(self) -> str:
        return self.filters.timepoint_to

    def scores(self, timepoint: str, scale: str) -> list[float | None]:
        return [case.score(timepoint, scale) for case in self.cases]

    def item_table(self, timepoint: str, scale: ScaleInfo) -> list[list[float | None]]:
        """Cases x items of one scale at one timepoint, reverse items flipped; cases who answered."""
        by_code = {item.code: item for item in self.items}
        rows = []
        for case in self.cases:
            answers = case.answers.get(timepoint)
            if answers is None:
                continue
            rows.append([_keyed(answers.get(code), by_code[code]) for code in scale.items])
        return rows


def _keyed(value: float | None, item: ItemInfo) -> float | None:
    if value is None or not item.is_reverse or item.minimum is None or item.maximum is None:
        return value
    return item.minimum + item.maximum - value


def latest_instrument(code: str | None) -> Instrument | None:
    if not code:
        return None
    return db.session.execute(
        select(Instrument)
        .where(Instrument.code == code)
        .order_by(Instrument.number.desc())
        .limit(1)
        .options(selectinload(Instrument.items), selectinload(Instrument.subscales))
    ).scalar_one_or_none()


def describe_instrument(instrument: Instrument | None) -> tuple[list[ScaleInfo], list[ItemInfo]]:
    if instrument is None:
        return [], []
    scored = [item for item in instrument.items if item.item_type == "likert" and item.subscale_code]
    items = [
        ItemInfo(i.code, i.texts or {}, i.subscale_code, bool(i.is_reverse), i.min_value, i.max_value)
        for i in scored
    ]
    scales = []
    for subscale in instrument.subscales:
        if subscale.code == TOTAL_CODE:
            codes = tuple(item.code for item in scored)
        else:
            codes = tuple(item.code for item in scored if item.subscale_code == subscale.code)
        scales.append(
            ScaleInfo(
                subscale.code,
                subscale.texts or {},
                codes,
                subscale.method,
                subscale.min_answered_share,
                subscale.prorate,
            )
        )
    # TOTAL last, as journals print it.
    scales.sort(key=lambda scale: scale.code == TOTAL_CODE)
    return scales, items


def build_dataset(filters: Filters) -> Dataset:
    instrument = latest_instrument(filters.instrument)
    scales, items = describe_instrument(instrument)
    timepoints = (filters.timepoint_from, filters.timepoint_to)
    if instrument is None:
        return Dataset(filters, None, [], [], [], Attrition(0, 0, 0, 0))
    scope = scoped_responses(filters, instrument.code, timepoints).subquery("scope")
    rows = db.session.execute(select(scope)).mappings().all()
    score_rows = db.session.execute(
        select(ResponseScore.response_id, ResponseScore.subscale_code, ResponseScore.score).join(
            scope, scope.c.response_id == ResponseScore.response_id
        )
    ).all()
    answer_rows = db.session.execute(
        select(Answer.response_id, InstrumentItem.code, Answer.value_number)
        .join(scope, scope.c.response_id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Answer.entry == 1, InstrumentItem.item_type == "likert")
    ).all()

    scores_by_response: dict[int, dict[str, float | None]] = {}
    for response_id, code, score in score_rows:
        scores_by_response.setdefault(response_id, {})[code] = score
    answers_by_response: dict[int, dict[str, float | None]] = {}
    for response_id, code, value in answer_rows:
        answers_by_response.setdefault(response_id, {})[code] = value

    cases: dict[tuple[int, int], Case] = {}
    excluded: set[int] = set()
    for row in rows:
        if row["is_excluded"]:
            excluded.add(row["participant_id"])
            continue
        key = (row["participant_id"], row["cohort_id"])
        case = cases.get(key)
        if case is None:
            case = cases[key] = Case(
                participant_id=row["participant_id"],
                study_code=row["study_code"],
                cohort_id=row["cohort_id"],
                cohort_name=row["cohort_name"],
                facility_id=row["facility_id"],
                facility_code=row["facility_code"],
                region=row["region"],
                curriculum_id=row["curriculum_id"],
                language=row["language"],
                age_band=row["age_band"],
                conviction=row["conviction"],
                attendance_rate=row["attendance_rate"],
                attendance_band=row["attendance_band"],
            )
        case.scores[row["timepoint"]] = scores_by_response.get(row["response_id"], {})
        case.answers[row["timepoint"]] = answers_by_response.get(row["response_id"], {})

    ordered = sorted(cases.values(), key=lambda c: (c.cohort_id, c.study_code))
    first, second = timepoints
    both = sum(1 for c in ordered if first in c.scores and second in c.scores)
    attrition = Attrition(
        both=both,
        first_only=sum(1 for c in ordered if first in c.scores and second not in c.scores),
        second_only=sum(1 for c in ordered if second in c.scores and first not in c.scores),
        excluded=len(excluded),
    )
    return Dataset(filters, instrument, scales, items, ordered, attrition)
