"""Participants: the registry (pseudonymous study codes), consent, transfers, enrolment, import."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def register(app) -> None:
    # models: the tables; privacy_views: its routes join the blueprint
    from programme.participants import cli, demo, models, privacy_views, services, views  # noqa: F401

    app.register_blueprint(views.bp)
    cli.register(app)
    add_nav(
        app,
        _l("Participants"),
        "participants.list_participants",
        [ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER],
        order=300,
        active_prefix="/participants",
    )
    add_panel(app, "participants/_panel.html", [ADMIN, OFFICER], services.registry_counts, order=300)
    add_seeder(app, "participants", demo.seed_participants, demo.has_participants, order=50)
