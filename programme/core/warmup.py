"""Warm a new server process before its first request.

A fresh gunicorn worker pays first-use costs on its first chart and its first PDF: matplotlib
loads its fonts and builds its caches, ReportLab parses the DejaVu fonts that carry Kazakh and
Russian letters. Measured on the national data, that is about 0.1 s added to the first
evaluation page a worker serves. app.py calls this under gunicorn only (not for `flask`
commands, which would pay it for nothing).
"""

from __future__ import annotations

import os


def under_gunicorn() -> bool:
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")


def warm_up() -> None:
    from programme.evaluation import charts
    from programme.reports.fonts import register_fonts

    register_fonts()
    charts.change_histogram([0.0, 1.0, -1.0, 0.5], "Өзгеріс", "Число", "warm-up")
