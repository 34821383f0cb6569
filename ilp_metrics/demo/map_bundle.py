"""Builds the bundled map outlines (data/reference/boundaries/) from the `wilayah_boundaries` reference
(Cahya DSN, MIT): every kabupaten/kota of Indonesia, every kecamatan (one file per province) and the desa
of the demo districts, simplified so the repository stays small and a map draws fast.

    python -m ilp_metrics.demo.map_bundle /path/to/wilayah_boundaries [--out data/reference/boundaries]

Simplification keeps the topology where neighbours share vertices: coordinates are snapped to a grid
(TopoJSON quantisation), rings are cut into arcs at junctions (points with more than two neighbours),
each shared arc is simplified once (Douglas–Peucker, tolerance in grid units) and stored once, so two
neighbours keep one common edge. A ring that would collapse (fewer than three points, no area) or cross
itself gets its arcs back at a smaller tolerance, down to the snapped original. Islets smaller than the
grid, and any polygon but an area's largest whose area is under the tolerance squared (about 0.05 km²
for kabupaten, 0.012 km² for kecamatan, 600 m² for desa), are dropped and counted; an area left without
any polygon stops the build. Output is TopoJSON, read by the map upload's
own reader (`ilp_metrics.ingest.boundaries`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ilp_metrics.ingest.boundaries import sql_features

Point = tuple[int, int]
Ring = list[Point]

# level: (grid in degrees, tolerance in grid units): a grid of about 11 m and a tolerance of about 220 m
# for kabupaten, 110 m for kecamatan; a grid of about 1 m and a tolerance of about 25 m for desa.
LEVELS = {"kabupaten": (1e-4, 20.0), "kecamatan": (1e-4, 10.0), "desa": (1e-5, 25.0)}
DEMO_DESA = ("73.09", "73.22")


@dataclass
class SourceArea:
    code: str
    name: str
    polygons: list[list[np.ndarray]]  # polygons of rings of (lng, lat)


def read_source(path: Path) -> list[SourceArea]:
    """One reference SQL file as areas (the reader of the map upload, so both agree on the format)."""
    areas = []
    for feature in sql_features(path.read_text(encoding="utf-8")):
        geometry, props = feature["geometry"], feature["properties"]
        if geometry is None:
            continue
        polygons = [[np.asarray(r, dtype=float) for r in poly] for poly in geometry["coordinates"]]
        areas.append(SourceArea(str(props["kode"]), str(props.get("nama", props["kode"])), polygons))
    return areas


# ------------------------------------------------------------------ geometry helpers


def _snap(ring: np.ndarray, origin: tuple[float, float], grid: float) -> Ring:
    q = np.rint((ring - np.asarray(origin)) / grid).astype(np.int64)
    out: Ring = []
    for x, y in q.tolist():
        if not out or out[-1] != (x, y):
            out.append((x, y))
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def ring_area(ring: Ring) -> float:
    """Twice the signed area (shoelace), in grid units."""
    a = np.asarray(ring, dtype=float)
    x, y = a[:, 0], a[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def self_intersects(ring: Ring) -> bool:
    """Whether two non-adjacent edges of a closed ring cross (strictly)."""
    n = len(ring)
    if n < 4:
        return False
    a = np.asarray(ring, dtype=float)
    b = np.roll(a, -1, axis=0)
    idx = np.arange(n)
    for start in range(0, n, 256):
        i = idx[start : start + 256, None]
        j = idx[None, :]
        ok = (j > i + 1) & ~((i == 0) & (j == n - 1))
        if not ok.any():
            continue
        p1, p2, p3, p4 = a[i[:, 0]][:, None], b[i[:, 0]][:, None], a[None], b[None]

        def orient(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
            return np.asarray(
                (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
            )

        d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
        d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
        if ((d1 * d2 < 0) & (d3 * d4 < 0) & ok).any():
            return True
    return False


def douglas_peucker(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices of the points kept (first and last always) so that no dropped point lies farther than
    `tolerance` from the kept line."""
    n = len(points)
    if n <= 2 or tolerance <= 0:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        s, e = stack.pop()
        if e - s < 2:
            continue
        seg = points[e] - points[s]
        rel = points[s + 1 : e] - points[s]
        length = float(np.hypot(seg[0], seg[1]))
        if length == 0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            m = s + 1 + k
            keep[m] = True
            stack += [(s, m), (m, e)]
    return np.flatnonzero(keep)


