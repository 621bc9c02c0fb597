"""Attendance: registers, rates, the completion rule, the watch list, sheets, certificates, exports."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER
from programme.core.registry import add_nav, add_panel, add_seeder


def register(app) -> None:
    from programme.attendance import demo, models, views, watch  # noqa: F401 - models: the tables

    app.register_blueprint(views.bp)
    add_nav(
        app,
        _l("Attendance"),
        "attendance.list_cohorts",
        [ADMIN, COORDINATOR, EVALUATOR, FACILITATOR, OFFICER],
        order=310,
        active_prefix="/attendance",
    )
    add_panel(app, "attendance/_watch_panel.html", [ADMIN, OFFICER], watch.watch_list, order=50)
    add_seeder(app, "attendance", demo.seed_attendance, demo.has_attendance, order=55)
