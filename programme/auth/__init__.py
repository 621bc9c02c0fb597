"""Accounts, sign-in and sessions."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN
from programme.core.registry import add_nav, add_seeder


def register(app) -> None:
    from programme.auth import cli, demo, twofactor_views, views
    from programme.extensions import login_manager

    app.register_blueprint(views.bp)
    login_manager.user_loader(views.load_user)
    app.before_request(views.require_password_change)
    app.before_request(twofactor_views.require_two_factor)
    add_nav(app, _l("Users"), "auth.list_users", [ADMIN], order=900, active_prefix="/users")
    add_seeder(app, "accounts", demo.seed_accounts, demo.has_accounts, demo.describe_accounts, order=20)
    cli.register(app)
