"""Boundary file formats for the map upload, turned into GeoJSON-shaped features with [lng, lat] rings:
GeoJSON (as is), TopoJSON (arcs decoded) and the MySQL dump of `wilayah_boundaries`
(`INSERT INTO wilayah_boundaries (kode, nama, lat, lng, path) VALUES (...)`, `path` a JSON array of rings
of [lat, lng] pairs). The SQL is never executed: a small linear tokenizer reads the VALUES tuples of
INSERT statements and skips every other statement.

Coordinates in the wrong axis order (a common mistake; that dump stores [lat, lng]) are detected against
Indonesia's extent: a feature that fits only with its axes swapped is swapped back and counted, one that
fits neither order is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Indonesia's extent (longitude, latitude) with a small margin for outlying islands (Rondo 6.07° N,
# Ndana 11.0° S): lng 94..142, lat -11.5..6.5. The swapped ranges cannot overlap these.
LNG_RANGE = (94.0, 142.0)
LAT_RANGE = (-11.5, 6.5)

# Column order of the upstream DDL (db/ddl_wilayah_boundaries.sql), used by an INSERT without a column list.
SQL_COLUMNS = ("kode", "nama", "lat", "lng", "path", "status")

Feature = dict[str, Any]


class BoundaryFormatError(ValueError):
    """The upload cannot be read in any boundary format. `code` is a message key."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


# ------------------------------------------------------------------ sniffing


