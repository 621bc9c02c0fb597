"""The follow-up section of the evaluation report: survival chart, survival and rate tables.

`survival_flowables(summary)` returns ReportLab flowables built from the shared report blocks;
the evaluation report adds them to its PDF. Days from release only, small groups suppressed.
"""

from __future__ import annotations

from io import BytesIO

from flask_babel import format_decimal
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, Table, TableStyle

from programme.followup.charts import survival_chart_png
from programme.followup.labels import GROUP_LABELS
from programme.reports.styles import RULE, safe, stylesheet


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{format_decimal(value * 100, format='0.0')} %"


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    styles = stylesheet()
    cells = [
        [Paragraph(safe(str(text)), styles["TableHead" if index == 0 else "TableCell"]) for text in row]
        for index, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    return table


def survival_flowables(summary) -> list:
    styles = stylesheet()
    hidden = f"<{summary.minimum}"
    flowables = [
        Paragraph(safe(_("Reoffending after release")), styles["H1"]),
        Paragraph(safe(_("Proven reoffending at 12 months")), styles["H2"]),
    ]
    rate_rows = [[_("Group"), _("People (n)"), _("Reoffended"), _("Rate"), _("95 %% CI").replace("%%", "%")]]
    for group, rate in [*summary.rate.groups.items(), ("all", summary.rate.overall)]:
        label = _("All") if group == "all" else GROUP_LABELS[group]
        if rate.suppressed:
            rate_rows.append([label, hidden, hidden, hidden, hidden])
        elif rate.n == 0:
            rate_rows.append([label, "0", "—", "—", "—"])
        else:
            rate_rows.append(
                [label, rate.n, rate.count, _pct(rate.rate), f"{_pct(rate.low)} – {_pct(rate.high)}"]
            )
    flowables.append(_table(rate_rows, [45, 25, 25, 25, 45]))
    flowables.append(Paragraph(safe(_("Time to reoffence (Kaplan–Meier)")), styles["H2"]))
    flowables.append(Image(BytesIO(survival_chart_png(summary, dpi=150)), width=170 * mm, height=95 * mm))
    survival_rows = [
        [
            _("Group"),
            _("People (n)"),
            _("Reoffences"),
            _("Not reoffended at 6 months"),
            _("at 12 months"),
            _("at 24 months"),
            _("Median days to reoffence"),
        ]
    ]
    for curve in summary.curves:
        label = GROUP_LABELS[curve.group]
        if curve.suppressed:
            survival_rows.append([label, hidden, hidden, hidden, hidden, hidden, hidden])
        elif curve.n:
            points = [_pct(point.survival) for point in curve.points]
            median = _("not reached") if curve.median is None else str(int(curve.median))
            survival_rows.append([label, curve.n, curve.events, *points, median])
    flowables.append(_table(survival_rows, [32, 18, 22, 26, 22, 22, 30]))
    for test in summary.pairwise_tests:
        flowables.append(
            Paragraph(
                safe(
                    f"{GROUP_LABELS[test.groups[0]]} / {GROUP_LABELS[test.groups[1]]}: "
                    + _(
                        "χ² = %(chi).2f, df = %(df)d, p = %(p).3f",
                        chi=test.statistic,
                        df=test.df,
                        p=test.p_value,
                    )
                ),
                styles["Small"],
            )
        )
    if summary.cox.problem:
        flowables.append(Paragraph(safe(summary.cox.problem), styles["Small"]))
    return flowables
