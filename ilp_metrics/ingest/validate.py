"""Validation in SQL: parse every cell, resolve names to codes, and collect every refusal before writing.

The staged text table becomes
  src     long form: one record per (row, service/target group/item) for wide tables and profiles that
          emit several services per row; blank and total rows marked as skipped;
  parsed  typed values, resolved codes and the raw text they came from;
  refusal one line per (row, column, reason) — every problem of every row, not the first one;
and the accepted records are the parsed ones whose row has no refusal. Nothing is written to the
database's own tables here: all of it lives in temporary tables of the session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from ilp_metrics.catalogue import Catalogue
from ilp_metrics.core.db import single_row
from ilp_metrics.core.pseudonym import hmac_pads, hmac_sql
from ilp_metrics.ingest.areas import install_district_names
from ilp_metrics.ingest.echo import shown_value
from ilp_metrics.ingest.errors import Refusal
from ilp_metrics.ingest.fields import FIELDS
from ilp_metrics.ingest.mapping import Mapping
from ilp_metrics.ingest.readers import RawTable
from ilp_metrics.ingest.skipped_rows import blank_condition, skip_case, total_condition

NIK_TRUNCATION_MIN_ROWS = 20
SERVICE_DATE_MIN = date(2000, 1, 1)


def sql_str(value: object) -> str:
    """A SQL string literal (constants from profiles and the catalogue)."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Check:
    field: str  # canonical field whose column is reported
    reason: str
    condition: str  # SQL over `parsed`, true when the record is refused
    value: str = "NULL"  # SQL text shown in the report (never for personal fields)
    derived: bool = False  # `value` is computed (a digit count, a row number), never a cell's text


@dataclass
class Validation:
    kind: str
    mapping: Mapping
    parsed: str  # temp table of typed records
    accepted: str  # temp view of accepted records
    rows_read: int
    rows_skipped: int
    rows_refused: int
    rows_accepted: int
    records_accepted: int
    refusals: list[Refusal] = field(default_factory=list)
    refusal_counts: list[dict[str, Any]] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    temp_relations: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ lookups


def install_lookups(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> None:
    """Temporary tables mapping normalised labels to codes: catalogue vocabularies and the registry."""
    vocab = {
        "lk_service": cat.service_synonyms(),
        "lk_target_group": cat.target_group_synonyms(),
        "lk_item": cat.readiness_item_synonyms(),
    }
    pairs = [(s.code, r) for s in cat.services for r in s.results]
    # Result vocabulary per service: the code and its spelling with spaces ('pengobatan lengkap').
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lk_result AS SELECT CAST(unnest($services) AS VARCHAR) AS service_code, "
        "CAST(unnest($labels) AS VARCHAR) AS label, CAST(unnest($codes) AS VARCHAR) AS code",
        {
            "services": [svc for svc, _ in pairs],
            "labels": [r.replace("_", " ") for _, r in pairs],
            "codes": [r for _, r in pairs],
        },
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE lk_aggregate_only AS SELECT CAST(unnest($codes) AS VARCHAR) AS code",
        {"codes": [s.code for s in cat.services if s.aggregate_only] or [""]},
    )
    for table, mapping in vocab.items():
        # One statement from two bound lists: executemany costs ~0.1 s per upload for a few hundred rows.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT CAST(unnest($labels) AS VARCHAR) AS label, "
            f"CAST(unnest($codes) AS VARCHAR) AS code",
            {"labels": list(mapping.keys()), "codes": list(mapping.values())},
        )
    install_puskesmas_lookup(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE lk_desa AS
        WITH registry AS (
            SELECT d.puskesmas_code, ilp_desa_label(d.desa_name) AS label, d.desa_code
            FROM desa d
        ), reference AS (  -- desa of the puskesmas's kecamatan not (yet) in the registry
            SELECT p.puskesmas_code, ilp_desa_label(v.name) AS label, v.code AS desa_code
            FROM puskesmas p JOIN ref_village v ON v.district_code = p.district_code
            UNION ALL  -- kecamatan not known yet (it comes with the desa list): the desa of its kabupaten
            SELECT p.puskesmas_code, ilp_desa_label(v.name), v.code
            FROM puskesmas p JOIN ref_village v ON left(v.district_code, 5) = p.regency_code
            WHERE p.district_code IS NULL
        ), candidates AS (
            SELECT *, 1 AS pref FROM registry
            UNION ALL SELECT *, 2 AS pref FROM reference
        ), best AS (
            SELECT * FROM candidates QUALIFY pref = min(pref) OVER (PARTITION BY puskesmas_code, label)
        )
        SELECT puskesmas_code, label, min(desa_code) AS desa_code, count(DISTINCT desa_code) AS n
        FROM best GROUP BY puskesmas_code, label
    """)


def install_puskesmas_lookup(con: duckdb.DuckDBPyConnection, regency_code: str | None = None) -> None:
    """Temp table `lk_pusk`: puskesmas names and codes to codes, of one kabupaten when it is known."""
    where = "WHERE regency_code = $regency" if regency_code else ""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE lk_pusk AS
        WITH registry AS (SELECT puskesmas_code, puskesmas_name FROM puskesmas {where}),
        labels AS (
            SELECT ilp_pusk_label(puskesmas_name) AS label, puskesmas_code FROM registry
            UNION SELECT ilp_label(puskesmas_code), puskesmas_code FROM registry
        )
        SELECT label, min(puskesmas_code) AS puskesmas_code, count(DISTINCT puskesmas_code) AS n
        FROM labels GROUP BY label
    """,
        {"regency": regency_code} if regency_code else None,
    )


# ------------------------------------------------------------------ long form


