"""Stored scores: computed by the pure scoring function, kept in ResponseScore with the rule
version they used, and recomputed for a whole instrument when a scoring rule is corrected.
Beside them, ResponseItemValues keeps each complete response's scored answers in one row (for
the evaluation's reliability figures); both are written and deleted together.

Interface for other domains (evaluation): `score_response(response)` and
`recompute_scores(instrument)`; scores are read from ResponseScore.
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
    ResponseItemValues,
    ResponseScore,
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


def _score_rows(response_id: int, instrument: Instrument, numbers: dict[int, float | None]) -> list[dict]:
    return [
        {
            "response_id": response_id,
            "subscale_code": score.code,
            "score": score.score,
            "answered_count": score.answered_count,
            "item_count": score.item_count,
            "scoring_version": instrument.scoring_version,
        }
        for score in scores_for(instrument, numbers)
    ]


def _scored_item_ids(instrument: Instrument) -> list[tuple[int, str]]:
    codes = {item.code for item in scored_items(instrument)}
    return [(item.id, item.code) for item in instrument.items if item.code in codes]


def _item_values_row(
    response_id: int, scored: list[tuple[int, str]], numbers: dict[int, float | None]
) -> dict:
    """The response's scored items by code (None when unanswered), as the evaluation reads them."""
    values = {code: numbers.get(item_id) for item_id, code in scored}
    return {"response_id": response_id, **ResponseItemValues.encode(values)}


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
    db.session.execute(delete(ResponseItemValues).where(ResponseItemValues.response_id == response.id))
    if response.status == "complete":
        rows = _score_rows(response.id, instrument, numbers)
        if rows:
            db.session.execute(insert(ResponseScore), rows)
        db.session.execute(
            insert(ResponseItemValues), [_item_values_row(response.id, _scored_item_ids(instrument), numbers)]
        )
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
    rows = [row for rid in response_ids for row in _score_rows(rid, instrument, numbers.get(rid, {}))]
    scored = _scored_item_ids(instrument)
    values = [_item_values_row(rid, scored, numbers.get(rid, {})) for rid in response_ids]
    with unit_of_work():
        if response_ids:
            db.session.execute(delete(ResponseScore).where(ResponseScore.response_id.in_(response_ids)))
            db.session.execute(
                delete(ResponseItemValues).where(ResponseItemValues.response_id.in_(response_ids))
            )
        if rows:
            db.session.execute(insert(ResponseScore), rows)
        if values:
            db.session.execute(insert(ResponseItemValues), values)
    return len(response_ids)
