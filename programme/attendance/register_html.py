"""The register's controls for each person, written in Python rather than Jinja.

A 40-person register draws 160 status buttons and 320 reason options. Written by Jinja, every
attribute of every one goes through the template engine on its own, and those controls were most
of the page's time. Here the labels are translated once per page and the reason list is drawn
once for each possible choice; a row fills in the person's id and marks its current status. The
markup is the one the register's script and its tests know (names `status-<id>`, `reason-<id>`,
the keys 1 to 4). Markup's % escapes every value put in.
"""

from __future__ import annotations

from markupsafe import Markup

from programme.attendance import labels

STATUS_COLOURS = {"present": "success", "late": "info", "excused": "warning", "absent": "danger"}
STATUS_BUTTON = Markup(
    '<input type="radio" class="btn-check" name="status-%(pid)s" id="status-%(pid)s-%(status)s" '
    'value="%(status)s" data-key="%(key)s"%(checked)s>'
    '<label class="btn text-nowrap btn-outline-%(colour)s" for="status-%(pid)s-%(status)s">%(label)s</label>'
)
CHECKED = Markup(" checked")
OPTION = Markup('<option value="%s">%s</option>')
SELECTED_OPTION = Markup('<option value="%s" selected>%s</option>')
NO_REASON = Markup('<option value="">—</option>')


class RegisterControls:
    """Status buttons and reason options for the rows of one register page."""

    def __init__(self) -> None:
        self._buttons = [
            (status, {"status": status, "key": key, "colour": STATUS_COLOURS[status], "label": str(label)})
            for key, (status, label) in enumerate(labels.STATUSES.items(), start=1)
        ]
        reasons = [(reason, str(label)) for reason, label in labels.REASONS.items()]
        self._reason_lists = {
            current: NO_REASON
            + Markup("").join(
                (SELECTED_OPTION if reason == current else OPTION) % (reason, label)
                for reason, label in reasons
            )
            for current in ("", *labels.REASONS)
        }

    def status_buttons(self, person_id: int, current: str | None) -> Markup:
        return Markup("").join(
            STATUS_BUTTON % {**parts, "pid": int(person_id), "checked": CHECKED if status == current else ""}
            for status, parts in self._buttons
        )

    def reason_options(self, current: str | None) -> Markup:
        return self._reason_lists.get(current or "", self._reason_lists[""])
