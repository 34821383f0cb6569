"""The tallies kept at upload (ilp_metrics/metrics/tallies.py): after any sequence of uploads, replacements
and withdrawals they equal a full recount, and coverage read from them equals coverage counted from the
records. Files go through the real ingest; the registry is the two Maros puskesmas of conftest."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.core.db import connect, transaction
from ilp_metrics.ingest.load import withdraw
from ilp_metrics.metrics import coverage, tallies

from .conftest import DINAS, MB, TK, ingest, nik, write_text

DESA = {"73.09.04.2005": MB, "73.09.04.2006": MB, "73.09.14.1004": TK}
CODES = ["SPM01", "KIA_K4", "ILP_KUNJUNGAN_RUMAH", "SPM02"]
HEADER = "service_date,puskesmas_code,desa_code,nik,age_years,sex,service_code,result"

record = st.tuples(
    st.integers(1, 6),  # person
    st.sampled_from(sorted(DESA)),
    st.integers(2024, 2025),  # year
    st.integers(1, 4),  # month
    st.integers(1, 3),  # day
    st.sampled_from(["ANC_K6", "KUNJUNGAN_ANC", "KUNJUNGAN_RUMAH", "PERSALINAN_FASKES"]),
)
# An operation: upload these records (a correction replaces their puskesmas-month-service slices), or
# withdraw the n-th upload made so far.
operation = st.one_of(
    st.tuples(st.just("upload"), st.lists(record, min_size=1, max_size=8)),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
)


def _csv(rows: list[tuple[int, str, int, int, int, str]]) -> str:
    lines = [
        f"{y}-{m:02d}-{d:02d},{DESA[desa]},{desa},{nik(serial=person)},{20 + person},P,{service},"
        for person, desa, y, m, d, service in rows
    ]
    return HEADER + "\n" + "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tcon(registry_template: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tallies")
    path = folder / "ilp.duckdb"
    shutil.copy(registry_template, path)
    con = connect(path)
    yield con, folder
    con.close()


def _reset(con: duckdb.DuckDBPyConnection) -> None:
    with transaction(con):
        for (upload_id,) in con.execute("SELECT upload_id FROM uploads WHERE kind = 'layanan'").fetchall():
            con.execute("DELETE FROM layanan WHERE upload_id = ?", [upload_id])
            con.execute("DELETE FROM uploads WHERE upload_id = ?", [upload_id])
        tallies.rebuild(con, load_catalogue())


def _tables(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    counts = con.execute("SELECT * FROM tally_counts ORDER BY ALL").df()
    services = con.execute("SELECT * FROM tally_services ORDER BY ALL").df()
    return counts, services


def _raw(con: duckdb.DuckDBPyConnection, **kwargs: object) -> pd.DataFrame:
    """Coverage counted from the records: the tallies marked as not current for the call."""
    held = con.execute("SELECT value FROM meta WHERE key = 'tally_records'").fetchone()
    con.execute("UPDATE meta SET value = '-1' WHERE key = 'tally_records'")
    try:
        return coverage.coverage_many(con, CODES, principal=DINAS, **kwargs)  # type: ignore[arg-type]
    finally:
        con.execute("UPDATE meta SET value = ? WHERE key = 'tally_records'", [held[0] if held else "0"])


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=4))
def test_tallies_after_uploads_replacements_and_withdrawals_equal_a_full_recount(tcon, ops) -> None:
    con, folder = tcon
    _reset(con)
    uploads: list[int] = []
    for i, (kind, arg) in enumerate(ops):
        if kind == "upload":
            report = ingest(con, write_text(folder / f"layanan_{i}.csv", _csv(arg)), kind="layanan")
            assert report.ok, report.to_dict()
            if report.upload_id is not None:
                uploads.append(report.upload_id)
        elif uploads:
            upload_id = uploads.pop(arg % len(uploads))
            status = con.execute("SELECT status FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
            if status and status[0] == "active":
                withdraw(con, upload_id, principal=DINAS)
    kept = _tables(con)
    with transaction(con):
        tallies.rebuild(con, load_catalogue())
    recounted = _tables(con)
    pd.testing.assert_frame_equal(kept[0], recounted[0])
    pd.testing.assert_frame_equal(kept[1], recounted[1])
    for year in (2024, 2025):
        for level, scope in (
            ("kabupaten", {"regency": "73.09"}),
            ("puskesmas", {"regency": "73.09"}),
            ("desa", {"regency": "73.09"}),
            ("desa", {"puskesmas": MB}),
        ):
            args = {"level": level, "year": year, "through": 4, **scope}
            tallied = coverage.coverage_many(con, CODES, principal=DINAS, **args)  # type: ignore[arg-type]
            pd.testing.assert_frame_equal(tallied, _raw(con, **args))


def test_a_person_served_in_two_puskesmas_counts_once_for_the_kabupaten_and_once_in_each(tcon) -> None:
    con, folder = tcon
    _reset(con)
    rows = [(1, "73.09.04.2005", 2024, 1, 5, "ANC_K6"), (1, "73.09.14.1004", 2024, 3, 5, "ANC_K6")]
    assert ingest(con, write_text(folder / "two.csv", _csv(rows)), kind="layanan").ok
    kab = coverage.coverage_many(con, ["SPM01"], level="kabupaten", year=2024, through=3, principal=DINAS)
    pusk = coverage.coverage_many(con, ["SPM01"], level="puskesmas", year=2024, through=3, principal=DINAS)
    assert kab.loc[kab["month"] == 3, "numerator"].tolist() == [1.0]
    assert sorted(pusk.loc[pusk["month"] == 3, "numerator"].tolist()) == [1.0, 1.0]


def test_a_recount_stores_the_tallies_in_scope_order_so_a_kabupaten_reads_few_row_groups(tcon) -> None:
    con, folder = tcon
    _reset(con)
    rows = [(p, desa, y, m, 1, "ANC_K6") for p, desa in enumerate(DESA, 1) for y in (2025, 2024) for m in (3, 1)]
    assert ingest(con, write_text(folder / "order.csv", _csv(rows)), kind="layanan").ok
    with transaction(con):
        tallies.rebuild(con, load_catalogue())
    for table, keys in (
        ("tally_services", "puskesmas_code, year, month"),
        ("tally_counts", "scope_level, scope_code, year"),
    ):
        stored = con.execute(f"SELECT {keys} FROM {table} ORDER BY rowid").fetchall()
        runs = [key for i, key in enumerate(stored) if i == 0 or stored[i - 1] != key]
        assert len(set(runs)) > 1 and len(runs) == len(set(runs))  # each scope's rows together, once


def test_tallies_are_read_when_current_and_counted_from_the_records_after_a_write_behind_the_library(
    tcon,
) -> None:
    con, folder = tcon
    _reset(con)
    rows = [(2, "73.09.04.2006", 2024, 2, 1, "ANC_K6")]
    assert ingest(con, write_text(folder / "one.csv", _csv(rows)), kind="layanan").ok
    key = coverage.numerator_key(load_catalogue().indicator("SPM01"))
    assert coverage.tallies_hold(con, [key])
    # A row written straight into the table: the tallies no longer describe the records, so the figures
    # are counted from the records (and include it), never read from stale tallies.
    con.execute(
        "INSERT INTO layanan SELECT upload_id, source_row + 1, DATE '2024-02-02', puskesmas_code, desa_code, "
        "'another person', birth_date, age_years, sex, service_code, result FROM layanan LIMIT 1"
    )
    assert not coverage.tallies_hold(con, [key])
    kab = coverage.coverage_many(con, ["SPM01"], level="kabupaten", year=2024, through=2, principal=DINAS)
    assert kab.loc[kab["month"] == 2, "numerator"].tolist() == [2.0]


def test_a_numerator_definition_the_tallies_do_not_hold_is_counted_from_the_records(tcon) -> None:
    con, _ = tcon
    assert not coverage.tallies_hold(con, ["no-such-definition"])


def test_tallies_hold_counts_only_and_no_person_key(tcon) -> None:
    con, _ = tcon
    columns = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name IN ('tally_counts', 'tally_services')"
        ).fetchall()
    }
    assert not columns & {"person_key", "nik", "birth_date", "name"}


def test_the_demo_build_leaves_its_tallies_current(small_demo) -> None:
    con = connect(small_demo.path, read_only=True)
    try:
        keys = list(tallies.definitions(load_catalogue()))
        assert coverage.tallies_hold(con, keys)
    finally:
        con.close()


def test_a_file_without_current_tallies_is_recounted_once_when_opened_for_writing(tcon) -> None:
    con, folder = tcon
    _reset(con)
    rows = [(3, "73.09.14.1004", 2025, 1, 2, "ANC_K6")]
    assert ingest(con, write_text(folder / "three.csv", _csv(rows)), kind="layanan").ok
    con.execute("DELETE FROM tally_counts; DELETE FROM tally_defs")  # as in a file made before the tallies
    keys = list(tallies.definitions(load_catalogue()))
    assert not coverage.tallies_hold(con, keys)
    assert tallies.ensure_current(con) is True
    assert coverage.tallies_hold(con, keys)
    assert tallies.ensure_current(con) is False
