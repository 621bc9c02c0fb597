"""Cohorts: list, create, edit, status, session generation, staffing the whole cohort, logs."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from programme.core.cache import cached_fragments
from programme.core.forms import ActionForm, apply_problems, choices, form_values
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.facilities.services import facility_choices
from programme.scheduling.forms import AssignForm, CancelSessionForm, CohortForm, StatusForm
from programme.scheduling.services import assignment, cohorts, conflicts, generation, logs
from programme.scheduling.services.scope import (
    get_cohort_or_404,
    get_managed_cohort_or_404,
    may_manage_cohort,
)
from programme.scheduling.views import bp


def _cohort_form(obj=None) -> CohortForm:
    form = CohortForm(obj=obj)
    form.facility_id.choices = choices(facility_choices())
    form.curriculum_version_id.choices = choices(cohorts.published_versions(current_user))
    return form


@bp.route("/cohorts")
@requires(ADMIN, COORDINATOR, OFFICER, FACILITATOR)
def list_cohorts():
    status = request.args.get("status") or None
    page = paginate(cohorts.list_cohorts(current_user, status))
    counts = cohorts.session_counts([cohort.id for cohort in page.items])
    return render_template(
        "scheduling/list_cohorts.html",
        page=page,
        counts=counts,
        status=status,
        statuses=cohorts.STATUS_LABELS,
    )


@bp.route("/cohorts/new", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def create_cohort():
    form = _cohort_form()
    if form.validate_on_submit():
        try:
            cohort = cohorts.create_cohort(current_user, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Cohort %(name)s created. Now generate its sessions.", name=cohort.name), "success")
            return redirect(url_for("scheduling.generate_sessions", cohort_id=cohort.id))
    return render_template("scheduling/edit_cohort.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>")
@requires(ADMIN, COORDINATOR, OFFICER, FACILITATOR)
def show_cohort(cohort_id: int):
    # Drawn once per reader and reused until the cohort, its sessions or their staff change.
    parts = cached_fragments(f"cohort {cohort_id}", current_user, lambda: _cohort_parts(cohort_id))
    return render_template("scheduling/show_cohort.html", title=parts["title"], body=parts["body"])


def _cohort_parts(cohort_id: int) -> dict[str, str]:
    cohort = get_cohort_or_404(current_user, cohort_id)
    sessions = conflicts.sessions_with_assignments(cohort.id)
    status_form = StatusForm()
    status_form.status.choices = choices(
        (s, cohorts.STATUS_LABELS[s]) for s in cohorts.STATUS_FLOW[cohort.status]
    )
    body = render_template(
        "scheduling/_cohort_body.html",
        cohort=cohort,
        sessions=sessions,
        may_manage=may_manage_cohort(current_user, cohort),
        status_form=status_form,
        statuses=cohorts.STATUS_LABELS,
        cancel_form=CancelSessionForm(),
        action_form=ActionForm(),
    )
    return {"title": str(escape(cohort.name)), "body": body}


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def edit_cohort(cohort_id: int):
    cohort = get_managed_cohort_or_404(current_user, cohort_id)
    form = _cohort_form(cohort)
    if form.validate_on_submit():
        try:
            cohorts.update_cohort(current_user, cohort, form_values(form), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Cohort saved."), "success")
            return redirect(url_for("scheduling.show_cohort", cohort_id=cohort.id))
    return render_template("scheduling/edit_cohort.html", form=form, cohort=cohort)


@bp.route("/cohorts/<int:cohort_id>/status", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def change_cohort_status(cohort_id: int):
    cohort = get_managed_cohort_or_404(current_user, cohort_id)
    form = StatusForm()
    form.status.choices = choices((s, s) for s in cohorts.STATUS_FLOW[cohort.status])
    if form.validate_on_submit():
        try:
            cohorts.change_status(cohort, form.status.data)
        except ValidationFailed as failure:
            flash(str(failure), "danger")
        else:
            flash(_("Status changed to %(status)s.", status=cohorts.STATUS_LABELS[cohort.status]), "success")
    return redirect(url_for("scheduling.show_cohort", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/sessions/generate", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def generate_sessions(cohort_id: int):
    cohort = get_managed_cohort_or_404(current_user, cohort_id)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            plan = generation.generate_sessions(cohort, preview=False)
            flash(_("%(count)d sessions generated.", count=len(plan.sessions)), "success")
            return redirect(url_for("scheduling.show_cohort", cohort_id=cohort.id))
        plan = generation.generate_sessions(cohort, preview=True)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
        return redirect(url_for("scheduling.show_cohort", cohort_id=cohort.id))
    return render_template("scheduling/generate_sessions.html", cohort=cohort, plan=plan, form=form)


@bp.route("/cohorts/<int:cohort_id>/assignments", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def assign_cohort(cohort_id: int):
    cohort = get_managed_cohort_or_404(current_user, cohort_id)
    form = AssignForm()
    candidates = conflicts.department_facilitators(cohort.department_id)
    form.facilitator_id.choices = choices((user.id, user.full_name) for user in candidates)
    report = None
    if form.validate_on_submit():
        facilitator = next(user for user in candidates if user.id == form.facilitator_id.data)
        report = assignment.assign_to_cohort(cohort, facilitator, form.role.data, form.confirm.data)
    return render_template("scheduling/assign_cohort.html", cohort=cohort, form=form, report=report)


@bp.route("/cohorts/<int:cohort_id>/logs")
@requires(ADMIN, COORDINATOR)
def list_session_logs(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template(
        "scheduling/list_session_logs.html", cohort=cohort, entries=logs.logs_of_cohort(cohort.id)
    )
