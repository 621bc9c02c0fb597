"""Charts drawn on the server with matplotlib (Agg, no pyplot state), as PNG bytes.

The same bytes go into the web page (a data: URL) and the PDF report. Labels arrive translated;
DejaVu Sans (matplotlib's default font) has the Kazakh and Russian letters.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

import matplotlib
import numpy as np

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ACCENT = "#1f3a5f"
SECOND = "#c2410c"
MUTED = "#9ca3af"
LINES = "#6b7280"  # the paired chart's people: darker where many share a line
SNAP = 0.1  # score points: the paired chart's line ends are drawn to this grid...
SNAP_FROM = 1000  # ...when it shows more people than this
WIDTH_STEPS = 4  # line widths of the paired chart, from one person to the most shared line


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str

    @property
    def data_url(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _figure(width: float = 6.0, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    return figure


# Margins (of the figure's width and height) that fit the axis labels of the comparison charts:
# numbers on the y axis, one line of timepoint names or of the x label under the plot. Laying
# out with tight_layout measures the text by drawing the figure once more, doubling the time of
# each chart (0.1 s of the evaluation page for the two of them); charts whose labels vary in
# length (group names in the forest plot) keep it.
FIXED_MARGINS = {"left": 0.13, "right": 0.97, "top": 0.95, "bottom": 0.15}


def _png(figure: Figure, fixed_margins: bool = False) -> bytes:
    if fixed_margins:
        figure.subplots_adjust(**FIXED_MARGINS)
    else:
        figure.tight_layout()
    buffer = BytesIO()
    # zlib level 1: a quarter of the encoding time of the default, for files about a fifth larger.
    figure.savefig(buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def paired_chart(
    pairs: np.ndarray | Sequence[tuple[float, float]],  # each person's (first, second) score
    means: tuple[float, float],
    intervals: tuple[tuple[float, float], tuple[float, float]],
    labels: tuple[str, str],
    y_label: str,
    alt: str,
) -> Chart:
    """Each person's line from the first to the second timepoint (one line per distinct pair, weighted
    by how many people share it), and the means with 95 % CIs."""
    figure = _figure()
    axes = figure.add_subplot()
    # The ~20,000 pairs of the national dataset overplot into a grey block. With many people
    # (over SNAP_FROM) line ends are snapped to a grid of SNAP score points, about four pixels at
    # this size, and each distinct line is drawn once, thicker and darker the more people share
    # it: what overplotting hides, at a fraction of the drawing time (a thousand lines instead of
    # 20,000). Smaller groups are drawn exactly (shared lines still weighted).
    ends = np.asarray(pairs, dtype=float).reshape(-1, 2)
    if len(ends) > SNAP_FROM:
        ends = np.round(ends / SNAP) * SNAP
    # Distinct (first, second) pairs as complex numbers: a 1-D unique, a fifth of the time of
    # np.unique(axis=0) on 20,000 rows.
    distinct, shared = np.unique(ends[:, 0] + 1j * ends[:, 1], return_counts=True)
    lines = np.column_stack((distinct.real, distinct.imag))
    if len(lines):
        # Shared lines darker and wider. Widths in a few steps, a collection per step: a collection
        # with a width per line re-reads matplotlib's settings for every line (40 ms for 2,000).
        weight = np.sqrt(shared / shared.max())
        colours = np.tile((*to_rgb(LINES), 0.0), (len(lines), 1))
        colours[:, 3] = 0.03 + 0.6 * weight
        steps = np.ceil(weight * WIDTH_STEPS) / WIDTH_STEPS
        segments = np.stack([np.zeros(len(lines)), lines[:, 0], np.ones(len(lines)), lines[:, 1]], axis=1)
        for step in np.unique(steps).tolist():
            chosen = steps == step
            axes.add_collection(
                LineCollection(
                    segments[chosen].reshape(-1, 2, 2), colors=colours[chosen], linewidths=1.6 * step
                )
            )
    errors = [
        [m - low for m, (low, _h) in zip(means, intervals, strict=True)],
        [high - m for m, (_l, high) in zip(means, intervals, strict=True)],
    ]
    axes.errorbar([0, 1], means, yerr=errors, color=ACCENT, linewidth=2.5, marker="o", capsize=6)
    axes.set_xticks([0, 1], labels)
    axes.set_xlim(-0.3, 1.3)
    axes.set_ylabel(y_label)
    axes.grid(axis="y", alpha=0.3)
    return Chart(_png(figure, fixed_margins=True), alt)


def change_histogram(changes: Sequence[float], x_label: str, y_label: str, alt: str) -> Chart:
    figure = _figure()
    axes = figure.add_subplot()
    bins = min(12, max(4, len(changes) // 3))
    axes.hist(np.asarray(changes, dtype=float), bins=bins, color=ACCENT, edgecolor="white")
    axes.axvline(0, color=SECOND, linestyle="--", linewidth=1.2)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(axis="y", alpha=0.3)
    return Chart(_png(figure, fixed_margins=True), alt)


def forest_plot(
    rows: Sequence[tuple[str, float, float, float]], x_label: str, alt: str, overall: float | None = None
) -> Chart:
    """One line per group: label, mean change, CI low, CI high (top to bottom as given)."""
    height = max(2.4, 0.45 * len(rows) + 1.2)
    figure = _figure(6.0, height)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    for y, (_label, mean, low, high) in zip(positions, rows, strict=True):
        axes.plot([low, high], [y, y], color=ACCENT, linewidth=2)
        axes.plot([mean], [y], marker="s", color=ACCENT, markersize=7)
    axes.axvline(0, color=MUTED, linewidth=1)
    if overall is not None:
        axes.axvline(overall, color=SECOND, linestyle="--", linewidth=1.2)
    axes.set_yticks(positions, [label[:40] for label, *_rest in rows])
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel(x_label)
    axes.grid(axis="x", alpha=0.3)
    return Chart(_png(figure), alt)


def dose_scatter(points: Sequence[tuple[float, float]], x_label: str, y_label: str, alt: str) -> Chart:
    """Attendance rate (0..1, shown as %) against change."""
    figure = _figure()
    axes = figure.add_subplot()
    axes.scatter([100 * rate for rate, _c in points], [c for _r, c in points], color=ACCENT, alpha=0.75)
    axes.axhline(0, color=MUTED, linewidth=1)
    axes.set_xlim(-5, 105)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(alpha=0.3)
    return Chart(_png(figure), alt)