def _field_expr(m: Mapping, name: str) -> str:
    if name in m.columns:
        expr = f"c{m.columns[name]}"  # cleaned once (build_long's `cells`)
    elif name in m.constants:
        expr = f"ilp_clean({sql_str(m.constants[name])})"
    else:
        return "CAST(NULL AS VARCHAR)"
    translations = m.values.get(name)
    if translations:
        whens = " ".join(f"WHEN {sql_str(a)} THEN {sql_str(b)}" for a, b in translations.items())
        expr = f"coalesce(CASE ilp_label({expr}) {whens} END, {expr})"
    return expr


LONG_FIELDS = {
    "puskesmas": (
        "puskesmas_code",
        "puskesmas_name",
        "regency_code",
        "district_code",
        "ilp_start_date",
        "cohort",
        "latitude",
        "longitude",
        "district_name",
        "facility_address",
        "facility_phone",
        "facility_type",
    ),
    "desa": ("desa_code", "desa_name", "puskesmas_code", "puskesmas_name", "district_name"),
    "sasaran": ("year", "desa_code", "desa_name", "puskesmas_code", "puskesmas_name", "target_group", "count"),
    "layanan": (
        "service_date",
        "puskesmas_code",
        "puskesmas_name",
        "desa_code",
        "desa_name",
        "nik",
        "person_key",
        "name",
        "birth_date",
        "age_years",
        "sex",
        "service_code",
        "service_name",
        "result",
    ),
    "capaian": (
        "period",
        "year",
        "month",
        "puskesmas_code",
        "puskesmas_name",
        "desa_code",
        "desa_name",
        "service_code",
        "service_name",
        "count",
    ),
    "kesiapan": ("period", "year", "month", "puskesmas_code", "puskesmas_name", "item_code", "value"),
}

WIDE_TARGET = {  # kind -> (code field, value field)
    "sasaran": ("target_group", "count"),
    "capaian": ("service_code", "count"),
    "kesiapan": ("item_code", "value"),
}


def build_long(con: duckdb.DuckDBPyConnection, raw: RawTable, m: Mapping) -> str:
    """Create the long-form `src` table and return its name."""
    # Every cell is cleaned once (`cells`: ilp_clean of each staged column, under the column's own name);
    # the skip rules and the fields read the cleaned cells (cleaning each cell for every rule that reads it
    # cost 1.8 s per million rows).
    # blank and total rows: one definition with the upload preview (ingest/skipped_rows.py)
    blank, total_cond = blank_condition(raw, cleaned=True), total_condition(raw, cleaned=True)
    skip = skip_case(raw, cleaned=True)
    cells = ", ".join(["row_no", *(f"ilp_clean({c}) AS {c}" for c in raw.columns)])
    names = LONG_FIELDS[m.kind]
    base_fields = {n: _field_expr(m, n) for n in names}
    selects: list[str] = []

    def select(overrides: dict[str, str], col_label: str, where: str = "") -> str:
        parts = ["row_no", f"{skip} AS _skip", f"{sql_str(col_label)} AS _col"]
        for n in names:
            parts.append(f"{overrides.get(n, base_fields[n])} AS {n}")
        return f"SELECT {', '.join(parts)} FROM cells" + (f" WHERE {where}" if where else "")

    if m.wide:
        code_field, value_field = WIDE_TARGET[m.kind]
        for idx, code in m.wide:
            selects.append(
                select(
                    {
                        code_field: sql_str(code),
                        value_field: f"c{idx}",
                        "service_name": "CAST(NULL AS VARCHAR)",
                    },
                    raw.headers[idx] or code,
                    where=f"c{idx} IS NOT NULL OR {blank} OR {total_cond}",
                )
            )
    elif m.emit:
        header_index = {h.strip().lower(): i for i, h in enumerate(raw.headers)}
        for e in m.emit:
            over = {"service_code": sql_str(e["service_code"]), "service_name": "CAST(NULL AS VARCHAR)"}
            where = ""
            if e.get("result_from"):
                i = header_index.get(str(e["result_from"]).strip().lower())
                res = f"c{i}" if i is not None else "CAST(NULL AS VARCHAR)"
                rmap = e.get("result_map") or {}
                if rmap:
                    whens = " ".join(
                        f"WHEN {sql_str(str(a).strip().lower())} THEN {sql_str(b)}" for a, b in rmap.items()
                    )
                    res = f"coalesce(CASE lower({res}) {whens} END, {res})"
                over["result"] = res
            if e.get("when_present"):
                i = header_index.get(str(e["when_present"]).strip().lower())
                where = f"c{i} IS NOT NULL" if i is not None else "false"
            selects.append(select(over, m.header_of("service_code"), where))
    else:
        selects.append(select({}, ""))
    name = f"src_{uuid.uuid4().hex[:10]}"
    con.execute(
        f"CREATE TEMP TABLE {name} AS WITH cells AS (SELECT {cells} FROM {raw.relation}) " + " UNION ALL ".join(selects)
    )
    return name


# ------------------------------------------------------------------ per-kind parsing


def _puskesmas_join(alias: str = "s") -> tuple[str, str, list[Check]]:
    """Resolve puskesmas by code (must be in the registry) or by name (unique after normalising)."""
    joins = (
        f" LEFT JOIN puskesmas pc ON upper({alias}.puskesmas_code) = upper(pc.puskesmas_code)"
        f" LEFT JOIN lk_pusk pn ON {alias}.puskesmas_code IS NULL AND pn.label = ilp_pusk_label({alias}.puskesmas_name)"
    )
    cols = (
        "coalesce(pc.puskesmas_code, CASE WHEN pn.n = 1 THEN pn.puskesmas_code END) AS r_puskesmas, "
        "pn.n AS pusk_name_n, pc.district_code AS pusk_district"
    )
    checks = [
        Check("puskesmas_code", "required_missing", "puskesmas_code IS NULL AND puskesmas_name IS NULL"),
        Check(
            "puskesmas_code",
            "unknown_puskesmas",
            "puskesmas_code IS NOT NULL AND r_puskesmas IS NULL",
            "puskesmas_code",
        ),
        Check(
            "puskesmas_name",
            "unknown_puskesmas_name",
            "puskesmas_code IS NULL AND puskesmas_name IS NOT NULL AND pusk_name_n IS NULL",
            "puskesmas_name",
        ),
        Check(
            "puskesmas_name", "ambiguous_puskesmas_name", "puskesmas_code IS NULL AND pusk_name_n > 1", "puskesmas_name"
        ),
    ]
    return joins, cols, checks


