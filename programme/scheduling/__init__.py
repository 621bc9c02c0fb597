"""Scheduling: cohorts, sessions, facilitators (profiles, passes, availability), conflict checks,
closures, calendars and iCal feeds, session logs."""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def register(app) -> None:
    from programme.scheduling import demo, models, views  # noqa: F401 - models join the app's metadata
    from programme.scheduling.services import panels
    from programme.scheduling.services.scope import format_local

    app.config.setdefault(
        "SCHEDULING_TRAVEL_BUFFER_MINUTES", int(os.environ.get("SCHEDULING_TRAVEL_BUFFER_MINUTES") or 60)
    )
    app.register_blueprint(views.bp)
    app.jinja_env.globals["format_local"] = format_local

    add_nav(
        app,
        _l("Cohorts"),
        "scheduling.list_cohorts",
        [ADMIN, COORDINATOR, OFFICER, FACILITATOR],
        200,
        "/cohorts",
    )
    add_nav(app, _l("Calendar"), "scheduling.show_calendar", [ADMIN, COORDINATOR, OFFICER], 210, "/calendar")
    add_nav(app, _l("My sessions"), "scheduling.list_my_sessions", [FACILITATOR], 205, "/my/sessions")
    add_nav(app, _l("Availability"), "scheduling.edit_availability", [FACILITATOR], 215, "/my/availability")
    add_nav(
        app, _l("Facilitators"), "scheduling.list_facilitators", [ADMIN, COORDINATOR], 220, "/facilitators"
    )

    add_panel(
        app, "scheduling/_panel_coordinator.html", [ADMIN, COORDINATOR], panels.coordinator_panel, order=200
    )
    add_panel(app, "scheduling/_panel_facilitator.html", [FACILITATOR], panels.facilitator_panel, order=200)
    add_panel(app, "scheduling/_panel_officer.html", [OFFICER], panels.officer_panel, order=200)

    add_seeder(app, "scheduling", demo.seed_scheduling, demo.has_scheduling, order=40)
