"""Fonts with Kazakh (ә ғ қ ң ө ұ ү һ і) and Russian glyphs, from installed packages only."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "DejaVuSans"
_FILES = {
    FAMILY: "DejaVuSans.ttf",
    f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
    f"{FAMILY}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FAMILY}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}


def _font_directories() -> list[Path]:
    directories = []
    try:
        import matplotlib

        directories.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    directories.append(Path("/usr/share/fonts/truetype/dejavu"))
    return directories


def _find(filename: str) -> Path:
    for directory in _font_directories():
        candidate = directory / filename
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"font {filename} not found in {_font_directories()}")


@cache
def register_fonts() -> str:
    """Register DejaVu Sans (embedded in every PDF) and return the family name."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(_find(filename))))
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
    addMapping(FAMILY, 0, 1, f"{FAMILY}-Oblique")
    addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldOblique")
    return FAMILY
