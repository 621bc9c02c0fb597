"""Pre/post change of the questionnaire TOTAL score and the reliable change category.

Reliable change index (Jacobson & Truax 1991): RCI = (post - pre) / (sqrt(2) * SD_pre *
sqrt(1 - r_xx)), with r_xx the instrument's Cronbach's alpha at pre (complete cases, reverse
items recoded) and SD_pre the SD of the pre scores. |RCI| > 1.96 is a reliable change. Whether a
higher score is better depends on the instrument, so the categories say increase / decrease.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import stdev

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from programme.extensions import db
from programme.questionnaires.models import (
    TOTAL_CODE,
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
)

RCI_THRESHOLD = 1.96


@dataclass
class ChangeInfo:
    instrument_code: str | None = None
    pairs: int = 0
    reliability: float | None = None
    sd_pre: float | None = None
    changes: dict[int, float] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)
    problem: str | None = None  # why the reliable change categories could not be computed


def cronbach_alpha(answers: list[tuple[int, int, float]], items: dict[int, InstrumentItem]) -> float | None:
    """alpha = k/(k-1) * (1 - sum var(item) / var(total)) on complete cases; None if undefined."""
    by_response: dict[int, dict[int, float]] = defaultdict(dict)
    for response_id, item_id, value in answers:
        item = items.get(item_id)
        if item is None:
            continue
        if item.is_reverse and item.min_value is not None and item.max_value is not None:
            value = item.min_value + item.max_value - value
        by_response[response_id][item_id] = value
    item_ids = sorted(items)
    complete = [
        [values[i] for i in item_ids] for values in by_response.values() if len(values) == len(item_ids)
    ]
    return _alpha_of_complete(complete, len(item_ids))


def _alpha_of_complete(complete: list[list[float]], k: int) -> float | None:
    if k < 2 or len(complete) < 3:
        return None
    columns = list(zip(*complete, strict=True))
    total_variance = _variance([sum(row) for row in complete])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - sum(_variance(list(column)) for column in columns) / total_variance)


def _variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((value - mean) ** 2 for value in values) / (len(values) - 1)


def pre_post_change(participant_ids: list[int] | Select) -> ChangeInfo:
    """`participant_ids`: a list of ids, or a SELECT of them (never empty: check before)."""
    if isinstance(participant_ids, list) and not participant_ids:
        return ChangeInfo(problem=_("No programme participants in this selection."))
    scores = db.session.execute(
        select(
            Response.participant_id,
            Administration.instrument_id,
            Administration.timepoint,
            ResponseScore.score,
        )
        .join(Administration, Administration.id == Response.administration_id)
        .join(ResponseScore, ResponseScore.response_id == Response.id)
        .where(
            Response.participant_id.in_(participant_ids),
            Response.status == "complete",
            Administration.timepoint.in_(("pre", "post")),
            ResponseScore.subscale_code == TOTAL_CODE,
            ResponseScore.score.is_not(None),
        )
        .order_by(Response.id)
    ).all()
    by_instrument: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: {"pre": {}, "post": {}})
    for person_id, instrument_id, timepoint, score in scores:
        by_instrument[instrument_id][timepoint][person_id] = score

    def pair_count(instrument_id: int) -> int:
        values = by_instrument[instrument_id]
        return len(values["pre"].keys() & values["post"].keys())

    best = max(by_instrument, key=pair_count, default=None)
    if best is None or pair_count(best) == 0:
        return ChangeInfo(problem=_("No participant here has both a pre and a post total score."))
    pre, post = by_instrument[best]["pre"], by_instrument[best]["post"]
    info = ChangeInfo(
        instrument_code=db.session.get(Instrument, best).code,
        pairs=pair_count(best),
        changes={pid: post[pid] - pre[pid] for pid in pre.keys() & post.keys()},
    )
    info.reliability = _instrument_alpha(best)
    pre_scores = list(pre.values())
    info.sd_pre = stdev(pre_scores) if len(pre_scores) >= 2 else None
    if info.reliability is None:
        info.problem = _("The instrument's reliability (alpha at pre) cannot be computed from the answers.")
    elif info.reliability >= 1 or info.reliability <= 0:
        info.problem = _(
            "The instrument's alpha at pre (%(alpha).2f) does not allow a reliable change index.",
            alpha=info.reliability,
        )
    elif not info.sd_pre:
        info.problem = _("Fewer than two pre scores, or no spread in them: no reliable change index.")
    else:
        s_diff = math.sqrt(2) * info.sd_pre * math.sqrt(1 - info.reliability)
        for person_id, difference in info.changes.items():
            rci = difference / s_diff
            info.categories[person_id] = (
                "reliable_increase"
                if rci > RCI_THRESHOLD
                else "reliable_decrease"
                if rci < -RCI_THRESHOLD
                else "no_reliable_change"
            )
    return info


def _instrument_alpha(instrument_id: int) -> float | None:
    items = {
        item.id: item
        for item in db.session.execute(
            select(InstrumentItem).where(
                InstrumentItem.instrument_id == instrument_id, InstrumentItem.item_type == "likert"
            )
        ).scalars()
    }
    # One row per response, one column per item (ids in order): ~20 times fewer rows than
    # answers. The arithmetic is cronbach_alpha's, on the same complete cases.
    item_ids = sorted(items)
    rows = db.session.execute(
        select(
            Answer.response_id,
            *[func.max(case((Answer.item_id == item_id, Answer.value_number))) for item_id in item_ids],
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Administration, Administration.id == Response.administration_id)
        .where(
            Administration.instrument_id == instrument_id,
            Administration.timepoint == "pre",
            Response.status == "complete",
            Answer.entry == 1,
            Answer.value_number.is_not(None),
            Answer.item_id.in_(item_ids),
        )
        .group_by(Answer.response_id)
        .order_by(Answer.response_id)
    ).all()
    keyed = [
        item.min_value + item.max_value
        if item.is_reverse and item.min_value is not None and item.max_value is not None
        else None
        for item in (items[item_id] for item_id in item_ids)
    ]
    complete = [
        [value if bound is None else bound - value for value, bound in zip(row[1:], keyed, strict=True)]
        for row in rows
        if None not in row[1:]
    ]
    return _alpha_of_complete(complete, len(item_ids))