def _simplify_arc(arc: Ring, tolerance: float) -> Ring:
    pts = np.asarray(arc, dtype=float)
    if arc[0] == arc[-1] and len(arc) > 3:  # a closed arc (a ring without junctions): split at its far point
        far = int(np.argmax(np.hypot(*(pts - pts[0]).T)))
        first = douglas_peucker(pts[: far + 1], tolerance)
        second = douglas_peucker(pts[far:], tolerance) + far
        kept = np.concatenate([first, second[1:]])
    else:
        kept = douglas_peucker(pts, tolerance)
    return [arc[i] for i in kept.tolist()]


# ------------------------------------------------------------------ topology


@dataclass
class Topology:
    arcs: list[Ring]  # snapped, unsimplified
    # per area: polygons of rings of arc references (i, or ~i for arc i reversed)
    geometries: list[list[list[list[int]]]]


def _canonical_closed(ring: Ring) -> Ring:
    k = ring.index(min(ring))
    rot = ring[k:] + ring[:k]
    return [*rot, rot[0]]


def build_topology(rings_by_area: list[list[list[Ring]]]) -> Topology:
    """Cut every ring at its junctions into arcs, each stored once whichever way a ring runs along it."""
    neighbours: dict[Point, set[Point]] = {}
    for polygons in rings_by_area:
        for poly in polygons:
            for ring in poly:
                n = len(ring)
                for i, p in enumerate(ring):
                    s = neighbours.setdefault(p, set())
                    s.add(ring[i - 1])
                    s.add(ring[(i + 1) % n])
    junction = {p for p, s in neighbours.items() if len(s) > 2}
    arcs: list[Ring] = []
    index: dict[tuple[Point, ...], int] = {}

    def ref(arc: Ring) -> int:
        key = tuple(arc)
        if key in index:
            return index[key]
        back = tuple(reversed(arc))
        if back in index:
            return ~index[back]
        index[key] = len(arcs)
        arcs.append(arc)
        return index[key]

    geometries = []
    for polygons in rings_by_area:
        geom = []
        for poly in polygons:
            refs_poly = []
            for ring in poly:
                cuts = [i for i, p in enumerate(ring) if p in junction]
                if not cuts:
                    closed = _canonical_closed(ring)
                    key = tuple(closed)
                    back = _canonical_closed(list(reversed(ring)))
                    if key not in index and tuple(back) in index:
                        refs_poly.append([~index[tuple(back)]])
                    else:
                        refs_poly.append([ref(closed)])
                    continue
                rot = ring[cuts[0] :] + ring[: cuts[0]]
                marks = [i - cuts[0] for i in cuts]
                bounds = [*marks, len(rot)]
                loop = [*rot, rot[0]]
                refs_poly.append([ref(loop[bounds[k] : bounds[k + 1] + 1]) for k in range(len(marks))])
            geom.append(refs_poly)
        geometries.append(geom)
    return Topology(arcs, geometries)


def _assemble(refs: list[int], arcs: list[Ring]) -> Ring:
    out: Ring = []
    for r in refs:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        out.extend(arc if not out else arc[1:])
    return out[:-1] if len(out) > 1 and out[0] == out[-1] else out


def _valid(ring: Ring) -> bool:
    return len(set(ring)) >= 3 and ring_area(ring) != 0 and not self_intersects(ring)


def simplify(topo: Topology, tolerance: float) -> list[Ring]:
    """Every arc simplified once; arcs of a ring that collapses or crosses itself are redone at a quarter
    of the tolerance until the ring is valid (or the arc is the snapped original)."""
    level = [tolerance] * len(topo.arcs)
    done = [_simplify_arc(a, tolerance) for a in topo.arcs]
    pending = [(refs, _valid(_assemble(refs, topo.arcs))) for geom in topo.geometries for poly in geom for refs in poly]
    while True:
        redo: set[int] = set()
        for refs, was_valid in pending:
            if was_valid and not _valid(_assemble(refs, done)):
                redo |= {r if r >= 0 else ~r for r in refs if level[r if r >= 0 else ~r] > 0}
        if not redo:
            return done
        for i in redo:
            level[i] = level[i] / 4 if level[i] > 0.05 else 0.0
            done[i] = _simplify_arc(topo.arcs[i], level[i])


