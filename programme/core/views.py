"""Home dashboard and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from programme.core.cache import cached_fragment
from programme.core.permissions import public, signed_in
from programme.core.registry import panels_for
from programme.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@signed_in
def index():
    # The panels are drawn once and reused until a table they read changes (or for a few
    # minutes): a dashboard is the page every user opens most.
    panels = panels_for(current_user)
    drawn = cached_fragment("dashboard panels", current_user, lambda: _draw(panels))
    return render_template("core/index.html", panels=drawn)


def _draw(panels) -> str:
    return "".join(render_template(panel.template, panel=panel.context(current_user)) for panel in panels)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")


@bp.route("/bench/floor")
@public
def bench_floor():
    """The benchmark's floor: the base layout and nothing else (no database work)."""
    return render_template("core/floor.html")
