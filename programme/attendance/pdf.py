"""Paper: the sign-in sheet of a session, the cohort's register grid, certificates of completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from programme.reports.document import Footer, build_pdf
from programme.reports.fonts import register_fonts
from programme.reports.styles import ACCENT, INK, MUTED, RULE, safe, stylesheet

GOLD = colors.HexColor("#b08d3c")
PAPER = colors.HexColor("#fbf8f1")


def _footer(title: str, detail: str) -> Footer:
    return Footer(title, detail, _("Page %(n)d of %(total)d"))


def _grid_style(header_rows: int = 1) -> TableStyle:
    font = register_fonts()
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTNAME", (0, 0), (-1, header_rows - 1), f"{font}-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eef2f7")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


@dataclass(frozen=True)
class SheetHeading:
    cohort_name: str
    facility_name: str
    when: str
    room: str
    session_title: str
    sequence: int


def sign_in_sheet_pdf(
    heading: SheetHeading, names: list[str], numbers: list[str] | None, language: str
) -> bytes:
    """One line per person with room to sign; numbers only for the facility's own staff."""
    styles = stylesheet()
    flowables = [
        Paragraph(safe(_("Sign-in sheet")), styles["Title"]),
        Paragraph(
            safe(
                f"{heading.cohort_name} · {_('Session %(n)d', n=heading.sequence)}: {heading.session_title}"
            ),
            styles["H2"],
        ),
        Paragraph(safe(f"{heading.facility_name} · {heading.when} · {heading.room}"), styles["Subtitle"]),
    ]
    header = (
        ["№", _("Person")] + ([_("Number")] if numbers is not None else []) + [_("Arrived"), _("Signature")]
    )
    rows = [header]
    for index, name in enumerate(names, start=1):
        row = [str(index), Paragraph(safe(name), styles["TableCell"])]
        if numbers is not None:
            row.append(numbers[index - 1] or "")
        rows.append(row + ["", ""])
    widths = [10 * mm, 70 * mm] + ([28 * mm] if numbers is not None else []) + [22 * mm]
    widths.append(174 * mm - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1, rowHeights=[None] + [11 * mm] * len(names))
    table.setStyle(_grid_style())
    flowables += [table, Spacer(1, 8 * mm)]
    flowables.append(Paragraph(safe(_("Facilitators' signatures")), styles["H2"]))
    flowables.append(Paragraph("_" * 40 + "&nbsp;" * 8 + "_" * 40, styles["Body"]))
    return build_pdf(flowables, _footer(_("Sign-in sheet"), heading.cohort_name), language=language)


def register_grid_pdf(
    cohort_name: str,
    facility_name: str,
    session_heads: list[tuple[str, bool]],  # (date label, held?)
    people: list[tuple[str, list[str | None], str]],  # (label, status per session, rate text)
    language: str,
) -> bytes:
    styles = stylesheet()
    symbols = {
        "present": _("P"),
        "late": _("L"),
        "excused": _("E"),
        "absent": _("A"),
    }
    flowables = [
        Paragraph(safe(_("Attendance register")), styles["Title"]),
        Paragraph(safe(f"{cohort_name} · {facility_name}"), styles["Subtitle"]),
    ]
    header = [_("Person")] + [label for label, _held in session_heads] + [_("Rate")]
    rows = [header]
    for label, statuses, rate in people:
        rows.append(
            [Paragraph(safe(label), styles["TableCell"])]
            + [symbols.get(s, "") if s else "" for s in statuses]
            + [rate]
        )
    available = 261 * mm
    name_width = 55 * mm
    rate_width = 16 * mm
    column = (available - name_width - rate_width) / max(1, len(session_heads))
    table = Table(rows, colWidths=[name_width] + [column] * len(session_heads) + [rate_width], repeatRows=1)
    style = _grid_style()
    style.add("ALIGN", (1, 0), (-1, -1), "CENTER")
    style.add("FONTSIZE", (1, 0), (-2, 0), 7)
    for index, (_label, held) in enumerate(session_heads, start=1):
        if not held:
            style.add("BACKGROUND", (index, 1), (index, -1), colors.HexColor("#f3f4f6"))
    table.setStyle(style)
    flowables.append(table)
    flowables.append(Spacer(1, 5 * mm))
    legend = " · ".join(
        [
            _("P present"),
            _("L late"),
            _("E excused"),
            _("A absent"),
            _("grey column: session not held"),
        ]
    )
    flowables.append(Paragraph(safe(legend), styles["Small"]))
    return build_pdf(
        flowables, _footer(_("Attendance register"), cohort_name), pagesize=landscape(A4), language=language
    )