def _desa_join(required: bool, src: str, alias: str = "s") -> tuple[str, str, list[Check]]:
    # ilp_region once per distinct code text, joined back on the text: same match as code = ilp_region(text);
    # the checks read it as `desa_region` (= ilp_region(desa_code)) instead of parsing every cell again.
    joins = (
        f" LEFT JOIN (SELECT d.v, d.region, r.code, r.name FROM"
        f" (SELECT v, ilp_region(v) AS region FROM (SELECT DISTINCT desa_code AS v FROM {src})) d"
        f" LEFT JOIN ref_village r ON r.code = d.region) rv ON rv.v = {alias}.desa_code"
        f" LEFT JOIN lk_desa dn ON {alias}.desa_code IS NULL AND dn.label = ilp_desa_label({alias}.desa_name)"
        f"   AND dn.puskesmas_code = coalesce(pc.puskesmas_code, CASE WHEN pn.n = 1 THEN pn.puskesmas_code END)"
    )
    cols = (
        "coalesce(rv.code, CASE WHEN dn.n = 1 THEN dn.desa_code END) AS r_desa, dn.n AS desa_name_n, "
        "rv.name AS ref_desa_name, rv.region AS desa_region"
    )
    checks = [
        Check(
            "desa_code",
            "invalid_region_code",
            "desa_code IS NOT NULL AND (desa_region IS NULL OR length(desa_region) <> 13)",
            "desa_code",
        ),
        Check(
            "desa_code",
            "unknown_desa_code",
            "desa_code IS NOT NULL AND length(desa_region) = 13 AND r_desa IS NULL",
            "desa_code",
        ),
        Check(
            "desa_name",
            "unknown_desa_name",
            "desa_code IS NULL AND desa_name IS NOT NULL AND r_puskesmas IS NOT NULL AND desa_name_n IS NULL",
            "desa_name",
        ),
        Check("desa_name", "ambiguous_desa_name", "desa_code IS NULL AND desa_name_n > 1", "desa_name"),
    ]
    if required:
        checks.insert(0, Check("desa_code", "required_missing", "desa_code IS NULL AND desa_name IS NULL"))
    return joins, cols, checks


def _vocab_join(table: str, raw_expr: str, alias: str, src: str) -> str:
    """Resolve a vocabulary label: normalised once per distinct raw text (a file repeats a few codes over
    many rows), then joined back on the raw text itself — the same match as `label = ilp_label(raw)`."""
    return (
        f" LEFT JOIN (SELECT d.v, t.code FROM (SELECT DISTINCT {raw_expr} AS v FROM {src} s) d"
        f" JOIN {table} t ON t.label = ilp_label(d.v)) {alias} ON {alias}.v = {raw_expr}"
    )


def _period_cols() -> tuple[str, list[Check]]:
    today = date.today()
    cols = (
        "coalesce(ilp_period(s.period), CASE WHEN s.period IS NULL THEN "
        "make_date(TRY_CAST(ilp_int(s.year) AS INTEGER), ilp_month(s.month), 1) END) AS t_period"
    )
    checks = [
        Check("period", "required_missing", "period IS NULL AND (year IS NULL OR month IS NULL)"),
        Check(
            "period",
            "invalid_period",
            "(period IS NOT NULL OR (year IS NOT NULL AND month IS NOT NULL)) AND t_period IS NULL",
            "coalesce(period, year || '-' || month)",
        ),
        Check(
            "period",
            "period_out_of_range",
            f"t_period IS NOT NULL AND (t_period < DATE '{SERVICE_DATE_MIN}' OR t_period > DATE '{today.replace(day=1)}')",
            "strftime(t_period, '%Y-%m')",
        ),
    ]
    return cols, checks


def _count_checks(name: str, typed: str) -> list[Check]:
    return [
        Check(name, "required_missing", f"{name} IS NULL"),
        Check(name, "not_integer", f"{name} IS NOT NULL AND {typed} IS NULL AND ilp_decimal({name}) IS NOT NULL", name),
        Check(name, "not_number", f"{name} IS NOT NULL AND {typed} IS NULL AND ilp_decimal({name}) IS NULL", name),
        Check(name, "negative", f"{typed} < 0", name),
    ]


def _duplicate_check(key: str, field_name: str) -> tuple[str, Check]:
    col = (
        f"row_number() OVER (PARTITION BY {key} ORDER BY row_no) AS dup_rank, "
        f"min(row_no) OVER (PARTITION BY {key}) AS dup_first"
    )
    return col, Check(field_name, "duplicate_key", "dup_rank > 1", "CAST(dup_first AS VARCHAR)", derived=True)


