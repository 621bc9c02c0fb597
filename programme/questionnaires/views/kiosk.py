"""Supervised tablet (kiosk) mode.

A facilitator opens one administration on a classroom tablet. From then on this browser session
shows only the kiosk pages: a neutral start page where a participant picks themselves (by code, or
by first name and initial: never a full name) and a language, their questionnaire, and back to
the start page after each submission. Leaving kiosk mode asks for the facilitator's password.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from programme.auth.passwords import verify_password
from programme.core.forms import ActionForm, apply_problems
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.extensions import db
from programme.questionnaires.forms import KioskExitForm, KioskStartForm
from programme.questionnaires.models import Administration
from programme.questionnaires.services import administrations as services
from programme.questionnaires.services.entry import (
    choices_of,
    field_name,
    find_in_cohort,
    local_today,
    submit_kiosk_answers,
)
from programme.questionnaires.services.instruments import name_of
from programme.questionnaires.views import bp

SUPERVISORS = (ADMIN, COORDINATOR, FACILITATOR, OFFICER)
KIOSK_KEY = "kiosk_administration_id"
PERSON_KEY = "kiosk_participant_id"
LANGUAGE_KEY = "kiosk_language"
KIOSK_ENDPOINTS = frozenset(
    {
        "questionnaires.kiosk_start",
        "questionnaires.kiosk_begin",
        "questionnaires.kiosk_questionnaire",
        "questionnaires.kiosk_cancel",
        "questionnaires.exit_kiosk",
        "static",
        "bootstrap.static",
    }
)


@bp.before_app_request
def keep_kiosk_locked():
    """While a tablet is in kiosk mode, every other page leads back to the kiosk start page."""
    if session.get(KIOSK_KEY) and request.endpoint not in KIOSK_ENDPOINTS:
        return redirect(url_for("questionnaires.kiosk_start"))
    return None


def kiosk_label(full_name: str | None) -> str | None:
    """First name and the initial of the family name ("Surname Given Patronymic" order)."""
    parts = (full_name or "").split()
    if len(parts) >= 2:
        return f"{parts[1]} {parts[0][0]}."
    return parts[0] if parts else None


def _kiosk_administration():
    administration_id = session.get(KIOSK_KEY)
    if not administration_id:
        return None
    return db.session.execute(
        services.visible_administrations(current_user).where(Administration.id == administration_id)
    ).scalar_one_or_none()


def _leave_kiosk() -> None:
    for key in (KIOSK_KEY, PERSON_KEY, LANGUAGE_KEY):
        session.pop(key, None)


@bp.route("/administrations/<int:administration_id>/kiosk", methods=["POST"])
@requires(*SUPERVISORS)
def open_kiosk(administration_id: int):
    administration = services.get_administration_or_404(current_user, administration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not services.is_open_on(administration, local_today(administration)):
        flash(_("This administration is not open today: the tablet cannot be used for it."), "danger")
        return redirect(url_for("questionnaires.show_administration", administration_id=administration.id))
    session[KIOSK_KEY] = administration.id
    return redirect(url_for("questionnaires.kiosk_start"))


def _waiting_people(administration) -> list[tuple[int, str | None]]:
    rows = services.progress(administration).rows
    return [
        (row.participant.id, kiosk_label(row.participant.full_name))
        for row in rows
        if row.is_expected and row.response is None
    ]


@bp.route("/kiosk")
@requires(*SUPERVISORS)
def kiosk_start():
    administration = _kiosk_administration()
    if administration is None:
        _leave_kiosk()
        return redirect(url_for("questionnaires.list_administrations"))
    session.pop(PERSON_KEY, None)
    if request.args.get("language") in ("kk", "ru", "en"):
        session[LANGUAGE_KEY] = request.args["language"]  # the start page speaks the chosen language
    language = session.get(LANGUAGE_KEY) or administration.cohort.language
    form = KioskStartForm(language=language)
    with force_locale(language):
        return render_template(
            "questionnaires/kiosk_start.html",
            form=form,
            people=[(pid, label) for pid, label in _waiting_people(administration) if label],
            language=language,
            thanks=request.args.get("thanks") == "1",
        )


@bp.route("/kiosk/begin", methods=["POST"])
@requires(*SUPERVISORS)
def kiosk_begin():
    administration = _kiosk_administration() or abort(404)
    form = KioskStartForm()
    if not form.validate_on_submit():
        return redirect(url_for("questionnaires.kiosk_start"))
    language = form.language.data
    session[LANGUAGE_KEY] = language
    waiting = {pid for pid, _label in _waiting_people(administration)}
    with force_locale(language):
        try:
            if form.participant_code.data:
                participant_id = find_in_cohort(administration, form.participant_code.data).id
            else:
                participant_id = form.participant_id.data
            if participant_id not in waiting:
                raise ValidationFailed.on(
                    "participant_code", _("This code cannot answer now. Ask the facilitator.")
                )
        except ValidationFailed as failure:
            apply_problems(form, failure)
            return render_template(
                "questionnaires/kiosk_start.html",
                form=form,
                people=[(pid, label) for pid, label in _waiting_people(administration) if label],
                language=language,
                thanks=False,
            )
    session[PERSON_KEY] = participant_id
    return redirect(url_for("questionnaires.kiosk_questionnaire"))


@bp.route("/kiosk/questionnaire", methods=["GET", "POST"])
@requires(*SUPERVISORS)
def kiosk_questionnaire():
    administration = _kiosk_administration()
    participant_id = session.get(PERSON_KEY)
    if administration is None or not participant_id:
        return redirect(url_for("questionnaires.kiosk_start"))
    language = session.get(LANGUAGE_KEY) or administration.cohort.language
    form = ActionForm()
    problems: dict[str, list[str]] = {}
    with force_locale(language):
        if form.validate_on_submit():
            try:
                submit_kiosk_answers(current_user, administration, participant_id, language, request.form)
            except ValidationFailed as failure:
                problems = failure.problems
            else:
                session.pop(PERSON_KEY, None)
                return redirect(url_for("questionnaires.kiosk_start", thanks=1))
        instrument = administration.instrument
        return render_template(
            "questionnaires/kiosk_questionnaire.html",
            form=form,
            instrument=instrument,
            title=name_of(instrument, language),
            instructions=(instrument.texts.get(language) or {}).get("instructions", ""),
            items=list(instrument.items),
            groups={g["code"]: g for g in instrument.groups},
            language=language,
            problems=problems,
            values=request.form if request.method == "POST" else {},
            field_name=field_name,
            choices_of=choices_of,
        )


@bp.route("/kiosk/cancel", methods=["POST"])
@requires(*SUPERVISORS)
def kiosk_cancel():
    session.pop(PERSON_KEY, None)
    return redirect(url_for("questionnaires.kiosk_start"))


@bp.route("/kiosk/exit", methods=["GET", "POST"])
@requires(*SUPERVISORS)
def exit_kiosk():
    administration_id = session.get(KIOSK_KEY)
    form = KioskExitForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            _leave_kiosk()
            flash(_("Kiosk mode ended."), "info")
            if administration_id:
                return redirect(
                    url_for("questionnaires.show_administration", administration_id=administration_id)
                )
            return redirect(url_for("questionnaires.list_administrations"))
        form.password.errors = [_("The password is not correct.")]
    return render_template("questionnaires/kiosk_exit.html", form=form)
