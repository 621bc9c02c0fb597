"""Recidivism follow-up: releases, scheduled checks, comparison group, reoffending measures."""

import os

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, EVALUATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def _check_months_from_environment(app) -> None:
    """FOLLOWUP_CHECK_MONTHS: months after release at which checks are due ("6,12,24")."""
    given = os.environ.get("FOLLOWUP_CHECK_MONTHS")
    if given:
        app.config["FOLLOWUP_CHECK_MONTHS"] = tuple(int(part) for part in given.split(",") if part.strip())
    app.config.setdefault("FOLLOWUP_CHECK_MONTHS", (6, 12, 24))


def register(app) -> None:
    from programme.followup import demo, models, services, views  # noqa: F401 - models: the tables

    _check_months_from_environment(app)
    app.register_blueprint(views.bp)
    add_nav(
        app, _l("Follow-up"), "followup.list_checks", [ADMIN, OFFICER], order=600, active_prefix="/followup/c"
    )
    add_nav(
        app,
        _l("Reoffending"),
        "followup.show_measures",
        [EVALUATOR, ADMIN],
        order=610,
        active_prefix="/followup/measures",
    )
    add_panel(app, "followup/_panel.html", [ADMIN, OFFICER], services.dashboard_panel, order=300)
    add_seeder(app, "followup", demo.seed_followup, demo.has_followup, order=70)
