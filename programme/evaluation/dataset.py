"""The analysis dataset: scores and item answers of the people in scope, at two timepoints.

A "case" is one person in one cohort (pairs are formed within a cohort). People who withdrew
consent asking for their data to be excluded are dropped and counted in the attrition. The
dataset is built with a fixed number of queries whatever its size: the scores and the item
answers are pivoted in SQL (one row per response, one column per scale or item), so Python
handles one row per response rather than one per answer; the item answers are kept as a numpy
matrix per timepoint (for Cronbach's alpha) and only loaded when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from programme.evaluation.scope import Filters, scoped_response_ids, scoped_responses
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
        # case.score() inlined: this runs for every case, scale and timepoint of a page.
        empty: dict = {}
        return [case.scores.get(timepoint, empty).get(scale) for case in self.cases]

    # timepoint -> (cases x scored items) with reverse items flipped, NaN = missing; the rows are
    # the cases with a response at that timepoint, in case order. Filled when answers are loaded.
    answer_matrices: dict[str, np.ndarray] = field(default_factory=dict)

    def item_table(self, timepoint: str, scale: ScaleInfo) -> np.ndarray:
        """Cases x items of one scale at one timepoint, reverse items flipped; cases who answered."""
        matrix = self.answer_matrices.get(timepoint)
        if matrix is None:
            return np.empty((0, len(scale.items)))
        columns = {item.code: number for number, item in enumerate(self.items)}
        return matrix[:, [columns[code] for code in scale.items]]


def latest_instrument(code: str | None) -> Instrument | None:
    if not code:
        return None
    return (
        db.session.execute(
            select(Instrument)
            .where(Instrument.code == code)
            .order_by(Instrument.number.desc())
            .limit(1)
            # One query: ~20 items x ~5 scales joined is a few hundred rows, cheaper than 3 round trips.
            .options(joinedload(Instrument.items), joinedload(Instrument.subscales))
        )
        .unique()
        .scalar_one_or_none()
    )


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


def _pivot(code_column, value_column, codes: list[str]):
    """One column per code: MAX(value) where the row's code is that code (one row per key)."""
    return [
        func.max(case((code_column == code, value_column))).label(f"c{number}")
        for number, code in enumerate(codes)
    ]


def build_dataset(filters: Filters, answers: bool = True) -> Dataset:
    """The dataset for these filters; `answers=False` skips the item answers (exports)."""
    instrument = latest_instrument(filters.instrument)
    scales, items = describe_instrument(instrument)
    timepoints = (filters.timepoint_from, filters.timepoint_to)
    if instrument is None:
        return Dataset(filters, None, [], [], [], Attrition(0, 0, 0, 0))
    scope = scoped_responses(filters, instrument.code, timepoints).subquery("scope")
    # Each scale's stored score beside its response, looked up through the unique
    # (response, scale) index: one row per response, and the scope is evaluated once.
    score_codes = [scale.code for scale in scales]
    score_columns = [
        select(ResponseScore.score)
        .where(ResponseScore.response_id == scope.c.response_id, ResponseScore.subscale_code == code)
        .scalar_subquery()
        .label(f"score_{number}")
        for number, code in enumerate(score_codes)
    ]
    rows = db.session.execute(select(scope, *score_columns)).mappings().all()
    score_names = [(code, f"score_{number}") for number, code in enumerate(score_codes)]

    cases: dict[tuple[int, int], Case] = {}
    excluded: set[int] = set()
    responses: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        if row["is_excluded"]:
            excluded.add(row["participant_id"])
            continue
        key = (row["participant_id"], row["cohort_id"])
        found = cases.get(key)
        if found is None:
            found = cases[key] = Case(
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
        found.scores[row["timepoint"]] = {code: row[name] for code, name in score_names}
        responses.setdefault(key, {})[row["timepoint"]] = row["response_id"]

    ordered = sorted(cases.values(), key=lambda c: (c.cohort_id, c.study_code))
    first, second = timepoints
    both = sum(1 for c in ordered if first in c.scores and second in c.scores)
    attrition = Attrition(
        both=both,
        first_only=sum(1 for c in ordered if first in c.scores and second not in c.scores),
        second_only=sum(1 for c in ordered if second in c.scores and first not in c.scores),
        excluded=len(excluded),
    )
    dataset = Dataset(filters, instrument, scales, items, ordered, attrition)
    if answers and items:
        order = [responses[(c.participant_id, c.cohort_id)] for c in ordered]
        in_scope = scoped_response_ids(filters, instrument.code, timepoints).subquery("in_scope")
        dataset.answer_matrices = _answer_matrices(in_scope, items, order, timepoints)
    return dataset


def _answer_matrices(scope, items: list[ItemInfo], order: list[dict[str, int]], timepoints) -> dict:
    """Per timepoint, the cases' item answers as a matrix (reverse items flipped, NaN = missing)."""
    codes = [item.code for item in items]
    rows = db.session.execute(
        select(Answer.response_id, *_pivot(InstrumentItem.code, Answer.value_number, codes))
        .join(scope, scope.c.id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Answer.entry == 1, InstrumentItem.item_type == "likert", InstrumentItem.code.in_(codes))
        .group_by(Answer.response_id)
    ).all()
    position = {row[0]: number for number, row in enumerate(rows)}
    values = np.array([row[1:] for row in rows], dtype=float).reshape(len(rows), len(codes))
    reverse = np.array(
        [item.is_reverse and item.minimum is not None and item.maximum is not None for item in items]
    )
    if reverse.any():
        bounds = np.array([(item.minimum or 0) + (item.maximum or 0) for item in items], dtype=float)
        values[:, reverse] = bounds[reverse] - values[:, reverse]
    matrices = {}
    for timepoint in timepoints:
        chosen = [by_timepoint[timepoint] for by_timepoint in order if timepoint in by_timepoint]
        rows_of = np.array([position.get(response_id, -1) for response_id in chosen], dtype=np.int64)
        if len(values):
            matrix = values[np.maximum(rows_of, 0)]
            matrix[rows_of < 0] = np.nan  # a response without any answer
        else:
            matrix = np.full((len(chosen), len(codes)), np.nan)
        matrices[timepoint] = matrix
    return matrices