def parse_sql(
    kind: str,
    src: str,
    secret: bytes | None,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    nik_column: bool = False,
) -> tuple[str, list[Check], dict[str, bytes]]:
    """SELECT producing the typed `parsed` table of one kind, its checks, and bound parameters.

    A puskesmas list needs `con` to match its kecamatan names (ingest/areas.py) before the SELECT runs.
    `nik_column`: the service records have a NIK column, so nearly every person key is a NIK's."""
    today = date.today()
    params: dict[str, bytes] = {}
    pj, pcols, pchecks = _puskesmas_join()
    if kind == "layanan":
        dj, dcols, dchecks = _desa_join(required=True, src=src)
        ipad, opad = hmac_pads(secret or b"")
        params = {"ipad": ipad, "opad": opad}
        # Once per distinct NIK text (a person has many visits): its digits, whether it is plausible, the
        # identity it gives ('nik:' and the digits, or none) and that identity's HMAC (two SHA-256).
        nik_values = f"""
            SELECT *, CASE WHEN NOT nik_sci AND nik_plausible THEN 'nik:' || nik_digits END AS nik_identity
            FROM (SELECT v, nik_sci, nik_digits, ilp_nik_plausible(nik_digits) AS nik_plausible FROM (
                SELECT v, ilp_nik_scientific(v) AS nik_sci, ilp_nik_digits(v) AS nik_digits
                FROM (SELECT DISTINCT nik AS v FROM {src})))"""
        inner = f"""
        SELECT s.*, {pcols}, {dcols},
            sv.code AS r_service,
            sd.t_date AS t_service_date,  -- ilp_date once per distinct text (a file has few dates)
            bd.t_date AS t_birth_date,
            ilp_int(s.age_years) AS t_age,
            sx.t_sex,  -- ilp_sex once per distinct text
            nk.nik_sci, nk.nik_digits, nk.nik_plausible, nk.nik_identity, nk.nik_key
        FROM {src} s {pj} {dj} {_vocab_join("lk_service", "coalesce(s.service_code, s.service_name)", "sv", src)}
            LEFT JOIN (SELECT v, ilp_date(v) AS t_date FROM (SELECT DISTINCT service_date AS v FROM {src})) sd
                ON sd.v = s.service_date
            LEFT JOIN (SELECT v, ilp_date(v) AS t_date FROM (SELECT DISTINCT birth_date AS v FROM {src})) bd
                ON bd.v = s.birth_date
            LEFT JOIN (SELECT v, ilp_sex(v) AS t_sex FROM (SELECT DISTINCT sex AS v FROM {src})) sx ON sx.v = s.sex
            LEFT JOIN (SELECT *, {hmac_sql("nik_identity")} AS nik_key FROM ({nik_values})) nk ON nk.v = s.nik
        WHERE s._skip IS NULL"""
        # A NIK gives its identity (or none, when it is not a plausible NIK); without one, the person key
        # of the file, or the name, birth date and desa.
        identity = (
            "CASE WHEN nik IS NOT NULL THEN nik_identity "
            "WHEN person_key IS NOT NULL THEN 'key:' || person_key "
            "WHEN person_key IS NULL AND name IS NOT NULL AND t_birth_date IS NOT NULL "
            "AND r_desa IS NOT NULL THEN 'nama:' || ilp_label(name) || '|' || strftime(t_birth_date, '%Y-%m-%d') "
            "|| '|' || r_desa END"
        )
        # The HMAC is computed once per distinct identity, not per record. With a NIK column, a record with
        # a NIK takes its NIK's key (computed once per NIK above) and the few without one are keyed one by
        # one; without a NIK column the identities are keyed once each (k: 1:1 on identity_msg, NULL
        # identities get NULL). Either way each record's key is the HMAC of its identity.
        if nik_column:
            keyed, key_join = f"CASE WHEN nik IS NOT NULL THEN nik_key ELSE {hmac_sql('identity_msg')} END", ""
            keys = ""
        else:
            keyed, key_join = "k.t_person_key", " LEFT JOIN k ON k.k_msg = j.identity_msg"
            keys = f""",
        k AS (SELECT identity_msg AS k_msg, {hmac_sql("identity_msg")} AS t_person_key
              FROM (SELECT DISTINCT identity_msg FROM j WHERE identity_msg IS NOT NULL))"""
        # Age from the dates: years between them, less one before the birthday (month and day compared as
        # month * 100 + day, the order of their '%m%d' text).
        select = f"""
        WITH i AS ({inner}), j AS (SELECT *, {identity} AS identity_msg FROM i){keys}
        SELECT j.* EXCLUDE (nik_key), {keyed} AS t_person_key, rs.code AS t_result,
            r_service IN (SELECT code FROM lk_aggregate_only) AS aggregate_only_service,
            coalesce(t_age, CAST(date_diff('year', t_birth_date, t_service_date)
                 - CASE WHEN month(t_service_date) * 100 + day(t_service_date)
                             < month(t_birth_date) * 100 + day(t_birth_date) THEN 1 ELSE 0 END
                 AS INTEGER)) AS t_age_years
        FROM j{key_join}
            LEFT JOIN (SELECT v, ilp_label(v) AS label FROM (SELECT DISTINCT result AS v FROM {src})) rl
                ON rl.v = j.result
            LEFT JOIN lk_result rs ON rs.service_code = j.r_service AND rs.label = rl.label"""
        checks = [
            Check("service_date", "required_missing", "service_date IS NULL"),
            Check(
                "service_date", "invalid_date", "service_date IS NOT NULL AND t_service_date IS NULL", "service_date"
            ),
            Check("service_date", "date_in_future", f"t_service_date > DATE '{today}'", "service_date"),
            Check("service_date", "date_too_old", f"t_service_date < DATE '{SERVICE_DATE_MIN}'", "service_date"),
            *pchecks,
            *dchecks,
            Check("service_code", "required_missing", "service_code IS NULL AND service_name IS NULL"),
            Check(
                "service_code",
                "unknown_service",
                "coalesce(service_code, service_name) IS NOT NULL AND r_service IS NULL",
                "coalesce(service_code, service_name)",
            ),
            Check("service_code", "aggregate_only_service", "aggregate_only_service", "r_service", derived=True),
            # Free text never reaches the database: only the catalogue's results of that service.
            Check("result", "unknown_result", "result IS NOT NULL AND r_service IS NOT NULL AND t_result IS NULL"),
            Check("nik", "nik_scientific", "nik IS NOT NULL AND nik_sci"),
            Check(
                "nik",
                "nik_length",
                "nik IS NOT NULL AND NOT nik_sci AND length(nik_digits) <> 16",
                "CAST(length(nik_digits) AS VARCHAR)",
                derived=True,
            ),
            Check(
                "nik",
                "nik_invalid",
                "nik IS NOT NULL AND NOT nik_sci AND length(nik_digits) = 16 AND NOT nik_plausible",
            ),
            Check(
                "nik",
                "identity_missing",
                "nik IS NULL AND person_key IS NULL AND (name IS NULL OR t_birth_date IS NULL)",
            ),
            Check("birth_date", "invalid_date", "birth_date IS NOT NULL AND t_birth_date IS NULL", "birth_date"),
            Check("birth_date", "required_missing", "birth_date IS NULL AND age_years IS NULL"),
            Check("birth_date", "before_birth", "t_birth_date > t_service_date", "birth_date"),
            Check("birth_date", "date_too_old", "t_birth_date < DATE '1900-01-01'", "birth_date"),
            Check(
                "age_years",
                "invalid_age",
                "(age_years IS NOT NULL AND (t_age IS NULL OR t_age < 0 OR t_age > 120)) OR t_age_years > 120",
                "coalesce(age_years, CAST(t_age_years AS VARCHAR))",
            ),
            Check("sex", "required_missing", "sex IS NULL"),
            Check("sex", "invalid_sex", "sex IS NOT NULL AND t_sex IS NULL", "sex"),
        ]
        return select, checks, params
    if kind == "capaian":
        dj, dcols, dchecks = _desa_join(required=False, src=src)
        pcol, pchecks2 = _period_cols()
        dup_col, dup_check = _duplicate_check("t_period, r_puskesmas, r_desa, r_service", "count")
        select = f"""
        WITH i AS (
            SELECT s.*, {pcols}, {dcols}, {pcol}, sv.code AS r_service, ilp_int(s.count) AS t_count
            FROM {src} s {pj} {dj} {_vocab_join("lk_service", "coalesce(s.service_code, s.service_name)", "sv", src)}
            WHERE s._skip IS NULL)
        SELECT *, {dup_col} FROM i"""
        checks = [
            *pchecks2,
            *pchecks,
            *dchecks,
            Check("service_code", "required_missing", "service_code IS NULL AND service_name IS NULL"),
            Check(
                "service_code",
                "unknown_service",
                "coalesce(service_code, service_name) IS NOT NULL AND r_service IS NULL",
                "coalesce(service_code, service_name)",
            ),
            *_count_checks("count", "t_count"),
            dup_check,
        ]
        return select, checks, params
    if kind == "kesiapan":
        pcol, pchecks2 = _period_cols()
        dup_col, dup_check = _duplicate_check("t_period, r_puskesmas, r_item", "value")
        select = f"""
        WITH i AS (
            SELECT s.*, {pcols}, {pcol}, it.code AS r_item, ilp_number(s.value) AS t_value
            FROM {src} s {pj} {_vocab_join("lk_item", "s.item_code", "it", src)}
            WHERE s._skip IS NULL)
        SELECT *, {dup_col} FROM i"""
        checks = [
            *pchecks2,
            *pchecks,
            Check("item_code", "required_missing", "item_code IS NULL"),
            Check("item_code", "unknown_item", "item_code IS NOT NULL AND r_item IS NULL", "item_code"),
            Check("value", "required_missing", "value IS NULL"),
            Check("value", "not_number", "value IS NOT NULL AND t_value IS NULL", "value"),
            Check("value", "negative", "t_value < 0", "value"),
            dup_check,
        ]
        return select, checks, params
    if kind == "sasaran":
        dj, dcols, dchecks = _desa_join(required=False, src=src)
        dup_col, dup_check = _duplicate_check("t_year, area_level, area_code, r_target_group", "count")
        select = f"""
        WITH i AS (
            SELECT s.*, {pcols}, {dcols}, tg.code AS r_target_group, ilp_int(s.count) AS t_count,
                TRY_CAST(ilp_int(s.year) AS INTEGER) AS t_year
            FROM {src} s {pj} {dj} {_vocab_join("lk_target_group", "s.target_group", "tg", src)}
            WHERE s._skip IS NULL),
        a AS (
            SELECT *, CASE WHEN desa_code IS NOT NULL OR desa_name IS NOT NULL THEN 'desa' ELSE 'puskesmas' END AS area_level,
                CASE WHEN desa_code IS NOT NULL OR desa_name IS NOT NULL THEN r_desa ELSE r_puskesmas END AS area_code
            FROM i)
        SELECT *, {dup_col} FROM a"""
        pchecks_opt = [c for c in pchecks if c.reason != "required_missing"]
        checks = [
            Check("year", "required_missing", "year IS NULL"),
            Check(
                "year",
                "invalid_year",
                f"year IS NOT NULL AND (t_year IS NULL OR t_year < 2000 OR t_year > {today.year + 5})",
                "year",
            ),
            Check(
                "desa_code",
                "required_missing",
                "desa_code IS NULL AND desa_name IS NULL AND puskesmas_code IS NULL AND puskesmas_name IS NULL",
            ),
            *pchecks_opt,
            *dchecks,
            Check(
                "desa_name",
                "puskesmas_needed_for_name",
                "desa_code IS NULL AND desa_name IS NOT NULL AND r_puskesmas IS NULL AND puskesmas_code IS NULL "
                "AND puskesmas_name IS NULL",
            ),
            Check("target_group", "required_missing", "target_group IS NULL"),
            Check(
                "target_group",
                "unknown_target_group",
                "target_group IS NOT NULL AND r_target_group IS NULL",
                "target_group",
            ),
            *_count_checks("count", "t_count"),
            dup_check,
        ]
        return select, checks, params
    if kind == "puskesmas":
        if con is not None:
            install_district_names(con, src)
        dup_col, dup_check = _duplicate_check("upper(puskesmas_code)", "puskesmas_code")
        select = f"""
        WITH i AS (
            SELECT s.*, ilp_region(s.regency_code) AS t_regency_raw,
                coalesce(ilp_region(s.district_code), dn.code) AS t_district,
                CASE WHEN s.district_code IS NOT NULL THEN 'code' WHEN dn.code IS NOT NULL THEN dn.method END
                    AS t_district_from,
                dn.method AS district_name_method, dn.ref_name AS district_ref_name,
                '''' || s.district_name || ''' (' || dn.candidates || ')' AS district_candidates,
                ilp_date(s.ilp_start_date) AS t_ilp_start, ilp_decimal(s.latitude) AS t_lat,
                ilp_decimal(s.longitude) AS t_lon, lower(s.cohort) AS t_cohort
            FROM {src} s LEFT JOIN lk_district_name dn ON s.district_code IS NULL
                AND dn.raw = coalesce(s.district_name, s.facility_address) AND dn.regency = ilp_region(s.regency_code)
                AND dn.source = CASE WHEN s.district_name IS NOT NULL THEN 'name' ELSE 'address' END
            WHERE s._skip IS NULL),
        r AS (
            SELECT i.*, coalesce(t_regency_raw, left(t_district, 5)) AS t_regency,
                rr.code AS ref_regency, rd.code AS ref_district, rd.regency_code AS ref_district_regency
            FROM i
            LEFT JOIN ref_regency rr ON rr.code = coalesce(i.t_regency_raw, left(i.t_district, 5))
            LEFT JOIN ref_district rd ON rd.code = i.t_district)
        SELECT *, {dup_col} FROM r"""
        checks = [
            Check("puskesmas_code", "required_missing", "puskesmas_code IS NULL"),
            Check(
                "puskesmas_code",
                "invalid_puskesmas_code",
                "puskesmas_code IS NOT NULL AND NOT regexp_full_match(puskesmas_code, '[A-Za-z0-9._-]{1,32}')",
                "puskesmas_code",
            ),
            Check("puskesmas_name", "required_missing", "puskesmas_name IS NULL"),
            Check("regency_code", "required_missing", "regency_code IS NULL AND district_code IS NULL"),
            Check(
                "district_name",
                "unknown_district_name",
                "district_code IS NULL AND district_name IS NOT NULL AND district_name_method = 'unknown'",
                "district_name",
            ),
            Check(
                "district_name",
                "ambiguous_district_name",
                "district_code IS NULL AND district_name IS NOT NULL AND district_name_method = 'ambiguous'",
                "district_candidates",
                derived=True,  # the text matched two reference kecamatan closely: a place, shown with them
            ),
            Check(
                "regency_code",
                "unknown_regency",
                "t_regency IS NOT NULL AND ref_regency IS NULL",
                "coalesce(regency_code, district_code)",
            ),
            Check(
                "regency_code",
                "invalid_region_code",
                "regency_code IS NOT NULL AND (t_regency_raw IS NULL OR length(t_regency_raw) <> 5)",
                "regency_code",
            ),
            Check(
                "district_code",
                "unknown_district",
                "district_code IS NOT NULL AND (t_district IS NULL OR ref_district IS NULL)",
                "district_code",
            ),
            Check(
                "district_code",
                "district_outside_regency",
                "ref_district IS NOT NULL AND ref_district_regency <> t_regency",
                "district_code",
            ),
            Check(
                "ilp_start_date", "invalid_date", "ilp_start_date IS NOT NULL AND t_ilp_start IS NULL", "ilp_start_date"
            ),
            Check(
                "ilp_start_date",
                "date_out_of_range",
                f"t_ilp_start < DATE '2020-01-01' OR t_ilp_start > DATE '{today.year + 2}-12-31'",
                "ilp_start_date",
            ),
            Check(
                "latitude",
                "invalid_coordinate",
                "(latitude IS NOT NULL AND (t_lat IS NULL OR t_lat NOT BETWEEN -11.5 AND 6.5))",
                "latitude",
            ),
            Check(
                "longitude",
                "invalid_coordinate",
                "(longitude IS NOT NULL AND (t_lon IS NULL OR t_lon NOT BETWEEN 94.5 AND 141.5))",
                "longitude",
            ),
            dup_check,
        ]
        return select, checks, params
    if kind == "desa":
        dup_col, dup_check = _duplicate_check("t_desa", "desa_code")
        select = f"""
        WITH i AS (
            SELECT s.*, {pcols} FROM {src} s {pj} WHERE s._skip IS NULL),
        named AS (  -- a desa given by name: the villages so named in the row's kecamatan (its kecamatan
                    -- column), else in the puskesmas's kecamatan, else in its kabupaten
            SELECT i.row_no, v.code, v.name,
                CASE WHEN v.district_code = kd.code THEN 1 WHEN v.district_code = pr.district_code THEN 2 ELSE 3
                END AS pref
            FROM i JOIN puskesmas pr ON pr.puskesmas_code = i.r_puskesmas
            JOIN ref_village v ON left(v.district_code, 5) = pr.regency_code
                AND ilp_desa_label(v.name) = ilp_desa_label(i.desa_name)
            LEFT JOIN ref_district kd ON kd.regency_code = pr.regency_code
                AND replace(ilp_label(kd.name), ' ', '')
                    = replace(regexp_replace(ilp_label(i.district_name), '^(kecamatan|kec) ', ''), ' ', '')
            WHERE i.desa_code IS NULL AND i.desa_name IS NOT NULL),
        nearest AS (SELECT * FROM named QUALIFY pref = min(pref) OVER (PARTITION BY row_no)),
        best AS (
            SELECT row_no, min(code) AS code, count(DISTINCT code) AS n,
                string_agg(DISTINCT name || ' ' || code, ' / ' ORDER BY name || ' ' || code) AS candidates
            FROM nearest GROUP BY row_no),
        r AS (
            SELECT i.*, coalesce(ilp_region(i.desa_code), CASE WHEN b.n = 1 THEN b.code END) AS t_desa,
                b.n AS desa_name_n, '''' || i.desa_name || ''' (' || b.candidates || ')' AS desa_candidates
            FROM i LEFT JOIN best b ON b.row_no = i.row_no)
        SELECT r.*, rv.code AS ref_code, rv.name AS ref_name, {dup_col}
        FROM r LEFT JOIN ref_village rv ON rv.code = r.t_desa"""
        checks = [
            Check("desa_code", "required_missing", "desa_code IS NULL AND desa_name IS NULL"),
            Check(
                "desa_code",
                "invalid_region_code",
                "desa_code IS NOT NULL AND (t_desa IS NULL OR length(t_desa) <> 13)",
                "desa_code",
            ),
            Check(
                "desa_code",
                "unknown_desa_code",
                "desa_code IS NOT NULL AND t_desa IS NOT NULL AND length(t_desa) = 13 AND ref_code IS NULL",
                "desa_code",
            ),
            Check(
                "desa_name",
                "unknown_desa_name_in_regency",
                "desa_code IS NULL AND desa_name IS NOT NULL AND r_puskesmas IS NOT NULL AND desa_name_n IS NULL",
                "desa_name",
            ),
            Check(
                "desa_name",
                "ambiguous_desa_name_in_regency",
                "desa_code IS NULL AND desa_name_n > 1",
                "desa_candidates",
                derived=True,  # an exact reference desa name found twice: a place, shown with its codes
            ),
            *pchecks,
            dup_check,
        ]
        return select, checks, params
    raise ValueError(kind)


