"""The shared PDF blocks render Kazakh and Russian text with real glyphs and escape user text."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from reportlab.platypus import Paragraph

from programme.reports.document import Footer, build_pdf
from programme.reports.styles import safe, stylesheet

KAZAKH = "Әділдік деген не? Ғылым, қоғам, өмір, ұят, үміт, һәм ілім."
RUSSIAN = "Что такое справедливость? Съешь же ещё этих мягких французских булок."


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_kazakh_and_russian_text_come_back_exactly(tmp_path):
    styles = stylesheet()
    pdf = build_pdf(
        [Paragraph(safe(KAZAKH), styles["Body"]), Paragraph(safe(RUSSIAN), styles["Body"])],
        Footer("Сынақ", "1-нұсқа", "%(n)d / %(total)d бет"),
    )
    text = pdf_text(pdf, tmp_path)
    assert KAZAKH in text
    assert RUSSIAN in text
    assert "1 / 1 бет" in text


def test_user_text_is_escaped_not_interpreted():
    styles = stylesheet()
    hostile = '<font color="red">x</font> & <b>bold</b> <img src="/etc/passwd"/>'
    pdf = build_pdf([Paragraph(safe(hostile), styles["Body"])], Footer("t"))
    assert pdf.startswith(b"%PDF")


def test_page_numbers_count_all_pages(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    styles = stylesheet()
    pdf = build_pdf([Paragraph("Line " * 400, styles["Body"]) for _ in range(8)], Footer("Long"))
    text = pdf_text(pdf, tmp_path)
    assert "Page 1 of" in text
    total = int(text.split("Page 1 of ")[1].split()[0])
    assert total > 1
    assert f"Page {total} of {total}" in text
