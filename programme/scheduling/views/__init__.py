"""The scheduling blueprint; its views are split by topic into the modules imported below."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from programme.scheduling.views import (  # noqa: E402,F401 - the modules add their routes to bp
    calendars,
    closures,
    cohorts,
    facilitators,
    sessions,
)
