"""Shared building blocks: permissions, navigation, errors, headers, database setup."""


def register(app) -> None:
    from programme.core import cache, cli, submissions, views  # noqa: F401 - their tables join the metadata
    from programme.core.permissions import ROLES
    from programme.core.registry import add_panel

    app.register_blueprint(views.bp)
    add_panel(app, "core/_role_panel.html", ROLES, lambda _user: {}, order=0)
    cli.register(app)
