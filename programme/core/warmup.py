"""Warm a new server process before its first request.

A fresh gunicorn worker pays first-use costs on its first chart and its first PDF: matplotlib
loads its fonts and builds its caches, ReportLab parses the DejaVu fonts that carry Kazakh and
Russian letters. Measured on the national data, that is about 0.1 s added to the first
evaluation page a worker serves. Jinja compiles each template the first time it is drawn: the
evaluation page's took 0.15 s. app.py calls this under gunicorn only (not for `flask` commands,
which would pay it for nothing); compiling every template takes about a second of the worker's
start.
"""

from __future__ import annotations

import os


def under_gunicorn() -> bool:
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def warm_up(app=None) -> None:
    from programme.evaluation import charts
    from programme.reports.fonts import register_fonts

    register_fonts()
    charts.change_histogram([0.0, 1.0, -1.0, 0.5], "Өзгеріс", "Число", "warm-up")
    if app is not None:
        compile_templates(app)


def compile_templates(app) -> int:
    """Compile every HTML template into the app's Jinja cache; returns how many."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)
