"""Curricula, versions and session plans."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ROLES


def register(app) -> None:
    from programme.core.registry import add_nav, add_seeder
    from programme.curriculum import cli, demo, models, plan_views, views  # noqa: F401 - routes and models

    app.register_blueprint(views.bp)
    add_nav(app, _l("Curricula"), "curriculum.list_curricula", ROLES, order=200, active_prefix="/curricula")
    add_seeder(app, "curricula", demo.seed_curricula, demo.has_curricula, order=30)
    app.cli.add_command(cli.curriculum_group)
