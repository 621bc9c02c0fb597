"""The analysis dataset: scores and item answers of the people in scope, at two timepoints.

A "case" is one person in one cohort (pairs are formed within a cohort). People who withdrew
consent asking for their data to be excluded are dropped and counted in the attrition. The
dataset is built with one query whatever its size: one row per response in scope, with its
ResponseValues row (the stored scores and, when asked for, the scored answers, packed numbers
that numpy reads in blocks), which become each case's scores and a matrix of item values per timepoint
for Cronbach's alpha.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import itemgetter

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from programme.evaluation.scope import Filters, scoped_responses
from programme.extensions import db
from programme.questionnaires.models import TOTAL_CODE, Instrument, ResponseValues, unpack_numbers


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
    # The person's attributes: None in a dataset built with attributes=False (scores only).
    cohort_name: str | None = None
    facility_id: int | None = None
    facility_code: str | None = None
    region: str | None = None
    curriculum_id: int | None = None
    language: str | None = None
    age_band: str | None = None
    conviction: str | None = None
    attendance_rate: float | None = None
    attendance_band: str | None = None
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)  # timepoint -> scale

    def score(self, timepoint: str, scale: str) -> float | None:
        return self.scores.get(timepoint, {}).get(scale)

    def change(self, scale: str, first: str, second: str) -> float | None:
        before, after = self.score(first, scale), self.score(second, scale)
        return None if before is None or after is None else after - before


# The Case fields read from the scope query's columns of the same name; the first three say who.
CASE_COLUMNS = tuple(f.name for f in fields(Case) if f.name != "scores")
IDENTITY = CASE_COLUMNS[:3]
# What a scores-only dataset reads of the scope (the filters' joins stay).
SLIM_SCOPE_COLUMNS = (*IDENTITY, "response_id", "timepoint", "is_excluded")


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

    # (timepoint, scale) -> the cases' scores in case order, NaN where there is none: the same
    # numbers as each case's `scores`, as arrays for the analyses. Filled by build_dataset.
    score_arrays: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def scores(self, timepoint: str, scale: str) -> np.ndarray:
        """Every case's score on this scale at this timepoint (NaN: none), in case order."""
        found = self.score_arrays.get((timepoint, scale))
        return found if found is not None else np.full(len(self.cases), np.nan)

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


def build_dataset(
    filters: Filters, answers: bool = True, attendance: bool = True, attributes: bool = True
) -> Dataset:
    """The dataset for these filters.

    `answers=False` skips the item values (no reliability: exports); `attendance=False` leaves
    each case's attendance rate and band out (None), the costly part of the scope, for analyses
    that do not show them; `attributes=False` leaves out every attribute but who the case is
    (cohort, facility, age band... None), for analyses of the scores alone: a third of the
    query's time nationally. The filters apply either way.
    """
    instrument = latest_instrument(filters.instrument)
    scales, items = describe_instrument(instrument)
    timepoints = (filters.timepoint_from, filters.timepoint_to)
    if instrument is None:
        return Dataset(filters, None, [], [], [], Attrition(0, 0, 0, 0))
    scoped = scoped_responses(filters, instrument.code, timepoints, attendance=attendance and attributes)
    if not attributes:
        scoped = scoped.with_only_columns(
            *(column for column in scoped.selected_columns if column.name in SLIM_SCOPE_COLUMNS),
            maintain_column_froms=True,
        )
    scope = scoped.subquery("scope")
    # Each response's scores (and item values, when asked for) come from its ResponseValues
    # row: one join, one row per response, the scope evaluated once.
    with_values = answers and bool(items)
    stored_columns = [ResponseValues.score_codes, ResponseValues.score_numbers]
    if with_values:
        stored_columns += [ResponseValues.item_codes, ResponseValues.item_numbers]
    query = select(scope, *stored_columns).outerjoin(
        ResponseValues, ResponseValues.response_id == scope.c.response_id
    )
    # Core rows on the session's connection: no ORM row processing for ~40,000 plain tuples.
    result = db.session.connection().execute(query)
    column = {name: number for number, name in enumerate(result.keys())}
    rows = result.all()
    # In Case's field order: all of them, or who the case is.
    case_fields = itemgetter(*(column[name] for name in (CASE_COLUMNS if attributes else IDENTITY)))
    stored_scores = itemgetter(column["score_codes"], column["score_numbers"])
    stored_items = itemgetter(column["item_codes"], column["item_numbers"]) if with_values else None

    cases: dict[tuple[int, int], Case] = {}
    excluded: set[int] = set()
    values: dict[tuple[int, int], dict[str, tuple[str | None, str | None]]] = {}
    score_blobs: list[tuple[str | None, bytes | None]] = []  # per response: (codes, numbers)
    score_dicts: list[dict] = []  # the case's scores at that response's timepoint, to fill
    score_owners: list[tuple[tuple[int, int], str]] = []  # per response: (case key, timepoint)
    (excluded_at, participant_at, cohort_at, timepoint_at) = (
        column["is_excluded"],
        column["participant_id"],
        column["cohort_id"],
        column["timepoint"],
    )
    for row in rows:
        if row[excluded_at]:
            excluded.add(row[participant_at])
            continue
        key = (row[participant_at], row[cohort_at])
        found = cases.get(key)
        if found is None:
            found = cases[key] = Case(*case_fields(row))
        found.scores[row[timepoint_at]] = scores = {}
        score_dicts.append(scores)
        score_owners.append((key, row[timepoint_at]))
        score_blobs.append(stored_scores(row))
        if stored_items:
            values.setdefault(key, {})[row[timepoint_at]] = stored_items(row)
    ordered = sorted(cases.values(), key=lambda c: (c.cohort_id, c.study_code))
    first, second = timepoints
    both = sum(1 for c in ordered if first in c.scores and second in c.scores)
    attrition = Attrition(
        both=both,
        first_only=sum(1 for c in ordered if first in c.scores and second not in c.scores),
        second_only=sum(1 for c in ordered if second in c.scores and first not in c.scores),
        excluded=len(excluded),
    )
    score_arrays = _fill_scores(ordered, score_owners, score_dicts, score_blobs)
    dataset = Dataset(filters, instrument, scales, items, ordered, attrition, score_arrays=score_arrays)
    if with_values:
        by_case = [values[(c.participant_id, c.cohort_id)] for c in ordered]
        dataset.answer_matrices = _answer_matrices(items, by_case, timepoints)
    return dataset


