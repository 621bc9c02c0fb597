"""Stored scores: computed by the pure scoring function, kept in ResponseScore with the rule
version they used, and recomputed for a whole instrument when a scoring rule is corrected.
Beside them, ResponseValues keeps each complete response's scored answers and scores in one row
(what the evaluation reads for the whole country); both are written and deleted together.

Interface for other domains: `score_response(response)` and `recompute_scores(instrument)`;
scores are read from ResponseScore (per scale, with counts) or, in bulk, from ResponseValues.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, insert, select

from programme.core.services import unit_of_work
from programme.extensions import db
from programme.questionnaires.models import (
    Administration,
    Answer,
    Instrument,
    Response,
    ResponseScore,
    ResponseValues,
)
from programme.questionnaires.scoring import Score, ScoredItem, ScoringRule, compute_scores


def scored_items(instrument: Instrument) -> list[ScoredItem]:
    return [
        ScoredItem(
            item.code,
            item.subscale_code,
            item.is_reverse,
            item.min_value if item.min_value is not None else 0.0,
            item.max_value if item.max_value is not None else 0.0,
        )
        for item in instrument.items
        if item.subscale_code and item.item_type in ("likert", "number")
    ]


def scoring_rules(instrument: Instrument) -> list[ScoringRule]:
    return [
        ScoringRule(rule.code, rule.method, rule.min_answered_share, rule.prorate)
        for rule in instrument.subscales
    ]


def scores_for(instrument: Instrument, numbers_by_item_id: dict[int, float | None]) -> list[Score]:
    codes = {item.id: item.code for item in instrument.items}
    answers = {codes[item_id]: value for item_id, value in numbers_by_item_id.items() if item_id in codes}
    return compute_scores(scored_items(instrument), scoring_rules(instrument), answers)


def _stored_rows(
    response_id: int, instrument: Instrument, scored: list[tuple[int, str]], numbers: dict[int, float | None]
) -> tuple[list[dict], dict]:
    """The response's ResponseScore rows and its ResponseValues row, from one computation."""
    scores = scores_for(instrument, numbers)
    score_rows = [
        {
            "response_id": response_id,
            "subscale_code": score.code,
            "score": score.score,
            "answered_count": score.answered_count,
            "item_count": score.item_count,
            "scoring_version": instrument.scoring_version,
        }
        for score in scores
    ]
    values = {code: numbers.get(item_id) for item_id, code in scored}
    values_row = {
        "response_id": response_id,
        **ResponseValues.encode(values, {score.code: score.score for score in scores}),
    }
    return score_rows, values_row


def _scored_item_ids(instrument: Instrument) -> list[tuple[int, str]]:
    codes = {item.code for item in scored_items(instrument)}
    return [(item.id, item.code) for item in instrument.items if item.code in codes]


def _first_entry_numbers(response_ids: list[int]) -> dict[int, dict[int, float | None]]:
    numbers: dict[int, dict[int, float | None]] = defaultdict(dict)
    rows = db.session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value_number).where(
            Answer.response_id.in_(response_ids), Answer.entry == 1
        )
    )
    for response_id, item_id, value in rows:
        numbers[response_id][item_id] = value
    return numbers


def store_scores(response: Response) -> None:
    """Write the scores of one response inside the caller's transaction (no commit)."""
    db.session.flush()
    instrument = response.administration.instrument
    numbers = _first_entry_numbers([response.id]).get(response.id, {})
    db.session.execute(delete(ResponseScore).where(ResponseScore.response_id == response.id))
    db.session.execute(delete(ResponseValues).where(ResponseValues.response_id == response.id))
    if response.status == "complete":
        score_rows, values_row = _stored_rows(response.id, instrument, _scored_item_ids(instrument), numbers)
        if score_rows:
            db.session.execute(insert(ResponseScore), score_rows)
        db.session.execute(insert(ResponseValues), [values_row])
    db.session.expire(response, ["scores"])


def score_response(response: Response) -> list[ResponseScore]:
    """(Re)compute and store the scores of one response; incomplete responses have none."""
    with unit_of_work():
        store_scores(response)
    return list(response.scores)


def recompute_scores(instrument: Instrument) -> int:
    """Recompute every complete response of this instrument under its current rules."""
    response_ids = list(
        db.session.execute(
            select(Response.id)
            .join(Administration, Response.administration_id == Administration.id)
            .where(Administration.instrument_id == instrument.id, Response.status == "complete")
        ).scalars()
    )
    numbers = _first_entry_numbers(response_ids)
    scored = _scored_item_ids(instrument)
    stored = [_stored_rows(rid, instrument, scored, numbers.get(rid, {})) for rid in response_ids]
    rows = [row for score_rows, _values in stored for row in score_rows]
    values = [values_row for _rows, values_row in stored]
    with unit_of_work():
        if response_ids:
            db.session.execute(delete(ResponseScore).where(ResponseScore.response_id.in_(response_ids)))
            db.session.execute(delete(ResponseValues).where(ResponseValues.response_id.in_(response_ids)))
        if rows:
            db.session.execute(insert(ResponseScore), rows)
        if values:
            db.session.execute(insert(ResponseValues), values)
    return len(response_ids)
