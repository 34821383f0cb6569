"""Map data: puskesmas points from the registry, and desa/kecamatan boundaries matched on Kemendagri
codes, from the bundled outlines (metrics/outlines.py) or from a file the user uploads (GeoJSON,
TopoJSON or the `wilayah_boundaries` SQL dump, formats in ingest/boundaries.py). Nothing is fetched
from the internet: maps are drawn on plain longitude/latitude axes.

Reading a boundary file collects every problem (feature, reason, as message keys for the page to
translate) instead of stopping at the first, and notes what was corrected (axes swapped back); a file
that is not a boundary file at all raises GeoJSONError with one message key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ilp_metrics.catalogue import Catalogue, load_catalogue
from ilp_metrics.ingest import boundaries as formats
from ilp_metrics.metrics.coverage import coverage_many, snapshot
from ilp_metrics.security.scope import Principal

# Property names that carry a Kemendagri code in common boundary files (BIG/Dukcapil/BPS exports,
# GADM-like re-codings), compared case-insensitively, first match wins; the feature's own `id` last.
CODE_PROPERTIES = (
    "kode_kemendagri",
    "kode_desa",
    "kd_desa",
    "desa_code",
    "kode_kel",
    "kdepum",
    "kode_kec",
    "kd_kec",
    "kode_kecamatan",
    "kdcpum",
    "district_code",
    "kode_wilayah",
    "kode",
    "code",
    "id",
)
NAME_PROPERTIES = ("nama_desa", "desa", "namobj", "wadmkd", "nama_kec", "kecamatan", "wadmkc", "nama", "name")
LEVEL_BY_DIGITS = {10: "desa", 6: "kecamatan"}


class GeoJSONError(ValueError):
    """The upload is not a GeoJSON FeatureCollection. `code` is a message key."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Area:
    code: str  # dotted Kemendagri code: 73.09.04.2005 or 73.09.04
    level: str  # desa | kecamatan
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # outer rings (and holes), lon/lat


@dataclass
class Boundaries:
    areas: list[Area] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # {feature, code (message key), value}
    notes: list[dict[str, Any]] = field(default_factory=list)  # {code (message key), **values}: corrections

    @property
    def level(self) -> str | None:
        levels = {a.level for a in self.areas}
        return levels.pop() if len(levels) == 1 else ("desa" if "desa" in levels else None)


def normalise_code(value: Any) -> tuple[str, str] | None:
    """A Kemendagri code with or without dots (`7309042005`, `73.09.04.2005`, `730904`) as
    (dotted code, level); None when it is not a desa or kecamatan code."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    digits = re.sub(r"[.\s]", "", text)
    if not digits.isdigit() or len(digits) not in LEVEL_BY_DIGITS:
        return None
    parts = [digits[:2], digits[2:4], digits[4:6]] + ([digits[6:]] if len(digits) == 10 else [])
    return ".".join(parts), LEVEL_BY_DIGITS[len(digits)]


def _code_of(feature: dict[str, Any]) -> tuple[tuple[str, str] | None, Any]:
    props = feature.get("properties") or {}
    lower = {str(k).lower(): v for k, v in props.items()} if isinstance(props, dict) else {}
    for key in CODE_PROPERTIES:
        if key in lower and lower[key] not in (None, ""):
            return normalise_code(lower[key]), lower[key]
    if feature.get("id") not in (None, ""):
        return normalise_code(feature["id"]), feature["id"]
    return None, None


def _name_of(feature: dict[str, Any], code: str) -> str:
    props = feature.get("properties") or {}
    lower = {str(k).lower(): v for k, v in props.items()} if isinstance(props, dict) else {}
    for key in NAME_PROPERTIES:
        value = lower.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return code


def _rings(geometry: Any) -> tuple[tuple[tuple[float, float], ...], ...] | None:
    if not isinstance(geometry, dict):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list):
        return None
    try:
        rings = tuple(tuple((float(p[0]), float(p[1])) for p in ring) for poly in polygons for ring in poly)
    except (TypeError, ValueError, IndexError):
        return None
    return rings if rings and all(len(r) >= 3 for r in rings) else None


def _features(text: str) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection (or one Feature), a TopoJSON Topology or a SQL dump."""
    if formats.sniff(text) == "sql":
        features = formats.sql_features(text)
        if not features:
            raise GeoJSONError("geo.error_no_areas", problems=0)
        return features
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoJSONError("geo.error_not_json", detail=str(exc)[:120]) from None
    if isinstance(doc, dict) and doc.get("type") == "Topology":
        try:
            return formats.topology_features(doc)
        except formats.BoundaryFormatError as exc:
            raise GeoJSONError(exc.code, **exc.values) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise GeoJSONError("geo.error_not_collection")
    return list(doc["features"])


def read_boundaries(data: bytes | str) -> Boundaries:
    """Parse desa or kecamatan polygons keyed by Kemendagri codes: a GeoJSON FeatureCollection, a TopoJSON
    Topology, or the `INSERT INTO wilayah_boundaries (kode, nama, lat, lng, path)` dump ([lat, lng] rings).

    Raises GeoJSONError for a file that is not text or JSON (`geo.error_not_json`), not a
    FeatureCollection (`geo.error_not_collection`), a broken Topology (`geo.error_bad_topology`), without
    any usable feature (`geo.error_no_areas`) or lying outside Indonesia in either axis order
    (`geo.error_outside`). Features in [lat, lng] order are swapped back and counted in `notes`; features
    without a code, with an unreadable code or geometry, outside Indonesia, or repeated, are in `problems`."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise GeoJSONError("geo.error_not_json", detail=str(exc)[:120]) from None
    axes = formats.fix_axis_order(_features(text))
    out = Boundaries()
    if axes.swapped:
        out.notes.append({"code": "geo.note_swapped", "n": axes.swapped})
    seen: set[str] = set()
    for number, feature in enumerate(axes.features, start=1):
        if not isinstance(feature, dict):
            out.problems.append({"feature": number, "code": "geo.problem_not_feature", "value": ""})
            continue
        code, raw = _code_of(feature)
        if raw is None:
            out.problems.append({"feature": number, "code": "geo.problem_no_code", "value": ""})
            continue
        if code is None:
            out.problems.append({"feature": number, "code": "geo.problem_bad_code", "value": str(raw)[:40]})
            continue
        rings = _rings(feature.get("geometry"))
        if rings is None:
            out.problems.append({"feature": number, "code": "geo.problem_bad_geometry", "value": code[0]})
            continue
        if number - 1 in axes.outside:
            out.problems.append({"feature": number, "code": "geo.problem_outside", "value": code[0]})
            continue
        if code[0] in seen:
            out.problems.append({"feature": number, "code": "geo.problem_duplicate", "value": code[0]})
            continue
        seen.add(code[0])
        out.areas.append(Area(code[0], code[1], _name_of(feature, code[0]), rings))
    if not out.areas:
        outside = sum(p["code"] == "geo.problem_outside" for p in out.problems)
        if outside:
            raise GeoJSONError("geo.error_outside", n=outside)
        raise GeoJSONError("geo.error_no_areas", problems=len(out.problems))
    return out


@dataclass(frozen=True)
class Match:
    matched: list[str]  # codes in the file and in the data
    unmatched: list[str]  # codes in the file that the registry does not know (in scope)
    missing: list[str]  # areas of the registry (in scope) without a boundary in the file


def known_areas(
    con: duckdb.DuckDBPyConnection, level: str, regency: str | None = None, *, principal: Principal
) -> pd.DataFrame:
    """Registry areas at `level` (desa from the desa registry; kecamatan from the desa codes' first three
    parts), with name and puskesmas, limited to one kabupaten and to the desa the `principal` may see
    (a puskesmas account: its own; a guest: ScopeDenied)."""
    own = principal.desa_puskesmas(None)
    if level == "desa":
        sql = """SELECT d.desa_code AS code, d.desa_name AS name, d.puskesmas_code
                 FROM desa d JOIN puskesmas p USING (puskesmas_code)
                 WHERE ($r IS NULL OR p.regency_code = $r) AND ($p IS NULL OR d.puskesmas_code = $p) ORDER BY 1"""
    elif level == "kecamatan":
        sql = """SELECT DISTINCT left(d.desa_code, 8) AS code, coalesce(k.name, left(d.desa_code, 8)) AS name,
                        CAST(NULL AS VARCHAR) AS puskesmas_code
                 FROM desa d JOIN puskesmas p USING (puskesmas_code)
                 LEFT JOIN ref_district k ON k.code = left(d.desa_code, 8)
                 WHERE ($r IS NULL OR p.regency_code = $r) AND ($p IS NULL OR d.puskesmas_code = $p) ORDER BY 1"""
    else:
        raise ValueError(f"level must be desa or kecamatan, got {level!r}")
    return con.execute(sql, {"r": regency, "p": own}).df()


def match_boundaries(
    con: duckdb.DuckDBPyConnection, boundaries: Boundaries, regency: str | None = None, *, principal: Principal
) -> Match:
    """Which boundary areas the registry knows (within the `principal`'s desa scope), which it does not."""
    level = boundaries.level or "desa"
    known = set(known_areas(con, level, regency, principal=principal)["code"])
    codes = [a.code for a in boundaries.areas if a.level == level]
    matched = [c for c in codes if c in known]
    unmatched = [c for c in codes if c not in known]
    return Match(matched, unmatched, sorted(known - set(codes)))


def area_values(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    *,
    level: str,
    year: int,
    through: int | None = None,
    regency: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Coverage to date per desa (only those the `principal` may see), or per kecamatan (the sum of its desa numerators over the sum of their
    denominators: distinct persons served in two desa count in both, see the drill-down rule), with status.
    Columns: code, name, numerator, denominator, coverage, target_to_date, status."""
    cat = catalogue or load_catalogue()
    snap = snapshot(
        coverage_many(
            con,
            [indicator],
            level="desa",
            year=year,
            through=through,
            regency=regency,
            catalogue=cat,
            principal=principal,
        )
    )
    cols = ["code", "name", "numerator", "denominator", "coverage", "target_to_date", "status"]
    if snap.empty:
        return pd.DataFrame(columns=cols)
    if level == "desa":
        return snap.rename(columns={"unit_code": "code", "unit_name": "name"})[cols].reset_index(drop=True)
    ind = cat.indicator(indicator)
    snap = snap.assign(code=snap["unit_code"].str[:8])
    grouped = snap.groupby("code")
    out = pd.DataFrame(
        {
            "numerator": grouped["numerator"].sum(),
            "denominator": grouped["denominator"].sum(min_count=1),
            "target_to_date": grouped["target_to_date"].first(),
            "has_data": grouped["status"].apply(lambda s: (s != "tidak_ada_data").any()),
        }
    ).reset_index()
    den = out["denominator"].where(out["denominator"] > 0)
    out["coverage"] = (out["numerator"] / den * ind.factor).where(out["has_data"])
    lower = np.full(len(out), not ind.higher_is_better)
    ratio = np.full(len(out), cat.mendekati_min_ratio(indicator))
    out["status"] = cat.status.classify_many(
        out["coverage"].to_numpy(float), out["target_to_date"].to_numpy(float), lower, ratio
    )
    names = known_areas(con, "kecamatan", regency, principal=principal).set_index("code")["name"]
    out["name"] = out["code"].map(names).fillna(out["code"])
    return out[cols]


def map_points(
    con: duckdb.DuckDBPyConnection,
    indicator: str,
    *,
    year: int,
    through: int | None = None,
    regency: str | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal,
) -> pd.DataFrame:
    """Puskesmas with registry coordinates, coverage to date, status and target population (the
    indicator's denominator), for the point map. Puskesmas without coordinates have NaN latitude."""
    cat = catalogue or load_catalogue()
    snap = snapshot(
        coverage_many(
            con,
            [indicator],
            level="puskesmas",
            year=year,
            through=through,
            regency=regency,
            catalogue=cat,
            principal=principal,
        )
    )
    registry = con.execute(
        """SELECT puskesmas_code AS unit_code, latitude, longitude, ilp_start_date, cohort FROM puskesmas
           WHERE $r IS NULL OR regency_code = $r""",
        {"r": regency},
    ).df()
    out = registry.merge(
        snap[["unit_code", "unit_name", "numerator", "denominator", "coverage", "target_to_date", "status", "month"]],
        on="unit_code",
        how="inner",
    )
    return out.sort_values("unit_name").reset_index(drop=True)
