"""The evaluation figures as computed before the national-scale optimisation (issue 11).

Kept as the reference the optimised code must match exactly: the dataset pivoted in Python from
one row per score and per answer, pairs and alpha assembled value by value. Slow on purpose.
"""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import select

from programme.evaluation import stats
from programme.evaluation.dataset import describe_instrument, latest_instrument
from programme.evaluation.scope import Filters, scoped_responses
from programme.extensions import db
from programme.questionnaires.models import Answer, InstrumentItem, ResponseScore


def _finite(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def reference_cases(filters: Filters):
    """(scales, items, cases, attrition) with cases as dicts, the way build_dataset used to."""
    instrument = latest_instrument(filters.instrument)
    scales, items = describe_instrument(instrument)
    timepoints = (filters.timepoint_from, filters.timepoint_to)
    scope = scoped_responses(filters, instrument.code, timepoints).subquery("scope")
    rows = db.session.execute(select(scope)).mappings().all()
    scores, answers = {}, {}
    for response_id, code, score in db.session.execute(
        select(ResponseScore.response_id, ResponseScore.subscale_code, ResponseScore.score).join(
            scope, scope.c.response_id == ResponseScore.response_id
        )
    ):
        scores.setdefault(response_id, {})[code] = score
    for response_id, code, value in db.session.execute(
        select(Answer.response_id, InstrumentItem.code, Answer.value_number)
        .join(scope, scope.c.response_id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Answer.entry == 1, InstrumentItem.item_type == "likert")
    ):
        answers.setdefault(response_id, {})[code] = value
    cases, excluded = {}, set()
    for row in rows:
        if row["is_excluded"]:
            excluded.add(row["participant_id"])
            continue
        case = cases.setdefault(
            (row["participant_id"], row["cohort_id"]),
            {"key": (row["cohort_id"], row["study_code"]), "scores": {}, "answers": {}},
        )
        case["scores"][row["timepoint"]] = scores.get(row["response_id"], {})
        case["answers"][row["timepoint"]] = answers.get(row["response_id"], {})
    ordered = sorted(cases.values(), key=lambda case: case["key"])
    first, second = timepoints
    attrition = (
        sum(1 for c in ordered if first in c["scores"] and second in c["scores"]),
        sum(1 for c in ordered if first in c["scores"] and second not in c["scores"]),
        sum(1 for c in ordered if second in c["scores"] and first not in c["scores"]),
        len(excluded),
    )
    return scales, items, ordered, attrition


def _pairs(pre, post):
    kept = [(a, b) for a, b in zip(map(_finite, pre), map(_finite, post), strict=True) if None not in (a, b)]
    if not kept:
        return [], []
    before, after = zip(*kept, strict=True)
    return list(before), list(after)


def _alpha(rows):
    table = [[_finite(value) for value in row] for row in rows]
    complete = [row for row in table if row and all(value is not None for value in row)]
    items = len(table[0]) if table else 0
    if not complete or items < 2 or len(complete) < stats.MIN_CASES_ALPHA:
        return None, len(complete)
    matrix = np.asarray(complete, dtype=float)
    total = float(matrix.sum(axis=1).var(ddof=1))
    if total == 0:
        return None, len(complete)
    return items / (items - 1) * (1 - float(matrix.var(axis=0, ddof=1).sum()) / total), len(complete)


def _item_rows(cases, items, timepoint, scale):
    by_code = {item.code: item for item in items}
    rows = []
    for case in cases:
        answers = case["answers"].get(timepoint)
        if answers is None:
            continue
        row = []
        for code in scale.items:
            value, item = answers.get(code), by_code[code]
            if (
                value is not None
                and item.is_reverse
                and item.minimum is not None
                and item.maximum is not None
            ):
                value = item.minimum + item.maximum - value
            row.append(value)
        rows.append(row)
    return rows


def _rci(pre, post, reliability):
    before, after = _pairs(pre, post)
    if len(before) < stats.MIN_PAIRS or reliability is None or not 0 < reliability < 1:
        return None
    sd_pre = float(np.asarray(before).std(ddof=1))
    s_diff = math.sqrt(2) * (sd_pre * math.sqrt(1 - reliability))
    indices = []
    for a, b in zip(pre, post, strict=True):
        a, b = _finite(a), _finite(b)
        indices.append(None if a is None or b is None else (b - a) / s_diff)
    values = [v for v in indices if v is not None]
    better = sum(1 for v in values if v > stats.RCI_THRESHOLD)
    worse = sum(1 for v in values if v < -stats.RCI_THRESHOLD)
    return tuple(indices), better, worse


def reference_figures(filters: Filters) -> dict:
    """Per scale: the paired comparison, both alphas and the RCI, from the reference pivot."""
    scales, items, cases, attrition = reference_cases(filters)
    first, second = filters.timepoint_from, filters.timepoint_to
    figures = {"attrition": attrition, "scales": {}}
    for scale in scales:
        pre = [c["scores"].get(first, {}).get(scale.code) for c in cases]
        post = [c["scores"].get(second, {}).get(scale.code) for c in cases]
        before, after = _pairs(pre, post)
        alpha_first = _alpha(_item_rows(cases, items, first, scale))
        figures["scales"][scale.code] = {
            "pre": pre,
            "post": post,
            "paired": stats.paired_comparison(before, after),
            "alpha_first": alpha_first,
            "alpha_second": _alpha(_item_rows(cases, items, second, scale)),
            "rci": _rci(pre, post, alpha_first[0]),
        }
    return figures