def _report_value(check: Check) -> str:
    f = FIELDS.get(check.field)
    if f is not None and f.personal and not check.derived:
        return "NULL"
    return check.value


def _present(m: Mapping, field_name: str) -> bool:
    """The file has a column (or the profile a constant) for `field_name`."""
    return field_name in m.columns or field_name in m.constants


def _reason(m: Mapping, field_name: str, reason: str) -> str:
    """A required field the file has no column for is told as a missing column, not an empty one."""
    if reason == "required_missing" and not _present(m, field_name):
        return "column_missing"
    return reason


# Records checked one by one (no check compares two records: no duplicate key, no dedupe): the parsed table
# keeps only the typed columns the load and the report read, and whether any check refuses the record
# (`_refused`); the full parse, with the cells' text a refusal quotes, is made again for the refused rows
# only (none in a clean file). Writing every cell's text and every intermediate column of a million
# records into the parsed table, then running each check over it, cost about 7 s of the upload.
TYPED_COLUMNS = {
    "layanan": (
        "row_no",
        "_col",
        "r_puskesmas",
        "r_desa",
        "r_service",
        "t_service_date",
        "t_birth_date",
        "t_age",
        "t_age_years",
        "t_sex",
        "t_person_key",
        "t_result",
    ),
}
TYPED_FLAGS = ("_refused", "_nik_given", "_nik_keyed", "_nik_zero")
NIK_KEYED = "t_person_key IS NOT NULL AND nik IS NOT NULL"  # a NIK keyed: counted for nik_column_truncated
NIK_ZERO = f"{NIK_KEYED} AND right(nik_digits, 1) = '0'"


