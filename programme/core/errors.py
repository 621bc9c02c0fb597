"""Translated error pages; database outages answer 503 "try again", never a traceback."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from programme.core.services import StaleEdit
from programme.extensions import db, login_manager


def _page(status: int, title: str, message: str):
    return render_template("core/error.html", status=status, title=title, message=message), status


IGNORED_FIELDS = frozenset({"csrf_token", "version_id", "submission_token"})


def differences(current) -> list[tuple[str, str, str]]:
    """(field, what you sent, what is saved now) for each submitted field the record has."""
    rows = []
    for name, sent in request.form.items():
        if name in IGNORED_FIELDS or not hasattr(current, name):
            continue
        saved = getattr(current, name)
        saved_text = "" if saved is None else str(saved)
        if saved_text != sent:
            rows.append((name, sent, saved_text))
    return rows


def register_error_handlers(app) -> None:
    @app.errorhandler(400)
    def bad_request(_error):
        return _page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return _page(
            400,
            _("The form has expired"),
            _("Please go back, reload the page and submit the form again."),
        )

    @app.errorhandler(403)
    def forbidden(_error):
        return _page(403, _("Not allowed"), _("Your role does not give access to this page."))

    @app.errorhandler(404)
    def not_found(_error):
        return _page(404, _("Not found"), _("There is no such page, or it is not yours to see."))

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return _page(405, _("Not allowed"), _("This action cannot be done this way."))

    @app.errorhandler(StaleEdit)
    def stale_edit(error: StaleEdit):
        db.session.rollback()
        return render_template("core/stale_edit.html", rows=differences(error.current)), 409

    @app.errorhandler(StaleDataError)
    def stale_write(_error):
        # Two saves of one record crossed between the version check and the write.
        db.session.rollback()
        return _page(
            409,
            _("Changed by someone else"),
            _("Someone saved this record after you opened it. Reload it and make your change again."),
        )

    @app.errorhandler(409)
    def conflict(_error):
        return _page(
            409,
            _("Changed by someone else"),
            _("Someone saved this record after you opened it. Reload it and make your change again."),
        )

    @app.errorhandler(413)
    def too_large(_error):
        return _page(413, _("File too large"), _("The file is larger than the allowed size."))

    @app.errorhandler(IntegrityError)
    def crossed_write(error):
        # A unique or foreign key rule refused a write that a parallel request made first (two
        # people saving the same new record at once). Nothing was saved; it is a conflict, not an
        # outage (IntegrityError is a DBAPIError: this more specific handler wins).
        db.session.rollback()
        app.logger.warning("write refused by a database constraint: %s", error.orig)
        return _page(
            409,
            _("Changed by someone else"),
            _("Someone saved this record after you opened it. Reload it and make your change again."),
        )

    @app.errorhandler(429)
    def too_many_requests(_error):
        page, status = _page(
            429,
            _("Too many attempts"),
            _("Too many sign-in attempts came from your address. Wait a minute and try again."),
        )
        return page, status, {"Retry-After": "60"}

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        _forget_the_database_for_this_answer()
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        return _page(
            503,
            _("Please try again"),
            _("The database is not answering for a moment. Nothing was lost; try again shortly."),
        )

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return _page(
            500,
            _("Something went wrong"),
            _("The error has been logged. Nothing was saved; please try again."),
        )


def _forget_the_database_for_this_answer() -> None:
    """The "try again" page must be drawn without the database: after the rollback the signed-in
    user's row is expired (reading its name or language would query the dead connection again
    and turn the 503 into a 500), so this one page is drawn for an anonymous visitor."""
    try:
        db.session.rollback()
    except DBAPIError:  # the connection is gone; the pool drops it and connects anew later
        db.session.close()
    g._login_user = login_manager.anonymous_user()
