"""The evaluation figures that pages and the report reuse between requests (programme.core.cache).

A cached entry holds only aggregates, charts and pseudonymised values, never names; its key holds
the filters, the small-group rule in force for the viewer's role, the language and the chosen
scale, so a figure made for one scope is never shown for another. Any change to a table the
analysis reads (responses, scores, answers, people, consent, cohorts, attendance...) makes every
entry unreachable: the next request computes afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import to_user_timezone

from programme.attendance.models import AttendanceMark
from programme.core.cache import cached, watch
from programme.curriculum.models import CurriculumVersion
from programme.evaluation import analysis, survey
from programme.evaluation.analysis import ScaleComparison, SmallCells
from programme.evaluation.dataset import Attrition, ScaleInfo, build_dataset
from programme.evaluation.figures import comparison_charts
from programme.evaluation.scope import Filters
from programme.facilities.models import Facility
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import (
    Administration,
    Answer,
    Instrument,
    InstrumentItem,
    Response,
    ResponseScore,
    ResponseValues,
    Subscale,
)
from programme.scheduling.models import Cohort, ProgrammeSession

# Every table scoped_responses() and build_dataset() read.
ANALYSIS_TABLES = (
    Response,
    ResponseScore,
    ResponseValues,
    Answer,
    Administration,
    Instrument,
    InstrumentItem,
    Subscale,
    Participant,
    Consent,
    Enrolment,
    Cohort,
    Facility,
    CurriculumVersion,
    ProgrammeSession,
    AttendanceMark,
)
watch(*ANALYSIS_TABLES)


@dataclass(frozen=True)
class InstrumentSummary:
    code: str
    texts: dict


@dataclass(frozen=True)
class DatasetSummary:
    """What the comparison page shows of the dataset (no per-person rows)."""

    instrument: InstrumentSummary | None
    first: str
    second: str
    scales: list[ScaleInfo]
    attrition: Attrition


@dataclass(frozen=True)
class ComparisonFigures:
    dataset: DatasetSummary
    comparisons: list[ScaleComparison]
    charted: ScaleComparison | None
    charts: dict


def scope_key(filters: Filters, small_cells: SmallCells) -> dict:
    return {
        "filters": filters.as_args(),
        "small_cells": [small_cells.minimum, small_cells.active],
    }


def comparison_figures(
    filters: Filters, scale_code: str | None, locale: str, small_cells: SmallCells
) -> ComparisonFigures:
    key = {"figure": "evaluation.comparison", "scale": scale_code, "locale": locale}
    key.update(scope_key(filters, small_cells))
    return cached(
        key,
        lambda: _comparison_figures(filters, scale_code, locale, small_cells),
        depends_on=ANALYSIS_TABLES,
    )


def _comparison_figures(
    filters: Filters, scale_code: str | None, locale: str, small_cells: SmallCells
) -> ComparisonFigures:
    dataset = build_dataset(filters, attendance=False, attributes=False)  # scores and answers only
    comparisons = analysis.compare(dataset)
    chosen = analysis.find_scale(dataset, scale_code)
    charted = next((c for c in comparisons if chosen and c.scale.code == chosen.code), None)
    charts = comparison_charts(charted, dataset.first, dataset.second, locale, small_cells) if charted else {}
    instrument = (
        InstrumentSummary(dataset.instrument.code, dict(dataset.instrument.texts or {}))
        if dataset.instrument
        else None
    )
    summary = DatasetSummary(instrument, dataset.first, dataset.second, dataset.scales, dataset.attrition)
    return ComparisonFigures(summary, comparisons, charted, charts)


def survey_tables(
    filters: Filters, timepoint: str, breakdown: str | None, locale: str, small_cells: SmallCells
) -> list[survey.SurveyTable]:
    """The categorical survey's counts (a scan of every text answer in scope), reused until a change."""
    key = {"figure": "evaluation.surveys", "timepoint": timepoint, "breakdown": breakdown, "locale": locale}
    key.update(scope_key(filters, small_cells))
    return cached(
        key,
        lambda: survey.survey_tables(filters, timepoint, breakdown, locale, small_cells),
        depends_on=ANALYSIS_TABLES,
    )


def report_pdf(filters: Filters, language: str, small_cells: SmallCells, build) -> bytes:
    """The report's bytes; the key holds the day, since the report prints its date."""
    key = {"figure": "evaluation.report", "language": language, "day": _local_day()}
    key.update(scope_key(filters, small_cells))
    return cached(key, lambda: build(filters, language, small_cells), depends_on=ANALYSIS_TABLES)


def _local_day() -> str:
    return to_user_timezone(datetime.now(UTC)).date().isoformat()
