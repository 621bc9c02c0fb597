"""The admin's view of the audit trail."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.audit.sealing import ERASED, readable_changes
from programme.audit.services import verify_chain
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, requires

bp = Blueprint("audit", __name__)


def _parse_day(value: str | None):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/audit")
@requires(ADMIN)
def list_events():
    filters = {
        key: (request.args.get(key) or "").strip()
        for key in ("action", "entity_type", "entity_id", "actor", "since", "until")
    }
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if filters["action"]:
        query = query.where(AuditEvent.action == filters["action"])
    if filters["entity_type"]:
        query = query.where(AuditEvent.entity_type == filters["entity_type"])
    if filters["entity_id"]:
        query = query.where(AuditEvent.entity_id == filters["entity_id"])
    if filters["actor"]:
        query = query.where(AuditEvent.actor_label.contains(filters["actor"].lower()))
    since, until = _parse_day(filters["since"]), _parse_day(filters["until"])
    if since:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEvent.occurred_at < datetime.combine(until + timedelta(days=1), time.min))
    page = paginate(query)
    # Personal values are sealed: opened here for the admin while the person's key exists.
    return render_template(
        "audit/list_events.html",
        page=page,
        filters=filters,
        changes_of=readable_changes(page.items),
        erased=ERASED,
    )


@bp.route("/audit/verify")
@requires(ADMIN)
def verify_events():
    report = verify_chain()
    return render_template("audit/verify_events.html", report=report)
