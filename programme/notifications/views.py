"""The notifications page: read and mark as read (POST)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from programme.core.forms import ActionForm
from programme.core.pagination import paginate
from programme.core.permissions import signed_in
from programme.notifications import services

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@signed_in
def list_notifications():
    page = paginate(services.list_notifications(current_user.id))
    return render_template(
        "notifications/list_notifications.html",
        page=page,
        render=services.render,
        form=ActionForm(),
        unread=services.unread_count(current_user.id),
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@signed_in
def mark_notification_read(notification_id: int):
    if ActionForm().validate_on_submit():
        services.mark_read(current_user.id, notification_id)
    return redirect(url_for("notifications.list_notifications"))


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def mark_notifications_read():
    if ActionForm().validate_on_submit():
        services.mark_read(current_user.id)
    return redirect(url_for("notifications.list_notifications"))
