"""Shared building blocks: permissions, navigation, errors, headers, database setup."""


def register(app) -> None:
    from programme.core import cli, views

    app.register_blueprint(views.bp)
    cli.register(app)