def sniff(text: str) -> str:
    """`json` for a JSON document (GeoJSON or TopoJSON), `sql` for a SQL dump with an INSERT statement."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "json"
    if re.search(r"\binsert\s+(?:ignore\s+)?into\b", text[:200_000], re.IGNORECASE):
        return "sql"
    return "json"


# ------------------------------------------------------------------ TopoJSON


def _decode_arcs(doc: dict[str, Any]) -> list[np.ndarray]:
    transform = doc.get("transform")
    scale = translate = None
    if isinstance(transform, dict):
        scale = np.asarray(transform.get("scale", [1, 1]), dtype=float)[:2]
        translate = np.asarray(transform.get("translate", [0, 0]), dtype=float)[:2]
    arcs: list[np.ndarray] = []
    for arc in doc.get("arcs") or []:
        pts = np.asarray(arc, dtype=float)[:, :2] if arc else np.zeros((0, 2))
        if scale is not None and translate is not None and len(pts):
            pts = np.cumsum(pts, axis=0) * scale + translate
        arcs.append(pts)
    return arcs


def _ring(indices: list[int], arcs: list[np.ndarray]) -> list[list[float]]:
    points: list[list[float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        part = arc.tolist()
        points.extend(part if not points else part[1:])
    return points


def _topo_geometry(geom: dict[str, Any], arcs: list[np.ndarray]) -> dict[str, Any] | None:
    kind = geom.get("type")
    try:
        if kind == "Polygon":
            return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in geom["arcs"]]}
        if kind == "MultiPolygon":
            return {"type": "MultiPolygon", "coordinates": [[_ring(r, arcs) for r in p] for p in geom["arcs"]]}
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None


def topology_features(doc: dict[str, Any]) -> list[Feature]:
    """The geometries of every object of a TopoJSON Topology as GeoJSON features (id and properties kept)."""
    try:
        arcs = _decode_arcs(doc)
    except (TypeError, ValueError, IndexError):
        raise BoundaryFormatError("geo.error_bad_topology") from None
    objects = doc.get("objects")
    if not isinstance(objects, dict):
        raise BoundaryFormatError("geo.error_bad_topology")
    features: list[Feature] = []
    for obj in objects.values():
        if not isinstance(obj, dict):
            continue
        geoms = obj.get("geometries") if obj.get("type") == "GeometryCollection" else [obj]
        for geom in geoms if isinstance(geoms, list) else []:
            if not isinstance(geom, dict):
                features.append({"type": "Feature", "properties": {}, "geometry": None})
                continue
            feature: Feature = {
                "type": "Feature",
                "properties": geom.get("properties") or {},
                "geometry": _topo_geometry(geom, arcs),
            }
            if "id" in geom:
                feature["id"] = geom["id"]
            features.append(feature)
    return features


# ------------------------------------------------------------------ SQL dump (never executed)

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<comment>/\*.*?\*/|--[^\n]*|\#[^\n]*)
      | (?P<str>'[^'\\]*(?:(?:''|\\.)[^'\\]*)*')
      | (?P<ident>`[^`]*`|"[^"]*")
      | (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
      | (?P<punct>[(),;.])
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "Z": "\x1a"}


def _unquote(token: str) -> str:
    body = token[1:-1].replace("''", "'")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)


@dataclass
class _Tokens:
    text: str
    pos: int = 0
    peeked: tuple[str, str] | None = field(default=None)

    def next(self) -> tuple[str, str] | None:
        if self.peeked is not None:
            tok, self.peeked = self.peeked, None
            return tok
        while self.pos < len(self.text):
            m = _TOKEN.match(self.text, self.pos)
            if m is None:  # pragma: no cover - `other` matches any character
                return None
            self.pos = m.end()
            kind = m.lastgroup or "other"
            if kind == "other" and m.group() in "'`\"":  # an unterminated quote: the text ends there
                self.pos = len(self.text)
                return None
            if kind not in ("ws", "comment"):
                return kind, m.group()
        return None

    def peek(self) -> tuple[str, str] | None:
        if self.peeked is None:
            self.peeked = self.next()
        return self.peeked


def _value(kind: str, text: str) -> Any:
    if kind == "str":
        return _unquote(text)
    if kind == "num":
        return float(text)
    if kind == "word" and text.upper() == "NULL":
        return None
    return text


def _skip_statement(tokens: _Tokens) -> None:
    while (tok := tokens.next()) is not None and tok != ("punct", ";"):
        pass


def _insert_rows(tokens: _Tokens) -> Iterator[dict[str, Any]]:
    """After `INSERT [IGNORE] INTO`: the table name, an optional column list, VALUES and its tuples."""
    while (tok := tokens.peek()) is not None and (tok[0] in ("word", "ident") or tok == ("punct", ".")):
        if tok[0] == "word" and tok[1].upper() in ("VALUES", "VALUE"):
            break
        tokens.next()
    columns: list[str] = list(SQL_COLUMNS)
    if tokens.peek() == ("punct", "("):
        tokens.next()
        columns = []
        while (tok := tokens.next()) is not None and tok != ("punct", ")"):
            if tok[0] in ("word", "ident"):
                columns.append(tok[1].strip('`"').lower())
    tok = tokens.next()
    if tok is None or tok[0] != "word" or tok[1].upper() not in ("VALUES", "VALUE"):
        if tok != ("punct", ";"):
            _skip_statement(tokens)
        return
    while True:
        if tokens.next() != ("punct", "("):
            _skip_statement(tokens)
            return
        values: list[Any] = []
        while (tok := tokens.next()) is not None and tok != ("punct", ")"):
            if tok != ("punct", ","):
                values.append(_value(*tok))
        if tok is None:  # the text ended inside the tuple
            return
        yield dict(zip(columns, values))
        sep = tokens.next()
        if sep != ("punct", ","):
            if sep not in (None, ("punct", ";")):
                _skip_statement(tokens)
            return


def sql_rows(text: str) -> Iterator[dict[str, Any]]:
    """Every VALUES tuple of every INSERT statement, as {column: value}; other statements are skipped."""
    tokens = _Tokens(text)
    while (tok := tokens.next()) is not None:
        if tok[0] == "word" and tok[1].upper() == "INSERT":
            nxt = tokens.next()
            if nxt is not None and nxt[0] == "word" and nxt[1].upper() == "IGNORE":
                nxt = tokens.next()
            if nxt is not None and nxt[0] == "word" and nxt[1].upper() == "INTO":
                yield from _insert_rows(tokens)
                continue
            if nxt != ("punct", ";"):
                _skip_statement(tokens)
        elif tok != ("punct", ";"):
            _skip_statement(tokens)


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def _path_geometry(path: Any) -> dict[str, Any] | None:
    """`path` of the dump ([lat, lng] rings, one polygon or several) as a GeoJSON geometry in [lng, lat]."""
    try:
        rings: Any = json.loads(path) if isinstance(path, str) else None
    except json.JSONDecodeError:
        return None
    depth = _depth(rings)
    if depth not in (3, 4):
        return None
    polygons: Any = rings if depth == 4 else [rings]
    try:
        coords = [[[[float(p[1]), float(p[0])] for p in ring] for ring in poly] for poly in polygons]
    except (TypeError, ValueError, IndexError):
        return None
    return {"type": "MultiPolygon", "coordinates": coords}


def sql_features(text: str) -> list[Feature]:
    """The rows of a `wilayah_boundaries` dump as GeoJSON features (`kode`, `nama` kept as properties)."""
    features: list[Feature] = []
    for row in sql_rows(text):
        if "path" not in row and "kode" not in row:
            continue
        props = {k: row[k] for k in ("kode", "nama") if row.get(k) is not None}
        features.append({"type": "Feature", "properties": props, "geometry": _path_geometry(row.get("path"))})
    return features


# ------------------------------------------------------------------ axis order


def _coordinates(geometry: Any) -> np.ndarray | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    coords = geometry.get("coordinates")
    polygons: Any = [coords] if geometry["type"] == "Polygon" else coords
    try:
        points = [p[:2] for poly in polygons for ring in poly for p in ring]
        arr = np.asarray(points, dtype=float)
    except (TypeError, ValueError, IndexError):
        return None
    return arr if arr.ndim == 2 and arr.shape[1] == 2 and len(arr) else None


def _inside(xs: np.ndarray, ys: np.ndarray) -> bool:
    return bool(
        xs.min() >= LNG_RANGE[0] and xs.max() <= LNG_RANGE[1] and ys.min() >= LAT_RANGE[0] and ys.max() <= LAT_RANGE[1]
    )


def _swap(geometry: dict[str, Any]) -> dict[str, Any]:
    coords = geometry["coordinates"]
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    swapped = [[[[p[1], p[0], *p[2:]] for p in ring] for ring in poly] for poly in polygons]
    return {"type": geometry["type"], "coordinates": swapped[0] if geometry["type"] == "Polygon" else swapped}


@dataclass(frozen=True)
class AxisCheck:
    features: list[Feature]  # geometries in [lng, lat] order
    swapped: int  # features whose axes were swapped back
    outside: set[int]  # indices of features outside Indonesia in either order


def fix_axis_order(features: list[Feature]) -> AxisCheck:
    """Swap back each feature that lies in Indonesia only as [lat, lng]; list those that fit neither order.
    Features without a readable geometry are left for the caller to report."""
    out: list[Feature] = []
    swapped = 0
    outside: set[int] = set()
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        pts = _coordinates(geometry)
        if pts is None or geometry is None or _inside(pts[:, 0], pts[:, 1]):
            out.append(feature)
        elif _inside(pts[:, 1], pts[:, 0]):
            out.append({**feature, "geometry": _swap(geometry)})
            swapped += 1
        else:
            out.append(feature)
            outside.add(i)
    return AxisCheck(out, swapped, outside)


def bbox(rings: Any) -> tuple[float, float, float, float]:
    """(min lng, min lat, max lng, max lat) of rings of (lng, lat) points."""
    pts = np.asarray([p for ring in rings for p in ring], dtype=float)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())
