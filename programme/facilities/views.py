"""Facilities and partner departments."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from programme.core.forms import apply_problems, form_values
from programme.core.pages import render_cached_page
from programme.core.pagination import paginate
from programme.core.permissions import ADMIN, COORDINATOR, EVALUATOR, OFFICER, requires
from programme.core.services import ValidationFailed
from programme.core.submissions import AlreadySubmitted, submit_once
from programme.facilities import services
from programme.facilities.forms import DepartmentForm, FacilityForm, NewDepartmentForm, NewFacilityForm
from programme.facilities.regions import REGIONS, SECURITY_LEVELS

bp = Blueprint("facilities", __name__)


@bp.route("/facilities")
@requires(ADMIN, COORDINATOR, EVALUATOR, OFFICER)
def list_facilities():
    return render_cached_page("facilities/list_facilities.html", _facility_list)


def _facility_list() -> dict:
    region = request.args.get("region") or None
    search = request.args.get("q") or ""
    page = paginate(services.list_facilities(current_user, region, search))
    return {"page": page, "regions": REGIONS, "levels": SECURITY_LEVELS, "region": region, "search": search}


@bp.route("/facilities/<int:facility_id>")
@requires(ADMIN, COORDINATOR, EVALUATOR, OFFICER)
def show_facility(facility_id: int):
    facility = services.get_facility_or_404(current_user, facility_id)
    return render_template(
        "facilities/show_facility.html", facility=facility, regions=REGIONS, levels=SECURITY_LEVELS
    )


@bp.route("/facilities/new", methods=["GET", "POST"])
@requires(ADMIN)
def create_facility():
    form = NewFacilityForm()
    if form.validate_on_submit():
        try:
            with submit_once(form, "facilities.create_facility") as claim:
                facility = services.create_facility(form_values(form))
                claim.done(url_for("facilities.show_facility", facility_id=facility.id))
        except AlreadySubmitted as earlier:
            flash(_("This form was already saved."), "info")
            return redirect(earlier.result_url or url_for("facilities.list_facilities"))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Facility %(code)s created.", code=facility.code), "success")
            return redirect(url_for("facilities.show_facility", facility_id=facility.id))
    return render_template("facilities/edit_facility.html", form=form, facility=None)


@bp.route("/facilities/<int:facility_id>/edit", methods=["GET", "POST"])
@requires(ADMIN)
def edit_facility(facility_id: int):
    facility = services.get_facility_or_404(current_user, facility_id)
    form = FacilityForm(obj=facility)
    if form.validate_on_submit():
        try:
            services.update_facility(facility, form_values(form), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Facility %(code)s saved.", code=facility.code), "success")
            return redirect(url_for("facilities.show_facility", facility_id=facility.id))
    return render_template("facilities/edit_facility.html", form=form, facility=facility)


@bp.route("/departments")
@requires(ADMIN, COORDINATOR)
def list_departments():
    page = paginate(services.list_departments())
    return render_template("facilities/list_departments.html", page=page)


@bp.route("/departments/new", methods=["GET", "POST"])
@requires(ADMIN)
def create_department():
    form = NewDepartmentForm()
    if form.validate_on_submit():
        try:
            with submit_once(form, "facilities.create_department") as claim:
                services.create_department(form_values(form))
                claim.done(url_for("facilities.list_departments"))
        except AlreadySubmitted as earlier:
            flash(_("This form was already saved."), "info")
            return redirect(earlier.result_url or url_for("facilities.list_departments"))
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Department saved."), "success")
            return redirect(url_for("facilities.list_departments"))
    return render_template("facilities/edit_department.html", form=form, department=None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@requires(ADMIN)
def edit_department(department_id: int):
    department = services.get_department_or_404(department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            services.update_department(department, form_values(form), form.submitted_version())
        except ValidationFailed as failure:
            apply_problems(form, failure)
        else:
            flash(_("Department saved."), "success")
            return redirect(url_for("facilities.list_departments"))
    return render_template("facilities/edit_department.html", form=form, department=department)
