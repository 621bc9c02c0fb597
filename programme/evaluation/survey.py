"""Tables for categorical surveys, laid out like the seed article's Table 1.

Rows are the items, columns the answers, cells the percentage of respondents who gave that answer
among those who answered the item (n), with one decimal; overall and by region, age band or
first/repeat conviction. Counted in SQL with one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select

from programme.evaluation.analysis import SmallCells, text_of
from programme.evaluation.dataset import latest_instrument
from programme.evaluation.scope import AGE_BANDS, CONVICTIONS, UNKNOWN, Filters, scoped_responses
from programme.extensions import db
from programme.facilities.regions import REGIONS
from programme.questionnaires.models import Answer, InstrumentItem

BREAKDOWNS = {
    "region": _l("Region"),
    "age_band": _l("Age band"),
    "conviction": _l("First or repeat conviction"),
}
OVERALL = "all"


@dataclass
class SurveyRow:
    item_code: str
    label: str
    n: int
    counts: dict[str, int]
    suppressed: bool = False

    def percent(self, value: str) -> float | None:
        if self.suppressed or not self.n:
            return None
        return 100.0 * self.counts.get(value, 0) / self.n

    def shown(self, value: str) -> str:
        percent = self.percent(value)
        return "" if percent is None else f"{percent:.1f}"


@dataclass
class SurveySection:
    title: str | None  # the group's question, e.g. "After release ... help you with the following?"
    choices: list[tuple[str, str]]  # (value, label)
    rows: list[SurveyRow] = field(default_factory=list)


@dataclass
class SurveyTable:
    key: str  # OVERALL or a breakdown value
    label: str
    respondents: int
    sections: list[SurveySection]
    suppressed: bool = False


def group_label(breakdown: str | None, value: str) -> str:
    if value == UNKNOWN:
        return str(_l("Not recorded"))
    if breakdown == "region":
        return str(REGIONS.get(value, value))
    if breakdown == "age_band":
        return str(AGE_BANDS[value][2]) if value in AGE_BANDS else value
    if breakdown == "conviction":
        return str(CONVICTIONS.get(value, value))
    return str(_l("All respondents"))


def survey_tables(
    filters: Filters, timepoint: str, breakdown: str | None, locale: str, small_cells: SmallCells
) -> list[SurveyTable]:
    instrument = latest_instrument(filters.instrument)
    if instrument is None:
        return []
    scope = scoped_responses(filters, instrument.code, (timepoint,), drop_excluded=True).subquery("scope")
    key = scope.c[breakdown] if breakdown in BREAKDOWNS else literal(OVERALL)
    counts = db.session.execute(
        select(key.label("key"), InstrumentItem.code, Answer.value_text, func.count().label("count"))
        .join(scope, scope.c.response_id == Answer.response_id)
        .join(InstrumentItem, InstrumentItem.id == Answer.item_id)
        .where(Answer.entry == 1, Answer.value_text.is_not(None), Answer.value_text != "")
        .group_by(key, InstrumentItem.code, Answer.value_text)
    ).all()
    respondents = dict(
        db.session.execute(
            select(key.label("key"), func.count(func.distinct(scope.c.response_id))).group_by(key)
        ).all()
    )
    by_key: dict[str, dict[str, dict[str, int]]] = {}
    for group, item_code, value, count in counts:
        by_key.setdefault(str(group), {}).setdefault(item_code, {})[value] = count

    choice_lists = {entry["name"]: entry["choices"] for entry in instrument.choice_lists or []}
    group_texts = {entry["code"]: entry.get("texts", {}) for entry in instrument.groups or []}
    items = [item for item in instrument.items if item.item_type == "single_choice"]

    tables = []
    for group in sorted(by_key, key=lambda g: (g == UNKNOWN, group_label(breakdown, g))):
        sections: list[SurveySection] = []
        signature = None
        for item in items:
            item_counts = by_key[group].get(item.code, {})
            here = (item.group_code, item.choice_list)
            if here != signature:
                signature = here
                choices = [
                    (str(choice["value"]), text_of(choice.get("texts"), locale, str(choice["value"])))
                    for choice in choice_lists.get(item.choice_list, [])
                ]
                title = text_of(group_texts.get(item.group_code), locale) if item.group_code else None
                sections.append(SurveySection(title, choices))
            n = sum(item_counts.values())
            sections[-1].rows.append(
                SurveyRow(
                    item.code, text_of(item.texts, locale, item.code), n, item_counts, small_cells.hides(n)
                )
            )
        total = respondents.get(group, 0)
        tables.append(
            SurveyTable(group, group_label(breakdown, group), total, sections, small_cells.hides(total))
        )
    return tables
