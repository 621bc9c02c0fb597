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
    cases: list[Case]  # empty when built without attributes: the analyses read the arrays
    attrition: Attrition
    case_count: int = 0  # people x cohorts in the dataset, with or without their Case

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
        return found if found is not None else np.full(self.case_count, np.nan)

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
    that do not show them; `attributes=False` builds no Case at all (`cases` is empty, the
    analyses read `score_arrays`, `answer_matrices` and `case_count`), for analyses of the scores
    alone: the comparison over every person in the country, where reading the attributes and
    building 20,000 cases with their score dicts was most of the page's time. The filters apply
    either way.
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
    excluded_at, participant_at = column["is_excluded"], column["participant_id"]
    excluded = {row[participant_at] for row in rows if row[excluded_at]}
    included = [row for row in rows if not row[excluded_at]] if excluded else rows
    placed = _place_responses(included, column, timepoints)
    first, second = (placed.has_response(timepoint) for timepoint in timepoints)
    attrition = Attrition(
        both=int(np.count_nonzero(first & second)),
        first_only=int(np.count_nonzero(first & ~second)),
        second_only=int(np.count_nonzero(second & ~first)),
        excluded=len(excluded),
    )
    cases = []
    if attributes:
        # In Case's field order, from each case's first row.
        case_fields = itemgetter(*(column[name] for name in CASE_COLUMNS))
        cases = [Case(*case_fields(included[position])) for position in placed.first_rows]
    stored_scores = itemgetter(column["score_codes"], column["score_numbers"])
    score_arrays = _fill_scores(placed, [stored_scores(row) for row in included], cases)
    dataset = Dataset(
        filters,
        instrument,
        scales,
        items,
        cases,
        attrition,
        case_count=placed.count,
        score_arrays=score_arrays,
    )
    if with_values:
        stored_items = itemgetter(column["item_codes"], column["item_numbers"])
        dataset.answer_matrices = {
            timepoint: _answer_matrix(items, [stored_items(included[p]) for p in placed.answering(timepoint)])
            for timepoint in timepoints
        }
    return dataset


@dataclass(frozen=True)
class _Placement:
    """Where each response of the scope goes: its case's row (cases in cohort and study code
    order) and whether it is its case's response at its timepoint (of two, the later row)."""

    count: int  # cases
    first_rows: list[int]  # per case, in case order: the position of its first response
    case_rows: np.ndarray  # per response
    timepoints: np.ndarray  # per response (object)
    latest: np.ndarray  # per response (bool): the one its case's scores at that timepoint come from

    def has_response(self, timepoint: str) -> np.ndarray:
        """Per case: whether it has a response at this timepoint."""
        found = np.zeros(self.count, dtype=bool)
        found[self.case_rows[self.latest & (self.timepoints == timepoint)]] = True
        return found

    def answering(self, timepoint: str) -> list[int]:
        """The positions of the cases' responses at this timepoint, in case order."""
        chosen = np.flatnonzero(self.latest & (self.timepoints == timepoint))
        return chosen[np.argsort(self.case_rows[chosen], kind="stable")].tolist()


def _place_responses(rows, column: dict[str, int], timepoints: tuple[str, str]) -> _Placement:
    """Number the cases (person and cohort) of these rows, the excluded people's already dropped,
    and place each row."""
    participant_at, cohort_at = column["participant_id"], column["cohort_id"]
    code_at, timepoint_at = column["study_code"], column["timepoint"]
    number_of: dict[tuple[int, int], int] = {}  # (person, cohort) -> case number, as first met
    first_rows: list[int] = []
    numbers = []
    for position, row in enumerate(rows):
        key = (row[participant_at], row[cohort_at])
        number = number_of.get(key)
        if number is None:
            number = number_of[key] = len(first_rows)
            first_rows.append(position)
        numbers.append(number)
    # Cases in cohort and study code order (as met, where equal).
    order = sorted(
        range(len(first_rows)), key=lambda n: (rows[first_rows[n]][cohort_at], rows[first_rows[n]][code_at])
    )
    row_of_number = np.empty(len(order), dtype=np.intp)
    row_of_number[order] = np.arange(len(order))
    case_rows = row_of_number[np.asarray(numbers, dtype=np.intp)]
    labels = [row[timepoint_at] for row in rows]
    slot_of = {timepoint: number for number, timepoint in enumerate(dict.fromkeys(timepoints))}
    slots = case_rows * len(slot_of) + np.fromiter(map(slot_of.__getitem__, labels), np.intp, len(labels))
    # Of two responses of a case at one timepoint, the later row is the case's: the largest
    # position per (case, timepoint) slot.
    positions = np.arange(len(rows), dtype=np.intp)
    latest = np.full(len(order) * len(slot_of), -1, dtype=np.intp)
    np.maximum.at(latest, slots, positions)
    is_latest = latest[slots] == positions
    return _Placement(
        len(order), [first_rows[n] for n in order], case_rows, np.array(labels, dtype=object), is_latest
    )


def _fill_scores(placed: _Placement, stored: list[tuple[str | None, bytes | None]], cases: list[Case]):
    """Decode the stored scores (per response: codes, packed numbers) into one array per
    (timepoint, scale) in case order, NaN where a case has no score; and, when the cases are
    built, into each case's `scores` (None: a score not computed)."""
    case_rows, labels = placed.case_rows.tolist(), placed.timepoints.tolist()
    if cases:
        for position in np.flatnonzero(placed.latest).tolist():
            cases[case_rows[position]].scores[labels[position]] = {}
    arrays: dict[tuple[str, str], np.ndarray] = {}
    for names, positions, parsed in _decode_blocks(stored):
        chosen = placed.latest[positions]
        positions, parsed = np.asarray(positions, dtype=np.intp)[chosen], parsed[chosen]
        if cases:
            with_none = parsed.astype(object)
            with_none[np.isnan(parsed)] = None
            for position, scores in zip(positions.tolist(), with_none.tolist(), strict=True):
                cases[case_rows[position]].scores[labels[position]].update(zip(names, scores, strict=True))
        rows, timepoints = placed.case_rows[positions], placed.timepoints[positions]
        for timepoint in set(timepoints.tolist()):
            at = timepoints == timepoint
            for number, name in enumerate(names):
                array = arrays.get((timepoint, name))
                if array is None:
                    array = arrays[(timepoint, name)] = np.full(placed.count, np.nan)
                array[rows[at]] = parsed[at, number]
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


def _answer_matrix(items: list[ItemInfo], stored: list[tuple[str | None, bytes | None]]) -> np.ndarray:
    """The item values of these responses (rows, in the order given) as a matrix: reverse items
    flipped, NaN = missing.

    Each response's stored (item codes, item values) are decoded in blocks (_decode_blocks) whose
    columns go to the places of the analysed items' codes. A response without stored values, or
    an item its version lacks, gives NaN.
    """
    column_of = {item.code: number for number, item in enumerate(items)}
    reverse = np.array(
        [item.is_reverse and item.minimum is not None and item.maximum is not None for item in items]
    )
    bounds = np.array([(item.minimum or 0) + (item.maximum or 0) for item in items], dtype=float)
    matrix = np.full((len(stored), len(items)), np.nan)
    for version_codes, rows, numbers in _decode_blocks(stored):
        wanted = [(column_of[code], place) for place, code in enumerate(version_codes) if code in column_of]
        if wanted:
            targets, sources = zip(*wanted, strict=True)
            matrix[np.ix_(rows, targets)] = numbers[:, sources]
    if reverse.any():
        matrix[:, reverse] = bounds[reverse] - matrix[:, reverse]
    return matrix
