"""Charts in the report PDF always fit a page (a forest plot of 1,600 cohorts crashed ReportLab)."""

from programme.evaluation import charts
from programme.evaluation.pdf import MAX_IMAGE_HEIGHT, _image


def test_a_very_tall_chart_is_scaled_to_fit_the_page():
    rows = [(f"Cohort {n}", 0.1, -0.2, 0.4) for n in range(400)]
    chart = charts.forest_plot(rows, "Change", "alt")
    image = _image(chart)
    assert image.drawHeight <= MAX_IMAGE_HEIGHT + 1e-6
    assert abs(image.drawWidth / image.drawHeight - image.imageWidth / image.imageHeight) < 1e-6


def test_the_paired_chart_draws_every_pair():
    pairs = [(1.0 + (n % 5), 2.0 + (n % 3)) for n in range(5000)]
    chart = charts.paired_chart(pairs, (3.0, 3.0), ((2.9, 3.1), (2.9, 3.1)), ("pre", "post"), "Total", "alt")
    assert chart.png.startswith(b"\x89PNG")
