"""Kaplan–Meier curves with 95 % confidence bands, drawn server-side as PNG (matplotlib, Agg)."""

from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from matplotlib.figure import Figure

from programme.followup.labels import GROUP_LABELS

COLOURS = {"completer": "#1b6ca8", "non_completer": "#d97706", "comparison": "#6b7280"}


def survival_chart_png(summary, width: float = 7.5, height: float = 4.2, dpi: int = 110) -> bytes:
    """The survival curves of the groups shown (suppressed groups are left out and said so)."""
    figure = Figure(figsize=(width, height), dpi=dpi)
    axes = figure.add_subplot()
    for curve in summary.shown_curves:
        days = [point[0] for point in curve.curve]
        colour = COLOURS.get(curve.group, "#333333")
        label = f"{GROUP_LABELS[curve.group]} (n = {curve.n})"
        axes.step(days, [point[1] for point in curve.curve], where="post", color=colour, label=label)
        axes.fill_between(
            days,
            [point[2] for point in curve.curve],
            [point[3] for point in curve.curve],
            step="post",
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
    for months, days in ((6, 183), (12, 365), (24, 730)):
        axes.axvline(days, color="#cccccc", linewidth=0.8, linestyle=":")
        axes.annotate(
            _("%(m)d mo", m=months), (days + 5, 0.99), fontsize=7, color="#666666", ha="left", va="top"
        )
    axes.set_ylim(0, 1.02)
    axes.set_xlim(left=0)
    axes.set_xlabel(_("Days from release"))
    axes.set_ylabel(_("Share not reoffended"))
    if summary.shown_curves:
        axes.legend(loc="lower left", fontsize=8, frameon=False)
    else:
        axes.text(
            0.5,
            0.5,
            _("Not enough people to draw a curve"),
            ha="center",
            va="center",
            transform=axes.transAxes,
            color="#666666",
        )
    suppressed = [GROUP_LABELS[c.group] for c in summary.curves if c.suppressed]
    if suppressed:
        figure.text(
            0.01,
            0.01,
            _(
                "Not shown (fewer than %(n)d people): %(groups)s",
                n=summary.minimum,
                groups=", ".join(str(g) for g in suppressed),
            ),
            fontsize=7,
            color="#666666",
        )
    axes.grid(axis="y", color="#eeeeee")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    buffer = BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
