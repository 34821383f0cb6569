"""The bundled map outlines (data/reference/boundaries/, from Cahya DSN's wilayah_boundaries, MIT):
every kabupaten/kota and kecamatan of Indonesia and the desa of the demo districts, simplified by
`python -m ilp_metrics.demo.map_bundle` (docs/maps.md). They give every kabupaten its kecamatan map,
and the demo its desa map, without an upload; a district's own desa file comes through the map upload.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ilp_metrics.core.db import REFERENCE_DIR
from ilp_metrics.ingest import boundaries as formats
from ilp_metrics.metrics.geo import Area, Boundaries, read_boundaries

BOUNDARY_DIR = REFERENCE_DIR / "boundaries"
# How far (degrees, about 28 km) an uploaded file may lie outside its kabupaten's bounding box before
# the page says it seems to belong elsewhere.
FAR_MARGIN = 0.25


def bundle_path(regency: str, level: str, directory: Path = BOUNDARY_DIR) -> Path:
    """The bundled file holding a kabupaten's desa (one file per kabupaten) or kecamatan (per province)."""
    if level == "desa":
        return directory / "desa" / f"{regency}.topojson"
    if level == "kecamatan":
        return directory / "kecamatan" / f"{regency[:2]}.topojson"
    raise ValueError(f"level must be desa or kecamatan, got {level!r}")


@lru_cache(maxsize=48)
def _read(path: Path) -> Boundaries | None:
    return read_boundaries(path.read_bytes()) if path.exists() else None


def bundled(regency: str, level: str, directory: Path = BOUNDARY_DIR) -> Boundaries | None:
    """The bundled desa or kecamatan outlines of one kabupaten (`73.09`), or None when the bundle has none
    at that level (desa are bundled for the demo districts only)."""
    whole = _read(bundle_path(regency, level, directory))
    if whole is None:
        return None
    areas = [a for a in whole.areas if a.code.startswith(regency + ".")]
    return Boundaries(areas) if areas else None


@lru_cache(maxsize=4)
def _regencies(path: Path) -> dict[str, Area]:
    if not path.exists():
        return {}
    out = {}
    for feature in formats.topology_features(json.loads(path.read_text(encoding="utf-8"))):
        props, geometry = feature["properties"], feature["geometry"]
        if geometry is None:
            continue
        rings = tuple(tuple((p[0], p[1]) for p in ring) for poly in geometry["coordinates"] for ring in poly)
        out[str(props["kode"])] = Area(str(props["kode"]), "kabupaten", str(props.get("nama", "")), rings)
    return out


def regency_outline(regency: str, directory: Path = BOUNDARY_DIR) -> Area | None:
    """A kabupaten/kota's bundled outline (level `kabupaten`), or None for a code the bundle lacks."""
    return _regencies(directory / "kabupaten.topojson").get(regency)


def far_from_regency(boundaries: Boundaries, regency: str, directory: Path = BOUNDARY_DIR) -> bool:
    """Whether the file's areas lie wholly away from the kabupaten's outline (bounding boxes apart by more
    than FAR_MARGIN): a file of another district, or coordinates that are not longitude/latitude."""
    outline = regency_outline(regency, directory)
    if outline is None or not boundaries.areas:
        return False
    x0, y0, x1, y1 = formats.bbox(outline.rings)
    a0, b0, a1, b1 = formats.bbox([r for a in boundaries.areas for r in a.rings])
    m = FAR_MARGIN
    return a1 < x0 - m or a0 > x1 + m or b1 < y0 - m or b0 > y1 + m