def _keeps_typed_only(m: Mapping) -> bool:
    return m.kind in TYPED_COLUMNS and not m.dedupe_on


def _typed_select(m: Mapping, select: str, checks: list[Check]) -> str:
    """The parse of a kind in TYPED_COLUMNS: its typed columns, `_refused` (some check holds: a check
    refuses where its condition is true, never where it is NULL) and the NIK flags of the truncation rule."""
    refused = " OR ".join(f"({c.condition}) IS TRUE" for c in checks) or "false"
    return (
        f"SELECT {', '.join(TYPED_COLUMNS[m.kind])}, {refused} AS _refused, nik IS NOT NULL AS _nik_given, "
        f"{NIK_KEYED} AS _nik_keyed, {NIK_ZERO} AS _nik_zero FROM ({select}) p"
    )


def _refused_in_full(
    con: duckdb.DuckDBPyConnection, m: Mapping, src: str, parsed: str, secret: bytes | None, params: dict[str, bytes]
) -> tuple[str, list[str]]:
    """The full parse of the refused rows (the same statement over their long-form records: each record's
    parse depends on its own row alone), and the temporary tables made for it."""
    refused_src = f"src_refused_{uuid.uuid4().hex[:10]}"
    con.execute(
        f"CREATE TEMP TABLE {refused_src} AS SELECT * FROM {src} "
        f"WHERE row_no IN (SELECT row_no FROM {parsed} WHERE _refused)"
    )
    select, _, _ = parse_sql(m.kind, refused_src, secret, con, nik_column="nik" in m.columns)
    checked = f"parsed_refused_{uuid.uuid4().hex[:10]}"
    con.execute(f"CREATE TEMP TABLE {checked} AS {select}", params)
    return checked, [refused_src, checked]