# ------------------------------------------------------------------ TopoJSON output


def _encode_arc(arc: Ring) -> list[list[int]]:
    a = np.asarray(arc, dtype=np.int64)
    out: list[list[int]] = np.vstack([a[:1], np.diff(a, axis=0)]).tolist()
    return out


@dataclass(frozen=True)
class Stats:
    areas: int
    vertices_in: int
    vertices_out: int
    polygons_dropped: int


def bundle(areas: list[SourceArea], level: str, *, grid: float, tolerance: float) -> tuple[dict[str, Any], Stats]:
    """The areas of one file as a quantised TopoJSON Topology with one object named after `level`."""
    all_pts = np.vstack([r for a in areas for poly in a.polygons for r in poly])
    origin = (float(np.floor(all_pts[:, 0].min())), float(np.floor(all_pts[:, 1].min())))
    rings_by_area: list[list[list[Ring]]] = []
    dropped = 0
    for a in areas:
        polys = []
        for poly in a.polygons:
            rings = [_snap(r, origin, grid) for r in poly]
            if len(set(rings[0])) < 3 or ring_area(rings[0]) == 0:
                dropped += 1
                continue
            polys.append([r for r in rings if len(set(r)) >= 3 and ring_area(r) != 0])
        if not polys:
            raise ValueError(f"{a.code}: every polygon vanishes on a {grid}° grid")
        largest = max(abs(ring_area(p[0])) for p in polys)
        kept = [p for p in polys if abs(ring_area(p[0])) == largest or abs(ring_area(p[0])) / 2 >= tolerance**2]
        dropped += len(polys) - len(kept)
        rings_by_area.append(kept)
    topo = build_topology(rings_by_area)
    arcs = simplify(topo, tolerance)
    geometries = []
    for a, geom in zip(areas, topo.geometries):
        geometries.append(
            {"type": "MultiPolygon", "id": a.code, "properties": {"kode": a.code, "nama": a.name}, "arcs": geom}
        )
    doc = {
        "type": "Topology",
        "transform": {"scale": [grid, grid], "translate": list(origin)},
        "objects": {level: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [_encode_arc(a) for a in arcs],
    }
    stats = Stats(len(areas), len(all_pts), sum(len(a) for a in arcs), dropped)
    return doc, stats


def write(doc: dict[str, Any], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def build_bundle(source: Path, out: Path) -> list[dict[str, Any]]:
    """Every bundled file from the reference folder; one line of figures per file."""
    db = source / "db"
    report = []

    def one(level: str, files: list[Path], target: Path) -> None:
        start = time.perf_counter()
        areas = [a for f in files for a in read_source(f)]
        grid, tol = LEVELS[level]
        doc, stats = bundle(areas, level, grid=grid, tolerance=tol)
        size = write(doc, target)
        report.append(
            {
                "file": str(target.relative_to(out)),
                "source_bytes": sum(f.stat().st_size for f in files),
                "bytes": size,
                "areas": stats.areas,
                "vertices_in": stats.vertices_in,
                "vertices_out": stats.vertices_out,
                "polygons_dropped": stats.polygons_dropped,
                "seconds": round(time.perf_counter() - start, 2),
            }
        )

    one("kabupaten", sorted((db / "kab").glob("wilayah_boundaries_kab_*.sql")), out / "kabupaten.topojson")
    for f in sorted((db / "kec").glob("wilayah_boundaries_kec_*.sql")):
        prov = f.stem.rsplit("_", 1)[-1]
        one("kecamatan", [f], out / "kecamatan" / f"{prov}.topojson")
    for regency in DEMO_DESA:
        f = db / "kel" / regency[:2] / f"wilayah_boundaries_kel_{regency}.sql"
        one("desa", [f], out / "desa" / f"{regency}.topojson")
    shutil.copyfile(source / "LICENSE", out / "LICENSE")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="the wilayah_boundaries folder (README.md, LICENSE, db/)")
    parser.add_argument("--out", type=Path, default=Path("data/reference/boundaries"))
    args = parser.parse_args(argv)
    report = build_bundle(args.source, args.out)
    for line in report:
        print(json.dumps(line))
    total_in = sum(r["source_bytes"] for r in report)
    total_out = sum(r["bytes"] for r in report)
    print(json.dumps({"files": len(report), "source_bytes": total_in, "bytes": total_out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
