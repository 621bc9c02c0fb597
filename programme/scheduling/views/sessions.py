"""Single sessions: move, cancel, mark held, staff (with conflict checks), write the log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from programme.core.forms import ActionForm, apply_problems, choices, form_values
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, requires
from programme.core.services import ValidationFailed
from programme.scheduling.forms import AssignForm, CancelSessionForm, MoveSessionForm, SessionLogForm
from programme.scheduling.services import assignment, conflicts, generation, logs
from programme.scheduling.services.scope import get_managed_session_or_404, get_session_or_404, to_local
from programme.scheduling.views import bp


def _back(session):
    return redirect(url_for("scheduling.show_cohort", cohort_id=session.cohort_id))


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def move_session(session_id: int):
    session = get_managed_session_or_404(current_user, session_id)
    local = to_local(session.starts_at, session.cohort.facility.timezone)
    form = MoveSessionForm(data={"day": local.date(), "at": local.time().replace(tzinfo=None)})
    if form.validate_on_submit():
        try:
            moved = generation.move_session(session, form.day.data, form.at.data, form.shift_following.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Sessions moved: %(count)d.", count=len(moved)), "success")
            return _back(session)
    return render_template("scheduling/move_session.html", session=session, form=form, local=local)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def cancel_session(session_id: int):
    session = get_managed_session_or_404(current_user, session_id)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        flash(_("Say why the session is cancelled."), "danger")
        return _back(session)
    try:
        generation.cancel_session(session, form.reason.data)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    else:
        flash(_("Session %(sequence)d cancelled.", sequence=session.sequence), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/held", methods=["POST"])
@requires(ADMIN, COORDINATOR, FACILITATOR)
def mark_session_held(session_id: int):
    session = get_session_or_404(current_user, session_id)
    if current_user.role == FACILITATOR and not logs.is_assigned(session.id, current_user.id):
        abort(404)
    if current_user.role == COORDINATOR and session.cohort.department_id != current_user.department_id:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            generation.mark_held(session)
        except ValidationFailed as failure:
            flash(str(failure), "danger")
        else:
            flash(_("Session %(sequence)d marked as held.", sequence=session.sequence), "success")
    if current_user.role == FACILITATOR:
        return redirect(url_for("scheduling.edit_session_log", session_id=session.id))
    return _back(session)


@bp.route("/sessions/<int:session_id>/assignments", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def assign_session(session_id: int):
    session = get_managed_session_or_404(current_user, session_id)
    fits = conflicts.fitting_facilitators(session)
    form = AssignForm()
    form.facilitator_id.choices = choices((fit.user.id, fit.user.full_name) for fit in fits)
    outcome = None
    if form.validate_on_submit():
        facilitator = next(fit.user for fit in fits if fit.user.id == form.facilitator_id.data)
        try:
            check = assignment.assign_facilitator(session, facilitator, form.role.data, form.confirm.data)
        except assignment.AssignmentRefused as refusal:
            outcome = ("refused", refusal.check)
        except assignment.NeedsConfirmation as warning:
            outcome = ("confirm", warning.check)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("%(name)s assigned.", name=facilitator.full_name), "success")
            if check.soft:
                flash(_("Confirmed despite: %(warnings)s", warnings="; ".join(check.soft)), "warning")
            return _back(session)
    # A refusal is a conflict with what is booked already (409), also when the database refused.
    status = 409 if outcome is not None and outcome[0] == "refused" else 200
    return render_template(
        "scheduling/assign_session.html",
        session=session,
        local=to_local(session.starts_at, session.cohort.facility.timezone),
        fits=fits,
        form=form,
        outcome=outcome,
        action_form=ActionForm(),
    ), status


@bp.route("/sessions/<int:session_id>/assignments/<int:assignment_id>/delete", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def remove_assignment(session_id: int, assignment_id: int):
    session = get_managed_session_or_404(current_user, session_id)
    if ActionForm().validate_on_submit():
        if not assignment.remove_assignment(session, assignment_id):
            abort(404)
        flash(_("Assignment removed."), "success")
    return _back(session)


@bp.route("/sessions/<int:session_id>/log", methods=["GET", "POST"])
@requires(FACILITATOR)
def edit_session_log(session_id: int):
    session = get_session_or_404(current_user, session_id)
    if not logs.is_assigned(session.id, current_user.id):
        abort(404)
    log = logs.get_log(session.id)
    form = SessionLogForm(obj=log)
    if form.validate_on_submit():
        try:
            logs.save_log(session, current_user.id, form_values(form), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Session log saved."), "success")
            return redirect(url_for("scheduling.list_my_sessions"))
    return render_template(
        "scheduling/edit_session_log.html",
        session=session,
        local=to_local(session.starts_at, session.cohort.facility.timezone),
        form=form,
        held_form=ActionForm(),
    )
