"""Evaluation pages for evaluators and admins: comparison, dose, groups, surveys, exports, report."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, render_template, request, send_file
from flask_babel import get_locale
from flask_login import current_user

from programme.config import LANGUAGES
from programme.core.forms import apply_problems
from programme.core.pages import render_cached_page
from programme.core.permissions import ADMIN, EVALUATOR, requires
from programme.core.services import ValidationFailed
from programme.evaluation import analysis, formatting, services
from programme.evaluation.cached import comparison_figures, survey_tables
from programme.evaluation.dataset import build_dataset
from programme.evaluation.figures import dose_chart, forest_chart, scale_label
from programme.evaluation.forms import ExportForm, FilterForm, timepoint_label
from programme.evaluation.survey import BREAKDOWNS
from programme.evaluation.text import filter_summary

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


@bp.app_template_filter("ev_number")
def _number(value, digits: int = 2) -> str:
    return formatting.number(value, digits)


@bp.app_template_filter("ev_p")
def _p(value) -> str:
    return formatting.p_value(value)


@bp.app_template_filter("ev_ci")
def _ci(value, digits: int = 2) -> str:
    return formatting.interval(value, digits)


def _context(kind: str = "scored", shown: bool = True) -> dict:
    form = FilterForm(formdata=request.args, kind=kind, shown=shown)
    filters = form.filters()
    locale = str(get_locale() or "ru")
    small_cells = analysis.small_cells_for(current_user)
    return {
        "form": form,
        "filters": filters,
        "locale": locale,
        "small_cells": small_cells,
        "query": filters.as_args(),
        "summary": filter_summary(filters, locale),
        "reason_text": analysis.reason_text,
        "scale_label": scale_label,
        "timepoint_label": timepoint_label,
        "hidden_mark": formatting.suppressed_mark(small_cells.minimum),
        "languages": LANGUAGES,
    }


@bp.route("")
@requires(ADMIN, EVALUATOR)
def show_comparison():
    context = _context()
    figures = comparison_figures(
        context["filters"], request.args.get("scale"), context["locale"], context["small_cells"]
    )
    return render_template(
        "evaluation/show_comparison.html",
        dataset=figures.dataset,
        comparisons=figures.comparisons,
        charted=figures.charted,
        charts=figures.charts,
        **context,
    )


@bp.route("/dose")
@requires(ADMIN, EVALUATOR)
def show_dose():
    context = _context()
    dataset = build_dataset(context["filters"], answers=False)
    result = analysis.dose(dataset, request.args.get("scale"))
    chart = dose_chart(result, context["locale"], context["small_cells"])
    return render_template("evaluation/show_dose.html", dataset=dataset, dose=result, chart=chart, **context)


@bp.route("/groups")
@requires(ADMIN, EVALUATOR)
def show_groups():
    context = _context()
    by = request.args.get("by") if request.args.get("by") in analysis.GROUPINGS else "facility"
    dataset = build_dataset(context["filters"], answers=False, attendance=False)
    scale, found = analysis.groups(dataset, request.args.get("scale"), by)
    chart = forest_chart(found, scale, context["locale"], context["small_cells"])
    return render_template(
        "evaluation/show_groups.html",
        dataset=dataset,
        scale=scale,
        groups=found,
        by=by,
        groupings=analysis.GROUPINGS,
        chart=chart,
        **context,
    )


@bp.route("/surveys")
@requires(ADMIN, EVALUATOR)
def show_surveys():
    return render_cached_page("evaluation/show_surveys.html", _surveys)


def _surveys() -> dict:
    context = _context(kind="categorical")
    breakdown = request.args.get("breakdown") if request.args.get("breakdown") in BREAKDOWNS else None
    tables = survey_tables(
        context["filters"],
        context["filters"].timepoint_from,
        breakdown,
        context["locale"],
        context["small_cells"],
    )
    return {"tables": tables, "breakdown": breakdown, "breakdowns": BREAKDOWNS, **context}


@bp.route("/report")
@requires(ADMIN, EVALUATOR)
def download_report():
    context = _context(shown=False)
    language = request.args.get("report_language")
    language = language if language in LANGUAGES else context["locale"]
    download = services.evaluation_report(context["filters"], language, context["small_cells"])
    return _send(download)


@bp.route("/exports", methods=["GET", "POST"])
@requires(ADMIN, EVALUATOR)
def export_dataset():
    context = _context()
    export_form = ExportForm()
    if export_form.validate_on_submit():
        try:
            download = services.export_dataset(
                context["filters"],
                export_form.file_format.data,
                export_form.purpose.data,
                context["small_cells"],
                context["locale"],
            )
        except ValidationFailed as failure:
            apply_problems(export_form, failure)
        else:
            return _send(download)
    dataset = build_dataset(context["filters"], answers=False, attendance=False)  # a head count
    return render_template(
        "evaluation/export_dataset.html", export_form=export_form, dataset=dataset, **context
    )


def _send(download: services.Download):
    return send_file(
        BytesIO(download.content),
        mimetype=download.mimetype,
        as_attachment=True,
        download_name=download.filename,
    )
