"""Facilitators: profiles and passes (coordinators, admins), own availability and calendar link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from programme.core.forms import ActionForm, apply_problems, choices, form_values
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, requires
from programme.core.services import ValidationFailed
from programme.facilities.services import facility_choices
from programme.scheduling.forms import WEEKDAYS, ExceptionForm, PassForm, ProfileForm, SlotForm
from programme.scheduling.models import AvailabilityException, AvailabilitySlot
from programme.scheduling.services import facilitators
from programme.scheduling.views import bp


def _managed_facilitator_or_404(facilitator_id: int):
    facilitator = facilitators.get_facilitator_or_404(current_user, facilitator_id)
    if not facilitators.may_manage_facilitator(current_user, facilitator):
        abort(404)
    return facilitator


def _pass_form() -> PassForm:
    form = PassForm()
    form.facility_id.choices = choices(facility_choices())
    return form


@bp.route("/facilitators")
@requires(ADMIN, COORDINATOR)
def list_facilitators():
    page = paginate(facilitators.visible_facilitators(current_user))
    profiles = facilitators.profiles_by_user([user.id for user in page.items])
    return render_template("scheduling/list_facilitators.html", page=page, profiles=profiles)


@bp.route("/facilitators/<int:facilitator_id>")
@requires(ADMIN, COORDINATOR)
def show_facilitator(facilitator_id: int):
    facilitator = _managed_facilitator_or_404(facilitator_id)
    return render_template(
        "scheduling/show_facilitator.html",
        facilitator=facilitator,
        profile=facilitators.get_profile(facilitator.id),
        passes=facilitators.list_passes(facilitator.id),
        slots=facilitators.list_slots(facilitator.id),
        exceptions=facilitators.list_exceptions(facilitator.id),
        weekdays=dict(WEEKDAYS),
        pass_form=_pass_form(),
        action_form=ActionForm(),
    )


@bp.route("/facilitators/<int:facilitator_id>/edit", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def edit_facilitator(facilitator_id: int):
    facilitator = _managed_facilitator_or_404(facilitator_id)
    profile = facilitators.get_profile(facilitator.id)
    form = ProfileForm(obj=profile)
    if form.validate_on_submit():
        try:
            facilitators.update_profile(facilitator, form_values(form), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for("scheduling.show_facilitator", facilitator_id=facilitator.id))
    return render_template("scheduling/edit_facilitator.html", facilitator=facilitator, form=form)


@bp.route("/facilitators/<int:facilitator_id>/passes", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def create_pass(facilitator_id: int):
    facilitator = _managed_facilitator_or_404(facilitator_id)
    form = _pass_form()
    if form.validate_on_submit():
        try:
            facilitators.add_pass(
                facilitator,
                form.facility_id.data,
                form.number.data,
                form.valid_from.data,
                form.valid_until.data,
            )
        except ValidationFailed as failure:
            flash(str(failure), "danger")
        else:
            flash(_("Access pass added."), "success")
    else:
        flash(_("Check the pass: facility, number and both dates are needed."), "danger")
    return redirect(url_for("scheduling.show_facilitator", facilitator_id=facilitator.id))


@bp.route("/facilitators/<int:facilitator_id>/passes/<int:pass_id>/delete", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def delete_pass(facilitator_id: int, pass_id: int):
    facilitator = _managed_facilitator_or_404(facilitator_id)
    if ActionForm().validate_on_submit():
        if not facilitators.delete_pass(facilitator, pass_id):
            abort(404)
        flash(_("Access pass removed."), "success")
    return redirect(url_for("scheduling.show_facilitator", facilitator_id=facilitator.id))


# --- the facilitator's own pages -------------------------------------------------------------------


@bp.route("/my/availability")
@requires(FACILITATOR)
def edit_availability():
    return render_template(
        "scheduling/edit_availability.html",
        profile=facilitators.get_profile(current_user.id),
        passes=facilitators.list_passes(current_user.id),
        slots=facilitators.list_slots(current_user.id),
        exceptions=facilitators.list_exceptions(current_user.id),
        weekdays=dict(WEEKDAYS),
        slot_form=SlotForm(),
        exception_form=ExceptionForm(),
        action_form=ActionForm(),
    )


@bp.route("/my/availability/slots", methods=["POST"])
@requires(FACILITATOR)
def create_slot():
    form = SlotForm()
    if form.validate_on_submit():
        try:
            facilitators.add_slot(
                current_user.id, form.weekday.data, form.start_time.data, form.end_time.data
            )
        except ValidationFailed as failure:
            flash(str(failure), "danger")
        else:
            flash(_("Weekly slot added."), "success")
    else:
        flash(_("Choose a weekday and both times."), "danger")
    return redirect(url_for("scheduling.edit_availability"))


@bp.route("/my/availability/slots/<int:slot_id>/delete", methods=["POST"])
@requires(FACILITATOR)
def delete_slot(slot_id: int):
    if ActionForm().validate_on_submit() and not facilitators.delete_own(
        AvailabilitySlot, current_user.id, slot_id
    ):
        abort(404)
    return redirect(url_for("scheduling.edit_availability"))


@bp.route("/my/availability/exceptions", methods=["POST"])
@requires(FACILITATOR)
def create_exception():
    form = ExceptionForm()
    if form.validate_on_submit():
        try:
            facilitators.add_exception(
                current_user.id, form.start_date.data, form.end_date.data, form.reason.data
            )
        except ValidationFailed as failure:
            flash(str(failure), "danger")
        else:
            flash(_("Days away added."), "success")
    else:
        flash(_("Give the first and the last day away."), "danger")
    return redirect(url_for("scheduling.edit_availability"))


@bp.route("/my/availability/exceptions/<int:exception_id>/delete", methods=["POST"])
@requires(FACILITATOR)
def delete_exception(exception_id: int):
    if ActionForm().validate_on_submit() and not facilitators.delete_own(
        AvailabilityException, current_user.id, exception_id
    ):
        abort(404)
    return redirect(url_for("scheduling.edit_availability"))


@bp.route("/my/calendar-token", methods=["POST"])
@requires(FACILITATOR)
def regenerate_calendar_token():
    if ActionForm().validate_on_submit():
        facilitators.regenerate_calendar_token(current_user.id)
        flash(_("A new calendar link was made; the old one no longer works."), "success")
    return redirect(url_for("scheduling.list_my_sessions"))


@bp.route("/my/calendar-token/revoke", methods=["POST"])
@requires(FACILITATOR)
def revoke_calendar_token():
    if ActionForm().validate_on_submit():
        facilitators.revoke_calendar_token(current_user.id)
        flash(_("The calendar link was switched off."), "success")
    return redirect(url_for("scheduling.list_my_sessions"))
