"""Data-subject rights for admins: the subject-access file, forgetting a person, retention."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from programme.core.forms import apply_problems
from programme.core.permissions import ADMIN, requires
from programme.core.services import ValidationFailed
from programme.participants import privacy, services
from programme.participants.codes import display_code, normalise_code
from programme.participants.forms import ForgetForm, RetentionForm, SubjectAccessForm
from programme.participants.views import bp


@bp.route("/participants/<int:participant_id>/subject-access", methods=["GET", "POST"])
@requires(ADMIN)
def export_subject_access(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    form = SubjectAccessForm()
    if form.validate_on_submit():
        try:
            exported = privacy.export_subject_access(participant, form.file_format.data, form.purpose.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            response = Response(exported.content, mimetype=exported.mimetype)
            response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("participants/export_subject_access.html", form=form, participant=participant)


@bp.route("/participants/<int:participant_id>/forget", methods=["GET", "POST"])
@requires(ADMIN)
def forget_participant(participant_id: int):
    participant = services.get_participant_or_404(current_user, participant_id)
    plan = privacy.forget_plan(participant)
    form = ForgetForm()
    if form.validate_on_submit():
        if normalise_code(form.study_code.data) != participant.study_code:
            form.study_code.errors = [_("This is not the person's study code: type it as shown above.")]
        else:
            code = display_code(participant.study_code)
            if privacy.forget(participant) == "anonymised":
                flash(
                    _(
                        "%(code)s is anonymised: name, facility number, dates and notes are removed; "
                        "the pseudonymous answers and attendance stay for the evaluation.",
                        code=code,
                    ),
                    "success",
                )
                return redirect(url_for("participants.show_participant", participant_id=participant_id))
            flash(_("%(code)s is erased: every record about this person is deleted.", code=code), "success")
            return redirect(url_for("participants.list_participants"))
    return render_template(
        "participants/forget_participant.html",
        form=form,
        participant=participant,
        plan=plan,
        removed_fields=privacy.IDENTIFYING_FIELDS,
    )


def _retention_page(form: RetentionForm):
    # Showing the list is the dry run, recorded in the audit log like `flask retention run`.
    return render_template(
        "participants/show_retention.html",
        form=form,
        report=privacy.run_retention(apply=False),
        retention_days=current_app.config["RETENTION_DAYS"],
    )


@bp.route("/participants/retention")
@requires(ADMIN)
def show_retention():
    return _retention_page(RetentionForm())


@bp.route("/participants/retention", methods=["POST"])
@requires(ADMIN)
def apply_retention():
    form = RetentionForm()
    if not form.validate_on_submit():
        return _retention_page(form), 400
    report = privacy.run_retention(apply=True)
    flash(
        ngettext(
            "Retention applied: %(num)d person anonymised.",
            "Retention applied: %(num)d people anonymised.",
            report.candidates,
        ),
        "success",
    )
    return redirect(url_for("participants.show_retention"))
