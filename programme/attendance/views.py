"""Registers, rates, printable sheets and certificates, exports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from programme.attendance import export, grid, labels, pdf, rates, registers
from programme.attendance.completion import apply_completion as apply_completion_rule
from programme.attendance.forms import ExportForm, RegisterForm
from programme.attendance.register_html import RegisterControls
from programme.audit.services import record
from programme.core.cache import drawn_html
from programme.core.forms import ActionForm
from programme.core.i18n import localized
from programme.core.pages import render_cached_page
from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER, requires
from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.enrolment import cohort_roster
from programme.participants.models import Enrolment
from programme.participants.scope import (
    cohort_scope,
    get_cohort_or_404,
    person_label,
    sees_names,
    visible_cohorts,
)
from programme.scheduling.models import Cohort

bp = Blueprint("attendance", __name__)
ALL_ROLES = (ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER)
REGISTER_ROLES = (ADMIN, FACILITATOR, OFFICER)


def _locale() -> str:
    return str(get_locale() or "ru")


def _evaluable_ids(participant_ids) -> set[int] | None:
    return grid.evaluable_ids(current_user, participant_ids)


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def _helpers():
    return {"attendance_labels": labels}


@bp.route("/attendance")
@requires(*ALL_ROLES)
def list_cohorts():
    cohorts = (
        db.session.execute(visible_cohorts(current_user).order_by(Cohort.start_date.desc(), Cohort.id))
        .scalars()
        .all()
    )
    scope = cohort_scope(current_user)
    facility_rates = rates.facility_rates(scope) if current_user.role != FACILITATOR else {}
    facilities = {c.facility_id: c.facility for c in cohorts}
    return render_template(
        "attendance/list_cohorts.html",
        cohorts=cohorts,
        rates=rates.cohort_rates(scope),
        held=rates.held_session_counts(scope),
        facility_rates=[(facilities[fid], rate) for fid, rate in facility_rates.items() if fid in facilities],
    )


@bp.route("/cohorts/<int:cohort_id>/attendance")
@requires(*ALL_ROLES)
def show_cohort_attendance(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    roster = [e for e in cohort_roster(cohort.id) if e.status != "waitlisted"]
    allowed = _evaluable_ids(e.participant_id for e in roster)
    if allowed is not None:
        roster = [e for e in roster if e.participant_id in allowed]
    return render_template(
        "attendance/show_cohort_attendance.html",
        cohort=cohort,
        roster=roster,
        person_rates=rates.rates_for_cohort_people(cohort.id),
        cohort_rate=rates.cohort_rates(Cohort.id == cohort.id).get(cohort.id),
        sessions=cohort.sessions,
        is_future=registers.is_future,
        completion_form=ActionForm() if current_user.role in (ADMIN, OFFICER) else None,
    )


@bp.route("/cohorts/<int:cohort_id>/completion", methods=["POST"])
@requires(ADMIN, OFFICER)
def apply_completion(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if cohort.status != "completed":
        flash(_("The completion rule is applied when the cohort has ended."), "warning")
    else:
        result = apply_completion_rule(cohort)
        flash(
            _(
                "%(done)d completed, %(not_done)d below the completion share.",
                done=result.completed,
                not_done=result.not_completed,
            ),
            "success",
        )
    return redirect(url_for("attendance.show_cohort_attendance", cohort_id=cohort.id))


def _register_rows(lines, submitted=None, problems=None) -> Markup:
    return drawn_html(
        render_template(
            "attendance/_register_rows.html",
            lines=lines,
            submitted=submitted,
            problems=problems or {},
            controls=RegisterControls(),
        )
    )


def _register_context(session, session_date: date, rows, problems=None) -> dict:
    return {
        "session": session,
        "cohort": session.cohort,
        "rows": rows,
        "form": RegisterForm(),
        "problems": problems or {},
        "session_date": session_date,
    }


def _closed_register(session, cohort_id: int):
    """A cancelled or future session has no register: back to the cohort, saying why."""
    try:
        registers.check_open(session)
    except ValidationFailed as failure:
        flash(str(failure), "warning")
        return redirect(url_for("attendance.show_cohort_attendance", cohort_id=cohort_id))
    return None


def _open_register(session_id: int) -> dict:
    """The register page as the marks stand: the session in the user's scope (404 otherwise),
    open (else back to the cohort), and its rows."""
    session = registers.get_session_or_404(current_user, session_id)
    closed = _closed_register(session, session.cohort_id)
    if closed:
        abort(closed)
    session_date = registers.session_day(session)
    lines = registers.register_lines(session, session_date)
    return _register_context(session, session_date, _register_rows(lines))


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@requires(*REGISTER_ROLES)
def take_register(session_id: int):
    if request.method == "POST":
        return _save_register(session_id)
    # The page an officer opens for every session: drawn once per user and reused until a table
    # it read changes (a mark, a person on the list, the session, its staffing). The scope check
    # is inside: the key holds the user, and a change of what it read draws the page anew.
    return render_cached_page("attendance/take_register.html", lambda: _open_register(session_id))


def _save_register(session_id: int):
    """The register as sent: saved whole, or drawn again with its problems (400)."""
    session, marks = registers.load_register(current_user, session_id)
    closed = _closed_register(session, session.cohort_id)
    if closed:
        return closed
    if not RegisterForm().validate_on_submit():
        abort(400)
    entries, problems = registers.parse_entries(request.form, marks)
    if not problems:
        try:
            result = registers.save_register(session, marks, entries, current_user.id)
        except ValidationFailed as failure:
            problems = failure.problems
        else:
            flash(
                _(
                    "Register saved: %(new)d new marks, %(changed)d changed.",
                    new=result["new"],
                    changed=result["changed"],
                ),
                "success",
            )
            return redirect(url_for("attendance.show_cohort_attendance", cohort_id=session.cohort_id))
    # What was sent, with its problems, drawn on the people as they are now.
    loaded = registers.get_session_or_404(current_user, session_id)
    lines = registers.register_lines(loaded, session.date)
    context = _register_context(loaded, session.date, _register_rows(lines, entries, problems), problems)
    return render_template("attendance/take_register.html", **context), 400


@bp.route("/sessions/<int:session_id>/sign-in-sheet.pdf")
@requires(*REGISTER_ROLES)
def print_sign_in_sheet(session_id: int):
    session = registers.get_session_or_404(current_user, session_id)
    cohort = session.cohort
    if session.status == "cancelled":
        abort(404)
    lines = registers.register_lines(session, registers.session_day(session))
    locale = _locale()
    plan_title = ""
    if session.plan is not None:
        texts = {text.language: text.title for text in session.plan.texts}
        plan_title = texts.get(cohort.language) or texts.get(locale) or next(iter(texts.values()), "")
    heading = pdf.SheetHeading(
        cohort_name=cohort.name,
        facility_name=localized(cohort.facility, "name", locale),
        when=format_datetime(
            registers.local_datetime(session, cohort.facility.timezone), "medium", rebase=False
        ),
        room=session.room or cohort.room,
        session_title=plan_title,
        sequence=session.sequence,
    )
    names = [person_label(current_user, line.participant) for line in lines]
    numbers = [line.participant.facility_number for line in lines] if sees_names(current_user) else None
    content = pdf.sign_in_sheet_pdf(heading, names, numbers, locale)
    with unit_of_work():
        record(
            "print",
            "programme_session",
            session.id,
            {"document": "sign_in_sheet", "people": len(lines)},
            purpose="sign-in sheet",
        )
    return _pdf(content, f"sign-in-{session_id}.pdf")  # the commit expired the row


@bp.route("/cohorts/<int:cohort_id>/register.pdf")
@requires(*ALL_ROLES)
def print_cohort_register(cohort_id: int):
    content, people = grid.register_grid(current_user, cohort_id, _locale())
    with unit_of_work():
        record(
            "print",
            "cohort",
            cohort_id,
            {"document": "register_grid", "people": people},
            purpose="register grid",
        )
    return _pdf(content, f"register-{cohort_id}.pdf")


@bp.route("/enrolments/<int:enrolment_id>/certificate.pdf")
@requires(ADMIN, OFFICER)
def print_certificate(enrolment_id: int):
    enrolment = db.first_or_404(
        select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id == enrolment_id, Enrolment.status == "completed", cohort_scope(current_user))
    )
    cohort = enrolment.cohort
    participant = enrolment.participant
    language = next(
        (lang for lang in participant.languages or [] if lang in ("kk", "ru", "en")), cohort.language
    )
    titles = {text.language: text.title for text in cohort.curriculum_version.texts}
    rate = rates.enrolment_rates(Enrolment.id == enrolment.id).get(enrolment.id) or rates.Rate(0, 0)
    text = pdf.CertificateText(
        name=participant.full_name or participant.study_code,
        course_title=titles.get(language) or titles.get(cohort.language) or cohort.name,
        facility_name=localized(cohort.facility, "name", language),
        department=cohort.department.university,
        attended=rate.attended,
        held=rate.held,
        completed_on=(enrolment.completed_at.date() if enrolment.completed_at else date.today()),
    )
    content = pdf.certificate_pdf(text, language)
    with unit_of_work():
        record(
            "print",
            "enrolment",
            enrolment.id,
            {"document": "certificate", "language": language},
            purpose="certificate",
        )
    return _pdf(content, f"certificate-{enrolment_id}.pdf")  # the commit expired the row


@bp.route("/attendance/exports", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR, EVALUATOR, OFFICER)
def export_attendance():
    form = ExportForm()
    cohorts = (
        db.session.execute(visible_cohorts(current_user).order_by(Cohort.start_date.desc())).scalars().all()
    )
    form.cohort_id.choices = [(0, _("All cohorts I may see"))] + [(c.id, c.name) for c in cohorts]
    if request.method == "GET" and request.args.get("cohort_id", type=int):
        form.cohort_id.data = request.args.get("cohort_id", type=int)
    if form.validate_on_submit():
        cohort_id = form.cohort_id.data or None
        if cohort_id and cohort_id not in {c.id for c in cohorts}:
            abort(404)
        content = export.export_attendance(
            current_user, form.file_format.data, form.purpose.data.strip(), cohort_id
        )
        if form.file_format.data == "xlsx":
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            mimetype = "text/csv; charset=utf-8"
        response = Response(content, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="attendance.{form.file_format.data}"'
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template(
        "attendance/export_attendance.html", form=form, pseudonymised=not sees_names(current_user)
    )
