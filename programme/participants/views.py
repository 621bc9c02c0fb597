"""The registry: lists, records, import, consent, transfers and enrolment."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from programme.core.forms import apply_problems
from programme.core.pages import render_cached_page
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.extensions import db
from programme.facilities.services import facility_choices
from programme.participants import consent as consent_services
from programme.participants import enrolment as enrolment_services
from programme.participants import imports, labels, services
from programme.participants.codes import CODE_LENGTH, display_code, is_valid_code, normalise_code
from programme.participants.forms import (
    ConfirmImportForm,
    ConsentForm,
    EnrolForm,
    ImportForm,
    ParticipantForm,
    TransferForm,
    WithdrawConsentForm,
    WithdrawEnrolmentForm,
)
from programme.participants.models import Enrolment, Participant
from programme.participants.scope import (
    age_band,
    cohort_scope,
    person_label,
    sees_names,
    visible_cohorts,
    visible_participants,
)

bp = Blueprint("participants", __name__)
ALL_ROLES = (ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER)


@bp.app_context_processor
def _helpers():
    return {
        "person_label": person_label,
        "display_code": display_code,
        "age_band": age_band,
        "participant_labels": labels,
    }


@bp.route("/participants")
@requires(*ALL_ROLES)
def list_participants():
    return render_cached_page("participants/list_participants.html", _participant_list)


def _participant_list() -> dict:
    search = request.args.get("q") or ""
    page = paginate(services.search_participants(current_user, search))
    typed = normalise_code(search)
    code_typo = len(typed) == CODE_LENGTH and typed.isalnum() and not is_valid_code(typed) and page.total == 0
    return {"page": page, "search": search, "names": sees_names(current_user), "code_typo": code_typo}


@bp.route("/participants/new", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def create_participant():
    form = ParticipantForm()
    if current_user.role == OFFICER:
        del form.facility_id
    else:
        form.facility_id.choices = facility_choices()
    if form.validate_on_submit():
        facility_id = current_user.facility_id if current_user.role == OFFICER else form.facility_id.data
        try:
            participant = services.create_participant(facility_id, form.values())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(
                _(
                    "%(name)s registered with the study code %(code)s.",
                    name=participant.full_name,
                    code=display_code(participant.study_code),
                ),
                "success",
            )
            return redirect(url_for("participants.show_participant", participant_id=participant.id))
    return render_template("participants/edit_participant.html", form=form, participant=None)


@bp.route("/participants/<int:participant_id>")
@requires(ADMIN, COORDINATOR, EVALUATOR, OFFICER)
def show_participant(participant_id: int):
    from programme.attendance.rates import rates_for_participant
    from programme.scheduling.models import Cohort

    participant = services.get_participant_or_404(current_user, participant_id)
    enrolments = db.session.execute(
        select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .options(contains_eager(Enrolment.cohort))
        .where(Enrolment.participant_id == participant.id, cohort_scope(current_user))
        .order_by(Cohort.start_date)
    ).scalars()
    page = render_template(
        "participants/show_participant.html",
        participant=participant,
        enrolments=list(enrolments),
        rates=rates_for_participant(participant.id),
        transfers=services.transfer_history(participant.id) if sees_names(current_user) else [],
        names=sees_names(current_user),
        evaluable=consent_services.has_evaluation_consent(participant.id),
        questionnaires=consent_services.may_receive_questionnaires(participant.id),
        today=date.today(),
    )
    # Recorded once the page is ready: a read that cannot be recorded is not shown.
    services.record_read(current_user, participant)
    return page


@bp.route("/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def edit_participant(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    form = ParticipantForm(obj=participant)
    del form.facility_id
    form.load(participant)
    if form.validate_on_submit():
        try:
            services.update_participant(participant, form.values(), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Record saved."), "success")
            return redirect(url_for("participants.show_participant", participant_id=participant.id))
    return render_template("participants/edit_participant.html", form=form, participant=participant)


@bp.route("/participants/<int:participant_id>/transfer", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def transfer_participant(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    form = TransferForm()
    form.to_facility_id.choices = [
        (fid, label) for fid, label in facility_choices() if fid != participant.facility_id
    ]
    if request.method == "GET":
        form.transferred_on.data = date.today()
    if form.validate_on_submit():
        try:
            services.transfer_participant(
                participant,
                form.to_facility_id.data,
                form.transferred_on.data,
                current_user.id,
                form.new_facility_number.data,
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Transfer recorded; the receiving facility's officer now keeps this record."), "success")
            if current_user.role == OFFICER:
                return redirect(url_for("participants.list_participants"))
            return redirect(url_for("participants.show_participant", participant_id=participant.id))
    return render_template("participants/transfer_participant.html", form=form, participant=participant)


@bp.route("/participants/<int:participant_id>/consents/new", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def record_consent(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    form = ConsentForm()
    if request.method == "GET":
        form.consented_on.data = date.today()
    if form.validate_on_submit():
        try:
            consent_services.record_consent(
                participant, form.consented_on.data, form.form_version.data, current_user.id
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Consent recorded."), "success")
            return redirect(url_for("participants.show_participant", participant_id=participant.id))
    return render_template("participants/record_consent.html", form=form, participant=participant)


@bp.route("/participants/<int:participant_id>/consents/withdraw", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def withdraw_consent(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    form = WithdrawConsentForm()
    if request.method == "GET":
        form.withdrawn_on.data = date.today()
    if form.validate_on_submit():
        try:
            consent_services.withdraw_consent(participant, form.withdrawn_on.data, form.choice.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Withdrawal recorded."), "success")
            return redirect(url_for("participants.show_participant", participant_id=participant.id))
    return render_template("participants/withdraw_consent.html", form=form, participant=participant)


@bp.route("/participants/import", methods=["GET", "POST"])
@requires(OFFICER)
def import_participants():
    form = ImportForm()
    check = None
    token = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = imports.read_table(upload.filename, upload.read(imports.MAX_BYTES + 1))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            check = imports.check_rows(current_user.facility_id, rows)
            if check.is_valid:
                token = imports.sign_rows(current_user.facility_id, upload.filename, rows)
    return render_template(
        "participants/import_participants.html",
        form=form,
        check=check,
        confirm_form=ConfirmImportForm(token=token) if token else None,
        columns=services.EDITABLE_FIELDS,
        required_columns=services.REQUIRED_FIELDS,
        max_rows=imports.MAX_ROWS,
    )


@bp.route("/participants/import/confirm", methods=["POST"])
@requires(OFFICER)
def confirm_import():
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        filename, rows = imports.unsign_rows(form.token.data, current_user.facility_id)
        saved = imports.import_rows(current_user.facility_id, filename, rows)
    except ValidationFailed as failure:
        for messages in failure.problems.values():
            for message in messages:
                flash(str(message), "danger")
        return redirect(url_for("participants.import_participants"))
    flash(ngettext("%(num)d person imported.", "%(num)d people imported.", len(saved)), "success")
    return redirect(url_for("participants.list_participants"))


def _cohort_or_404(cohort_id: int):
    from programme.scheduling.models import Cohort

    return db.first_or_404(visible_cohorts(current_user).where(Cohort.id == cohort_id))


def _enrol_form(cohort) -> EnrolForm | None:
    if current_user.role not in (ADMIN, OFFICER):
        return None
    form = EnrolForm()
    on_list = {
        e.participant_id
        for e in db.session.execute(db.select(Enrolment).where(Enrolment.cohort_id == cohort.id)).scalars()
    }
    candidates = db.session.execute(
        visible_participants(current_user)
        .where(Participant.facility_id == cohort.facility_id, Participant.is_comparison.is_(False))
        .order_by(Participant.full_name)
    ).scalars()
    form.participant_ids.choices = [
        (p.id, f"{p.full_name} · {p.facility_number}") for p in candidates if p.id not in on_list
    ]
    return form


@bp.route("/cohorts/<int:cohort_id>/enrolments")
@requires(ADMIN, COORDINATOR, FACILITATOR, OFFICER)
def list_enrolments(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    return render_template(
        "participants/list_enrolments.html",
        cohort=cohort,
        roster=enrolment_services.cohort_roster(cohort.id),
        form=_enrol_form(cohort),
    )


@bp.route("/cohorts/<int:cohort_id>/enrolments", methods=["POST"])
@requires(ADMIN, OFFICER)
def enrol_participants(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = _enrol_form(cohort)
    if form.validate_on_submit():
        chosen = {
            p.id: p
            for p in db.session.execute(
                visible_participants(current_user).where(Participant.id.in_(form.participant_ids.data))
            ).scalars()
        }
        ordered = [chosen[pid] for pid in form.participant_ids.data if pid in chosen]
        try:
            enrolments = enrolment_services.enrol_many(ordered, cohort)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            waiting = sum(1 for e in enrolments if e.status == "waitlisted")
            flash(
                ngettext("%(num)d person added.", "%(num)d people added.", len(enrolments))
                + (
                    " "
                    + ngettext("%(num)d is on the waiting list.", "%(num)d are on the waiting list.", waiting)
                    if waiting
                    else ""
                ),
                "success",
            )
            return redirect(url_for("participants.list_enrolments", cohort_id=cohort.id))
    return render_template(
        "participants/list_enrolments.html",
        cohort=cohort,
        roster=enrolment_services.cohort_roster(cohort.id),
        form=form,
    ), 400


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["GET", "POST"])
@requires(ADMIN, OFFICER)
def withdraw_enrolment(enrolment_id: int):
    from programme.scheduling.models import Cohort

    enrolment = db.first_or_404(
        db.select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id == enrolment_id, visible_cohorts(current_user).whereclause)
    )
    form = WithdrawEnrolmentForm()
    if request.method == "GET":
        form.withdrawn_on.data = date.today()
    if form.validate_on_submit():
        try:
            enrolment_services.withdraw_enrolment(enrolment, form.reason.data, form.withdrawn_on.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Withdrawal recorded."), "success")
            return redirect(url_for("participants.list_enrolments", cohort_id=enrolment.cohort_id))
    return render_template("participants/withdraw_enrolment.html", form=form, enrolment=enrolment)
