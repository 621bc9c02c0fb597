"""Typing paper forms (keyboard first, one person after another) and settling double entries."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from programme.core.forms import ActionForm, apply_problems
from programme.core.permissions import ADMIN, COORDINATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.extensions import db
from programme.participants.models import Participant
from programme.questionnaires.forms import PaperEntryForm
from programme.questionnaires.models import Administration, Response
from programme.questionnaires.services import administrations as services
from programme.questionnaires.services.entry import (
    choices_of,
    enter_paper_form,
    field_name,
    local_today,
    mismatches,
    resolve_mismatches,
)
from programme.questionnaires.services.instruments import name_of
from programme.questionnaires.views import bp

TYPISTS = (ADMIN, COORDINATOR, OFFICER)


def _outcome_message(result) -> tuple[str, str]:
    code = result.participant.study_code
    if result.outcome == "awaiting_second_entry":
        return _("Saved the first entry of %(code)s; someone else types it a second time.", code=code), "info"
    if result.outcome == "mismatch":
        return _(
            "The second entry of %(code)s differs from the first: resolve the differences.", code=code
        ), "warning"
    return _("Saved the answers of %(code)s.", code=code), "success"


@bp.route("/administrations/<int:administration_id>/entry", methods=["GET", "POST"])
@requires(*TYPISTS)
def enter_responses(administration_id: int):
    administration = services.get_administration_or_404(current_user, administration_id)
    items = list(administration.instrument.items)
    form = PaperEntryForm()
    if request.method == "GET":
        form.answered_on.data = min(local_today(administration), administration.closes_on)
        form.language.data = request.args.get("language") or administration.cohort.language
    problems: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            result = enter_paper_form(
                current_user,
                administration,
                form.participant_code.data,
                form.answered_on.data,
                form.language.data,
                request.form,
            )
        except ValidationFailed as failure:
            problems = failure.problems
            apply_problems(
                form, ValidationFailed({k: v for k, v in problems.items() if not k.startswith("item-")})
            )
        else:
            message, category = _outcome_message(result)
            flash(message, category)
            if result.outcome == "mismatch":
                return redirect(url_for("questionnaires.resolve_response", response_id=result.response.id))
            return redirect(
                url_for(
                    "questionnaires.enter_responses",
                    administration_id=administration.id,
                    language=form.language.data,
                )
            )
    pending = {
        row.participant.study_code: row.response.status if row.response else None
        for row in services.progress(administration).rows
        if row.is_expected and (row.response is None or row.response.status == "awaiting_second_entry")
    }
    return render_template(
        "questionnaires/enter_responses.html",
        administration=administration,
        form=form,
        items=items,
        groups={group["code"]: group for group in administration.instrument.groups},
        problems=problems,
        values=request.form if request.method == "POST" else {},
        field_name=field_name,
        choices_of=choices_of,
        pending=pending,
        name_of=name_of,
        timepoint_label=services.timepoint_label,
    )


def _response_or_404(response_id: int) -> Response:
    visible = services.visible_administrations(current_user).with_only_columns(Administration.id)
    return db.first_or_404(
        select(Response).where(Response.id == response_id, Response.administration_id.in_(visible))
    )


@bp.route("/responses/<int:response_id>/differences", methods=["GET", "POST"])
@requires(*TYPISTS)
def resolve_response(response_id: int):
    response = _response_or_404(response_id)
    if response.status != "mismatch":
        flash(_("This response has no differences to resolve."), "info")
        return redirect(
            url_for("questionnaires.show_administration", administration_id=response.administration_id)
        )
    differing = mismatches(response)
    form = ActionForm()
    problems: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            resolve_mismatches(current_user, response, request.form)
        except ValidationFailed as failure:
            problems = failure.problems
        else:
            flash(_("Differences resolved; the response now counts."), "success")
            return redirect(
                url_for("questionnaires.show_administration", administration_id=response.administration_id)
            )
    participant = db.session.get(Participant, response.participant_id)
    return render_template(
        "questionnaires/resolve_response.html",
        response=response,
        participant=participant,
        differing=differing,
        problems=problems,
        values=request.form if request.method == "POST" else {},
        field_name=field_name,
        choices_of=choices_of,
        form=form,
    )