def validate(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    m: Mapping,
    cat: Catalogue,
    *,
    secret: bytes | None,
    max_refusals: int = 1000,
) -> Validation:
    """Parse, resolve and check every record; nothing is written to the database's tables."""
    src = build_long(con, raw, m)
    select, checks, params = parse_sql(m.kind, src, secret, con, nik_column="nik" in m.columns)
    parsed = f"parsed_{uuid.uuid4().hex[:10]}"
    temps = [src, parsed]
    typed = _keeps_typed_only(m)
    if typed:
        con.execute(f"CREATE TEMP TABLE {parsed} AS {_typed_select(m, select, checks)}", params)
    else:
        con.execute(f"CREATE TEMP TABLE {parsed} AS {select}", params)
    if m.kind == "layanan" and "nik" in m.columns:
        keyed = "_nik_keyed" if typed else NIK_KEYED
        zero = "_nik_zero" if typed else NIK_ZERO
        n_ok, n_zero = single_row(
            con.execute(f"SELECT count(*) FILTER (WHERE {keyed}), count(*) FILTER (WHERE {zero}) FROM {parsed}")
        )
        if n_ok >= NIK_TRUNCATION_MIN_ROWS and n_zero == n_ok:
            checks.append(Check("nik", "nik_column_truncated", "nik IS NOT NULL"))
            if typed:
                con.execute(f"UPDATE {parsed} SET _refused = true WHERE _nik_given")
    if m.dedupe_on and m.kind == "layanan":
        key = ", ".join({"nik": "t_person_key", "service_date": "t_service_date"}.get(f, f) for f in m.dedupe_on)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {parsed} AS
            SELECT * EXCLUDE (_dedupe_rank) FROM (
                SELECT *, row_number() OVER (PARTITION BY r_service, {key} ORDER BY row_no) AS _dedupe_rank
                FROM {parsed}) WHERE _dedupe_rank = 1 OR {key.split(",")[0]} IS NULL
        """)
    checked = parsed  # the relation the checks run over: every record, or the refused ones in full
    if typed:
        checked, extra = _refused_in_full(con, m, src, parsed, secret, params)
        temps += extra
    refusal = f"refusal_{uuid.uuid4().hex[:10]}"
    # One refusal per row and reason: only a wide table's value cells name their own column (_col).
    union = " UNION ALL ".join(
        f"SELECT row_no, {sql_str(c.field)} AS field, {sql_str(_reason(m, c.field, c.reason))} AS reason, "
        f"CAST({_report_value(c)} AS VARCHAR) AS value, "
        f"{'_col' if c.field in WIDE_VALUE_FIELDS else sql_str('')} AS _col, {str(c.derived).lower()} AS derived "
        f"FROM {checked} WHERE {c.condition}"
        for c in checks
    )
    con.execute(f"CREATE TEMP TABLE {refusal} AS SELECT DISTINCT * FROM ({union})")
    accepted = f"accepted_{uuid.uuid4().hex[:10]}"
    columns = f"* EXCLUDE ({', '.join(TYPED_FLAGS)})" if typed else "*"
    con.execute(
        f"CREATE TEMP VIEW {accepted} AS SELECT {columns} FROM {parsed} p "
        f"WHERE NOT EXISTS (SELECT 1 FROM {refusal} r WHERE r.row_no = p.row_no)"
    )
    # A file read one record per row (no wide table, no emitted services) has each row_no once.
    one_per_row = not m.wide and not m.emit
    rows_of = "count(*)" if one_per_row else "count(DISTINCT row_no)"
    rows_read, rows_skipped = single_row(
        con.execute(
            f"SELECT {rows_of} FILTER (WHERE _skip IS NULL), {rows_of} FILTER (WHERE _skip IS NOT NULL) FROM {src}"
        )
    )
    if m.dedupe_on:
        kept = single_row(con.execute(f"SELECT count(DISTINCT row_no) FROM {parsed}"))[0]
        rows_skipped += rows_read - kept
        rows_read = kept
    rows_refused = single_row(con.execute(f"SELECT count(DISTINCT row_no) FROM {refusal}"))[0]
    rows_accepted, records = single_row(con.execute(f"SELECT {rows_of}, count(*) FROM {accepted}"))
    rows = con.execute(
        f"SELECT row_no, field, reason, value, _col, derived FROM {refusal} ORDER BY row_no, field, reason "
        f"LIMIT {int(max_refusals)}"
    ).fetchall()
    refusals = [
        Refusal(
            row=r[0],
            column=(r[4] if r[4] and r[1] in WIDE_VALUE_FIELDS else _header(m, r[1])),
            field=r[1],
            reason_code=r[2],
            value=shown_value(r[1], r[3], derived=r[5]),
        )
        for r in rows
    ]
    counts = [
        {"column": _header(m, f), "field": f, "reason_code": reason, "rows": n}
        for f, reason, n in con.execute(
            f"SELECT field, reason, count(DISTINCT row_no) FROM {refusal} GROUP BY ALL ORDER BY 3 DESC"
        ).fetchall()
    ]
    period_col = {"layanan": "t_service_date", "capaian": "t_period", "kesiapan": "t_period"}.get(m.kind)
    p_start = p_end = None
    if period_col and records:
        p_start, p_end = single_row(con.execute(f"SELECT min({period_col}), max({period_col}) FROM {accepted}"))
    return Validation(
        kind=m.kind,
        mapping=m,
        parsed=parsed,
        accepted=accepted,
        rows_read=rows_read,
        rows_skipped=rows_skipped,
        rows_refused=rows_refused,
        rows_accepted=rows_accepted,
        records_accepted=records,
        refusals=refusals,
        refusal_counts=counts,
        period_start=p_start,
        period_end=p_end,
        temp_relations=[*temps, refusal, accepted],
    )


WIDE_VALUE_FIELDS = {"count", "value"}


def _header(m: Mapping, field_name: str) -> str | None:
    """The file's header of `field_name`; None when the file has no such column (the report then names the
    field in the user's words)."""
    if field_name in m.columns:
        return m.headers[m.columns[field_name]] or None
    return None


def drop_temp(con: duckdb.DuckDBPyConnection, v: Validation) -> None:
    for name in reversed(v.temp_relations):
        kind = "VIEW" if name.startswith("accepted_") else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS {name}")
