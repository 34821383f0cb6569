"""Writing a validated upload: one transaction, identical content is a no-op, corrections replace slices.

Slices (what a corrected upload replaces):
  layanan  (puskesmas, month, service)       capaian  (puskesmas, month, service)
  kesiapan (puskesmas, month, item)          sasaran  (year, area level, area, target group)
  puskesmas / desa registries: the codes present in the file (upsert).
An earlier upload whose rows have all been replaced gets status 'replaced'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from ilp_metrics.catalogue import load_catalogue
from ilp_metrics.core.db import WRITE_LOCK, bump_data_version, transaction
from ilp_metrics.ingest.validate import Validation
from ilp_metrics.metrics import tallies
from ilp_metrics.quality import kept, reach
from ilp_metrics.security import audit
from ilp_metrics.security.scope import PUSKESMAS_UPLOAD_KINDS, Principal, ScopeDenied

DATA_TABLES = {
    "puskesmas": "puskesmas",
    "desa": "desa",
    "sasaran": "sasaran",
    "layanan": "layanan",
    "capaian": "capaian",
    "kesiapan": "kesiapan",
}


# An annual table (ingest/annual.py) writes two tables: its counts and the year's sasaran.
KIND_TABLES = {**{k: (v,) for k, v in DATA_TABLES.items()}, "tahunan": ("capaian_tahunan", "sasaran")}


@dataclass
class LoadResult:
    upload_id: int
    rows_replaced: int


def _first_int(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """The first column of the statement's single row, as an int (a count, an id)."""
    row = (con.execute(sql, params) if params else con.execute(sql)).fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return int(row[0])


