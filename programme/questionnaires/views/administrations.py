"""Administrations: scheduling one for a cohort, the progress of answers, printable forms."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from programme.audit.services import record
from programme.core.forms import apply_problems, form_values
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER, requires
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.questionnaires.forms import AdministrationForm
from programme.questionnaires.models import Administration
from programme.questionnaires.pdf import questionnaire_pdf
from programme.questionnaires.services import administrations as services
from programme.questionnaires.services.entry import local_today
from programme.questionnaires.services.instruments import active_instruments, name_of
from programme.questionnaires.views import bp
from programme.scheduling.models import Cohort

VIEWERS = (ADMIN, COORDINATOR, FACILITATOR, OFFICER)
SCHEDULERS = (ADMIN, COORDINATOR)


def _locale() -> str:
    return str(get_locale() or "ru")


@bp.route("/administrations")
@requires(*VIEWERS)
def list_administrations():
    query = services.visible_administrations(current_user).join(Cohort, Cohort.id == Administration.cohort_id)
    cohort_id = request.args.get("cohort_id", type=int)
    if cohort_id:
        query = query.where(Administration.cohort_id == cohort_id)
    query = query.order_by(Cohort.start_date.desc(), Administration.opens_on)
    query = query.options(selectinload(Administration.cohort), selectinload(Administration.instrument))
    page = paginate(query)
    ids = [a.id for a in page.items]
    return render_template(
        "questionnaires/list_administrations.html",
        page=page,
        counts=services.progress_counts(ids),
        timepoint_label=services.timepoint_label,
        name_of=name_of,
        locale=_locale(),
        cohort_id=cohort_id,
        cohorts=services.cohort_choices(current_user),
    )


def _administration_form(administration=None) -> AdministrationForm:
    form = AdministrationForm(obj=administration)
    form.cohort_id.choices = services.cohort_choices(current_user)
    instruments = active_instruments()
    if administration is not None and administration.instrument not in instruments:
        instruments.append(administration.instrument)  # a retired version keeps its administrations
    form.instrument_id.choices = [(i.id, f"{name_of(i, _locale())} · v{i.number}") for i in instruments]
    if administration is None and request.method == "GET":
        form.cohort_id.data = request.args.get("cohort_id", type=int)
        cohort = db.session.execute(
            services.visible_cohorts(current_user).where(Cohort.id == (form.cohort_id.data or 0))
        ).scalar_one_or_none()
        if cohort is not None:
            form.opens_on.data = cohort.start_date - timedelta(days=14)
            form.closes_on.data = cohort.start_date + timedelta(days=7)
    return form


@bp.route("/administrations/new", methods=["GET", "POST"])
@requires(*SCHEDULERS)
def create_administration():
    form = _administration_form()
    if form.validate_on_submit():
        try:
            administration = services.create_administration(current_user, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Administration scheduled."), "success")
            return redirect(
                url_for("questionnaires.show_administration", administration_id=administration.id)
            )
    return render_template("questionnaires/edit_administration.html", form=form, administration=None)


@bp.route("/administrations/<int:administration_id>/edit", methods=["GET", "POST"])
@requires(*SCHEDULERS)
def edit_administration(administration_id: int):
    administration = services.get_administration_or_404(current_user, administration_id)
    form = _administration_form(administration)
    if form.validate_on_submit():
        try:
            services.update_administration(current_user, administration, form_values(form))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Administration saved."), "success")
            return redirect(
                url_for("questionnaires.show_administration", administration_id=administration.id)
            )
    return render_template(
        "questionnaires/edit_administration.html", form=form, administration=administration
    )


@bp.route("/administrations/<int:administration_id>")
@requires(*VIEWERS)
def show_administration(administration_id: int):
    administration = services.get_administration_or_404(current_user, administration_id)
    progress = services.progress(administration)
    shows_names = current_user.role in (ADMIN, OFFICER)
    page = render_template(
        "questionnaires/show_administration.html",
        administration=administration,
        progress=progress,
        shows_names=shows_names,
        status_labels=services.STATUS_LABELS,
        timepoint_label=services.timepoint_label,
        name_of=name_of,
        locale=_locale(),
        is_open=services.is_open_on(administration, local_today(administration)),
    )
    if shows_names:  # names of people in custody were read: recorded after the page is made
        with unit_of_work():
            record("read", "administration", administration.id, {"names": len(progress.rows)}, "progress")
    return page


@bp.route("/administrations/<int:administration_id>/questionnaire.pdf")
@requires(*VIEWERS)
def print_questionnaires(administration_id: int):
    administration = services.get_administration_or_404(current_user, administration_id)
    language = request.args.get("lang", administration.cohort.language)
    if language not in ("kk", "ru", "en"):
        abort(404)
    people = list(db.session.execute(services.expected_people(administration)).scalars())
    participant_id = request.args.get("participant_id", type=int)
    if participant_id:
        people = [p for p in people if p.id == participant_id] or abort(404)
    if not people:
        flash(_("Nobody is expected to answer yet: there is nothing to print."), "warning")
        return redirect(url_for("questionnaires.show_administration", administration_id=administration.id))
    pdf = questionnaire_pdf(administration, people, language)
    with unit_of_work():
        record("export", "administration", administration.id, {"pdf": language, "forms": len(people)})
    filename = f"{administration.instrument.code}-{administration.timepoint}-{language}.pdf"
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )
