"""Evaluation actions that leave a trace: exports and reports, each recorded in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from programme.audit.services import record
from programme.core.memory import cycle_collection_paused
from programme.core.services import ValidationFailed, unit_of_work
from programme.evaluation import export
from programme.evaluation.analysis import SmallCells
from programme.evaluation.dataset import build_dataset
from programme.evaluation.forms import FORMATS, PURPOSES
from programme.evaluation.scope import Filters

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Download:
    content: bytes
    filename: str
    mimetype: str


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M")


def export_dataset(
    filters: Filters, file_format: str, purpose: str, small_cells: SmallCells, locale: str
) -> Download:
    """Build the pseudonymised dataset file and record who exported what, and why."""
    with force_locale(locale), cycle_collection_paused():
        return _export(filters, file_format, purpose, small_cells, locale)


def _export(
    filters: Filters, file_format: str, purpose: str, small_cells: SmallCells, locale: str
) -> Download:
    if file_format not in FORMATS:
        raise ValidationFailed.on("file_format", _("Choose a file format from the list."))
    if purpose not in PURPOSES:
        raise ValidationFailed.on("purpose", _("Choose the purpose of this export."))
    # Exports carry scores, not item answers: skipping the answers keeps the national .sav small.
    dataset = build_dataset(filters, answers=False)
    people = len(dataset.cases)
    if people == 0:
        raise ValidationFailed(_("Nobody is in the dataset with these filters: widen them and try again."))
    if small_cells.hides(people):
        raise ValidationFailed(
            _(
                "The dataset holds fewer than %(minimum)d people; widen the filters to export it.",
                minimum=small_cells.minimum,
            )
        )

    # Only the tables the chosen file needs are built (each is a frame of every case).
    def long():
        return export.long_table(dataset, small_cells, locale)

    def wide():
        return export.wide_table(dataset, small_cells, locale)

    stem = f"evaluation-{(filters.instrument or 'data').lower()}-{_stamp()}"
    builders = {
        "csv_long": lambda: (export.to_csv(long()), f"{stem}-long.csv", "csv"),
        "csv_wide": lambda: (export.to_csv(wide()), f"{stem}-wide.csv", "csv"),
        "xlsx": lambda: (export.to_xlsx(long(), wide(), dataset, locale), f"{stem}.xlsx", "xlsx"),
        "sav_long": lambda: (export.to_sav(long()), f"{stem}-long.sav", "sav"),
        "sav_wide": lambda: (export.to_sav(wide()), f"{stem}-wide.sav", "sav"),
        "codebook": lambda: (
            export.codebook_xlsx(long(), wide(), dataset, locale),
            f"{stem}-codebook.xlsx",
            "xlsx",
        ),
    }
    content, filename, kind = builders[file_format]()
    with unit_of_work():
        record(
            "export",
            "evaluation_dataset",
            None,
            {"format": file_format, "filters": filters.as_args(), "people": people},
            purpose=purpose,
        )
    return Download(content, filename, MIMETYPES[kind])


def evaluation_report(filters: Filters, language: str, small_cells: SmallCells) -> Download:
    from programme.evaluation.cached import report_pdf
    from programme.evaluation.pdf import build_report

    content = report_pdf(filters, language, small_cells, build_report)
    with unit_of_work():
        record("report", "evaluation_report", None, {"filters": filters.as_args(), "language": language})
    stem = f"evaluation-report-{(filters.instrument or 'data').lower()}-{language}-{_stamp()}"
    return Download(content, f"{stem}.pdf", MIMETYPES["pdf"])
