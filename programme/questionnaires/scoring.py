"""Scoring as a pure function: items, rules and answers in, subscale and total scores out.

Reverse-scored items are turned round first (x' = min + max - x). A subscale's score is the mean
of its answered items (or their sum) when the share of items answered reaches the rule's
threshold; below it the score is missing (None). A prorated sum is the mean times the number of
items, so a person who skipped an item is not scored lower for it. TOTAL covers every scored item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TOTAL_CODE = "TOTAL"
# Shares are compared with a little tolerance: 4 of 5 answered is 0.8 even in floating point.
_EPSILON = 1e-9


@dataclass(frozen=True)
class ScoredItem:
    code: str
    subscale_code: str | None
    is_reverse: bool
    min_value: float
    max_value: float


@dataclass(frozen=True)
class ScoringRule:
    code: str
    method: str = "mean"  # mean or sum
    min_answered_share: float = 0.8
    prorate: bool = False


@dataclass(frozen=True)
class Score:
    code: str
    score: float | None
    answered_count: int
    item_count: int


def item_value(item: ScoredItem, raw: float) -> float:
    """The value that counts: reverse-scored items are turned round on their own range."""
    if item.is_reverse:
        return item.min_value + item.max_value - raw
    return raw


def score_one(rule: ScoringRule, items: list[ScoredItem], answers: Mapping[str, float | None]) -> Score:
    values = [item_value(item, answers[item.code]) for item in items if answers.get(item.code) is not None]
    item_count = len(items)
    answered = len(values)
    if item_count == 0 or answered == 0 or answered / item_count + _EPSILON < rule.min_answered_share:
        return Score(rule.code, None, answered, item_count)
    mean = sum(values) / answered
    if rule.method == "sum":
        score = mean * item_count if rule.prorate else float(sum(values))
    else:
        score = mean
    return Score(rule.code, round(score, 6), answered, item_count)


def compute_scores(
    items: Iterable[ScoredItem], rules: Iterable[ScoringRule], answers: Mapping[str, float | None]
) -> list[Score]:
    """One Score per rule; the rule coded TOTAL takes every scored item, the others their own."""
    items = list(items)
    scores = []
    for rule in rules:
        if rule.code == TOTAL_CODE:
            members = items
        else:
            members = [item for item in items if item.subscale_code == rule.code]
        scores.append(score_one(rule, members, answers))
    return scores
