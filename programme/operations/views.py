"""The admin's operations page."""

from flask import Blueprint, render_template

from programme.core.permissions import ADMIN, requires
from programme.operations.services import operations_status

bp = Blueprint("operations", __name__)


@bp.route("/operations")
@requires(ADMIN)
def show_status():
    return render_template("operations/show_status.html", status=operations_status())
