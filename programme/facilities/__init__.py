"""Facilities and partner departments."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def register(app) -> None:
    from programme.facilities import demo, services, views

    app.register_blueprint(views.bp)
    add_nav(
        app,
        _l("Facilities"),
        "facilities.list_facilities",
        [ADMIN, COORDINATOR, EVALUATOR, OFFICER],
        order=800,
        active_prefix="/facilities",
    )
    add_nav(
        app,
        _l("Departments"),
        "facilities.list_departments",
        [ADMIN, COORDINATOR],
        order=810,
        active_prefix="/departments",
    )
    add_panel(
        app,
        "facilities/_panel.html",
        [ADMIN, COORDINATOR, EVALUATOR, OFFICER],
        services.organisation_counts,
        order=900,
    )
    add_seeder(app, "organisations", demo.seed_organisations, demo.has_organisations, order=10)
