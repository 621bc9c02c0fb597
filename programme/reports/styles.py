"""Paragraph styles shared by every document, and safe text for ReportLab paragraphs."""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1

from programme.reports.fonts import register_fonts

INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#1f3a5f")
MUTED = colors.HexColor("#6b7280")
RULE = colors.HexColor("#d1d5db")


def safe(text: str | None) -> str:
    """User text for a Paragraph: markup characters escaped, line breaks kept."""
    return escape(text or "").replace("\n", "<br/>")


@cache
def stylesheet() -> StyleSheet1:
    font = register_fonts()
    bold = f"{font}-Bold"
    sheet = StyleSheet1()
    sheet.add(ParagraphStyle("Body", fontName=font, fontSize=10.5, leading=14.5, textColor=INK, spaceAfter=5))
    sheet.add(ParagraphStyle("Small", parent=sheet["Body"], fontSize=8.5, leading=11, textColor=MUTED))
    sheet.add(
        ParagraphStyle("Title", fontName=bold, fontSize=20, leading=25, textColor=ACCENT, spaceAfter=10)
    )
    sheet.add(
        ParagraphStyle("Subtitle", fontName=font, fontSize=12, leading=16, textColor=MUTED, spaceAfter=12)
    )
    sheet.add(
        ParagraphStyle(
            "H1", fontName=bold, fontSize=15, leading=19, textColor=ACCENT, spaceBefore=10, spaceAfter=6
        )
    )
    sheet.add(
        ParagraphStyle(
            "H2", fontName=bold, fontSize=12, leading=16, textColor=INK, spaceBefore=8, spaceAfter=4
        )
    )
    sheet.add(ParagraphStyle("TableCell", parent=sheet["Body"], fontSize=9, leading=11.5, spaceAfter=0))
    sheet.add(ParagraphStyle("TableHead", parent=sheet["TableCell"], fontName=bold))
    # Handouts: large readable type for people who may read little.
    sheet.add(ParagraphStyle("Large", fontName=font, fontSize=15, leading=22, textColor=INK, spaceAfter=10))
    sheet.add(
        ParagraphStyle(
            "LargeTitle",
            fontName=bold,
            fontSize=24,
            leading=30,
            textColor=ACCENT,
            spaceAfter=14,
            alignment=TA_CENTER,
        )
    )
    return sheet
