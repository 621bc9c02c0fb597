"""The subject-access file as a PDF: everything held about one person, a heading per table.

The person's record is a list of labelled fields; every other table is a grid with one line per
row, in landscape so that a follow-up check's dozen fields fit. All text goes through `safe()`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from programme.participants.codes import display_code
from programme.reports.document import Footer, build_pdf
from programme.reports.styles import RULE, safe, stylesheet

SECTION_TITLES = {
    "participant": _l("Record"),
    "transfers": _l("Transfers"),
    "consents": _l("Consents"),
    "enrolments": _l("Cohorts"),
    "attendance": _l("Attendance"),
    "responses": _l("Questionnaires"),
    "answers": _l("Answers"),
    "scores": _l("Scores"),
    "release": _l("Release"),
    "followup_checks": _l("Follow-up checks"),
}
# Labels for the fields a reader cares about; other fields keep their technical name (as in the JSON).
FIELD_LABELS = {
    "study_code": _l("Study code"),
    "full_name": _l("Full name"),
    "facility_id": _l("Facility"),
    "facility_number": _l("Facility number"),
    "birth_year": _l("Year of birth"),
    "gender": _l("Gender"),
    "languages": _l("Languages"),
    "education_level": _l("Education"),
    "offence_category": _l("Offence category"),
    "is_repeat_conviction": _l("Repeat conviction"),
    "sentence_start": _l("Sentence start"),
    "expected_release": _l("Expected release"),
    "notes": _l("Notes"),
    "note": _l("Notes"),
    "created_at": _l("Recorded at"),
    "status": _l("Status"),
    "consented_on": _l("Consented on"),
    "form_version": _l("Form version"),
    "withdrawn_on": _l("Withdrawn on"),
    "withdrawal_choice": _l("Withdrawal choice"),
    "withdrawal_reason": _l("Reason for withdrawal"),
    "enrolled_on": _l("Enrolled on"),
    "released_on": _l("Released on"),
    "release_type": _l("Release type"),
    "transferred_on": _l("Transferred on"),
    "answered_on": _l("Answered on"),
    "due_on": _l("Due on"),
    "checked_on": _l("Checked on"),
    "outcome": _l("Outcome"),
    "score": _l("Score"),
    "reason": _l("Reason"),
}
# Bookkeeping every row has; it says nothing about the person.
HIDDEN_FIELDS = frozenset({"version_id"})
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "—"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return value[:16].replace("T", " ")  # a time to the minute reads better than ISO with microseconds
    return str(value)


def _record(row: dict) -> Table:
    styles = stylesheet()
    head, cell = styles["TableHead"], styles["TableCell"]
    data = [
        [Paragraph(safe(_label(field)), head), Paragraph(safe(_value(value)), cell)]
        for field, value in row.items()
        if field not in HIDDEN_FIELDS
    ]
    table = Table(data, colWidths=[60 * mm, 150 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def _grid(rows: list[dict], width: float) -> Table:
    styles = stylesheet()
    fields = [field for field in rows[0] if field not in HIDDEN_FIELDS]
    head, cell = styles["TableHead"], styles["TableCell"]
    data = [[Paragraph(safe(_label(field)), head) for field in fields]]
    data += [[Paragraph(safe(_value(row.get(field))), cell) for field in fields] for row in rows]
    table = Table(data, colWidths=[width / len(fields)] * len(fields), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def subject_access_pdf(document: dict) -> bytes:
    """The PDF of a subject-access document (as built by `privacy.subject_access_document`)."""
    styles = stylesheet()
    pagesize = landscape(A4)
    width = pagesize[0] - 36 * mm
    code = display_code(document["participant"]["study_code"])
    title = _("Data held about %(code)s", code=code)
    story = [
        Paragraph(safe(title), styles["Title"]),
        Paragraph(
            safe(
                _(
                    "Everything the programme's database holds about this person on %(date)s, "
                    "table by table.",
                    date=format_date(datetime.now(UTC).date()),
                )
            ),
            styles["Subtitle"],
        ),
    ]
    for section, heading in SECTION_TITLES.items():
        rows = document[section]
        rows = [rows] if isinstance(rows, dict) else rows
        title_line = Paragraph(safe(f"{heading} ({len(rows)})"), styles["H1"])
        if not rows:
            body = Paragraph(safe(_("Nothing held.")), styles["Small"])
        elif section == "participant":
            body = _record(rows[0])
        else:
            body = _grid(rows, width)
        # A heading never ends a page alone; a long table still splits across pages.
        story += [KeepTogether([title_line, body]), Spacer(1, 3 * mm)]
    footer = Footer(title=_("Subject-access file"), detail=code, page_label=_("Page %(n)d of %(total)d"))
    return build_pdf(story, footer, pagesize=pagesize, language=str(get_locale() or "ru"))
