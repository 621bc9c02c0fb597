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
from sqlalchemy import select

from programme.core.i18n import localized
from programme.extensions import db
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
    "cohort_id": _l("Cohort"),
    "session_id": _l("Session"),
    "administration_id": _l("Questionnaire"),
    "item_id": _l("Item"),
}
# Bookkeeping every row has; it says nothing about the person.
HIDDEN_FIELDS = frozenset({"version_id"})
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# Fields holding the id of another table, shown with that row's name: (kind of name, field).
NAMED_IDS = {
    "facility_id": "facility",
    "from_facility_id": "facility",
    "to_facility_id": "facility",
    "cohort_id": "cohort",
    "session_id": "session",
    "item_id": "item",
    "administration_id": "administration",
}


def _ids(document: dict, fields: tuple[str, ...]) -> set[int]:
    found = set()
    for section in SECTION_TITLES:
        rows = document[section]
        for row in [rows] if isinstance(rows, dict) else rows:
            found.update(row[field] for field in fields if row.get(field) is not None)
    return found


def _names(document: dict, locale: str) -> dict[str, dict[int, str]]:
    """Readable names for the ids the document refers to: one query per kind, never per row."""
    from programme.facilities.models import Facility
    from programme.questionnaires.models import Administration, Instrument, InstrumentItem
    from programme.scheduling.models import Cohort, ProgrammeSession

    def by_id(query, ids):
        return {} if not ids else dict(db.session.execute(query).all())

    facility_ids = _ids(document, ("facility_id", "from_facility_id", "to_facility_id"))
    facilities = db.session.execute(select(Facility).where(Facility.id.in_(facility_ids))).scalars()
    cohort_ids, session_ids = _ids(document, ("cohort_id",)), _ids(document, ("session_id",))
    item_ids, administration_ids = _ids(document, ("item_id",)), _ids(document, ("administration_id",))
    sessions = by_id(
        select(ProgrammeSession.id, ProgrammeSession.starts_at).where(ProgrammeSession.id.in_(session_ids)),
        session_ids,
    )
    administrations = by_id(
        select(Administration.id, Instrument.code + " · " + Administration.timepoint)
        .join(Instrument, Instrument.id == Administration.instrument_id)
        .where(Administration.id.in_(administration_ids)),
        administration_ids,
    )
    return {
        "facility": {facility.id: localized(facility, "name", locale) for facility in facilities},
        "cohort": by_id(select(Cohort.id, Cohort.name).where(Cohort.id.in_(cohort_ids)), cohort_ids),
        "session": {key: format_date(moment) for key, moment in sessions.items()},
        "item": by_id(
            select(InstrumentItem.id, InstrumentItem.code).where(InstrumentItem.id.in_(item_ids)), item_ids
        ),
        "administration": administrations,
    }


def _shown(field: str, value, names: dict) -> str:
    name = names[NAMED_IDS[field]].get(value) if field in NAMED_IDS else None
    return f"{name} ({value})" if name else _value(value)


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


def _record(row: dict, names: dict) -> Table:
    styles = stylesheet()
    head, cell = styles["TableHead"], styles["TableCell"]
    data = [
        [Paragraph(safe(_label(field)), head), Paragraph(safe(_shown(field, value, names)), cell)]
        for field, value in row.items()
        if field not in HIDDEN_FIELDS
    ]
    table = Table(data, colWidths=[60 * mm, 150 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def _grid(rows: list[dict], width: float, names: dict) -> Table:
    styles = stylesheet()
    fields = [field for field in rows[0] if field not in HIDDEN_FIELDS]
    head, cell = styles["TableHead"], styles["TableCell"]
    data = [[Paragraph(safe(_label(field)), head) for field in fields]]
    data += [
        [Paragraph(safe(_shown(field, row.get(field), names)), cell) for field in fields] for row in rows
    ]
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
    locale = str(get_locale() or "ru")
    names = _names(document, locale)
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
            body = _record(rows[0], names)
        else:
            body = _grid(rows, width, names)
        # A heading never ends a page alone; a long table still splits across pages.
        story += [KeepTogether([title_line, body]), Spacer(1, 3 * mm)]
    footer = Footer(title=_("Subject-access file"), detail=code, page_label=_("Page %(n)d of %(total)d"))
    return build_pdf(story, footer, pagesize=pagesize, language=locale)
