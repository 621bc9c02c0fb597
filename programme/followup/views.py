"""Follow-up pages: releases, checks and the worklist (officers, admins); comparison group;
reoffending measures, chart and export for evaluators (days from release only, no names)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from programme.audit.services import record
from programme.core.forms import apply_problems, choices
from programme.core.pages import render_cached_page
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, EVALUATOR, OFFICER, requires
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.facilities.models import Facility
from programme.facilities.regions import REGIONS
from programme.followup import comparison, export, services
from programme.followup.charts import survival_chart_png
from programme.followup.cox import COVARIATES
from programme.followup.dataset import FollowupFilters
from programme.followup.dates import AGE_BAND_LABELS
from programme.followup.forms import CheckForm, ComparisonPersonForm, ExportForm, ReleaseForm
from programme.followup.labels import (
    CONVICTION_LABELS,
    GROUP_LABELS,
    OFFENCE_LABELS,
    OUTCOME_LABELS,
    RC_LABELS,
    RELEASE_TYPE_LABELS,
    SOURCE_LABELS,
)
from programme.followup.measures import survival_summary
from programme.scheduling.services.cohorts import cohort_filter_options

bp = Blueprint("followup", __name__, url_prefix="/followup")
RECORDERS = (OFFICER, ADMIN)
ANALYSTS = (EVALUATOR, ADMIN)
LABELS = {
    "release_types": RELEASE_TYPE_LABELS,
    "sources": SOURCE_LABELS,
    "outcomes": OUTCOME_LABELS,
    "offences": OFFENCE_LABELS,
    "groups": GROUP_LABELS,
    "age_bands": AGE_BAND_LABELS,
    "convictions": CONVICTION_LABELS,
    "rc_labels": RC_LABELS,
    "regions": REGIONS,
    "cox_labels": COVARIATES,
}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# --- recording (officers of the facility, admins) ------------------------------------------------


@bp.route("/checks")
@requires(*RECORDERS)
def list_checks():
    today = services.user_today(current_user)
    page = paginate(services.worklist(current_user, today))
    return render_template("followup/list_checks.html", page=page, today=today, **LABELS)


@bp.route("/releases/due")
@requires(*RECORDERS)
def list_due_releases():
    today = services.user_today(current_user)
    page = paginate(services.due_for_release(current_user, today))
    return render_template("followup/list_due_releases.html", page=page, today=today)


@bp.route("/people/<int:person_id>")
@requires(*RECORDERS)
def show_person(person_id: int):
    person = services.get_person_or_404(current_user, person_id)
    with unit_of_work():
        record("read", "participant", person.id, purpose="follow-up record")
    response = render_template(
        "followup/show_person.html",
        person=person,
        release=services.release_of(person.id),
        checks=services.checks_of(person.id),
        matches=comparison.propose_matches(person) if not person.is_comparison else [],
        **LABELS,
    )
    return _no_store(Response(response))


@bp.route("/people/<int:person_id>/release", methods=["GET", "POST"])
@requires(*RECORDERS)
def record_release(person_id: int):
    person = services.get_person_or_404(current_user, person_id)
    release = services.release_of(person.id)
    form = ReleaseForm(obj=release)
    if form.validate_on_submit():
        values = {
            "released_on": form.released_on.data,
            "release_type": form.release_type.data,
            "probation_region": form.probation_region.data,
        }
        try:
            if release is None:
                services.record_release(person, values, current_user.id)
                flash(_("Release recorded; follow-up checks are scheduled."), "success")
            else:
                services.update_release(release, person, values, form.submitted_version())
                flash(_("Release corrected."), "success")
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return redirect(url_for("followup.show_person", person_id=person.id))
    return render_template("followup/record_release.html", form=form, person=person, release=release)


@bp.route("/checks/<int:check_id>", methods=["GET", "POST"])
@requires(*RECORDERS)
def record_check(check_id: int):
    check = services.get_check_or_404(current_user, check_id)
    person = check.participant
    form = CheckForm(obj=check)
    if request.method == "GET" and check.is_custodial is not None:
        form.is_custodial.data = "yes" if check.is_custodial else "no"
    if form.validate_on_submit():
        try:
            withdrawn = services.record_check(check, form.values(), current_user.id, form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Check recorded."), "success")
            if withdrawn:
                flash(_("%(n)d later check(s) withdrawn: follow-up has ended.", n=withdrawn), "info")
            return redirect(url_for("followup.show_person", person_id=person.id))
    release = services.release_of(person.id)
    return render_template(
        "followup/record_check.html", form=form, check=check, person=person, release=release
    )


@bp.route("/comparison-people")
@requires(*RECORDERS)
def list_comparison_people():
    page = paginate(comparison.list_comparison_people(current_user))
    return render_template("followup/list_comparison_people.html", page=page, **LABELS)


@bp.route("/comparison-people/new", methods=["GET", "POST"])
@requires(*RECORDERS)
def create_comparison_person():
    form = ComparisonPersonForm()
    facilities = (
        db.session.execute(
            select(Facility)
            .where(
                Facility.id == current_user.facility_id
                if current_user.role == OFFICER
                else Facility.is_active.is_(True)
            )
            .order_by(Facility.code)
        )
        .scalars()
        .all()
    )
    form.facility_id.choices = choices((f.id, f.code) for f in facilities)
    if form.validate_on_submit():
        facility = next((f for f in facilities if f.id == form.facility_id.data), None)
        try:
            if facility is None:
                raise ValidationFailed.on("facility_id", _("Choose a facility from the list."))
            person = comparison.register_comparison_person(current_user, facility, form.values())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Comparison person %(code)s registered.", code=person.study_code), "success")
            return redirect(url_for("followup.show_person", person_id=person.id))
    return render_template("followup/create_comparison_person.html", form=form)


# --- measures (evaluators, admins): pseudonymised, days from release only -----------------------


def _filter_choices(filters: FollowupFilters) -> dict:
    facilities = db.session.execute(select(Facility.id, Facility.code).order_by(Facility.code)).all()
    cohorts = cohort_filter_options(filters.facility_id, filters.cohort_id, ("running", "completed"))
    return {"facility_options": facilities, "cohort_options": cohorts}


@bp.route("/measures")
@requires(*ANALYSTS)
def show_measures():
    return render_cached_page("followup/show_measures.html", _measures)


def _measures() -> dict:
    filters = FollowupFilters.coerce(request.args)
    return {
        "summary": survival_summary(filters),
        "filters": filters,
        "filter_args": filters.as_args(),
        "export_form": ExportForm(),
        **_filter_choices(filters),
        **LABELS,
    }


@bp.route("/measures/survival.png")
@requires(*ANALYSTS)
def survival_chart():
    summary = survival_summary(FollowupFilters.coerce(request.args))
    return _no_store(Response(survival_chart_png(summary), mimetype="image/png"))


@bp.route("/measures/export", methods=["POST"])
@requires(*ANALYSTS)
def export_dataset():
    filters = FollowupFilters.coerce(request.args)
    form = ExportForm()
    if form.validate_on_submit():
        try:
            content, mimetype, name = export.export_dataset(filters, form.file_format.data, form.purpose.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            response = Response(content, mimetype=mimetype)
            response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
            return _no_store(response)
    for message in [*form.form_errors, *(m for f in form for m in f.errors)]:
        flash(message, "danger")
    return redirect(url_for("followup.show_measures", **filters.as_args()))
