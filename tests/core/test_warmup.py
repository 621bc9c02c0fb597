"""A gunicorn worker warms its chart and PDF machinery before serving; `flask` commands do not."""

from __future__ import annotations

import matplotlib.font_manager

from programme.core.warmup import under_gunicorn, warm_up
from programme.reports.fonts import register_fonts


def test_only_a_gunicorn_process_warms_up(monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    assert not under_gunicorn()
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    assert under_gunicorn()


def test_warm_up_loads_the_fonts_the_first_chart_and_pdf_need():
    warm_up()
    # The DejaVu fonts are registered with ReportLab and matplotlib has found its font.
    assert register_fonts()
    assert matplotlib.font_manager.findfont("DejaVu Sans").endswith(".ttf")


def test_warm_up_compiles_every_template_into_the_cache(app):
    from programme.core.warmup import compile_templates

    compiled = compile_templates(app)
    assert compiled > 100  # the app's own templates and Bootstrap's
    cached_names = {key[1] for key in app.jinja_env.cache}
    assert "evaluation/show_comparison.html" in cached_names and "base.html" in cached_names
    assert app.jinja_env.cache.capacity >= compiled  # none pushed out again
