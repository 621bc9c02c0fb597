"""Curricula: list and find, create, edit, versions, publish, clone, export and import, booklet."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from programme.core.forms import ActionForm, apply_problems, form_values
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, requires, signed_in
from programme.core.services import ValidationFailed
from programme.curriculum import editing, find, services, transfer, versions
from programme.curriculum.content import STATUS_LABELS, pick
from programme.curriculum.forms import CloneForm, CurriculumForm, ImportForm, NewCurriculumForm
from programme.curriculum.models import CONTENT_LANGUAGES
from programme.curriculum.pdf import booklet_pdf
from programme.facilities.services import department_choices

bp = Blueprint("curriculum", __name__)


@bp.context_processor
def _content_helpers() -> dict:
    return {"pick": pick}


def locale() -> str:
    return str(get_locale() or "ru")


def content_language() -> str:
    """The language of the texts a page shows or edits: ?lang=, else the interface's language."""
    chosen = request.args.get("lang", "")
    return chosen if chosen in CONTENT_LANGUAGES else (locale() if locale() in CONTENT_LANGUAGES else "ru")


def requested_number() -> int | None:
    try:
        return int(request.args["version"])
    except (KeyError, ValueError):
        return None


def department_options() -> list[tuple[int, str]]:
    if current_user.role == ADMIN:
        return department_choices()
    return [(current_user.department_id, current_user.department.label)]


def pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- list and find --------------------------------------------------------------------------------


@bp.route("/curricula")
@signed_in
def list_curricula():
    filters = find.Filters.from_args(request.args)
    page = paginate(find.find_versions(current_user, filters))
    return render_template(
        "curriculum/list_curricula.html",
        page=page,
        filters=filters,
        departments=department_choices(),
        statuses=STATUS_LABELS,
        locale=locale(),
    )


@bp.route("/plans")
@signed_in
def list_plans():
    filters = find.Filters.from_args(request.args)
    page = paginate(find.find_plans(current_user, filters))
    return render_template(
        "curriculum/list_plans.html",
        page=page,
        filters=filters,
        departments=department_choices(),
        statuses=STATUS_LABELS,
        locale=locale(),
    )


# --- one curriculum -------------------------------------------------------------------------------


def render_curriculum(curriculum, number: int | None, problems: list[str] | None = None, status: int = 200):
    all_versions = services.visible_versions(current_user, curriculum.id)
    chosen = services.choose_version(all_versions, number)
    if chosen is None:
        abort(404)
    version = services.load_version_with_plans(chosen.id)
    can_edit = services.can_edit(current_user, curriculum)
    return (
        render_template(
            "curriculum/show_curriculum.html",
            curriculum=curriculum,
            version=version,
            versions=all_versions,
            report=services.completeness(version),
            can_edit=can_edit,
            has_draft=any(v.status == "draft" for v in all_versions),
            problems=problems or [],
            action_form=ActionForm(),
            clone_form=_clone_form() if current_user.role in (ADMIN, COORDINATOR) else None,
            lang=content_language(),
            statuses=STATUS_LABELS,
        ),
        status,
    )


def _clone_form() -> CloneForm:
    form = CloneForm()
    form.department_id.choices = department_options()
    return form


@bp.route("/curricula/<int:curriculum_id>")
@signed_in
def show_curriculum(curriculum_id: int):
    curriculum = services.get_curriculum_or_404(current_user, curriculum_id)
    return render_curriculum(curriculum, requested_number())


