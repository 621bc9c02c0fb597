"""Week and month calendars, "My sessions", and the personal iCal feed (no participant data)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from programme.core.cache import cached_fragment
from programme.core.forms import ActionForm
from programme.core.permissions import ADMIN, COORDINATOR, FACILITATOR, OFFICER, public, requires
from programme.facilities.services import get_department_or_404, get_facility_or_404
from programme.scheduling.services import calendars, facilitators, logs
from programme.scheduling.services.scope import to_local
from programme.scheduling.views import bp


def _requested_range() -> calendars.CalendarRange:
    view = request.args.get("view", "month")
    try:
        anchor = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        anchor = to_local(datetime.now(UTC), "Asia/Almaty").date()
    return calendars.calendar_range(view, anchor)


def _today() -> date:
    return to_local(datetime.now(UTC), "Asia/Almaty").date()


def _fragment_name(what: str, period: calendars.CalendarRange, filters: dict) -> str:
    shown = ",".join(f"{name}={value}" for name, value in sorted(filters.items()))
    return f"{what} {request.endpoint} {period.view} {period.first} {shown}"


def _grid(period: calendars.CalendarRange, **filters) -> str:
    """The month or week, drawn once and reused until a table it shows changes (a few minutes
    at most): calendars are opened again and again, and drawing one is most of their cost."""
    return cached_fragment(
        _fragment_name("calendar", period, filters),
        current_user,
        lambda: render_template(
            "scheduling/_calendar_grid.html",
            period=period,
            entries=calendars.calendar_entries(current_user, period.first, period.last, **filters),
            today=_today(),
        ),
    )


def _render(title: str, endpoint_args: dict, **filters):
    period = _requested_range()
    return render_template(
        "scheduling/calendar.html",
        title=title,
        period=period,
        grid=_grid(period, **filters),
        endpoint=request.endpoint,
        endpoint_args=endpoint_args,
        today=_today(),
    )


@bp.route("/calendar")
@requires(ADMIN, COORDINATOR, OFFICER, FACILITATOR)
def show_calendar():
    """The calendar that suits the role: own facility, own department, own sessions."""
    if current_user.role == OFFICER:
        return redirect(url_for("scheduling.show_facility_calendar", facility_id=current_user.facility_id))
    if current_user.role == FACILITATOR:
        return redirect(url_for("scheduling.list_my_sessions"))
    if current_user.role == COORDINATOR:
        return redirect(
            url_for("scheduling.show_department_calendar", department_id=current_user.department_id)
        )
    return _render(title=_("All sessions"), endpoint_args={})


@bp.route("/calendar/facilities/<int:facility_id>")
@requires(ADMIN, COORDINATOR, OFFICER)
def show_facility_calendar(facility_id: int):
    facility = get_facility_or_404(current_user, facility_id)
    return _render(title=facility.code, endpoint_args={"facility_id": facility.id}, facility_id=facility.id)


@bp.route("/calendar/departments/<int:department_id>")
@requires(ADMIN, COORDINATOR)
def show_department_calendar(department_id: int):
    department = get_department_or_404(department_id)
    if current_user.role == COORDINATOR and current_user.department_id != department.id:
        abort(404)
    return _render(
        title=department.label, endpoint_args={"department_id": department.id}, department_id=department.id
    )


@bp.route("/calendar/facilitators/<int:facilitator_id>")
@requires(ADMIN, COORDINATOR, FACILITATOR)
def show_facilitator_calendar(facilitator_id: int):
    facilitator = facilitators.get_facilitator_or_404(current_user, facilitator_id)
    return _render(
        title=facilitator.full_name,
        endpoint_args={"facilitator_id": facilitator.id},
        facilitator_id=facilitator.id,
    )


@bp.route("/my/sessions")
@requires(FACILITATOR)
def list_my_sessions():
    period = _requested_range()
    lists = cached_fragment(
        "my sessions lists",
        current_user,
        lambda: render_template(
            "scheduling/_my_sessions_lists.html",
            upcoming=calendars.upcoming_sessions(current_user, facilitator_id=current_user.id),
            to_log=logs.sessions_to_log(current_user.id),
            log_reminder_days=logs.LOG_REMINDER_DAYS,
        ),
    )
    profile = facilitators.get_profile(current_user.id)
    feed_url = (
        url_for("scheduling.show_ical_feed", token=profile.calendar_token, _external=True)
        if profile is not None and profile.calendar_token
        else None
    )
    return render_template(
        "scheduling/calendar.html",
        title=_("My sessions"),
        period=period,
        grid=_grid(period, facilitator_id=current_user.id),
        lists=lists,
        endpoint=request.endpoint,
        endpoint_args={},
        today=_today(),
        feed_url=feed_url,
        action_form=ActionForm(),
    )


@bp.route("/my/sessions.ics")
@requires(FACILITATOR)
def download_my_calendar():
    response = Response(calendars.export_ical(current_user.id), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="sessions.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/calendars/<token>.ics")
@public
def show_ical_feed(token: str):
    """The personal feed: public URL, but the token is the secret (wrong or revoked: 404)."""
    profile = facilitators.profile_for_token(token)
    if profile is None or not profile.user.is_active_account:
        abort(404)
    response = Response(calendars.ical_for_facilitator(profile.user_id), mimetype="text/calendar")
    response.headers["Cache-Control"] = "no-store"
    return response
