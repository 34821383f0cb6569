"""The data-quality findings kept at upload (ilp_metrics/quality/kept.py, quality/reach.py): after uploads,
corrections and withdrawals of every kind they equal the findings computed from the data, in both
languages; a write recomputes only the kabupaten-years it can change; a catalogue edit or a write behind
the library's back makes them unused. Files go through the real ingest; the registry is the two Maros
puskesmas of conftest plus one puskesmas of Luwu Utara (73.22)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_metrics import quality
from ilp_metrics.catalogue import load_catalogue, load_raw, parse_catalogue
from ilp_metrics.core.db import connect, transaction
from ilp_metrics.ingest.load import withdraw
from ilp_metrics.quality import kept

from .conftest import ADMIN, DINAS, MB, TK, ingest, nik, write_text
from .test_ingest_annual import write_tabel_29

LU = "P7322010101"  # Malangke, Luwu Utara
DESA = {"73.09.04.2005": MB, "73.09.04.2006": MB, "73.09.14.1004": TK, "73.22.01.2001": LU, "73.22.01.2002": LU}
REGENCIES = ("73.09", "73.22")
LAYANAN = "service_date,puskesmas_code,desa_code,nik,age_years,sex,service_code,result"
CAPAIAN = "period,puskesmas_code,desa_code,service_code,count"


@pytest.fixture(scope="module")
def base(registry_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The registry with a second kabupaten, its kept findings current (a file opened for writing)."""
    folder = tmp_path_factory.mktemp("kept")
    path = folder / "base.duckdb"
    shutil.copy(registry_template, path)
    con = connect(path)
    pusk = (
        "puskesmas_code,puskesmas_name,regency_code,district_code,ilp_start_date,cohort,latitude,longitude\n"
        f"{LU},Malangke,73.22,73.22.01,2024-01-01,pilot,-2.7,120.2\n"
    )
    assert ingest(con, write_text(folder / "pusk.csv", pusk)).ok
    desa = f"desa_code,desa_name,puskesmas_code\n73.22.01.2001,Pattimang,{LU}\n73.22.01.2002,Malangke,{LU}\n"
    assert ingest(con, write_text(folder / "desa.csv", desa)).ok
    assert kept.ensure_current(con) is True
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def kcon(base: Path, tmp_path: Path):
    path = tmp_path / "ilp.duckdb"
    shutil.copy(base, path)
    con = connect(path)
    yield con, tmp_path
    con.close()


def _layanan(rows: list[tuple[str, str, int, str]]) -> str:
    """rows: (date, desa, person, service); the puskesmas is the desa's."""
    lines = [f"{d},{DESA[desa]},{desa},{nik(serial=n + 1)},30,P,{s}," for d, desa, n, s in rows]
    return LAYANAN + "\n" + "\n".join(lines) + "\n"


def _upload(con, folder: Path, name: str, text: str, kind: str | None = None, at: str | None = None) -> int:
    kwargs = {"uploaded_at": datetime.fromisoformat(at)} if at else {}
    report = ingest(con, write_text(folder / name, text), kind=kind, **kwargs)
    assert report.ok, json.dumps(report.to_dict(), default=str)[:3000]
    assert report.upload_id is not None
    return int(report.upload_id)


def _live(con, year: int, regency: str, lang: str = "id", **kwargs) -> pd.DataFrame:
    """The findings computed by the checks: the kept ones marked as not current for the call."""
    held = con.execute("SELECT value FROM meta WHERE key = 'quality_kept_state'").fetchone()
    con.execute("UPDATE meta SET value = 'not current' WHERE key = 'quality_kept_state'")
    try:
        return quality.findings(con, year, regency=regency, lang=lang, principal=ADMIN, **kwargs)
    finally:
        con.execute("UPDATE meta SET value = ? WHERE key = 'quality_kept_state'", [held[0] if held else ""])


def _assert_kept_equal_live(con, regencies=REGENCIES, years=(2024, 2025), langs=("id", "en")) -> None:
    cat = load_catalogue()
    for regency in regencies:
        for year in years:
            assert kept.read(con, year, regency, None, cat) is not None, (regency, year)
            for lang in langs:
                found = quality.findings(con, year, regency=regency, lang=lang, principal=ADMIN)
                pd.testing.assert_frame_equal(found, _live(con, year, regency, lang))


