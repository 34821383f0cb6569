"""The exports as pictures: the deck converted by LibreOffice (PPTX → PDF) and the first pages rendered by
pdftoppm, kept as test artefacts under artifacts/export/ (git-ignored) for people to look at.

Uses a copy of the demo database (Kabupaten Maros, 2025) when the repository has one, otherwise the small
coverage fixture. LibreOffice (`libreoffice-impress`) and poppler (`poppler-utils`) are Debian packages that
`make system-deps` installs as root; without them these tests skip and say why.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from ilp_metrics.core.db import connect
from ilp_metrics.export import render
from ilp_metrics.export.facts import gather

from .conftest import DINAS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "export"
DEMO = ROOT / "data" / "ilp.duckdb"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
FIRST_PAGES = 4

needs_poppler = pytest.mark.skipif(
    PDFTOPPM is None, reason="pdftoppm missing: apt-get install poppler-utils (make system-deps, as root)"
)
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice missing: apt-get install libreoffice-impress (make system-deps, as root)"
)


@pytest.fixture(scope="module")
def exports(fixture_db, tmp_path_factory):
    """(name, pptx bytes, pdf bytes) from the demo's Maros 2025 when present, else the fixture."""
    folder = tmp_path_factory.mktemp("export_images")
    if DEMO.is_file():
        db = folder / "ilp.duckdb"
        shutil.copy(DEMO, db)  # a copy: the repository's database may be open in a running app
        year, name = 2025, "maros_2025"
    else:
        db, year, name = fixture_db, 2024, "fixture_2024"
    con = connect(db, read_only=True)
    try:
        facts = gather(con, year=year, regency="73.09", principal=DINAS)
        return name, render(con, "pptx", facts, principal=DINAS), render(con, "pdf", facts, principal=DINAS), facts
    finally:
        con.close()


def _png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


def _to_png(pdf: Path, prefix: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}-*.png"):
        old.unlink()
    subprocess.run(
        [PDFTOPPM, "-r", "80", "-png", "-f", "1", "-l", str(FIRST_PAGES), str(pdf), str(ARTIFACTS / prefix)],
        check=True,
        timeout=120,
    )
    return sorted(ARTIFACTS.glob(f"{prefix}-*.png"))


@needs_libreoffice
@needs_poppler
def test_the_deck_converts_to_16_by_9_slide_images(exports, tmp_path):
    name, pptx, _, facts = exports
    source = tmp_path / f"deck_{name}.pptx"
    source.write_bytes(pptx)
    profile = tmp_path / "lo-profile"  # a private LibreOffice profile: parallel runs do not collide
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=240,
        capture_output=True,
    )
    converted = tmp_path / f"deck_{name}.pdf"
    reader = PdfReader(converted)
    assert len(reader.pages) >= 10  # cover, status, SPM, five clusters, watch, closing (+ comparison)
    assert facts.area in reader.pages[1].extract_text()  # LibreOffice read our text, not an empty shell
    images = _to_png(converted, f"deck_{name}")
    assert len(images) == FIRST_PAGES
    for image in images:
        width, height = _png_size(image)
        assert abs(width / height - 16 / 9) < 0.02, f"{image.name} is {width}×{height}, not 16:9"


@needs_poppler
def test_the_report_pages_render_as_a4_images(exports, tmp_path):
    name, _, pdf, _ = exports
    source = tmp_path / f"report_{name}.pdf"
    source.write_bytes(pdf)
    images = _to_png(source, f"report_{name}")
    assert len(images) == FIRST_PAGES
    width, height = _png_size(images[0])
    assert abs(height / width - 297 / 210) < 0.02, f"{images[0].name} is {width}×{height}, not A4 portrait"
