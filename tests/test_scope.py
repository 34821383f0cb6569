"""Scopes are enforced in the library: a puskesmas account cannot obtain another centre's desa rows,
whatever the page shows or hides; and it can upload only its own puskesmas's records."""

from __future__ import annotations

import pytest

from ilp_metrics.core.db import connect
from ilp_metrics.metrics.coverage import coverage, coverage_many
from ilp_metrics.security.scope import Principal, ScopeDenied

from .conftest import MB, TK, ingest, table_counts, write_text

MAROS_BARU = Principal("pkm.mb", "puskesmas", puskesmas_code=MB)
GUEST = Principal("tamu", "tamu")
DINAS = Principal("dinas", "dinas")


@pytest.fixture
def fcon(fixture_db):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


def desa_rows(con, principal, puskesmas=None):
    return coverage(con, "SPM01", level="desa", year=2024, through=4, puskesmas=puskesmas, principal=principal)


def test_the_fixture_has_desa_rows_of_both_puskesmas(fcon):
    parents = set(desa_rows(fcon, DINAS)["parent_code"])
    assert parents == {MB, TK}  # without a scope, both centres' desa come back


def test_a_puskesmas_user_asking_for_all_desa_gets_only_its_own(fcon):
    rows = desa_rows(fcon, MAROS_BARU)
    assert not rows.empty and set(rows["parent_code"]) == {MB}
    # Maros Baru's three desa (tests/conftest.py DESA_CSV), none of Turikale's.
    assert set(rows["unit_code"]) <= {"73.09.04.2005", "73.09.04.2006", "73.09.04.1002"}


def test_a_puskesmas_user_cannot_obtain_another_centres_desa_rows(fcon):
    with pytest.raises(ScopeDenied) as denied:
        desa_rows(fcon, MAROS_BARU, puskesmas=TK)
    assert denied.value.code == "desa_other_puskesmas"
    with pytest.raises(ScopeDenied):
        coverage_many(fcon, ["SPM01", "SPM02"], level="desa", year=2024, puskesmas=TK.lower(), principal=MAROS_BARU)


def test_a_puskesmas_user_still_sees_district_and_puskesmas_aggregates(fcon):
    pusk = coverage(fcon, "SPM01", level="puskesmas", year=2024, through=4, principal=MAROS_BARU)
    assert set(pusk["unit_code"]) == {MB, TK}
    assert not coverage(fcon, "SPM01", level="kabupaten", year=2024, through=4, principal=MAROS_BARU).empty


def test_a_guest_gets_no_desa_rows_at_all(fcon):
    with pytest.raises(ScopeDenied, match="desa_not_allowed"):
        desa_rows(fcon, GUEST)


LAYANAN = "service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code\n"


def _row(pusk: str, desa: str, serial: int) -> str:
    return f"2024-03-15,{pusk},{desa},730904150390{serial:04d},1990-03-15,P,ANC_K1\n"


def test_a_puskesmas_user_cannot_upload_another_centres_rows(con, tmp_path):
    before = table_counts(con)
    path = write_text(tmp_path / "l.csv", LAYANAN + _row(MB, "73.09.04.2005", 1) + _row(TK, "73.09.14.1004", 2))
    report = ingest(con, path, principal=MAROS_BARU)
    assert report.error_code == "scope_puskesmas" and TK in report.error
    assert table_counts(con) == before
    own = write_text(tmp_path / "own.csv", LAYANAN + _row(MB, "73.09.04.2005", 1))
    assert ingest(con, own, principal=MAROS_BARU).committed


def test_a_puskesmas_user_cannot_change_the_registry_and_a_guest_cannot_upload(con, tmp_path):
    registry = write_text(tmp_path / "desa.csv", f"desa_code,desa_name,puskesmas_code\n73.09.14.1004,X,{MB}\n")
    assert ingest(con, registry, principal=MAROS_BARU).error_code == "scope_kind"
    assert ingest(con, registry, principal=GUEST).error_code == "scope_no_upload"
    assert ingest(con, registry, principal=DINAS).committed
