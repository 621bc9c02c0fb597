"""PDFs: the facilitator's plan with timings, the handout in large type without facilitator notes,
the booklet; Kazakh comes back exactly from pdftotext; the footer has title, version, date, pages."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from programme.curriculum import services
from programme.curriculum.pdf import booklet_pdf, facilitator_plan_pdf, handout_pdf
from programme.curriculum.starter import import_starter
from tests.factories.curriculum import KAZAKH_HANDOUT

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)


def pdf_text(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _lines(text: str) -> str:
    return " ".join(text.split())


def test_the_kazakh_handout_downloaded_from_the_page_has_the_kazakh_text_exactly(
    client, login_as, make_complete_version, tmp_path
):
    version = make_complete_version(status="published")
    login_as("facilitator")
    response = client.get(f"/plans/{version.plans[0].id}/handout.pdf?lang=kk")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert KAZAKH_HANDOUT in _lines(text)
    assert "Session 1 (kk)" in text
    assert "SECRET-FACILITATOR-NOTE" not in text  # no facilitator notes for participants
    assert "Do enquiry" not in text


def test_the_handout_uses_large_type(make_complete_version, tmp_path):
    version = make_complete_version()
    path = tmp_path / "h.pdf"
    path.write_bytes(handout_pdf(version.plans[0], "kk"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts  # embedded font with the Kazakh glyphs
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = [
        float(part.split('yMax="')[1].split('"')[0]) - float(part.split('yMin="')[1].split('"')[0])
        for part in html.split("<word ")[1:]
    ]
    assert max(heights) >= 14  # body type is 15 pt, not the 10.5 pt of the facilitator's plan


def test_the_facilitator_plan_has_everything_with_timings_and_a_footer(make_complete_version, tmp_path):
    version = make_complete_version()
    text = pdf_text(facilitator_plan_pdf(version.plans[0], "en"), tmp_path)
    for expected in (
        "What is justice? (en)",
        "SECRET-FACILITATOR-NOTE (en)",
        "0–10",
        "10–30",
        "30–90",
        "Do enquiry (en)",
        "Page 1 of 1",
        "Version 1",
        "Session 1 (en)",
        "Plato, Republic II",
    ):
        assert expected in text, expected


def test_the_russian_plan_is_labelled_in_russian(make_complete_version, tmp_path):
    version = make_complete_version()
    text = pdf_text(facilitator_plan_pdf(version.plans[0], "ru"), tmp_path)
    assert "Session 1 (ru)" in text
    assert "Page 1 of 1" not in text  # the footer speaks Russian once the catalogue is translated


def test_the_booklet_of_the_starter_curriculum_in_kazakh(make_department, tmp_path):
    version = services.load_version_with_plans(import_starter(make_department().id).id)
    pdf = booklet_pdf(version, "kk")
    text = pdf_text(pdf, tmp_path)
    kazakh_title = next(row.title for row in version.texts if row.language == "kk")
    assert kazakh_title in text
    for plan in version.plans:
        assert services.plan_title(plan, "kk") in _lines(text)
    pages = text.count("\f")
    assert pages > len(version.plans)


def test_missing_texts_fall_back_with_a_note(make_complete_version, tmp_path):
    version = make_complete_version(languages=("ru",))
    text = pdf_text(facilitator_plan_pdf(version.plans[0], "en"), tmp_path)
    assert "Session 1 (ru)" in text and "Not yet translated" in text
