"""In-app notifications: the bell with the unread count in the menu, and the notifications page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from programme.core.permissions import ROLES
from programme.core.registry import add_nav


class BellLabel:
    """The menu label: "Notifications" and, when there are any, the unread count as a badge."""

    def _count(self) -> int:
        from programme.notifications.services import request_unread_count

        if not current_user.is_authenticated:
            return 0
        return request_unread_count(current_user.id)

    def __str__(self) -> str:
        """The same words as the rendered label's text."""
        count = self._count()
        return f"{_('Notifications')} {count}" if count else str(_("Notifications"))

    def __html__(self) -> str:
        count = self._count()
        label = escape(_("Notifications"))
        if not count:
            return str(Markup('<span data-testid="notification-bell">{}</span>').format(label))
        return str(
            Markup(
                '<span data-testid="notification-bell">{} '
                '<span class="badge rounded-pill text-bg-warning" data-testid="unread-count"'
                ' aria-label="{}">{}</span></span>'
            ).format(label, _("Unread: %(count)d", count=count), count)
        )


def register(app) -> None:
    from programme.notifications import models, views  # noqa: F401 - the tables belong to the app's metadata

    app.register_blueprint(views.bp)
    add_nav(
        app, BellLabel(), "notifications.list_notifications", ROLES, order=990, active_prefix="/notifications"
    )
