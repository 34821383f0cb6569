"""Which kabupaten-years a write can change the data-quality findings of (what quality/kept.py recomputes).

The findings of kabupaten K and year Y (January to K's last month with data) read, per check family:

  scope         K's puskesmas (registry); K's last month: its puskesmas's layanan and capaian of Y
  completeness  layanan slices, capaian, kesiapan of K's puskesmas in Y; desa registered to them
  timeliness    active monthly uploads whose last month is in Y and which of K's puskesmas their rows hold
  outliers      layanan and capaian counts of K's puskesmas: Y and the history months before (Y − 1 …)
  impossible    capaian, kesiapan, layanan (with their upload's date) of K's puskesmas in Y; sasaran of Y
                of K's puskesmas and of the desa registered to them
  figures       coverage of K's puskesmas in Y (layanan, capaian, sasaran of Y, desa registry); year totals
                of Y − 3 … Y
  denominators  sasaran of Y, desa registry; services per desa in Y recorded by *any* puskesmas
  duplicates    layanan, capaian of K's puskesmas in Y; a resent file: a pair of uploads of the same kind,
                period and size, credited to the newer's first puskesmas (which may lie in another kabupaten)
  registry      desa registry and the desa codes of K's records and reports; desa whose puskesmas is not
                registered (by the desa code's kabupaten); reference desa of the kecamatan of K's puskesmas

So a write of monthly data (layanan, capaian) of puskesmas P in year Y touches the kabupaten of P (and,
for service records, the kabupaten whose registry holds the records' desa) in Y and the years that read
Y as history (`lookahead`); readiness checklists and sasaran touch their year only; a puskesmas or desa
list touches every year of the kabupaten it moves units out of or into (and of the desa codes' own
kabupaten, and of the puskesmas whose kecamatan holds those desa). Every write also touches the
kabupaten-years of the uploads whose status it changes or whose rows it removes, and of the uploads that
pair with them as a resent file. What is read before the write (`before_*`) and after it (`slices`)
together bound the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.metrics.coverage import tallies_hold
from ilp_metrics.metrics.tallies import regencies_of

Slices = set[tuple[str, int]]  # (kabupaten code, year)

MONTHLY_KINDS = ("layanan", "capaian", "kesiapan")
HISTORY_YEARS = 3  # CONS_YEAR_TOTAL compares a year with the three before it


@dataclass
class Touch:
    """What a write may change, gathered before it and completed after it."""

    kind: str
    puskesmas: set[str] = field(default_factory=set)  # whose data rows are written or removed
    desa: set[str] = field(default_factory=set)  # desa codes of service records written or removed
    years: set[int] | None = field(default_factory=set)  # years of the data written; None: every year
    lookahead: bool = False  # later years read these years as history
    regencies: set[str] = field(default_factory=set)  # kabupaten touched, as seen before the write
    registry: set[str] = field(default_factory=set)  # puskesmas codes (puskesmas list) or desa codes (desa list)
    statuses: dict[int, str] = field(default_factory=dict)  # every upload's status before the write
    uploads: set[int] = field(default_factory=set)  # uploads whose rows change (the written or withdrawn one)
    upload_slices: Slices = field(default_factory=set)  # kabupaten-years of those uploads and their partners


def lookahead_years(cat: Catalogue) -> int:
    """How many later years read a year's data: the year totals' three, or the outliers' history months."""
    history = int(cat.quality.threshold("outlier_history_months"))
    return max(HISTORY_YEARS, (history + 11) // 12)


# ------------------------------------------------------------------ before the write


def before_commit(con: duckdb.DuckDBPyConnection, kind: str, acc: str) -> Touch:
    """An upload about to be written from the accepted relation `acc` (ingest/validate.py's columns)."""
    touch = Touch(kind, statuses=_statuses(con))
    if kind == "layanan":
        rows = con.execute(
            f"SELECT DISTINCT r_puskesmas, r_desa, CAST(year(t_service_date) AS INTEGER) FROM {acc}"
        ).fetchall()
        _monthly(touch, rows, lookahead=True)
        touch.desa |= _record_desa(con, touch.puskesmas, touch.years or set())  # those the correction removes
    elif kind in ("capaian", "kesiapan"):
        rows = con.execute(f"SELECT DISTINCT r_puskesmas, NULL, CAST(year(t_period) AS INTEGER) FROM {acc}").fetchall()
        _monthly(touch, rows, lookahead=kind == "capaian")
    elif kind == "sasaran":
        areas = con.execute(f"SELECT DISTINCT area_level, area_code, CAST(t_year AS INTEGER) FROM {acc}").fetchall()
        _sasaran(con, touch, areas)
    elif kind == "puskesmas":
        codes = {str(r[0]).upper() for r in con.execute(f"SELECT DISTINCT puskesmas_code FROM {acc}").fetchall()}
        _puskesmas_list(con, touch, codes)
    elif kind == "desa":
        codes = {str(r[0]) for r in con.execute(f"SELECT DISTINCT t_desa FROM {acc}").fetchall()}
        _desa_list(con, touch, codes)
    else:
        raise ValueError(kind)
    # uploads paired as a resent file holding rows of these puskesmas, before the correction removes any
    touch.upload_slices = _upload_slices(con, _partners(con, set(), touch.puskesmas))
    return touch


def before_annual(con: duckdb.DuckDBPyConnection, puskesmas: Iterable[str], year: int) -> Touch:
    """An annual table about to be written: puskesmas-level sasaran (and annual counts, which no check
    reads) of `year`."""
    touch = Touch("tahunan", statuses=_statuses(con))
    touch.puskesmas = {str(p).upper() for p in puskesmas}
    touch.years = {int(year)}
    touch.regencies = regencies_of(con, touch.puskesmas)
    return touch


def before_withdraw(con: duckdb.DuckDBPyConnection, kind: str, upload_id: int) -> Touch:
    """An upload about to be withdrawn: what its rows hold, read before they go."""
    touch = Touch(kind, statuses=_statuses(con), uploads={int(upload_id)})
    u = {"u": int(upload_id)}
    if kind == "layanan":
        rows = con.execute(
            "SELECT DISTINCT puskesmas_code, desa_code, CAST(year(service_date) AS INTEGER) FROM layanan "
            "WHERE upload_id = $u",
            u,
        ).fetchall()
        _monthly(touch, rows, lookahead=True)
    elif kind in ("capaian", "kesiapan"):
        rows = con.execute(
            f"SELECT DISTINCT puskesmas_code, NULL, CAST(year(period) AS INTEGER) FROM {kind} WHERE upload_id = $u", u
        ).fetchall()
        _monthly(touch, rows, lookahead=kind == "capaian")
    elif kind in ("sasaran", "tahunan"):
        areas = con.execute(
            "SELECT DISTINCT area_level, area_code, year FROM sasaran WHERE upload_id = $u "
            "UNION SELECT DISTINCT 'puskesmas', puskesmas_code, year FROM capaian_tahunan WHERE upload_id = $u",
            u,
        ).fetchall()
        _sasaran(con, touch, areas)
    elif kind == "puskesmas":
        codes = {
            str(r[0]).upper()
            for r in con.execute("SELECT puskesmas_code FROM puskesmas WHERE upload_id = $u", u).fetchall()
        }
        _puskesmas_list(con, touch, codes)
    elif kind == "desa":
        codes = {str(r[0]) for r in con.execute("SELECT desa_code FROM desa WHERE upload_id = $u", u).fetchall()}
        _desa_list(con, touch, codes)
    else:
        raise ValueError(kind)
    touch.upload_slices = _upload_slices(con, touch.uploads | _partners(con, touch.uploads, touch.puskesmas))
    return touch


def _monthly(touch: Touch, rows: list[Any], *, lookahead: bool) -> None:
    touch.puskesmas = {str(p).upper() for p, _, _ in rows if p is not None}
    touch.desa = {str(d) for _, d, _ in rows if d is not None}
    touch.years = {int(y) for _, _, y in rows if y is not None}
    touch.lookahead = lookahead


def _sasaran(con: duckdb.DuckDBPyConnection, touch: Touch, areas: list[Any]) -> None:
    """Sasaran rows touch the kabupaten of their puskesmas, or of the puskesmas their desa is registered to."""
    touch.years = {int(y) for _, _, y in areas}
    touch.puskesmas = {str(code).upper() for level, code, _ in areas if level == "puskesmas"}
    desa = {str(code) for level, code, _ in areas if level == "desa"}
    touch.registry = desa  # read again after the write: the registry does not change, the mapping is the same
    if any(level not in ("puskesmas", "desa") for level, _, _ in areas):
        touch.regencies = all_regencies(con)
    touch.regencies |= regencies_of(con, touch.puskesmas) | _regencies_of_desa(con, desa)


def _puskesmas_list(con: duckdb.DuckDBPyConnection, touch: Touch, codes: set[str]) -> None:
    touch.registry = codes
    touch.years = None
    touch.regencies = regencies_of(con, codes) | _desa_prefixes_of(con, codes)


def _desa_list(con: duckdb.DuckDBPyConnection, touch: Touch, codes: set[str]) -> None:
    touch.registry = codes
    touch.years = None
    touch.regencies = _desa_list_regencies(con, codes)


# ------------------------------------------------------------------ after the write


def slices(con: duckdb.DuckDBPyConnection, touch: Touch, cat: Catalogue, *, upload_id: int | None = None) -> Slices:
    """The kabupaten-years the write may have changed, read after it (inside its transaction)."""
    regencies = set(touch.regencies) | regencies_of(con, touch.puskesmas)
    if touch.kind == "layanan":
        regencies |= _regencies_of_desa(con, touch.desa)
    elif touch.kind == "sasaran" or touch.kind == "tahunan":
        regencies |= _regencies_of_desa(con, touch.registry)
    elif touch.kind == "puskesmas":
        regencies |= regencies_of(con, touch.registry) | _desa_prefixes_of(con, touch.registry)
    elif touch.kind == "desa":
        regencies |= _desa_list_regencies(con, touch.registry)
    # every year: those with data (a year without any has no findings, whatever the registry says)
    years = data_years(con) if touch.years is None else _with_lookahead(touch, cat)
    out = {(r, y) for r in regencies for y in years}
    uploads = set(touch.uploads)
    if upload_id is not None:
        uploads.add(int(upload_id))
    after = _statuses(con)
    uploads |= {u for u, s in after.items() if touch.statuses.get(u) != s}
    uploads |= {u for u, s in touch.statuses.items() if after.get(u) != s}
    out |= touch.upload_slices | _upload_slices(con, uploads | _partners(con, uploads, touch.puskesmas))
    return out


def _with_lookahead(touch: Touch, cat: Catalogue) -> set[int]:
    years = set(touch.years or ())
    if touch.lookahead:
        ahead = lookahead_years(cat)
        years |= {y + k for y in years for k in range(1, ahead + 1)}
    return years


# ------------------------------------------------------------------ lookups


def _codes(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def all_regencies(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every kabupaten of the puskesmas registry."""
    rows = con.execute("SELECT DISTINCT regency_code FROM puskesmas WHERE regency_code IS NOT NULL").fetchall()
    return {str(r[0]) for r in rows}


def _regencies_of_desa(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> set[str]:
    """The kabupaten of the puskesmas these desa are registered to."""
    wanted = _codes(codes)
    if not wanted:
        return set()
    rows = con.execute(
        """SELECT DISTINCT p.regency_code FROM desa d
           JOIN puskesmas p ON upper(p.puskesmas_code) = upper(d.puskesmas_code)
           WHERE list_contains(CAST($codes AS VARCHAR[]), d.desa_code)""",
        {"codes": wanted},
    ).fetchall()
    return {str(r[0]) for r in rows if r[0] is not None}


def _desa_prefixes_of(con: duckdb.DuckDBPyConnection, puskesmas: Iterable[str]) -> set[str]:
    """The kabupaten part of the codes of the desa registered to these puskesmas: where a desa whose
    puskesmas is not registered is reported (REG_DESA_NO_PUSKESMAS)."""
    wanted = _codes(c.upper() for c in puskesmas)
    if not wanted:
        return set()
    rows = con.execute(
        "SELECT DISTINCT left(desa_code, 5) FROM desa WHERE list_contains(CAST($codes AS VARCHAR[]), upper(puskesmas_code))",
        {"codes": wanted},
    ).fetchall()
    return {str(r[0]) for r in rows if r[0]}


def _desa_list_regencies(con: duckdb.DuckDBPyConnection, codes: Iterable[str]) -> set[str]:
    """A desa list's desa touch the kabupaten of the puskesmas they are registered to, their own code's
    kabupaten (a desa without a registered puskesmas), and the kabupaten of every puskesmas in their
    kecamatan (a reference desa not in any registry)."""
    wanted = _codes(codes)
    if not wanted:
        return set()
    rows = con.execute(
        """SELECT p.regency_code FROM ref_village v JOIN puskesmas p ON p.district_code = v.district_code
           WHERE list_contains(CAST($codes AS VARCHAR[]), v.code)
           UNION SELECT p.regency_code FROM puskesmas p WHERE list_contains(CAST($districts AS VARCHAR[]), p.district_code)""",
        {"codes": wanted, "districts": _codes(c[:8] for c in wanted)},
    ).fetchall()
    return (
        {str(r[0]) for r in rows if r[0] is not None}
        | _regencies_of_desa(con, wanted)
        | {c[:5] for c in wanted if len(c) >= 5}
    )


def _record_desa(con: duckdb.DuckDBPyConnection, puskesmas: set[str], years: set[int]) -> set[str]:
    """Desa codes of these puskesmas's service records in these years (a correction may remove any of them)."""
    if not puskesmas or not years:
        return set()
    params = {"p": _codes(puskesmas), "y": sorted(years)}
    if tallies_hold(con):
        sql = "SELECT DISTINCT desa_code FROM tally_services WHERE list_contains(CAST($p AS VARCHAR[]), puskesmas_code) AND list_contains(CAST($y AS INTEGER[]), year)"
    else:
        sql = (
            "SELECT DISTINCT desa_code FROM layanan WHERE list_contains(CAST($p AS VARCHAR[]), puskesmas_code) "
            "AND list_contains(CAST($y AS INTEGER[]), CAST(year(service_date) AS INTEGER))"
        )
    return {str(r[0]) for r in con.execute(sql, params).fetchall() if r[0] is not None}


def _statuses(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    return {int(u): str(s) for u, s in con.execute("SELECT upload_id, status FROM uploads").fetchall()}


def _partners(con: duckdb.DuckDBPyConnection, uploads: set[int], puskesmas: set[str]) -> set[int]:
    """Uploads that may pair with these as a resent file (DUP_RESENT: same kind, period and size), and the
    uploads of such pairs that hold rows of `puskesmas` (a correction removing those rows may move the
    pair's finding to the upload's next puskesmas, perhaps in another kabupaten)."""
    rows = con.execute(
        """
        WITH pairs AS (
            SELECT n.upload_id AS a, o.upload_id AS b FROM uploads n JOIN uploads o
              ON o.kind = n.kind AND o.upload_id <> n.upload_id
             AND o.period_start IS NOT DISTINCT FROM n.period_start AND o.period_end IS NOT DISTINCT FROM n.period_end
             AND o.rows_accepted = n.rows_accepted
            WHERE n.kind IN ('layanan', 'capaian', 'kesiapan')
        ),
        paired AS (SELECT DISTINCT a AS upload_id FROM pairs),
        holding AS (  -- paired uploads with rows of the puskesmas written
            SELECT upload_id FROM layanan WHERE upload_id IN (SELECT upload_id FROM paired)
              AND list_contains(CAST($p AS VARCHAR[]), puskesmas_code)
            UNION SELECT upload_id FROM capaian WHERE upload_id IN (SELECT upload_id FROM paired)
              AND list_contains(CAST($p AS VARCHAR[]), puskesmas_code)
            UNION SELECT upload_id FROM kesiapan WHERE upload_id IN (SELECT upload_id FROM paired)
              AND list_contains(CAST($p AS VARCHAR[]), puskesmas_code)
        ),
        mine AS (SELECT unnest(CAST($u AS INTEGER[])) AS upload_id UNION SELECT upload_id FROM holding)
        SELECT upload_id FROM mine UNION SELECT b FROM pairs WHERE a IN (SELECT upload_id FROM mine)
        """,
        {"u": sorted(uploads), "p": _codes(puskesmas)},
    ).fetchall()
    return {int(r[0]) for r in rows}


def _upload_slices(con: duckdb.DuckDBPyConnection, uploads: set[int]) -> Slices:
    """The kabupaten of the puskesmas whose rows these uploads hold, in the years of their first and last month."""
    if not uploads:
        return set()
    rows = con.execute(
        """
        WITH ids AS (SELECT unnest(CAST($u AS INTEGER[])) AS upload_id),
        units AS (
            SELECT DISTINCT upload_id, puskesmas_code FROM layanan WHERE upload_id IN (SELECT upload_id FROM ids)
            UNION SELECT DISTINCT upload_id, puskesmas_code FROM capaian WHERE upload_id IN (SELECT upload_id FROM ids)
            UNION SELECT DISTINCT upload_id, puskesmas_code FROM kesiapan WHERE upload_id IN (SELECT upload_id FROM ids)
        ),
        years AS (
            SELECT upload_id, CAST(year(period_end) AS INTEGER) AS year FROM uploads
            WHERE upload_id IN (SELECT upload_id FROM ids) AND period_end IS NOT NULL
            UNION SELECT upload_id, CAST(year(period_start) AS INTEGER) FROM uploads
            WHERE upload_id IN (SELECT upload_id FROM ids) AND period_start IS NOT NULL
        )
        SELECT DISTINCT p.regency_code, y.year
        FROM units u JOIN years y ON y.upload_id = u.upload_id
        JOIN puskesmas p ON upper(p.puskesmas_code) = upper(u.puskesmas_code)
        WHERE p.regency_code IS NOT NULL
        """,
        {"u": sorted(uploads)},
    ).fetchall()
    return {(str(r), int(y)) for r, y in rows}


def data_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Years with service records or aggregate reports: the only years a kabupaten has findings in."""
    records = (
        "SELECT DISTINCT year FROM tally_services"
        if tallies_hold(con)
        else "SELECT DISTINCT CAST(year(service_date) AS INTEGER) FROM layanan"
    )
    rows = con.execute(f"{records} UNION SELECT DISTINCT CAST(year(period) AS INTEGER) FROM capaian").fetchall()
    return {int(r[0]) for r in rows if r[0] is not None}
