"""The evaluation report PDF: sections in each language, charts, the small-group rule."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from flask_babel import force_locale, gettext

from programme.evaluation.analysis import SmallCells
from programme.evaluation.pdf import build_report
from programme.evaluation.scope import Filters

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_images(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    rows = [line.split() for line in listing.strip().splitlines()[2:]]
    return sum(1 for row in rows if row[2] == "image")  # not the soft masks of transparent PNGs


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_report_has_every_section_in_its_language(app, make_study, tmp_path, language):
    make_study(per_cohort=8)
    pdf = build_report(Filters(instrument="REFLECT"), language, SmallCells(5, True))
    text = " ".join(pdf_text(pdf, tmp_path).split())
    with app.test_request_context(), force_locale(language):
        for heading in (
            "1. Sample and attrition",
            "2. Instrument and reliability",
            "3. Methods",
            "4. Results",
            "5. Charts",
            "6. Limitations",
        ):
            assert gettext(heading) in text
        assert gettext("Answered at both timepoints") in text
    if shutil.which("pdfimages"):
        assert pdf_images(pdf, tmp_path) == 4  # paired, change, forest, dose


def test_report_hides_small_groups_for_evaluators(app, make_study, tmp_path):
    make_study(regions=("abai",), per_cohort=4, post_missing=0)
    pdf = build_report(Filters(instrument="REFLECT"), "en", SmallCells(5, True))
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "n < 5: hidden" in text
    assert "No chart: not enough data with these filters." in text
    admin = " ".join(
        pdf_text(build_report(Filters(instrument="REFLECT"), "en", SmallCells(5, False)), tmp_path).split()
    )
    assert "n < 5: hidden" not in admin


def test_report_with_no_data_still_builds(app, db, tmp_path):
    pdf = build_report(Filters(instrument=None), "ru", SmallCells(5, True))
    assert pdf.startswith(b"%PDF")
