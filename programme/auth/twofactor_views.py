"""Two-factor sign-in: the second step of signing in, enrolment, recovery codes, admin reset."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from programme.auth import services, twofactor
from programme.auth.forms import SecondFactorForm
from programme.auth.models import User
from programme.auth.views import bp, load_user
from programme.core.forms import ActionForm, apply_problems
from programme.core.permissions import ADMIN, public, requires, signed_in
from programme.core.security import mark_session_start
from programme.core.services import ValidationFailed
from programme.core.urls import local_or
from programme.extensions import db

PENDING_KEY = "pending_second_factor"
PENDING_SECONDS = 300


def begin_second_factor(user: User, next_url: str | None) -> None:
    """Remember, for five minutes, whose password was right, until the code is given."""
    session[PENDING_KEY] = {"token": user.get_id(), "next": next_url or "", "at": int(time.time())}


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return load_user(pending.get("token", ""))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def verify_second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    user = _pending_user()
    if user is None:
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        result = services.complete_second_factor(user, form.code.data, request.remote_addr or "")
        if result.succeeded:
            next_url = session[PENDING_KEY].get("next")
            language = session.get("lang")
            session.clear()
            if language:
                session["lang"] = language
            login_user(result.user)
            mark_session_start()
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(local_or(next_url, url_for("core.index")))
        if result.throttled:
            form.form_errors.append(_("Too many failed attempts. Wait a few minutes and try again."))
        else:
            form.form_errors.append(_("The code is not correct."))
    return render_template("auth/verify_second_factor.html", form=form)


@bp.route("/account/two-factor", methods=["GET"])
@signed_in
def two_factor():
    user = current_user._get_current_object()
    context = {
        "form": SecondFactorForm(),
        "action_form": ActionForm(),
        "required": twofactor.is_required_for(user),
    }
    if not user.has_two_factor:
        secret = session.get("enrolment_secret") or twofactor.new_secret()
        session["enrolment_secret"] = secret
        uri = twofactor.provisioning_uri(user, secret)
        context.update(secret=secret, qr=twofactor.qr_svg_data_uri(uri))
    return render_template("auth/two_factor.html", **context)


@bp.route("/account/two-factor/confirm", methods=["POST"])
@signed_in
def confirm_two_factor():
    form = SecondFactorForm()
    secret = session.get("enrolment_secret")
    user = current_user._get_current_object()
    if not form.validate_on_submit() or not secret or user.has_two_factor:
        return redirect(url_for("auth.two_factor"))
    try:
        codes = twofactor.confirm_enrolment(user, secret, form.code.data)
    except ValidationFailed as failure:
        apply_problems(form, failure)
        context = {
            "form": form,
            "action_form": ActionForm(),
            "required": twofactor.is_required_for(user),
            "secret": secret,
            "qr": twofactor.qr_svg_data_uri(twofactor.provisioning_uri(user, secret)),
        }
        return render_template("auth/two_factor.html", **context)
    session.pop("enrolment_secret", None)
    flash(_("Two-factor sign-in is on."), "success")
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in
def regenerate_recovery_codes():
    user = current_user._get_current_object()
    if not ActionForm().validate_on_submit() or not user.has_two_factor:
        return redirect(url_for("auth.two_factor"))
    return render_template("auth/recovery_codes.html", codes=twofactor.regenerate_recovery_codes(user))


@bp.route("/account/two-factor/disable", methods=["POST"])
@signed_in
def disable_two_factor():
    user = current_user._get_current_object()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("auth.two_factor"))
    if twofactor.is_required_for(user):
        flash(_("Your role requires two-factor sign-in; it cannot be turned off."), "danger")
        return redirect(url_for("auth.two_factor"))
    twofactor.disable(user)
    login_user(user)  # keep this session on the new session version
    mark_session_start()
    flash(_("Two-factor sign-in is off."), "info")
    return redirect(url_for("auth.two_factor"))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@requires(ADMIN)
def reset_two_factor(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if ActionForm().validate_on_submit():
        twofactor.disable(user)
        flash(
            _(
                "Two-factor sign-in was reset for %(email)s; they set it up again at the next sign-in.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("auth.edit_user", user_id=user.id))


TWO_FACTOR_EXEMPT = frozenset(
    {
        "auth.two_factor",
        "auth.confirm_two_factor",
        "auth.logout",
        "auth.set_language",
        "auth.change_password",
        "static",
        "bootstrap.static",
    }
)


def require_two_factor():
    """before_request: roles that must use two-factor sign-in set it up before anything else."""
    if (
        current_user.is_authenticated
        and not current_user.has_two_factor
        and twofactor.is_required_for(current_user)
        and request.endpoint not in TWO_FACTOR_EXEMPT
    ):
        return redirect(url_for("auth.two_factor"))
    return None