def _fill_scores(ordered: list[Case], owners, score_dicts, stored) -> dict[tuple[str, str], np.ndarray]:
    """Decode the stored scores into each case's `scores` and into one array per (timepoint,
    scale) in case order (NaN where a case has no score): the analyses read the arrays."""
    row_of = {(case.participant_id, case.cohort_id): number for number, case in enumerate(ordered)}
    # Per response: its case's row and its timepoint; and whether it is its case's response at
    # that timepoint (of two, the later row is, as in `scores`).
    latest = {owner: position for position, owner in enumerate(owners)}
    case_rows = np.array([row_of[key] for key, _timepoint in owners], dtype=np.intp)
    timepoints = np.array([timepoint for _key, timepoint in owners], dtype=object)
    kept = np.array([latest[owner] == position for position, owner in enumerate(owners)], dtype=bool)
    arrays: dict[tuple[str, str], np.ndarray] = {}
    for names, positions, parsed in _decode_blocks(stored):
        with_none = parsed.astype(object)
        with_none[np.isnan(parsed)] = None  # a score not computed
        for position, scores in zip(positions, with_none.tolist(), strict=True):
            score_dicts[position].update(zip(names, scores, strict=True))
        positions = np.asarray(positions, dtype=np.intp)
        for timepoint in set(timepoints[positions].tolist()):
            chosen = kept[positions] & (timepoints[positions] == timepoint)
            rows = case_rows[positions[chosen]]
            for column, name in enumerate(names):
                array = arrays.get((timepoint, name))
                if array is None:
                    array = arrays[(timepoint, name)] = np.full(len(ordered), np.nan)
                array[rows] = parsed[chosen, column]
    return arrays


def _decode_blocks(stored: list[tuple[str | None, bytes | None]]):
    """(codes, positions, matrix) for each group of stored (codes, numbers) that share the same
    codes (one group per instrument version): one matrix row per position, made from the packed
    numbers at once; entries without stored values are left out."""
    blocks: dict[str, list[int]] = {}
    for position, (codes, _numbers) in enumerate(stored):
        if codes:
            blocks.setdefault(codes, []).append(position)
    for codes, positions in blocks.items():
        names = codes.split(" ")
        parsed = unpack_numbers(b"".join(stored[p][1] for p in positions))
        yield names, positions, parsed.reshape(len(positions), len(names))


def _answer_matrices(items: list[ItemInfo], by_case: list[dict[str, tuple]], timepoints) -> dict:
    """Per timepoint, the cases' item values as a matrix (reverse items flipped, NaN = missing).

    `by_case` holds each case's stored (item codes, item values) per timepoint, decoded in blocks
    (_decode_blocks) whose columns go to the places of the analysed items' codes. A response
    without stored values, or an item its version lacks, gives NaN.
    """
    column_of = {item.code: number for number, item in enumerate(items)}
    reverse = np.array(
        [item.is_reverse and item.minimum is not None and item.maximum is not None for item in items]
    )
    bounds = np.array([(item.minimum or 0) + (item.maximum or 0) for item in items], dtype=float)
    matrices = {}
    for timepoint in timepoints:
        stored = [found[timepoint] for found in by_case if timepoint in found]
        matrix = np.full((len(stored), len(items)), np.nan)
        for version_codes, rows, numbers in _decode_blocks(stored):
            wanted = [
                (column_of[code], place) for place, code in enumerate(version_codes) if code in column_of
            ]
            if wanted:
                targets, sources = zip(*wanted, strict=True)
                matrix[np.ix_(rows, targets)] = numbers[:, sources]
        if reverse.any():
            matrix[:, reverse] = bounds[reverse] - matrix[:, reverse]
        matrices[timepoint] = matrix
    return matrices