@bp.route("/curricula/new", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def create_curriculum():
    form = NewCurriculumForm()
    form.department_id.choices = department_options()
    language = content_language()
    if form.validate_on_submit():
        if form.department_id.data not in {value for value, _label in form.department_id.choices}:
            abort(404)
        values = form_values(form)
        try:
            version = editing.create_curriculum(values.pop("department_id"), values, language)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Curriculum created as a draft."), "success")
            return redirect(
                url_for("curriculum.show_curriculum", curriculum_id=version.curriculum_id, lang=language)
            )
    return render_template("curriculum/edit_curriculum.html", form=form, version=None, lang=language)


@bp.route("/curricula/<int:curriculum_id>/edit", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def edit_curriculum(curriculum_id: int):
    curriculum = services.get_editable_curriculum_or_404(current_user, curriculum_id)
    draft = versions.current_draft(curriculum)
    if draft is None:
        flash(_("The published version cannot change. Start a new draft version to edit it."), "warning")
        return redirect(url_for("curriculum.show_curriculum", curriculum_id=curriculum.id))
    language = content_language()
    text = next((row for row in draft.texts if row.language == language), None)
    form = CurriculumForm(obj=draft)
    if request.method == "GET":
        for name in ("title", "summary", "aims"):
            form[name].data = getattr(text, name, "") if text is not None else ""
    if form.validate_on_submit():
        try:
            editing.update_curriculum(draft, form_values(form), language, form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Curriculum saved."), "success")
            return redirect(url_for("curriculum.show_curriculum", curriculum_id=curriculum.id, lang=language))
    return render_template("curriculum/edit_curriculum.html", form=form, version=draft, lang=language)


@bp.route("/curricula/<int:curriculum_id>/drafts", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def create_draft(curriculum_id: int):
    curriculum = services.get_editable_curriculum_or_404(current_user, curriculum_id)
    if ActionForm().validate_on_submit():
        draft = versions.start_draft(curriculum)
        flash(
            _("Version %(n)d is a draft: edit it here. The published version is unchanged.", n=draft.number),
            "success",
        )
        return redirect(
            url_for("curriculum.show_curriculum", curriculum_id=curriculum.id, version=draft.number)
        )
    abort(400)


@bp.route("/curricula/<int:curriculum_id>/publish", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def publish_curriculum(curriculum_id: int):
    curriculum = services.get_editable_curriculum_or_404(current_user, curriculum_id)
    draft = versions.current_draft(curriculum)
    if draft is None or not ActionForm().validate_on_submit():
        abort(400)
    version = services.load_version_with_plans(draft.id)
    try:
        versions.publish(version, current_user.id)
    except ValidationFailed as failure:
        problems = [str(message) for messages in failure.problems.values() for message in messages]
        return render_curriculum(curriculum, draft.number, problems, status=422)
    flash(_("Version %(n)d published. It is now frozen.", n=version.number), "success")
    return redirect(
        url_for("curriculum.show_curriculum", curriculum_id=curriculum.id, version=version.number)
    )


@bp.route("/curricula/<int:curriculum_id>/archive", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def archive_curriculum(curriculum_id: int):
    curriculum = services.get_editable_curriculum_or_404(current_user, curriculum_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        versions.archive(curriculum)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    else:
        flash(_("The curriculum is archived. Cohorts that used it keep their plans."), "success")
    return redirect(url_for("curriculum.show_curriculum", curriculum_id=curriculum.id))


@bp.route("/curricula/<int:curriculum_id>/clones", methods=["POST"])
@requires(ADMIN, COORDINATOR)
def clone_curriculum(curriculum_id: int):
    curriculum = services.get_curriculum_or_404(current_user, curriculum_id)
    form = _clone_form()
    if not form.validate_on_submit():
        abort(400)
    source = services.choose_version(
        services.visible_versions(current_user, curriculum.id), requested_number()
    )
    if source is None:
        abort(404)
    copy = versions.clone(services.load_version_with_plans(source.id), form.department_id.data)
    flash(_("A copy was made as a new draft curriculum: adapt it here."), "success")
    return redirect(url_for("curriculum.show_curriculum", curriculum_id=copy.curriculum_id))


# --- documents ------------------------------------------------------------------------------------


def _readable_version(curriculum_id: int):
    curriculum = services.get_curriculum_or_404(current_user, curriculum_id)
    chosen = services.choose_version(
        services.visible_versions(current_user, curriculum.id), requested_number()
    )
    if chosen is None:
        abort(404)
    return services.load_version_with_plans(chosen.id)


@bp.route("/curricula/<int:curriculum_id>/export")
@signed_in
def export_curriculum(curriculum_id: int):
    version = _readable_version(curriculum_id)
    # Named before the export's audit commit expires the version (reading it again after would
    # reload it with its texts and plans: 4 more statements).
    filename = f"curriculum-{version.curriculum_id}-v{version.number}.json"
    response = Response(transfer.export_for_download(version), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/curricula/<int:curriculum_id>/booklet.pdf")
@signed_in
def download_booklet(curriculum_id: int):
    version = _readable_version(curriculum_id)
    language = content_language()
    filename = f"curriculum-{version.curriculum_id}-v{version.number}-{language}.pdf"
    return pdf_response(booklet_pdf(version, language), filename)


@bp.route("/curricula/import", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR)
def import_curriculum():
    form = ImportForm()
    form.department_id.choices = department_options()
    problems: list[str] = []
    if form.validate_on_submit():
        if form.department_id.data not in {value for value, _label in form.department_id.choices}:
            abort(404)
        try:
            document = transfer.parse_document(form.document.data.read(transfer.MAX_DOCUMENT_BYTES + 1))
            version = transfer.import_document(document, form.department_id.data)
        except ValidationFailed as failure:
            problems = [str(message) for messages in failure.problems.values() for message in messages]
        else:
            flash(_("Curriculum imported as a draft."), "success")
            return redirect(url_for("curriculum.show_curriculum", curriculum_id=version.curriculum_id))
    return render_template("curriculum/import_curriculum.html", form=form, problems=problems), (
        422 if problems else 200
    )