@dataclass(frozen=True)
class CertificateText:
    name: str
    course_title: str
    facility_name: str
    department: str
    attended: int
    held: int
    completed_on: date


def _centered(canvas: Canvas, text: str, y: float, font: str, size: float, color, width: float) -> None:
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    while canvas.stringWidth(text, font, size) > width - 60 * mm and size > 8:
        size -= 1
        canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, y, text)


def certificate_pdf(text: CertificateText, language: str) -> bytes:
    """A landscape certificate in the person's language: framed, calm, with room to sign."""
    font = register_fonts()
    bold = f"{font}-Bold"
    italic = f"{font}-Oblique"
    buffer = BytesIO()
    width, height = landscape(A4)
    with force_locale(language):
        title = _("Certificate")
        subtitle = _("of completion")
        certifies = _("This certifies that")
        completed = _("has completed the philosophy course")
        detail = _(
            "a community of philosophical inquiry: %(attended)d of %(held)d sessions attended",
            attended=text.attended,
            held=text.held,
        )
        quote = _("“The unexamined life is not worth living.” — Socrates")
        facilitator = _("Facilitator")
        officer = _("Education officer")
        when = format_date(text.completed_on, "long")
        programme = _("Philosophy in Prison")
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle(f"{title} — {text.name}")
    canvas.setFillColor(PAPER)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1)
    canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)
    for x, y in ((16, 16), (16, -16), (-16, 16), (-16, -16)):
        cx = x * mm if x > 0 else width + x * mm
        cy = y * mm if y > 0 else height + y * mm
        canvas.setFillColor(GOLD)
        canvas.circle(cx, cy, 2.2 * mm, stroke=0, fill=1)
    _centered(canvas, programme.upper(), height - 34 * mm, bold, 11, GOLD, width)
    _centered(canvas, title, height - 56 * mm, bold, 40, ACCENT, width)
    _centered(canvas, subtitle, height - 67 * mm, font, 18, ACCENT, width)
    canvas.setStrokeColor(GOLD)
    canvas.line(width / 2 - 40 * mm, height - 74 * mm, width / 2 + 40 * mm, height - 74 * mm)
    _centered(canvas, certifies, height - 88 * mm, font, 13, MUTED, width)
    _centered(canvas, text.name, height - 104 * mm, bold, 28, INK, width)
    _centered(canvas, completed, height - 118 * mm, font, 13, MUTED, width)
    _centered(canvas, f"«{text.course_title}»", height - 131 * mm, italic, 18, ACCENT, width)
    _centered(canvas, detail, height - 142 * mm, font, 11, INK, width)
    _centered(
        canvas,
        f"{text.facility_name} · {text.department} · {when}",
        height - 151 * mm,
        font,
        10,
        MUTED,
        width,
    )
    _centered(canvas, quote, 42 * mm, italic, 10, GOLD, width)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    for centre, label in ((width * 0.27, facilitator), (width * 0.73, officer)):
        canvas.line(centre - 38 * mm, 30 * mm, centre + 38 * mm, 30 * mm)
        canvas.setFont(font, 9)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(centre, 25 * mm, label)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
