"""Sign-in, sign-out, own password and language, and the admin's user screens."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, select

from programme.auth import services
from programme.auth.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from programme.auth.models import User
from programme.core.forms import apply_problems, choices
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, ROLE_LABELS, public, requires, signed_in
from programme.core.security import mark_session_start
from programme.core.services import ValidationFailed
from programme.core.urls import local_or
from programme.extensions import db
from programme.facilities.services import department_choices, facility_choices
from programme.notifications.services import remember_unread_count, unread_count_of

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.sign_in(form.email.data, form.password.data, request.remote_addr or "")
        if result.needs_second_factor:
            from programme.auth.twofactor_views import begin_second_factor

            begin_second_factor(result.user, request.args.get("next"))
            return redirect(url_for("auth.verify_second_factor"))
        if result.succeeded:
            session.clear()
            login_user(result.user)
            mark_session_start()
            if result.user.must_change_password:
                flash(_("Please choose your own password before you continue."), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(local_or(request.args.get("next"), url_for("core.index")))
        if result.throttled:
            form.form_errors.append(_("Too many failed attempts. Wait a few minutes and try again."))
        else:
            form.form_errors.append(_("The e-mail or password is not correct."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    language = str(get_locale() or "")
    services.sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    session["lang"] = language  # the sign-in page stays in the language the person was using
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            # Every other session has ended; keep this one on the new session version.
            login_user(user)
            mark_session_start()
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(url_for("core.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.locale.data
        if current_user.is_authenticated:
            services.set_locale(current_user._get_current_object(), form.locale.data)
    return redirect(local_or(request.form.get("next"), url_for("core.index")))


# --- administration -----------------------------------------------------------------------------


def _load_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _fill_scope_choices(form: UserForm) -> None:
    form.facility_id.choices = choices([(0, "—")] + facility_choices())
    form.department_id.choices = choices([(0, "—")] + department_choices())


@bp.route("/users")
@requires(ADMIN)
def list_users():
    role = request.args.get("role") or None
    search = request.args.get("q") or None
    page = paginate(services.list_users(role, search))
    return render_template(
        "auth/list_users.html", page=page, role=role, search=search or "", roles=ROLE_LABELS
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(ADMIN)
def create_user():
    form = NewUserForm()
    _fill_scope_choices(form)
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                password=form.password.data,
                facility_id=form.facility_id.data or None,
                department_id=form.department_id.data or None,
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/edit_user.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(ADMIN)
def edit_user(user_id: int):
    user = _load_user_or_404(user_id)
    form = UserForm(obj=user)
    _fill_scope_choices(form)
    if request.method == "GET":
        form.is_active.data = user.is_active_account
        form.facility_id.data = user.facility_id or 0
        form.department_id.data = user.department_id or 0
        form.version_id.data = user.version_id
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                facility_id=form.facility_id.data or None,
                department_id=form.department_id.data or None,
                is_active=form.is_active.data,
                version_id=form.submitted_version(),
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/edit_user.html", form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@requires(ADMIN)
def reset_password(user_id: int):
    user = _load_user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("A temporary password was set for %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/reset_password.html", form=form, user=user)


@cache
def _user_with_unread_count():
    """The user loader's statement, built once: every signed-in request runs it, and building a
    select with its subquery (and its cache key) cost as much as running it."""
    return select(User, unread_count_of(User.id)).where(User.id == bindparam("user_id"))


def load_user(session_token: str):
    """Flask-Login user loader: the session carries "id:session_version"."""
    user_id, _sep, version = session_token.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The menu's unread-notification count comes in the same statement: every signed-in page
    # needs both, and a statement of its own costs each page a round trip.
    row = db.session.execute(_user_with_unread_count(), {"user_id": int(user_id)}).one_or_none()
    if row is None:
        return None
    user, unread = row
    if not user.is_active_account or user.session_version != int(version):
        return None
    remember_unread_count(unread)
    return user


PASSWORD_CHANGE_EXEMPT = frozenset(
    {"auth.change_password", "auth.logout", "auth.set_language", "static", "bootstrap.static"}
)


def require_password_change():
    """before_request: a user with an admin-issued password may only change it (or sign out)."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in PASSWORD_CHANGE_EXEMPT
    ):
        return redirect(url_for("auth.change_password"))
    return None
