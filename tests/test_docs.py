"""docs/ARCHITECTURE.md's module table names every module of `ilp_metrics`, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
_ROW = re.compile(r"^\| `(ilp_metrics/[^`]+)` \| (.+) \|$")


def module_table() -> dict[str, str]:
    """Path -> what it holds, from the table of the section "Modules of `ilp_metrics`"."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    start = text.index("## Modules of `ilp_metrics`")
    end = text.index("\n## ", start + 1)
    rows: dict[str, str] = {}
    for line in text[start:end].splitlines():
        m = _ROW.match(line.strip())
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} has two rows"
            rows[m.group(1)] = m.group(2).strip()
    return rows


def modules_on_disk() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "ilp_metrics").rglob("*.py")}


def test_every_module_has_a_row():
    missing = sorted(modules_on_disk() - set(module_table()))
    assert not missing, f"modules missing from docs/ARCHITECTURE.md: {missing}"


def test_every_row_names_a_module_that_exists():
    stale = sorted(set(module_table()) - modules_on_disk())
    assert not stale, f"docs/ARCHITECTURE.md names modules that do not exist: {stale}"


def test_every_row_says_what_the_module_holds():
    assert all(len(holds) >= 10 for holds in module_table().values())


def test_the_data_path_names_existing_folders():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    drawing = text[text.index("## Data path") : text.index("## Modules of `ilp_metrics`")]
    folders = set(re.findall(r"(?<![\w/.])([a-z]+)/", drawing))
    assert {"ingest", "metrics", "quality", "figures", "export", "cli", "scale", "demo", "pages"} <= folders
    for folder in sorted(folders):
        places = [ROOT / folder, ROOT / "ilp_metrics" / folder, *(ROOT / "ilp_metrics").glob(f"*/{folder}")]
        assert any(p.is_dir() for p in places), f"the data path names {folder}/, which does not exist"