def _slice_rows(con, regency: str) -> list[tuple]:
    return con.execute(
        """SELECT k.year, k.last_month, k.rules_key, k.columns, r.ord, r.cells FROM quality_kept k
           LEFT JOIN quality_kept_rows r USING (regency_code, year) WHERE k.regency_code = ? ORDER BY ALL""",
        [regency],
    ).fetchall()


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The kabupaten-years the writes recompute, in order."""
    seen: list[tuple[str, int]] = []
    real = kept.compute

    def spy(con, cat, regency, year):
        seen.append((regency, int(year)))
        return real(con, cat, regency, year)

    monkeypatch.setattr(kept, "compute", spy)
    return seen


# ------------------------------------------------------------------ the same frame


def test_cells_round_trip_with_their_types():
    values = [
        None,
        True,
        3,
        2.5,
        float("inf"),
        float("-inf"),
        "73.09",
        date(2024, 3, 1),
        datetime(2024, 3, 1, 8, 30),
        pd.Timestamp("2024-03-01").as_unit("us"),
        pd.Timestamp("2024-03-01").as_unit("s"),
    ]
    back = [kept.decode(json.loads(json.dumps(kept.encode(v)))) for v in values]
    assert back == values
    assert [type(v) for v in back] == [type(v) for v in values]
    assert [v.unit for v in back[-2:]] == ["us", "s"]
    with pytest.raises(TypeError):
        kept.encode(np.int64(3))


def test_kept_findings_equal_the_checks_after_uploads_of_every_kind_and_a_withdrawal(kcon):
    con, folder = kcon
    lu = [d for d, p in DESA.items() if p == LU]
    rows = [(f"2024-{m:02d}-05", d, i, "KUNJUNGAN_RUMAH") for m in (1, 2, 3) for i, d in enumerate(lu)]
    rows += [("2024-04-07", lu[0], 10 + i, "KUNJUNGAN_RUMAH") for i in range(12)]  # April: an outlier
    _upload(con, folder, "l1.csv", _layanan(rows), "layanan", at="2024-04-20")  # late: timeliness findings
    capaian = CAPAIAN + "\n" + "".join(f"2024-{m:02d},{LU},{lu[0]},YANKES_DM,{m}\n" for m in (1, 2, 3, 4))
    report = _upload(con, folder, "c.csv", capaian, "capaian")
    kesiapan = "period,puskesmas_code,item_code,value\n" + "".join(
        f"2024-{m:02d},{LU},KLASTER_TERBENTUK,1\n" for m in (1, 2)
    )
    _upload(con, folder, "k.csv", kesiapan, "kesiapan")
    sasaran = "year,desa_code,target_group,count\n" + "".join(f"2024,{d},ibu_hamil,0\n" for d in lu)
    _upload(con, folder, "s.csv", sasaran, "sasaran")
    assert quality.findings(con, 2024, regency="73.22", principal=ADMIN)["check"].nunique() >= 4
    withdraw(con, report, principal=DINAS)
    _assert_kept_equal_live(con, regencies=("73.22",), years=(2024,))


def test_a_month_before_the_last_one_is_computed_by_the_checks(kcon):
    con, folder = kcon
    rows = [(f"2024-{m:02d}-05", "73.22.01.2001", m, "KUNJUNGAN_RUMAH") for m in (1, 2, 3)]
    _upload(con, folder, "l.csv", _layanan(rows), "layanan")
    cat = load_catalogue()
    assert kept.read(con, 2024, "73.22", 3, cat) is not None
    assert kept.read(con, 2024, "73.22", 2, cat) is None
    pd.testing.assert_frame_equal(
        quality.findings(con, 2024, regency="73.22", through=3, principal=ADMIN), _live(con, 2024, "73.22")
    )


# ------------------------------------------------------------------ what a write recomputes


def test_an_upload_of_one_kabupaten_leaves_the_other_kabupaten_kept_rows_untouched_and_current(kcon, computed):
    con, folder = kcon
    rows = [("2024-02-05", d, i, "KUNJUNGAN_RUMAH") for i, d in enumerate(DESA)]
    _upload(con, folder, "both.csv", _layanan(rows), "layanan")
    other = _slice_rows(con, "73.22")
    computed.clear()
    maros = [("2024-03-05", "73.09.04.2005", 9, "KUNJUNGAN_RUMAH")]
    _upload(con, folder, "maros.csv", _layanan(maros), "layanan")
    assert computed == [("73.09", 2024)]  # the later years hold no data: nothing to keep there
    assert _slice_rows(con, "73.22") == other
    _assert_kept_equal_live(con, years=(2024,), langs=("id",))


def test_a_puskesmas_moved_to_another_kabupaten_recomputes_every_year_of_both(kcon, computed):
    con, folder = kcon
    rows = [(f"{y}-02-05", d, i, "KUNJUNGAN_RUMAH") for y in (2024, 2025) for i, d in enumerate(DESA) if DESA[d] != MB]
    _upload(con, folder, "l.csv", _layanan(rows), "layanan")
    computed.clear()
    moved = (
        "puskesmas_code,puskesmas_name,regency_code,district_code,ilp_start_date,cohort,latitude,longitude\n"
        f"{TK},Turikale,73.22,73.22.01,2024-08-01,pilot,-4.9926,119.5781\n"
    )
    _upload(con, folder, "moved.csv", moved)
    assert sorted(computed) == [(r, y) for r in REGENCIES for y in (2024, 2025)]
    _assert_kept_equal_live(con, langs=("id",))


def test_an_annual_table_and_its_withdrawal_recompute_its_kabupaten_year(kcon, computed):
    con, folder = kcon
    rows = [("2024-02-05", d, i, "KUNJUNGAN_RUMAH") for i, d in enumerate(DESA) if DESA[d] != LU]
    _upload(con, folder, "l.csv", _layanan(rows), "layanan")
    computed.clear()
    report = ingest(con, write_tabel_29(folder))  # Maros: puskesmas sasaran ibu hamil and K1/K4/K6 of 2024
    assert report.ok and report.upload_id is not None
    assert computed == [("73.09", 2024)]
    _assert_kept_equal_live(con, regencies=("73.09",), years=(2024,), langs=("id",))
    withdraw(con, report.upload_id, principal=DINAS)
    assert computed == [("73.09", 2024)] * 2
    _assert_kept_equal_live(con, regencies=("73.09",), years=(2024,), langs=("id",))


# ------------------------------------------------------------------ when they are not used


def test_a_catalogue_threshold_change_makes_the_findings_computed_by_the_checks(kcon):
    con, folder = kcon
    rows = [("2024-01-05", "73.22.01.2001", 1, "KUNJUNGAN_RUMAH")]
    _upload(con, folder, "l.csv", _layanan(rows), "layanan", at="2024-02-12")  # 2 days after day 10
    late = quality.findings(con, 2024, regency="73.22", principal=ADMIN)
    assert late["check"].tolist().count("TIME_LATE_UPLOAD") == 1
    raw = load_raw()
    raw["quality"]["thresholds"]["deadline_day"] = 15
    edited = parse_catalogue(raw)
    assert kept.read(con, 2024, "73.22", None, edited) is None
    on_time = quality.findings(con, 2024, regency="73.22", catalogue=edited, principal=ADMIN)
    assert "TIME_LATE_UPLOAD" not in on_time["check"].tolist()


def test_a_write_behind_the_library_makes_them_unused_until_the_file_is_opened_for_writing(kcon):
    con, folder = kcon
    text = CAPAIAN + "\n" + f"2024-02,{LU},73.22.01.2001,YANKES_DM,3\n"
    upload = _upload(con, folder, "c.csv", text, "capaian")
    cat = load_catalogue()
    assert "IMP_NEGATIVE" not in quality.findings(con, 2024, regency="73.22", principal=ADMIN)["check"].tolist()
    con.execute(
        "INSERT INTO capaian VALUES (?, 99, DATE '2024-02-01', ?, '73.22.01.2002', 'YANKES_DM', -4)", [upload, LU]
    )
    assert not kept.holds(con, cat)
    assert kept.read(con, 2024, "73.22", None, cat) is None
    assert "IMP_NEGATIVE" in quality.findings(con, 2024, regency="73.22", principal=ADMIN)["check"].tolist()
    assert kept.ensure_current(con, cat) is True
    assert kept.read(con, 2024, "73.22", None, cat) is not None
    assert "IMP_NEGATIVE" in quality.findings(con, 2024, regency="73.22", principal=ADMIN)["check"].tolist()
    assert kept.ensure_current(con, cat) is False


def test_a_file_whose_findings_are_not_current_keeps_none_at_upload(kcon, computed):
    con, folder = kcon
    con.execute("UPDATE meta SET value = 'not current' WHERE key = 'quality_kept_state'")
    _upload(con, folder, "l.csv", _layanan([("2024-01-05", "73.22.01.2001", 1, "KUNJUNGAN_RUMAH")]), "layanan")
    assert computed == []
    assert kept.read(con, 2024, "73.22", None, load_catalogue()) is None


# ------------------------------------------------------------------ personal data


def test_kept_findings_hold_no_person_key_nik_or_name(kcon):
    con, folder = kcon
    text = (
        LAYANAN
        + ",nama\n"
        + "".join(
            f"2024-{m:02d}-05,{LU},73.22.01.2001,{nik(serial=7)},30,P,KUNJUNGAN_RUMAH,,Siti Aminah\n" for m in (1, 1, 2)
        )
    )  # the same person twice on one day: a duplicate finding citing the rows
    _upload(con, folder, "named.csv", text, "layanan")
    stored = " ".join(
        str(c)
        for (c,) in con.execute(
            "SELECT cells FROM quality_kept_rows UNION ALL SELECT columns FROM quality_kept"
        ).fetchall()
    )
    assert "DUP_RECORD" in quality.findings(con, 2024, regency="73.22", principal=ADMIN)["check"].tolist()
    keys = [str(k) for (k,) in con.execute("SELECT DISTINCT person_key FROM layanan").fetchall()]
    assert keys and not any(k in stored for k in keys)
    assert nik(serial=7) not in stored and not re.search(r"\d{16}", stored)
    assert "Siti" not in stored and "Aminah" not in stored
    columns = {c for (text,) in con.execute("SELECT columns FROM quality_kept").fetchall() for c in json.loads(text)}
    assert not {c for c in columns if re.search("person|nik|birth|patient|nama", c)}


# ------------------------------------------------------------------ random sequences

desa = st.sampled_from(sorted(DESA))
month = st.integers(1, 4)
year = st.integers(2024, 2025)
layanan_op = st.tuples(
    st.just("layanan"),
    st.lists(st.tuples(year, month, st.integers(1, 3), desa, st.integers(1, 5)), min_size=1, max_size=6),
    st.sampled_from([None, "2024-05-20", "2025-02-11"]),
)
capaian_op = st.tuples(
    st.just("capaian"), st.lists(st.tuples(year, month, desa, st.integers(-1, 30)), min_size=1, max_size=4)
)
kesiapan_op = st.tuples(
    st.just("kesiapan"), st.lists(st.tuples(year, month, st.sampled_from([MB, TK, LU])), min_size=1)
)
sasaran_op = st.tuples(st.just("sasaran"), st.lists(st.tuples(year, desa, st.integers(0, 3)), min_size=1, max_size=4))
desa_op = st.tuples(st.just("desa"), desa, st.sampled_from([MB, TK, LU]))  # move a desa to a puskesmas
withdraw_op = st.tuples(st.just("withdraw"), st.integers(0, 9))
resend_op = st.tuples(st.just("resend"), st.integers(0, 9))  # the same rows again under another name
operation = st.one_of(layanan_op, capaian_op, kesiapan_op, sasaran_op, desa_op, withdraw_op, resend_op)


def _apply(con, folder: Path, i: int, op: tuple, files: list[tuple[int, str, str, str | None]]) -> None:
    kind = op[0]
    if kind == "layanan":
        rows = [(f"{y}-{m:02d}-{d:02d}", ds, p, "KUNJUNGAN_RUMAH") for y, m, d, ds, p in op[1]]
        text, at = _layanan(rows), op[2]
    elif kind == "capaian":
        text, at = CAPAIAN + "\n" + "".join(f"{y}-{m:02d},{DESA[d]},{d},YANKES_DM,{n}\n" for y, m, d, n in op[1]), None
    elif kind == "kesiapan":
        text = "period,puskesmas_code,item_code,value\n" + "".join(
            f"{y}-{m:02d},{p},KLASTER_TERBENTUK,1\n" for y, m, p in op[1]
        )
        at = None
    elif kind == "sasaran":
        text, at = (
            "year,desa_code,target_group,count\n" + "".join(f"{y},{d},ibu_hamil,{n}\n" for y, d, n in op[1]),
            None,
        )
    elif kind == "desa":
        _upload(con, folder, f"desa_{i}.csv", f"desa_code,desa_name,puskesmas_code\n{op[1]},Desa,{op[2]}\n")
        return
    elif kind == "withdraw" and files:
        upload_id = files[op[1] % len(files)][0]
        status = con.execute("SELECT status FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
        if status and status[0] != "withdrawn":
            withdraw(con, upload_id, principal=DINAS)
        return
    elif kind == "resend" and files:
        _, kind, text, at = files[op[1] % len(files)]
        head, *body = text.splitlines()
        text = "\n".join([head, *reversed(body)]) + "\n"
    else:
        return
    report = ingest(con, write_text(folder / f"{kind}_{i}.csv", text), kind=kind, **_at(at))
    if report.ok and report.upload_id is not None:
        files.append((int(report.upload_id), kind, text, at))


def _at(at: str | None) -> dict[str, datetime]:
    return {"uploaded_at": datetime.fromisoformat(at)} if at else {}


@pytest.mark.slow
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=4))
def test_kept_findings_after_random_uploads_corrections_and_withdrawals_equal_the_checks_and_a_rebuild(
    base: Path, tmp_path_factory: pytest.TempPathFactory, ops: list[tuple]
) -> None:
    folder = tmp_path_factory.mktemp("ops")
    path = folder / "ilp.duckdb"
    shutil.copy(base, path)
    con = connect(path)
    try:
        files: list[tuple[int, str, str, str | None]] = []
        for i, op in enumerate(ops):
            _apply(con, folder, i, op, files)
        cat = load_catalogue()
        assert kept.holds(con, cat)
        for regency in REGENCIES:
            for y in (2024, 2025):
                for lang in ("id", "en"):
                    found = quality.findings(con, y, regency=regency, lang=lang, principal=ADMIN)
                    pd.testing.assert_frame_equal(found, _live(con, y, regency, lang))
        incremental = _table(con)
        with transaction(con):
            kept.rebuild(con, cat)
        rebuilt = _table(con)
        # The same rows (their order is the checks' output order, which `_finish` sorts); a kabupaten-year
        # only one of them holds is empty.
        for key in incremental.keys() | rebuilt.keys():
            assert incremental.get(key, (None, [])) == rebuilt.get(key, (None, [])), key
    finally:
        con.close()


def _slices(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return [(str(r), int(y)) for r, y in con.execute("SELECT regency_code, year FROM quality_kept").fetchall()]


def _table(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], tuple[int | None, list[str]]]:
    out: dict[tuple[str, int], tuple[int | None, list[str]]] = {}
    for r, y, last in con.execute("SELECT regency_code, year, last_month FROM quality_kept").fetchall():
        cells = con.execute(
            "SELECT cells FROM quality_kept_rows WHERE regency_code = ? AND year = ? ORDER BY ord", [r, y]
        ).fetchall()
        out[(r, y)] = (last, sorted(c for (c,) in cells))
    return out


def test_the_demo_build_leaves_its_kept_findings_current(small_demo) -> None:
    con = connect(small_demo.path, read_only=True)
    try:
        assert kept.holds(con, load_catalogue())
        held = set(_slices(con))
        regencies = {r for (r,) in con.execute("SELECT DISTINCT regency_code FROM puskesmas").fetchall()}
        years = {int(y) for (y,) in con.execute("SELECT DISTINCT year(service_date) FROM layanan").fetchall()}
        assert held == {(r, y) for r in regencies for y in years}
    finally:
        con.close()
