"""Where the PDF's DejaVu TrueType font is, apart from the PDF renderer: the pages ask whether a PDF
can be made on every run, and that question must not import fpdf (about 0.9 s on a fresh server)."""

from __future__ import annotations

from pathlib import Path

from ilp_metrics.core.config import setting
from ilp_metrics.core.i18n import t

FONT_DIRS = [Path(setting("font_dir"))] if setting("font_dir") else []  # ILP_FONT_DIR first
FONT_DIRS += [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
]


class MissingFont(RuntimeError):
    """The DejaVu TrueType font is not installed (Debian package fonts-dejavu-core)."""


def find_font() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files, from the first folder of FONT_DIRS that holds both."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise MissingFont(t("export.pdf_missing_font", "id"))
