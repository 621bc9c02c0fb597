"""Session plans: read, write, steps, order, duplicate, move, differences, PDFs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from programme.core.cache import cached_fragments
from programme.core.forms import ActionForm, apply_problems, form_values
from programme.core.permissions import ADMIN, COORDINATOR, requires, signed_in
from programme.core.services import ValidationFailed
from programme.curriculum import editing, services, versions
from programme.curriculum.content import (
    PLAN_TEXT_FIELDS,
    PLAN_TEXT_LABELS,
    STATUS_LABELS,
    STIMULUS_KIND_LABELS,
    concept_list,
    pick,
    step_text,
)
from programme.curriculum.forms import PlanForm, StepsForm, TransferForm
from programme.curriculum.pdf import facilitator_plan_pdf, handout_pdf
from programme.curriculum.views import bp, content_language, pdf_response


def _refuse_frozen(plan):
    flash(_("This version is frozen. Start a new draft version of the curriculum to edit it."), "warning")
    return redirect(url_for("curriculum.show_plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>")
@signed_in
def show_plan(plan_id: int):
    language = content_language()
    # Drawn once per reader and language, reused until the plan, its version or its curriculum
    # changes. The visibility check runs whenever it is drawn; the key keeps it to this reader.
    parts = cached_fragments(
        f"plan {plan_id} {language}", current_user, lambda: _plan_parts(plan_id, language)
    )
    return render_template("curriculum/show_plan.html", title=parts["title"], body=parts["body"])


def _plan_parts(plan_id: int, language: str) -> dict[str, str]:
    plan = services.get_plan_or_404(current_user, plan_id)
    version = plan.curriculum_version
    can_edit = services.can_edit(current_user, version.curriculum) and version.status == "draft"
    transfer_form = None
    if can_edit:
        transfer_form = TransferForm()
        transfer_form.target_version_id.choices = [
            (draft.id, f"{services.version_title(draft, language)} · v{draft.number}")
            for draft in services.editable_drafts(current_user, version.id)
        ]
    shown = {name: pick(plan.texts, name, language, version.languages) for name in PLAN_TEXT_FIELDS}
    steps = []
    start = 0
    for step in plan.steps or []:
        minutes = int(step.get("minutes") or 0)
        steps.append(
            {
                "start": start,
                "minutes": minutes,
                "title": step_text(step, "title", language, version.languages),
                "guidance": step_text(step, "guidance", language, version.languages),
            }
        )
        start += minutes
    body = render_template(
        "curriculum/_plan_body.html",
        plan=plan,
        version=version,
        shown=shown,
        labels=PLAN_TEXT_LABELS,
        concepts=concept_list(shown["concepts"].value),
        steps=steps,
        siblings=services.sibling_plans(plan, language),
        other_versions=services.plan_versions(current_user, plan),
        lang=language,
        can_edit=can_edit,
        transfer_form=transfer_form,
        statuses=STATUS_LABELS,
        stimulus_kinds=STIMULUS_KIND_LABELS,
        report=services.completeness_of_plan(plan),
    )
    return {"title": str(escape(shown["title"].value)), "body": body}


def _fill_plan_form(form: PlanForm, plan, language: str) -> None:
    row = next((row for row in plan.texts if row.language == language), None)
    for name in PLAN_TEXT_FIELDS:
        form[name].data = getattr(row, name, "") if row is not None else ""
    form.stimulus_kind.data = plan.stimulus_kind


@bp.route("/curricula/<int:curriculum_id>/plans/new", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def create_plan(curriculum_id: int):
    curriculum = services.get_editable_curriculum_or_404(current_user, curriculum_id)
    draft = versions.current_draft(curriculum)
    if draft is None:
        flash(_("The published version cannot change. Start a new draft version to edit it."), "warning")
        return redirect(url_for("curriculum.show_curriculum", curriculum_id=curriculum.id))
    language = content_language()
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = editing.create_plan(draft, form_values(form), language)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Session plan added. Check its steps next."), "success")
            return redirect(url_for("curriculum.edit_steps", plan_id=plan.id, lang=language))
    return render_template("curriculum/edit_plan.html", form=form, plan=None, version=draft, lang=language)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def edit_plan(plan_id: int):
    plan = services.get_editable_plan_or_404(current_user, plan_id)
    if plan.curriculum_version.status != "draft":
        return _refuse_frozen(plan)
    language = content_language()
    form = PlanForm(obj=plan)
    if request.method == "GET":
        _fill_plan_form(form, plan, language)
    if form.validate_on_submit():
        try:
            editing.update_plan(plan, form_values(form), language, form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Session plan saved."), "success")
            return redirect(url_for("curriculum.show_plan", plan_id=plan.id, lang=language))
    return render_template(
        "curriculum/edit_plan.html", form=form, plan=plan, version=plan.curriculum_version, lang=language
    )


@bp.route("/plans/<int:plan_id>/steps", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def edit_steps(plan_id: int):
    plan = services.get_editable_plan_or_404(current_user, plan_id)
    version = plan.curriculum_version
    if version.status != "draft":
        return _refuse_frozen(plan)
    language = content_language()
    if request.method == "GET":
        rows = [
            {
                "kind": step.get("kind", "other"),
                "minutes": str(step.get("minutes") or ""),
                "title": ((step.get("texts") or {}).get(language) or {}).get("title", ""),
                "guidance": ((step.get("texts") or {}).get(language) or {}).get("guidance", ""),
            }
            for step in plan.steps or []
        ]
        form = StepsForm(data={"steps": [*rows, {}], "version_id": plan.version_id})
    else:
        form = StepsForm()
    if form.validate_on_submit():
        try:
            editing.update_steps(
                plan, [entry.data for entry in form.steps], language, form.submitted_version()
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(
                _(
                    "Steps saved: %(total)d of %(minutes)d minutes.",
                    total=plan.total_minutes,
                    minutes=version.session_minutes,
                ),
                "success",
            )
            return redirect(url_for("curriculum.show_plan", plan_id=plan.id, lang=language))
    return render_template(
        "curriculum/edit_steps.html", form=form, plan=plan, version=version, lang=language
    ), (422 if form.form_errors else 200)


def _plan_action(plan_id: int):
    plan = services.get_editable_plan_or_404(current_user, plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return plan


def _back_to_curriculum(plan):
    version = plan.curriculum_version
    return redirect(
        url_for("curriculum.show_curriculum", curriculum_id=version.curriculum_id, version=version.number)
    )


@bp.route("/plans/<int:plan_id>/move", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def move_plan(plan_id: int):
    plan = _plan_action(plan_id)
    try:
        editing.move_plan(plan, "up" if request.form.get("direction") == "up" else "down")
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    return _back_to_curriculum(plan)


@bp.route("/plans/<int:plan_id>/duplicate", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def duplicate_plan(plan_id: int):
    plan = _plan_action(plan_id)
    try:
        editing.duplicate_plan(plan)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    else:
        flash(_("Session plan duplicated."), "success")
    return _back_to_curriculum(plan)


@bp.route("/plans/<int:plan_id>/delete", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def delete_plan(plan_id: int):
    plan = _plan_action(plan_id)
    version = plan.curriculum_version
    try:
        editing.delete_plan(plan)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    else:
        flash(_("Session plan deleted."), "success")
    return redirect(
        url_for("curriculum.show_curriculum", curriculum_id=version.curriculum_id, version=version.number)
    )


@bp.route("/plans/<int:plan_id>/transfer", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def transfer_plan(plan_id: int):
    plan = services.get_editable_plan_or_404(current_user, plan_id)
    form = TransferForm()
    drafts = {draft.id: draft for draft in services.editable_drafts(current_user, plan.curriculum_version_id)}
    form.target_version_id.choices = [(draft_id, str(draft_id)) for draft_id in drafts]
    if not form.validate_on_submit():
        abort(400)
    source = plan.curriculum_version
    try:
        editing.transfer_plan(plan, drafts[form.target_version_id.data])
    except ValidationFailed as failure:
        flash(str(failure), "danger")
        return redirect(url_for("curriculum.show_plan", plan_id=plan.id))
    flash(_("Session plan moved."), "success")
    return redirect(
        url_for("curriculum.show_curriculum", curriculum_id=source.curriculum_id, version=source.number)
    )


@bp.route("/plans/<int:plan_id>/diff")
@signed_in
def diff_plan(plan_id: int):
    plan = services.get_plan_or_404(current_user, plan_id)
    others = services.plan_versions(current_user, plan)
    try:
        against_id = int(request.args.get("against", 0))
    except ValueError:
        against_id = 0
    other = next((p for p, _v in others if p.id == against_id and p.id != plan.id), None)
    if other is None:
        other = next((p for p, _v in others if p.id != plan.id), None)
    language = content_language()
    changes = []
    if other is not None:
        other = services.get_plan_or_404(current_user, other.id)
        older, newer = sorted((plan, other), key=lambda p: p.curriculum_version.number)
        changes = versions.diff_plans(older, newer, language)
    else:
        older = newer = plan
    return render_template(
        "curriculum/diff_plan.html",
        plan=plan,
        older=older,
        newer=newer,
        others=others,
        changes=changes,
        lang=language,
        has_other=other is not None,
    )


@bp.route("/plans/<int:plan_id>/plan.pdf")
@signed_in
def download_plan_pdf(plan_id: int):
    plan = services.get_plan_or_404(current_user, plan_id)
    language = content_language()
    data = facilitator_plan_pdf(plan, language)
    return pdf_response(data, f"plan-{plan.position}-v{plan.curriculum_version.number}-{language}.pdf")


@bp.route("/plans/<int:plan_id>/handout.pdf")
@signed_in
def download_handout_pdf(plan_id: int):
    plan = services.get_plan_or_404(current_user, plan_id)
    language = content_language()
    data = handout_pdf(plan, language)
    return pdf_response(data, f"handout-{plan.position}-v{plan.curriculum_version.number}-{language}.pdf")
