"""Instruments: list, show, the builder (coordinators and admins), XLSForm import and export."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from programme.audit.services import record
from programme.core.forms import ActionForm, apply_problems, form_values
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, requires
from programme.core.services import ValidationFailed, unit_of_work
from programme.questionnaires.forms import (
    ITEM_TYPE_LABELS,
    ChoiceListForm,
    GroupForm,
    ImportForm,
    InstrumentForm,
    InstrumentTextsForm,
    ItemForm,
    SubscaleForm,
)
from programme.questionnaires.models import TOTAL_CODE
from programme.questionnaires.services import instruments as services
from programme.questionnaires.services.definitions import LANGUAGES
from programme.questionnaires.services.xlsform import XLSFormProblems, export_xlsform, read_xlsform
from programme.questionnaires.views import bp

BUILDERS = (ADMIN, COORDINATOR)


def _locale() -> str:
    return str(get_locale() or "ru")


def _saved(instrument, made_new: bool, message: str):
    if made_new:
        flash(
            _(
                "The instrument is locked (it has responses): the change is saved in draft version %(n)d.",
                n=instrument.number,
            ),
            "warning",
        )
    else:
        flash(message, "success")
    return redirect(url_for("questionnaires.show_instrument", instrument_id=instrument.id))


@bp.route("/instruments")
@requires(ADMIN, COORDINATOR, EVALUATOR)
def list_instruments():
    page = paginate(services.list_instruments())
    locked = services.locked_instrument_ids(i.id for i in page.items)
    return render_template(
        "questionnaires/list_instruments.html",
        page=page,
        locked=locked,
        name_of=services.name_of,
        locale=_locale(),
    )


@bp.route("/instruments/<int:instrument_id>")
@requires(ADMIN, COORDINATOR, EVALUATOR)
def show_instrument(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    return render_template(
        "questionnaires/show_instrument.html",
        instrument=instrument,
        is_locked=services.is_locked(instrument),
        name_of=services.name_of,
        locale=_locale(),
        languages=LANGUAGES,
        action=ActionForm(),
        total_code=TOTAL_CODE,
        item_type_labels=ITEM_TYPE_LABELS,
    )


@bp.route("/instruments/new", methods=["GET", "POST"])
@requires(*BUILDERS)
def create_instrument():
    form = InstrumentForm()
    if form.validate_on_submit():
        try:
            instrument = services.create_instrument(form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Instrument %(code)s created as a draft.", code=instrument.code), "success")
            return redirect(url_for("questionnaires.show_instrument", instrument_id=instrument.id))
    return render_template("questionnaires/edit_instrument.html", form=form, instrument=None)


@bp.route("/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
@requires(*BUILDERS)
def edit_instrument(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    form = InstrumentTextsForm()
    if request.method == "GET":
        for lang in LANGUAGES:
            for field in ("name", "purpose", "instructions"):
                getattr(form, f"{field}_{lang}").data = (instrument.texts.get(lang) or {}).get(field, "")
    if form.validate_on_submit():
        try:
            target, made_new = services.update_texts(instrument, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return _saved(target, made_new, _("Texts saved."))
    return render_template("questionnaires/edit_instrument.html", form=form, instrument=instrument)


def _item_form(instrument, item=None) -> ItemForm:
    form = ItemForm(obj=item)
    if item is not None and request.method == "GET":
        for lang in LANGUAGES:
            getattr(form, f"text_{lang}").data = item.texts.get(lang, "")
    form.choice_list.choices = [("", "—")] + [(cl["name"], cl["name"]) for cl in instrument.choice_lists]
    form.subscale_code.choices = [("", "—")] + [
        (s.code, s.code) for s in instrument.subscales if s.code != TOTAL_CODE
    ]
    form.group_code.choices = [("", "—")] + [(g["code"], g["code"]) for g in instrument.groups]
    return form


@bp.route("/instruments/<int:instrument_id>/items/new", methods=["GET", "POST"])
@bp.route("/instruments/<int:instrument_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(*BUILDERS)
def edit_item(instrument_id: int, item_id: int | None = None):
    instrument = services.get_instrument_or_404(instrument_id)
    item = None
    if item_id is not None:
        item = next((i for i in instrument.items if i.id == item_id), None) or abort(404)
    form = _item_form(instrument, item)
    if form.validate_on_submit():
        try:
            target, made_new = services.save_item(instrument, item.code if item else None, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return _saved(target, made_new, _("Item saved."))
    return render_template("questionnaires/edit_item.html", form=form, instrument=instrument, item=item)


@bp.route("/instruments/<int:instrument_id>/items/<int:item_id>/delete", methods=["POST"])
@requires(*BUILDERS)
def delete_item(instrument_id: int, item_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    item = next((i for i in instrument.items if i.id == item_id), None) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        target, made_new = services.delete_item(instrument, item.code)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
        return redirect(url_for("questionnaires.show_instrument", instrument_id=instrument.id))
    return _saved(target, made_new, _("Item deleted."))


@bp.route("/instruments/<int:instrument_id>/choice-lists", methods=["GET", "POST"])
@requires(*BUILDERS)
def edit_choice_list(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    name = request.args.get("name")
    existing = next((cl for cl in instrument.choice_lists if cl["name"] == name), None)
    form = ChoiceListForm()
    if existing is not None and request.method == "GET":
        form.name.data = existing["name"]
        form.lines.data = "\n".join(
            "; ".join([str(choice["value"])] + [choice["texts"].get(lang, "") for lang in LANGUAGES])
            for choice in existing["choices"]
        )
    if form.validate_on_submit():
        try:
            target, made_new = services.save_choice_list(instrument, form.name.data, form.lines.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return _saved(target, made_new, _("Choice list saved."))
    return render_template(
        "questionnaires/edit_part.html", form=form, instrument=instrument, title=_("Choice list")
    )


@bp.route("/instruments/<int:instrument_id>/groups", methods=["GET", "POST"])
@requires(*BUILDERS)
def edit_group(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    code = request.args.get("code")
    existing = next((g for g in instrument.groups if g["code"] == code), None)
    form = GroupForm()
    if existing is not None and request.method == "GET":
        form.code.data = existing["code"]
        for lang in LANGUAGES:
            getattr(form, f"text_{lang}").data = existing["texts"].get(lang, "")
    if form.validate_on_submit():
        try:
            target, made_new = services.save_group(instrument, form.code.data, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return _saved(target, made_new, _("Group heading saved."))
    return render_template(
        "questionnaires/edit_part.html", form=form, instrument=instrument, title=_("Group heading")
    )


@bp.route("/instruments/<int:instrument_id>/subscales", methods=["GET", "POST"])
@requires(*BUILDERS)
def edit_subscale(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    code = request.args.get("code")
    existing = next((s for s in instrument.subscales if s.code == code), None)
    form = SubscaleForm(obj=existing)
    if existing is not None and request.method == "GET":
        for lang in LANGUAGES:
            getattr(form, f"text_{lang}").data = existing.texts.get(lang, "")
    if form.validate_on_submit():
        try:
            target, made_new = services.save_subscale(
                instrument, existing.code if existing else None, form_values(form)
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            return _saved(target, made_new, _("Scoring rule saved; stored scores are recomputed."))
    return render_template(
        "questionnaires/edit_part.html", form=form, instrument=instrument, title=_("Scoring rule")
    )


@bp.route("/instruments/<int:instrument_id>/new-version", methods=["POST"])
@requires(*BUILDERS)
def create_version(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    revised = services.new_version(instrument)
    flash(_("Version %(n)d created as a draft.", n=revised.number), "success")
    return redirect(url_for("questionnaires.show_instrument", instrument_id=revised.id))


@bp.route("/instruments/<int:instrument_id>/status", methods=["POST"])
@requires(*BUILDERS)
def change_instrument_status(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    status = request.form.get("status")
    if not ActionForm().validate_on_submit() or status not in ("active", "retired", "deleted"):
        abort(400)
    try:
        if status == "deleted":
            services.delete_draft(instrument)
            flash(_("Draft deleted."), "success")
            return redirect(url_for("questionnaires.list_instruments"))
        services.set_status(instrument, status)
    except ValidationFailed as failure:
        flash(str(failure), "danger")
    else:
        flash(_("Instrument published.") if status == "active" else _("Instrument retired."), "success")
    return redirect(url_for("questionnaires.show_instrument", instrument_id=instrument.id))


@bp.route("/instruments/<int:instrument_id>/xlsform")
@requires(ADMIN, COORDINATOR, EVALUATOR)
def export_instrument(instrument_id: int):
    instrument = services.get_instrument_or_404(instrument_id)
    data = export_xlsform(instrument)
    with unit_of_work():
        record("export", "instrument", instrument.id, {"format": "xlsform"})
    filename = f"{instrument.code}-v{instrument.number}.xlsx"
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/instruments/import", methods=["GET", "POST"])
@requires(*BUILDERS)
def import_instrument():
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            definition, _version = read_xlsform(form.spreadsheet.data.read())
            instrument = services.create_from_definition(definition)
        except XLSFormProblems as refused:
            problems = refused.problems
        else:
            flash(
                _("Imported %(code)s as draft version %(n)d.", code=instrument.code, n=instrument.number),
                "success",
            )
            return redirect(url_for("questionnaires.show_instrument", instrument_id=instrument.id))
    return render_template("questionnaires/import_instrument.html", form=form, problems=problems)
