"""Boundary formats and the bundled outlines: [lat, lng] files swapped back or refused, the
`wilayah_boundaries` SQL dump read without executing it, TopoJSON arcs decoded, the simplifier keeping
shared edges, and the bundle covering the demo districts (Salulemo, 73.22.11.2002, is missing upstream)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ilp_metrics.core.db import REFERENCE_DIR
from ilp_metrics.figures import compare as cc
from ilp_metrics.ingest import boundaries as formats
from ilp_metrics.metrics import geo, outlines
from ilp_metrics.metrics.geo import GeoJSONError

from .conftest import DINAS

REFERENCE = Path("/work/shared/reference/wilayah_boundaries")
SALULEMO = "73.22.11.2002"

# Two Maros desa as [lng, lat] squares (the right order).
LNG_LAT = [
    ("7309042005", [[119.5, -5.0], [119.51, -5.0], [119.51, -4.99], [119.5, -4.99], [119.5, -5.0]]),
    ("7309042006", [[119.52, -5.0], [119.53, -5.0], [119.53, -4.99], [119.52, -4.99], [119.52, -5.0]]),
]


def collection(rings: list[tuple[str, list[list[float]]]]) -> str:
    features = [
        {"type": "Feature", "properties": {"kode": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for code, ring in rings
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def swapped(ring: list[list[float]]) -> list[list[float]]:
    return [[y, x] for x, y in ring]


def test_a_geojson_in_lat_lng_order_is_swapped_back_with_a_note():
    bounds = geo.read_boundaries(collection([(c, swapped(r)) for c, r in LNG_LAT]))
    assert bounds.notes == [{"code": "geo.note_swapped", "n": 2}]
    assert bounds.areas[0].rings[0][:2] == ((119.5, -5.0), (119.51, -5.0))


def test_a_geojson_in_lng_lat_order_has_no_note():
    assert geo.read_boundaries(collection(LNG_LAT)).notes == []


def test_a_file_outside_indonesia_in_either_order_is_refused():
    utm = [[780000.0, 9446000.0], [781000.0, 9446000.0], [781000.0, 9447000.0], [780000.0, 9446000.0]]
    with pytest.raises(GeoJSONError) as err:
        geo.read_boundaries(collection([("7309042005", utm)]))
    assert (err.value.code, err.value.values) == ("geo.error_outside", {"n": 1})


def test_one_feature_outside_indonesia_is_reported_and_the_others_kept():
    far = [[10.0, 50.0], [10.1, 50.0], [10.1, 50.1], [10.0, 50.0]]
    bounds = geo.read_boundaries(collection([*LNG_LAT, ("7309042007", far)]))
    assert [a.code for a in bounds.areas] == ["73.09.04.2005", "73.09.04.2006"]
    assert bounds.problems == [{"feature": 3, "code": "geo.problem_outside", "value": "73.09.04.2007"}]


def test_a_file_of_another_kabupaten_is_far_from_the_chosen_one():
    maros = geo.read_boundaries(collection(LNG_LAT))
    assert not outlines.far_from_regency(maros, "73.09")
    assert outlines.far_from_regency(maros, "73.22")


# A dump shaped like db/kel/73/wilayah_boundaries_kel_73.09.sql: licence comment, DELETE, multi-row
# INSERT with [lat, lng] rings, one a MultiPolygon (four levels), a quote doubled in a name; then a
# statement that must never run, and a name holding SQL text.
SQL_DUMP = """/*
filename  : db/kel/73/wilayah_boundaries_kel_73.09.sql
MIT License
*/
DELETE FROM wilayah_boundaries WHERE kode LIKE '73.09.%' AND LENGTH(kode)=13;
INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES
\t('73.09.01.2005','Bonto Mate''ne',-5.05,119.58,'[[[-5.0,119.5],[-5.0,119.51],[-4.99,119.51],[-5.0,119.5]]]'),
\t('73.09.01.2006','Baji Mangngai',-5.07,119.54,'[[[[-5.0,119.52],[-5.0,119.53],[-4.99,119.53],[-5.0,119.52]]],[[[-5.1,119.6],[-5.1,119.61],[-5.09,119.61],[-5.1,119.6]]]]');
DROP TABLE wilayah_boundaries;
INSERT INTO `wilayah_boundaries` (`kode`, `nama`, `lat`, `lng`, `path`) VALUES
('73.09.01.2007','x''); DROP TABLE desa; --',-5.1,119.5,'[[[-5.2,119.5],[-5.2,119.51],[-5.19,119.51],[-5.2,119.5]]]');
"""


def test_the_sql_dump_is_read_row_by_row_in_lng_lat_order():
    bounds = geo.read_boundaries(SQL_DUMP.encode())
    assert [(a.code, a.name) for a in bounds.areas] == [
        ("73.09.01.2005", "Bonto Mate'ne"),
        ("73.09.01.2006", "Baji Mangngai"),
        ("73.09.01.2007", "x'); DROP TABLE desa; --"),
    ]
    assert bounds.areas[0].rings[0][:2] == ((119.5, -5.0), (119.51, -5.0))
    assert len(bounds.areas[1].rings) == 2  # both polygons of the MultiPolygon
    assert bounds.notes == [] and bounds.problems == []


def test_the_sql_parser_skips_every_statement_but_insert():
    rows = list(
        formats.sql_rows(
            "CREATE TABLE t (a int); DROP TABLE t; UPDATE t SET a = 'x;y'; INSERT INTO t VALUES (1, 'a;b');"
        )
    )
    assert rows == [{"kode": 1.0, "nama": "a;b"}]


def test_a_sql_dump_in_lng_lat_order_is_swapped_back_with_a_note():
    dump = "INSERT INTO wilayah_boundaries (kode,nama,lat,lng,path) VALUES ('73.09.04.2005','A',-5,119.5,'[[[119.5,-5.0],[119.51,-5.0],[119.51,-4.99],[119.5,-5.0]]]');"
    bounds = geo.read_boundaries(dump)
    assert bounds.notes == [{"code": "geo.note_swapped", "n": 1}]
    assert bounds.areas[0].rings[0][0] == (119.5, -5.0)


@pytest.mark.skipif(not REFERENCE.exists(), reason="the shared boundary reference is not on this machine")
def test_a_real_reference_file_is_read_whole():
    data = (REFERENCE / "db/kel/73/wilayah_boundaries_kel_73.09.sql").read_bytes()
    bounds = geo.read_boundaries(data)
    assert len(bounds.areas) == 103 and bounds.level == "desa"
    assert bounds.notes == [] and bounds.problems == []
    lng, lat = np.array([p for a in bounds.areas for r in a.rings for p in r]).T
    assert lng.min() > 119.3 and lng.max() < 120.2 and lat.min() > -5.3 and lat.max() < -4.7


# Two unit squares side by side on a 0.001° grid sharing the edge x = 1 (arc 1), quantised and
# delta-encoded as TopoJSON writes them.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.001, 0.001], "translate": [119.5, -5.0]},
    "objects": {
        "desa": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "properties": {"kode": "73.09.04.2005"}, "arcs": [[0, 1]]},
                {"type": "Polygon", "id": "7309042006", "arcs": [[-2, 2]]},
            ],
        }
    },
    "arcs": [
        [[1, 1], [-1, 0], [0, -1], [1, 0]],  # (1,1) → (0,1) → (0,0) → (1,0)
        [[1, 0], [0, 1]],  # (1,0) → (1,1): the shared edge
        [[1, 0], [1, 0], [0, 1], [-1, 0]],  # (1,0) → (2,0) → (2,1) → (1,1)
    ],
}


def test_a_topojson_is_decoded_with_its_shared_arc():
    bounds = geo.read_boundaries(json.dumps(TOPOLOGY))
    assert [a.code for a in bounds.areas] == ["73.09.04.2005", "73.09.04.2006"]
    left, right = (np.round(np.array(a.rings[0]), 6).tolist() for a in bounds.areas)
    assert left == [[119.501, -4.999], [119.5, -4.999], [119.5, -5.0], [119.501, -5.0], [119.501, -4.999]]
    # The shared arc run backwards (~1), then arc 2 without its first point.
    assert right == [[119.501, -4.999], [119.501, -5.0], [119.502, -5.0], [119.502, -4.999], [119.501, -4.999]]


def test_the_simplifier_stores_a_shared_edge_once_and_keeps_rings_valid():
    from ilp_metrics.demo.map_bundle import SourceArea, bundle

    # Two desa sharing a wiggly edge along x = 119.51 (wiggle 0.0001°, below the 25 m tolerance).
    ys = np.linspace(-5.0, -4.99, 21)
    edge = np.column_stack([119.51 + 0.0001 * (np.arange(21) % 2), ys])
    left = np.vstack([[[119.5, -5.0]], edge, [[119.5, -4.99]], [[119.5, -5.0]]])
    right = np.vstack([edge[::-1], [[119.52, -5.0]], [[119.52, -4.99]]])
    right = np.vstack([right[-1:], right])
    areas = [SourceArea("73.09.04.2005", "A", [[left]]), SourceArea("73.09.04.2006", "B", [[right]])]
    doc, stats = bundle(areas, "desa", grid=1e-5, tolerance=25.0)
    bounds = geo.read_boundaries(json.dumps(doc))
    assert stats.vertices_out < stats.vertices_in
    shared = set(bounds.areas[0].rings[0]) & set(bounds.areas[1].rings[0])
    assert len(shared) == 2  # the two ends of the one shared, simplified edge
    assert all(len(set(a.rings[0])) >= 3 for a in bounds.areas)


# ------------------------------------------------------------------ the bundle


def reference_codes(file_name: str, prefixes: tuple[str, ...]) -> set[str]:
    with open(REFERENCE_DIR / file_name, encoding="utf-8", newline="") as fh:
        return {row[0] for row in csv.reader(fh) if row[0][:5] in prefixes}


def test_the_bundle_holds_every_demo_desa_but_salulemo():
    desa = reference_codes("villages.csv", ("73.09", "73.22"))
    bundled = {a.code for r in ("73.09", "73.22") for a in outlines.bundled(r, "desa").areas}
    assert desa - bundled == {SALULEMO}
    assert bundled <= desa


def test_the_bundle_holds_every_kecamatan_of_the_demo_districts():
    kecamatan = reference_codes("districts.csv", ("73.09", "73.22"))
    bundled = {a.code for r in ("73.09", "73.22") for a in outlines.bundled(r, "kecamatan").areas}
    assert bundled == kecamatan


def test_any_kabupaten_has_its_outline_and_kecamatan_but_desa_only_for_the_demo():
    assert outlines.regency_outline("32.73") is not None
    assert len(outlines.bundled("32.73", "kecamatan").areas) == 30  # Kota Bandung
    assert outlines.bundled("32.73", "desa") is None


def test_every_bundled_area_has_a_polygon():
    for path in sorted((outlines.BOUNDARY_DIR / "kecamatan").glob("*.topojson"))[:6]:
        assert all(len(set(a.rings[0])) >= 3 for a in geo.read_boundaries(path.read_bytes()).areas)


def test_the_demo_desa_map_draws_without_an_upload_and_reports_salulemo_missing(small_demo):
    con = duckdb.connect(str(small_demo.path), read_only=True)
    try:
        bounds = outlines.bundled("73.22", "desa")
        match = geo.match_boundaries(con, bounds, "73.22", principal=DINAS)
        assert match.missing == [SALULEMO] and match.unmatched == []
        values = geo.area_values(con, "SPM01", level="desa", year=2025, through=6, regency="73.22", principal=DINAS)
        fig = cc.choropleth_map(bounds, values, match, "SPM01", area="Luwu Utara", period="x", lang="id")
    finally:
        con.close()
    fills = [tr for tr in fig.data if tr.fill == "toself"]
    assert sum(x is not None for tr in fills for x in tr.x) > 1000
    assert len(fig.data[-1].x) == 172  # one hover point per bundled desa


def test_the_demo_kecamatan_map_has_geometry(small_demo):
    con = duckdb.connect(str(small_demo.path), read_only=True)
    try:
        bounds = outlines.bundled("73.09", "kecamatan")
        match = geo.match_boundaries(con, bounds, "73.09", principal=DINAS)
        values = geo.area_values(
            con, "SPM01", level="kecamatan", year=2025, through=6, regency="73.09", principal=DINAS
        )
        fig = cc.choropleth_map(bounds, values, match, "SPM01", area="Maros", period="x", lang="id")
    finally:
        con.close()
    assert len(match.matched) == 14
    assert sum(x is not None for tr in fig.data if tr.fill == "toself" for x in tr.x) > 200


def test_an_unterminated_quote_ends_the_sql_without_a_row():
    text = "INSERT INTO wilayah_boundaries VALUES ('73.09.04.2005','A\\'" + "\\'" * 20_000
    assert list(formats.sql_rows(text)) == []