def find_duplicate(con: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    row = con.execute(
        "SELECT upload_id FROM uploads WHERE sha256 = ? AND status <> 'withdrawn' ORDER BY upload_id LIMIT 1",
        [sha256],
    ).fetchone()
    return int(row[0]) if row else None


def _slice_delete(con: duckdb.DuckDBPyConnection, kind: str, acc: str) -> int:
    """Delete rows of earlier uploads in the slices this upload covers; return how many."""
    if kind in ("layanan", "capaian", "kesiapan"):
        table = kind
        month = "ilp_month_start(service_date)" if kind == "layanan" else "period"
        new_month = "ilp_month_start(t_service_date)" if kind == "layanan" else "t_period"
        code, new_code = ("item_code", "r_item") if kind == "kesiapan" else ("service_code", "r_service")
        return _first_int(
            con,
            f"""
            DELETE FROM {table} t USING (
                SELECT DISTINCT r_puskesmas AS p, {new_month} AS m, {new_code} AS c FROM {acc}
            ) s WHERE t.puskesmas_code = s.p AND {month} = s.m AND t.{code} = s.c
        """,
        )
    if kind == "sasaran":
        return _first_int(
            con,
            f"""
            DELETE FROM sasaran t USING (
                SELECT DISTINCT t_year AS y, area_level AS l, area_code AS a, r_target_group AS g FROM {acc}
            ) s WHERE t.year = s.y AND t.area_level = s.l AND t.area_code = s.a AND t.target_group = s.g
        """,
        )
    if kind == "puskesmas":
        return _first_int(
            con, f"DELETE FROM puskesmas WHERE upper(puskesmas_code) IN (SELECT upper(puskesmas_code) FROM {acc})"
        )
    if kind == "desa":
        return _first_int(con, f"DELETE FROM desa WHERE desa_code IN (SELECT t_desa FROM {acc})")
    raise ValueError(kind)


def _insert(con: duckdb.DuckDBPyConnection, kind: str, acc: str, upload_id: int) -> None:
    u = int(upload_id)
    if kind == "layanan":
        con.execute(f"""
            INSERT INTO layanan (upload_id, source_row, service_date, puskesmas_code, desa_code, person_key,
                                 birth_date, age_years, sex, service_code, result)
            SELECT {u}, row_no, t_service_date, r_puskesmas, r_desa, t_person_key, t_birth_date,
                   t_age_years, t_sex, r_service, t_result
            FROM {acc}
        """)
    elif kind == "capaian":
        con.execute(f"""
            INSERT INTO capaian (upload_id, source_row, period, puskesmas_code, desa_code, service_code, count)
            SELECT {u}, row_no, t_period, r_puskesmas, r_desa, r_service, t_count FROM {acc}
        """)
    elif kind == "kesiapan":
        con.execute(f"""
            INSERT INTO kesiapan (upload_id, source_row, period, puskesmas_code, item_code, value)
            SELECT {u}, row_no, t_period, r_puskesmas, r_item, t_value FROM {acc}
        """)
    elif kind == "sasaran":
        con.execute(f"""
            INSERT INTO sasaran (year, area_level, area_code, target_group, count, upload_id)
            SELECT t_year, area_level, area_code, r_target_group, t_count, {u} FROM {acc}
        """)
    elif kind == "puskesmas":
        con.execute(f"""
            INSERT INTO puskesmas (puskesmas_code, puskesmas_name, regency_code, district_code, ilp_start_date,
                                   cohort, latitude, longitude, upload_id, district_from)
            SELECT upper(puskesmas_code), {UPT_PREFIX_SQL}, t_regency, t_district, t_ilp_start, t_cohort,
                   t_lat, t_lon, {u}, CASE WHEN t_district IS NOT NULL THEN t_district_from END
            FROM {acc}
        """)
    elif kind == "desa":
        con.execute(f"""
            INSERT INTO desa (desa_code, desa_name, puskesmas_code, upload_id)
            SELECT t_desa, coalesce(desa_name, ref_name), r_puskesmas, {u} FROM {acc}
        """)
    else:
        raise ValueError(kind)


# `UPTD Puskesmas Natar` is kept as `Puskesmas Natar`: the unit's status is not part of its name.
UPT_PREFIX_SQL = "regexp_replace(puskesmas_name, '^\\s*(UPTD|UPT)\\.?\\s+', '', 'i')"


def derive_districts(con: duckdb.DuckDBPyConnection) -> int:
    """Give each puskesmas whose kecamatan no column or name gave the kecamatan of most of its desa (ties:
    the lowest code), and clear it when it has no desa any more; run in the transaction that changed the
    registry. Returns how many puskesmas changed."""
    return _first_int(
        con,
        """
        WITH counts AS (
            SELECT puskesmas_code, left(desa_code, 8) AS district, count(*) AS n FROM desa GROUP BY ALL
        ), majority AS (
            SELECT puskesmas_code, district FROM counts
            QUALIFY row_number() OVER (PARTITION BY puskesmas_code ORDER BY n DESC, district) = 1
        ), wanted AS (
            SELECT p.puskesmas_code, m.district FROM puskesmas p
            LEFT JOIN majority m ON upper(m.puskesmas_code) = upper(p.puskesmas_code)
            WHERE p.district_from IS NULL OR p.district_from = 'desa'
        )
        UPDATE puskesmas p SET district_code = w.district,
            district_from = CASE WHEN w.district IS NOT NULL THEN 'desa' END
        FROM wanted w
        WHERE p.puskesmas_code = w.puskesmas_code AND p.district_code IS DISTINCT FROM w.district
        """,
    )


# ------------------------------------------------------------------ tallies (metrics/tallies.py)
# The coverage statement reads tallies of the service records; every write that changes the records, or
# which kabupaten a puskesmas belongs to, recounts the slices it touched in its own transaction.


def _regencies_before(con: duckdb.DuckDBPyConnection, kind: str, acc: str) -> tuple[list[str], set[str]]:
    """For a puskesmas list: its codes and the kabupaten they belonged to before this upload."""
    if kind != "puskesmas":
        return [], set()
    codes = [str(r[0]).upper() for r in con.execute(f"SELECT DISTINCT puskesmas_code FROM {acc}").fetchall()]
    return codes, tallies.regencies_of(con, codes)


def _keep_tallies(con: duckdb.DuckDBPyConnection, kind: str, upload_id: int, moved: tuple[list[str], set[str]]) -> None:
    """After an upload's rows are in: recount the service-record slices it wrote, or the puskesmas it listed
    and the kabupaten they belonged to before and belong to now."""
    if kind == "layanan":
        _refresh_tallies(con, kind, _upload_slices(con, kind, upload_id))
    elif kind == "puskesmas":
        codes, before = moved
        _refresh_tallies(con, kind, (codes, before | tallies.regencies_of(con, codes)))


def _upload_slices(con: duckdb.DuckDBPyConnection, kind: str, upload_id: int) -> Any:
    """What a withdrawal will touch, read before its rows go: (puskesmas, year) slices of service records,
    or a puskesmas list's codes and their kabupaten."""
    if kind == "layanan":
        return {
            (str(p), int(y))
            for p, y in con.execute(
                "SELECT DISTINCT puskesmas_code, CAST(year(service_date) AS INTEGER) FROM layanan WHERE upload_id = ?",
                [upload_id],
            ).fetchall()
        }
    if kind == "puskesmas":
        codes = [
            str(r[0])
            for r in con.execute("SELECT puskesmas_code FROM puskesmas WHERE upload_id = ?", [upload_id]).fetchall()
        ]
        return codes, tallies.regencies_of(con, codes)
    return None


def _refresh_tallies(con: duckdb.DuckDBPyConnection, kind: str, touched: Any) -> None:
    if tallies.is_deferred(con):
        return
    if kind == "layanan":
        tallies.refresh(con, load_catalogue(), touched)
    elif kind == "puskesmas":
        codes, regencies = touched
        tallies.refresh(con, load_catalogue(), tallies.puskesmas_years(con, codes), regencies=regencies)


# ------------------------------------------------------------------ findings kept (quality/kept.py)
# The data-quality findings of each kabupaten-year are kept; every write recomputes, in its own transaction
# and after everything it changes (uploads included), those of the kabupaten-years it can change
# (quality/reach.py), read partly before the write and partly after it.


def _findings_before(
    con: duckdb.DuckDBPyConnection, kind: str, *, acc: str | None = None, upload_id: int | None = None
) -> reach.Touch | None:
    if not kept.watching(con, load_catalogue()):
        return None
    if acc is not None:
        return reach.before_commit(con, kind, acc)
    return reach.before_withdraw(con, kind, int(upload_id or 0))


def keep_findings(con: duckdb.DuckDBPyConnection, touch: reach.Touch | None, upload_id: int | None = None) -> None:
    """Recompute the kept findings a write touched (`touch` from before it; None: nothing kept)."""
    if touch is None:
        return
    cat = load_catalogue()
    kept.refresh(con, cat, reach.slices(con, touch, cat, upload_id=upload_id))


def _mark_replaced(con: duckdb.DuckDBPyConnection, kind: str, upload_id: int) -> None:
    table = DATA_TABLES[kind]
    con.execute(
        f"""
        UPDATE uploads SET status = 'replaced'
        WHERE kind = ? AND status = 'active' AND upload_id <> ?
          AND upload_id NOT IN (SELECT DISTINCT upload_id FROM {table})
    """,
        [kind, upload_id],
    )


def commit(
    con: duckdb.DuckDBPyConnection,
    v: Validation,
    *,
    file_name: str,
    sha256: str,
    uploaded_by: str,
    uploaded_at: datetime,
    sheet: str | None,
    header_row: int | None,
    profile: str | None,
) -> LoadResult:
    """Write the accepted records and the upload row in one transaction (all or nothing)."""
    with transaction(con):
        upload_id = _first_int(con, "SELECT nextval('upload_id_seq')")
        moved = _regencies_before(con, v.kind, v.accepted)
        touch = _findings_before(con, v.kind, acc=v.accepted)
        replaced = _slice_delete(con, v.kind, v.accepted)
        _insert(con, v.kind, v.accepted, upload_id)
        if v.kind in ("puskesmas", "desa"):
            derive_districts(con)
        _keep_tallies(con, v.kind, upload_id, moved)
        con.execute(
            """INSERT INTO uploads (upload_id, file_name, sha256, kind, profile, sheet, header_row, uploaded_by,
                                    uploaded_at, rows_read, rows_accepted, rows_refused, rows_skipped,
                                    rows_replaced, period_start, period_end, status)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')""",
            [
                upload_id,
                file_name,
                sha256,
                v.kind,
                profile,
                sheet,
                header_row,
                uploaded_by,
                uploaded_at,
                v.rows_read,
                v.rows_accepted,
                v.rows_refused,
                v.rows_skipped,
                replaced,
                v.period_start,
                v.period_end,
            ],
        )
        if v.rows_refused:
            refusal_table = next(r for r in v.temp_relations if r.startswith("refusal_"))
            con.execute(
                f"INSERT INTO upload_refusals SELECT ?, row_no, field, reason FROM {refusal_table}", [upload_id]
            )
        _mark_replaced(con, v.kind, upload_id)
        bump_data_version(con)
        keep_findings(con, touch, upload_id)
        audit.record(
            con,
            uploaded_by,
            "replace" if replaced else "upload",
            file_name,
            {
                "upload_id": upload_id,
                "kind": v.kind,
                "rows": v.rows_accepted,
                "refused": v.rows_refused,
                "replaced": replaced,
                "sha256": sha256,
            },
        )
    return LoadResult(upload_id=upload_id, rows_replaced=replaced)


def withdraw(con: duckdb.DuckDBPyConnection, upload_id: int, *, principal: Principal, actor: str | None = None) -> int:
    """Remove an upload's rows in one transaction (one writer at a time); returns how many rows were removed.

    The `principal` needs the upload permission; one without the withdraw permission (a puskesmas account)
    may only withdraw an upload of the kinds it may send whose rows are all of its own puskesmas.
    Audited under `actor` (default: the principal's username)."""
    principal.require("upload")
    with WRITE_LOCK, transaction(con):
        row = con.execute("SELECT kind, status FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()
        if row is None:
            raise KeyError(upload_id)
        kind, _ = row
        tables = KIND_TABLES[kind]
        if not principal.can("withdraw"):
            _check_own_upload(con, principal, upload_id, kind, tables[0])
        touched = _upload_slices(con, kind, upload_id)
        touch = _findings_before(con, kind, upload_id=upload_id)
        removed = sum(_first_int(con, f"DELETE FROM {table} WHERE upload_id = ?", [upload_id]) for table in tables)
        if kind in ("puskesmas", "desa"):
            derive_districts(con)
        _refresh_tallies(con, kind, touched)
        con.execute("UPDATE uploads SET status = 'withdrawn' WHERE upload_id = ?", [upload_id])
        bump_data_version(con)
        keep_findings(con, touch)
        audit.record(con, actor or principal.username, "withdraw", str(upload_id), {"kind": kind, "rows": removed})
    return removed


def _check_own_upload(
    con: duckdb.DuckDBPyConnection, principal: Principal, upload_id: int, kind: str, table: str
) -> None:
    """Refuse, before anything is removed, an upload that is not wholly the principal's own puskesmas's."""
    if kind not in PUSKESMAS_UPLOAD_KINDS:
        raise ScopeDenied("withdraw_other_puskesmas", upload_id=upload_id, own=principal.puskesmas_code)
    others = con.execute(
        f"SELECT count(*) FROM {table} WHERE upload_id = ? AND upper(puskesmas_code) <> upper(?)",
        [upload_id, principal.puskesmas_code],
    ).fetchone()
    if others is None or others[0]:
        raise ScopeDenied("withdraw_other_puskesmas", upload_id=upload_id, own=principal.puskesmas_code)
