"""Operations: backups that restore, and the admin's operations page."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN
from programme.core.registry import add_nav


def register(app) -> None:
    from programme.operations import cli, models, views  # noqa: F401 - models join the metadata

    app.register_blueprint(views.bp)
    add_nav(app, _l("Operations"), "operations.show_status", [ADMIN], order=960, active_prefix="/operations")
    cli.register(app)
