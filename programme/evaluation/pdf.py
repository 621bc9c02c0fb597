"""The evaluation report (PDF, kk / ru / en) for the current filters, from the shared blocks.

Sample and attrition, instruments and reliability, methods, results, charts with their data
tables, limitations. Aggregates only (no study codes); the small-group rule applies.
"""

from __future__ import annotations

from io import BytesIO

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from programme.evaluation.analysis import SmallCells, compare, dose, groups, reason_text, text_of
from programme.evaluation.dataset import build_dataset
from programme.evaluation.figures import comparison_charts, dose_chart, forest_chart, scale_label
from programme.evaluation.formatting import interval, number, p_value, suppressed_mark
from programme.evaluation.forms import timepoint_label
from programme.evaluation.scope import Filters
from programme.evaluation.text import filter_summary, limitations, methods
from programme.reports.document import Footer, build_pdf
from programme.reports.styles import RULE, safe, stylesheet

WIDTH = 174 * mm


def _table(rows: list[list], widths=None, header: bool = True) -> Table:
    styles = stylesheet()
    body = []
    for index, row in enumerate(rows):
        style = styles["TableHead"] if header and index == 0 else styles["TableCell"]
        body.append([Paragraph(safe(str(cell)), style) for cell in row])
    table = Table(body, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


MAX_IMAGE_HEIGHT = 200 * mm  # a tall chart (a forest plot of many cohorts) must still fit a page


def _image(chart, width: float = 120 * mm) -> Image:
    image = Image(BytesIO(chart.png))
    ratio = image.imageHeight / image.imageWidth
    if width * ratio > MAX_IMAGE_HEIGHT:
        width = MAX_IMAGE_HEIGHT / ratio
    image.drawWidth, image.drawHeight = width, width * ratio
    image.hAlign = "LEFT"
    return image


def _result_cells(result, small_cells: SmallCells) -> list[str] | None:
    if not result.enough:
        return None
    if small_cells.hides(result.n):
        return None
    return [
        f"{number(result.mean_pre)} ({number(result.sd_pre)})",
        f"{number(result.mean_post)} ({number(result.sd_post)})",
        f"{number(result.mean_change)} {interval(result.change_ci)}",
    ]


def build_report(filters: Filters, language: str, small_cells: SmallCells) -> bytes:
    with force_locale(language):
        return _build(filters, language, small_cells)


def _build(filters: Filters, locale: str, small_cells: SmallCells) -> bytes:
    styles = stylesheet()
    dataset = build_dataset(filters)
    comparisons = compare(dataset)
    first, second = timepoint_label(dataset.first), timepoint_label(dataset.second)
    name = text_of(dataset.instrument.texts, locale, filters.instrument or "") if dataset.instrument else ""
    mark = suppressed_mark(small_cells.minimum)

    def count(n: int) -> str:
        shown = small_cells.count(n)
        return mark if shown is None else str(shown)

    story = [
        Paragraph(safe(_("Evaluation report")), styles["Title"]),
        Paragraph(safe(f"{name}: {first} → {second}"), styles["Subtitle"]),
        Paragraph(safe(filter_summary(filters, locale)), styles["Small"]),
        Spacer(1, 4 * mm),
    ]

    story.append(Paragraph(safe(_("1. Sample and attrition")), styles["H1"]))
    attrition = dataset.attrition
    story.append(
        _table(
            [
                [_("Group"), _("Number of people")],
                [_("Answered at both timepoints"), count(attrition.both)],
                [_("Answered only at %(timepoint)s", timepoint=first), count(attrition.first_only)],
                [_("Answered only at %(timepoint)s", timepoint=second), count(attrition.second_only)],
                [_("Excluded: consent withdrawn with their data"), count(attrition.excluded)],
            ],
            [120 * mm, 40 * mm],
        )
    )

    story.append(Paragraph(safe(_("2. Instrument and reliability")), styles["H1"]))
    rows = [
        [
            _("Scale"),
            _("Items"),
            _("Alpha at %(timepoint)s", timepoint=first),
            _("Alpha at %(timepoint)s", timepoint=second),
        ]
    ]
    for comparison in comparisons:
        cells = []
        for alpha in (comparison.alpha_first, comparison.alpha_second):
            if not alpha.enough:
                cells.append(reason_text(alpha.reason))
            elif small_cells.hides(alpha.cases):
                cells.append(mark)
            else:
                cells.append(f"{number(alpha.value)} (n = {alpha.cases})")
        rows.append([scale_label(comparison.scale, locale), str(len(comparison.scale.items)), *cells])
    story.append(_table(rows, [48 * mm, 22 * mm, 52 * mm, 52 * mm]))

    story.append(Paragraph(safe(_("3. Methods")), styles["H1"]))
    for paragraph in methods(small_cells.minimum):
        story.append(Paragraph(safe(paragraph), styles["Body"]))

    story.append(Paragraph(safe(_("4. Results")), styles["H1"]))
    rows = [
        [
            _("Scale"),
            "n",
            _("Mean (SD), %(timepoint)s", timepoint=first),
            _("Mean (SD), %(timepoint)s", timepoint=second),
            _("Change [95 % CI]"),
        ]
    ]
    tests = [[_("Scale"), "t (df)", "p", _("p, Holm"), _("Wilcoxon W (p)")]]
    effects = [
        [
            _("Scale"),
            "d_z [95 % CI]",
            "g_z",
            "d_av [95 % CI]",
            "g_av",
            _("Reliable change: better / no change / worse"),
        ]
    ]
    for comparison in comparisons:
        result, label = comparison.result, scale_label(comparison.scale, locale)
        cells = _result_cells(result, small_cells)
        if cells is None:
            message = reason_text(result.reason) if not result.enough else mark
            rows.append([label, str(small_cells.count(result.n) or "") if result.n else "0", message, "", ""])
            tests.append([label, message, "", "", ""])
            effects.append([label, message, "", "", "", ""])
            continue
        rows.append([label, str(result.n), *cells])
        wilcoxon = f"{number(result.wilcoxon_statistic, 1)} ({p_value(result.wilcoxon_p)})"
        tests.append(
            [
                label,
                f"{number(result.t)} ({result.df})",
                p_value(result.p),
                p_value(comparison.p_holm),
                wilcoxon,
            ]
        )
        rci = comparison.rci
        rci_text = (
            f"{rci.improved} / {rci.unchanged} / {rci.worse}" if rci.enough else reason_text(rci.reason)
        )
        effects.append(
            [
                label,
                f"{number(result.d_z.value)} {interval(result.d_z.ci)}",
                number(result.d_z.hedges),
                f"{number(result.d_av.value)} {interval(result.d_av.ci)}",
                number(result.d_av.hedges),
                rci_text,
            ]
        )
    story.append(_table(rows, [46 * mm, 12 * mm, 36 * mm, 36 * mm, 44 * mm]))
    story.append(Spacer(1, 3 * mm))
    story.append(_table(tests, [46 * mm, 30 * mm, 24 * mm, 24 * mm, 50 * mm]))
    story.append(Spacer(1, 3 * mm))
    story.append(_table(effects, [36 * mm, 34 * mm, 14 * mm, 34 * mm, 14 * mm, 42 * mm]))

    story.append(Paragraph(safe(_("5. Charts")), styles["H1"]))
    total = comparisons[-1] if comparisons else None
    charted = False
    if total is not None:
        found = comparison_charts(total, dataset.first, dataset.second, locale, small_cells)
        for chart in found.values():
            story.append(KeepTogether([_image(chart), Paragraph(safe(chart.alt), styles["Small"])]))
            charted = True
        if found:
            result = total.result
            story.append(
                _table(
                    [
                        ["", first, second, _("Change in score")],
                        [
                            _("Mean"),
                            number(result.mean_pre),
                            number(result.mean_post),
                            number(result.mean_change),
                        ],
                        ["SD", number(result.sd_pre), number(result.sd_post), number(result.sd_change)],
                        ["n", str(result.n), str(result.n), str(result.n)],
                    ],
                    [50 * mm, 38 * mm, 38 * mm, 38 * mm],
                )
            )
        scale, by_facility = groups(dataset, total.scale.code, "facility")
        forest = forest_chart(by_facility, scale, locale, small_cells)
        if forest is not None:
            charted = True
            group_rows = [[_("Facility"), "n", _("Change [95 % CI]")]]
            for group in by_facility:
                result = group.result
                if not result.enough:
                    group_rows.append(
                        [group.label, str(small_cells.count(result.n) or mark), reason_text(result.reason)]
                    )
                elif small_cells.hides(result.n):
                    group_rows.append([group.label, mark, mark])
                else:
                    group_rows.append(
                        [
                            group.label,
                            str(result.n),
                            f"{number(result.mean_change)} {interval(result.change_ci)}",
                        ]
                    )
            story.append(
                KeepTogether(
                    [
                        _image(forest),
                        Paragraph(safe(forest.alt), styles["Small"]),
                        _table(group_rows, [60 * mm, 20 * mm, 80 * mm]),
                    ]
                )
            )
        dosage = dose(dataset, total.scale.code)
        scatter = dose_chart(dosage, locale, small_cells)
        if scatter is not None:
            charted = True
            correlation = dosage.correlation
            summary = (
                _(
                    "Spearman's rho = %(rho)s, p = %(p)s, n = %(n)d",
                    rho=number(correlation.rho),
                    p=p_value(correlation.p),
                    n=correlation.n,
                )
                if correlation.enough
                else reason_text(correlation.reason)
            )
            band_rows = [[_("Attendance"), "n", _("Change [95 % CI]")]]
            for _code, label, result in dosage.bands:
                if not result.enough:
                    band_rows.append(
                        [
                            str(label),
                            str(small_cells.count(result.n) or mark) if result.n else "0",
                            reason_text(result.reason),
                        ]
                    )
                elif small_cells.hides(result.n):
                    band_rows.append([str(label), mark, mark])
                else:
                    band_rows.append(
                        [
                            str(label),
                            str(result.n),
                            f"{number(result.mean_change)} {interval(result.change_ci)}",
                        ]
                    )
            story.append(
                KeepTogether(
                    [
                        _image(scatter),
                        Paragraph(safe(scatter.alt + ". " + summary), styles["Small"]),
                        _table(band_rows, [60 * mm, 20 * mm, 80 * mm]),
                    ]
                )
            )
    if not charted:
        story.append(Paragraph(safe(_("No chart: not enough data with these filters.")), styles["Body"]))

    story.append(Paragraph(safe(_("6. Limitations")), styles["H1"]))
    for paragraph in limitations(small_cells.minimum):
        story.append(Paragraph(safe(paragraph), styles["Body"]))

    footer = Footer(
        _("Evaluation report"),
        format_date(None, "short"),
        _("Page %(n)d of %(total)d"),  # filled in by the page footer
    )
    return build_pdf(story, footer, language=locale)
