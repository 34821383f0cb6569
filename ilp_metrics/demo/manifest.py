"""What the generator wrote: one FileEntry per file, in the order a district would upload them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class FileEntry:
    path: str  # relative to the output directory
    kind: str
    uploaded_at: str  # ISO timestamp
    regency: str
    puskesmas: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


KIND_ORDER = ("puskesmas", "desa", "sasaran", "kesiapan", "capaian", "layanan")


@dataclass
class Generated:
    out_dir: Path
    files: list[FileEntry]
    defects: list[dict[str, Any]]
    counts: dict[str, int]
    seconds: float

    def ordered(self) -> list[FileEntry]:
        return sorted(self.files, key=lambda f: (KIND_ORDER.index(f.kind), f.uploaded_at, f.path))


def load_manifest(out_dir: Path | str) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    return manifest
