"""Boundary files: Kemendagri codes under the usual property names, with or without dots, matched
against the desa registry (the conftest's Maros Baru and Turikale desa); every problem reported."""

from __future__ import annotations

import json

import pytest

from ilp_metrics.core.i18n import t
from ilp_metrics.metrics import geo
from ilp_metrics.metrics.geo import GeoJSONError

from .conftest import DINAS


def square(x: float, y: float, d: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def feature(props: dict, geometry: dict | None = None, **extra) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry or square(119.5, -5.0), **extra}


# Five features: three registry desa under three property spellings (dotted, undotted, upper-case
# key), one desa code the registry does not know (73.09.04.2099), one feature without any code.
HAND_WRITTEN = {
    "type": "FeatureCollection",
    "features": [
        feature({"kode": "73.09.04.2005", "nama_desa": "Mattirotasi"}),
        feature({"KODE_DESA": "7309042006", "NAMOBJ": "Majannang"}, square(119.52, -5.0)),
        feature({"kd_desa": 7309141004}, square(119.55, -5.0)),
        feature({"KDEPUM": "73.09.04.2099", "WADMKD": "Desa Lain"}, square(119.6, -5.0)),
        feature({"keterangan": "tanpa kode"}),
    ],
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("73.09.04.2005", ("73.09.04.2005", "desa")),
        ("7309042005", ("73.09.04.2005", "desa")),
        (7309042005, ("73.09.04.2005", "desa")),
        ("730904", ("73.09.04", "kecamatan")),
        (" 73.09.04 ", ("73.09.04", "kecamatan")),
        ("73.09", None),
        ("P7309040201", None),
    ],
)
def test_codes_are_read_with_or_without_dots(value, expected):
    assert geo.normalise_code(value) == expected


@pytest.mark.parametrize("key", ["kode", "kd_desa", "KODE_DESA", "desa_code", "KDEPUM", "kode_kemendagri", "id"])
def test_the_common_property_names_carry_the_code(key):
    doc = {"type": "FeatureCollection", "features": [feature({key: "7309042005"})]}
    assert [a.code for a in geo.read_boundaries(json.dumps(doc)).areas] == ["73.09.04.2005"]


def test_the_feature_id_is_the_last_resort():
    doc = {"type": "FeatureCollection", "features": [feature({"nama": "Mattirotasi"}, id="73.09.04.2005")]}
    areas = geo.read_boundaries(json.dumps(doc).encode()).areas
    assert [(a.code, a.name) for a in areas] == [("73.09.04.2005", "Mattirotasi")]


def test_a_hand_written_file_is_matched_and_the_unknown_code_reported(con):
    bounds = geo.read_boundaries(json.dumps(HAND_WRITTEN).encode("utf-8"))
    assert [a.code for a in bounds.areas] == ["73.09.04.2005", "73.09.04.2006", "73.09.14.1004", "73.09.04.2099"]
    assert bounds.level == "desa"
    assert bounds.problems == [{"feature": 5, "code": "geo.problem_no_code", "value": ""}]
    match = geo.match_boundaries(con, bounds, regency="73.09", principal=DINAS)
    assert match.matched == ["73.09.04.2005", "73.09.04.2006", "73.09.14.1004"]
    assert match.unmatched == ["73.09.04.2099"]
    # The registry's desa without a boundary in the file: Pallantikang and Taroada.
    assert match.missing == ["73.09.04.1002", "73.09.14.1005"]


def test_kecamatan_boundaries_match_the_kecamatan_of_the_registry_desa(con):
    doc = {"type": "FeatureCollection", "features": [feature({"kode_kec": "730904"}), feature({"kode_kec": "730999"})]}
    match = geo.match_boundaries(con, geo.read_boundaries(json.dumps(doc)), regency="73.09", principal=DINAS)
    assert (match.matched, match.unmatched, match.missing) == (["73.09.04"], ["73.09.99"], ["73.09.14"])


def test_bad_codes_geometries_and_repeats_are_each_reported():
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature({"kode": "7309042005"}),
            feature({"kode": "73.09"}),
            feature({"kode": "7309042006"}, {"type": "Point", "coordinates": [119.5, -5.0]}),
            feature({"kode": "7309042005"}),
        ],
    }
    bounds = geo.read_boundaries(json.dumps(doc))
    assert [(p["feature"], p["code"]) for p in bounds.problems] == [
        (2, "geo.problem_bad_code"),
        (3, "geo.problem_bad_geometry"),
        (4, "geo.problem_duplicate"),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'{"type": "FeatureCollection", "features": [', "geo.error_not_json"),
        (b"\xff\xfe not text", "geo.error_not_json"),
        (b"[1, 2, 3]", "geo.error_not_collection"),
        (b'{"type": "Topology", "objects": {}}', "geo.error_no_areas"),
        (b'{"type": "Topology", "objects": 3}', "geo.error_bad_topology"),
        (
            json.dumps({"type": "FeatureCollection", "features": [feature({"nama": "x"})]}).encode(),
            "geo.error_no_areas",
        ),
    ],
)
def test_a_malformed_file_gets_one_clear_error_in_bahasa_indonesia(data, code):
    with pytest.raises(GeoJSONError) as err:
        geo.read_boundaries(data)
    assert err.value.code == code
    text = t(err.value.code, "id", **err.value.values)
    assert "GeoJSON" in text or "wilayah" in text
