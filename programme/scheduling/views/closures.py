"""Facility closures and lockdowns: officers for their own facility (another facility is a 404)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from programme.core.forms import apply_problems
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.facilities.services import get_facility_or_404
from programme.scheduling.forms import ClosureForm
from programme.scheduling.services import closures
from programme.scheduling.views import bp


@bp.route("/facilities/<int:facility_id>/closures", methods=["GET", "POST"])
@requires(ADMIN, COORDINATOR, OFFICER)
def list_closures(facility_id: int):
    facility = get_facility_or_404(current_user, facility_id)
    may_close = current_user.role in (ADMIN, OFFICER)
    form = ClosureForm()
    if may_close and form.validate_on_submit():
        try:
            _closure, cancelled = closures.create_closure(
                facility, form.start_date.data, form.end_date.data, form.reason.data, current_user.id
            )
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(
                ngettext(
                    "Closure saved; %(num)d session cancelled.",
                    "Closure saved; %(num)d sessions cancelled.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for("scheduling.list_closures", facility_id=facility.id))
    page = paginate(closures.list_closures(facility.id))
    return render_template(
        "scheduling/list_closures.html", facility=facility, page=page, form=form, may_close=may_close
    )
