"""Questionnaires: instruments with scored subscales, administrations, paper and kiosk entry."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def register(app) -> None:
    from programme.questionnaires import cli, demo, models  # noqa: F401 - models join the metadata
    from programme.questionnaires.views import bp

    app.register_blueprint(bp)
    add_nav(
        app,
        _l("Questionnaires"),
        "questionnaires.list_administrations",
        [ADMIN, COORDINATOR, FACILITATOR, OFFICER],
        order=400,
        active_prefix="/administrations",
    )
    add_nav(
        app,
        _l("Instruments"),
        "questionnaires.list_instruments",
        [ADMIN, COORDINATOR, EVALUATOR],
        order=410,
        active_prefix="/instruments",
    )
    from programme.questionnaires.services.administrations import open_now_summary

    add_panel(
        app,
        "questionnaires/_panel.html",
        [ADMIN, COORDINATOR, FACILITATOR, OFFICER],
        open_now_summary,
        order=400,
    )
    add_seeder(app, "questionnaires", demo.seed_questionnaires, demo.has_questionnaires, order=60)
    cli.register(app)
