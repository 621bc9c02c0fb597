"""The audit trail."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN
from programme.core.registry import add_nav, add_panel


def register(app) -> None:
    from programme.audit import cli, services, views

    app.register_blueprint(views.bp)
    add_nav(app, _l("Audit log"), "audit.list_events", [ADMIN], order=950, active_prefix="/audit")
    add_panel(app, "audit/_panel.html", [ADMIN], services.recent_activity, order=950)
    cli.register(app)
