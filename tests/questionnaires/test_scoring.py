"""Scoring as a pure function: reverse items, the answered-share threshold, prorating, TOTAL."""

from __future__ import annotations

import pytest

from programme.questionnaires.scoring import ScoredItem, ScoringRule, compute_scores, item_value, score_one


def likert(code, subscale="A", reverse=False, low=1, high=5):
    return ScoredItem(code, subscale, reverse, low, high)


def test_reverse_scored_item_is_turned_round_on_its_range():
    assert item_value(likert("X", reverse=True), 1) == 5
    assert item_value(likert("X", reverse=True), 4) == 2
    assert item_value(likert("X", reverse=True, low=1, high=7), 2) == 6
    assert item_value(likert("X", reverse=True, low=0, high=4), 0) == 4
    assert item_value(likert("X"), 4) == 4


def test_subscale_mean_uses_reversed_values():
    items = [likert("A1"), likert("A2", reverse=True), likert("A3")]
    score = score_one(ScoringRule("A"), items, {"A1": 4, "A2": 2, "A3": 5})
    assert score.score == pytest.approx((4 + 4 + 5) / 3)
    assert (score.answered_count, score.item_count) == (3, 3)


def test_share_answered_exactly_at_the_threshold_is_scored():
    items = [likert(f"A{i}") for i in range(1, 6)]
    answers = {"A1": 2, "A2": 3, "A3": 4, "A4": 5, "A5": None}  # 4 of 5 = 0.8
    score = score_one(ScoringRule("A", min_answered_share=0.8), items, answers)
    assert score.score == pytest.approx(3.5)
    assert score.answered_count == 4


def test_share_answered_below_the_threshold_is_missing():
    items = [likert(f"A{i}") for i in range(1, 6)]
    answers = {"A1": 2, "A2": 3, "A3": 4, "A4": None, "A5": None}  # 3 of 5 = 0.6
    score = score_one(ScoringRule("A", min_answered_share=0.8), items, answers)
    assert score.score is None
    assert (score.answered_count, score.item_count) == (3, 5)


def test_a_lower_threshold_scores_the_same_answers():
    items = [likert(f"A{i}") for i in range(1, 6)]
    answers = {"A1": 2, "A2": 3, "A3": 4}
    assert score_one(ScoringRule("A", min_answered_share=0.6), items, answers).score == pytest.approx(3.0)


def test_prorated_sum_is_the_mean_times_the_number_of_items():
    items = [likert(f"A{i}") for i in range(1, 6)]
    answers = {"A1": 2, "A2": 3, "A3": 4, "A4": 5}
    prorated = score_one(ScoringRule("A", "sum", 0.8, prorate=True), items, answers)
    plain = score_one(ScoringRule("A", "sum", 0.8, prorate=False), items, answers)
    assert prorated.score == pytest.approx(3.5 * 5)
    assert plain.score == pytest.approx(14)


def test_prorated_sum_of_a_complete_response_is_its_sum():
    items = [likert(f"A{i}") for i in range(1, 4)]
    score = score_one(ScoringRule("A", "sum", 0.8, prorate=True), items, {"A1": 1, "A2": 2, "A3": 5})
    assert score.score == pytest.approx(8)


def test_total_covers_every_scored_item_and_subscales_their_own():
    items = [likert("A1", "A"), likert("A2", "A"), likert("B1", "B", reverse=True), likert("B2", "B")]
    rules = [ScoringRule("A"), ScoringRule("B"), ScoringRule("TOTAL", "sum")]
    scores = {s.code: s for s in compute_scores(items, rules, {"A1": 1, "A2": 3, "B1": 1, "B2": 3})}
    assert scores["A"].score == pytest.approx(2)
    assert scores["B"].score == pytest.approx(4)
    assert scores["TOTAL"].score == pytest.approx(1 + 3 + 5 + 3)
    assert scores["TOTAL"].item_count == 4


def test_nothing_answered_gives_no_score_even_with_a_zero_threshold():
    score = score_one(ScoringRule("A", min_answered_share=0), [likert("A1")], {})
    assert score.score is None
