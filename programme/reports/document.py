"""Building a PDF: page furniture (title, version and date in the footer, "page X of Y")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from programme.reports.fonts import register_fonts
from programme.reports.styles import MUTED, RULE


@dataclass(frozen=True)
class Footer:
    """What every page says at its foot; `page_label` is a translated "Page %(n)d of %(total)d"."""

    title: str
    detail: str = ""  # e.g. "Version 3 · 27.11.2026"
    page_label: str = "Page %(n)d of %(total)d"


def _numbered_canvas(footer: Footer):
    class NumberedCanvas(Canvas):
        """Holds pages until the end so each footer can say how many pages there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, total)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            font = register_fonts()
            self.saveState()
            self.setStrokeColor(RULE)
            self.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
            self.setFillColor(MUTED)
            self.setFont(font, 8)
            left = footer.title if not footer.detail else f"{footer.title} · {footer.detail}"
            self.drawString(18 * mm, 9 * mm, left[:150])
            self.drawRightString(width - 18 * mm, 9 * mm, footer.page_label % {"n": number, "total": total})
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    flowables: Sequence[Flowable],
    footer: Footer,
    *,
    pagesize=A4,
    author: str = "Philosophy in Prison",
    language: str = "ru",
) -> bytes:
    register_fonts()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title=footer.title,
        author=author,
        lang=language,
    )
    document.build(list(flowables), canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
