"""Value parsers as DuckDB macros: one definition per quirk, applied to whole columns at once.

Each macro turns a text cell into a typed value or NULL; the validator turns NULL-where-text-was into
a refusal with a reason. Rules (documented in docs/ingest.md):
- dates: dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd (also with a time), dd.mm.yyyy, Excel serial numbers;
  day-first always (Indonesian usage), two-digit years are refused.
- integers (counts): `1234`, Indonesian thousands `1.234`, `1.234.567`, English `1,234,567`; `12,0` or
  `12.0` are 12; `12,5` is not an integer.
- decimals (coordinates, readiness values): `-4,95` and `-4.95`; `1.234,5`; `1,234.5`.
- region codes: with or without dots, `7309042005` -> `73.09.04.2005`.
- periods: YYYY-MM, MM/YYYY, YYYY/MM, full dates, Excel serials, `Maret 2024`, `Mar 2024`, `March 2024`.

`ilp_clean` (every cell goes through it) is CLEAN_REFERENCE: no-break spaces as spaces, byte-order marks
removed, trimmed (DuckDB trims Unicode space separators), empty as NULL. It skips the replacing when
neither character is in the cell, and the trimming when the cell starts and ends with a visible ASCII
character (no space separator is one): the same text, a third less work per cell. A cell of ASCII only
(as many bytes as characters: a cheap test) holds neither character, and its last character is found by
its byte length: half the work again, for the cells of almost every file.
"""

from __future__ import annotations

import duckdb

DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
)
PERIOD_FORMATS = ("%Y-%m", "%Y/%m", "%m/%Y", "%m-%Y", "%Y.%m")

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "peb": 2,
    "mar": 3,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "ags": 8,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "nop": 11,
    "des": 12,
    "dec": 12,
}


def _list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + i + "'" for i in items) + "]"


def _month_case(expr: str) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _MONTHS.items())
    return f"(CASE left(lower({expr}), 3) {whens} END)"


# What ilp_clean computes (tests/test_values.py compares the two).
CLEAN_REFERENCE = "nullif(trim(replace(replace(CAST(s AS VARCHAR), chr(160), ' '), chr(65279), '')), '')"

MACROS = f"""
CREATE OR REPLACE TEMP MACRO ilp_clean(s) AS CASE
    WHEN strlen(CAST(s AS VARCHAR)) = length(CAST(s AS VARCHAR))  -- ASCII only (bytes = characters)
         AND ascii(CAST(s AS VARCHAR)) BETWEEN 33 AND 127
         AND ascii(substr(CAST(s AS VARCHAR), strlen(CAST(s AS VARCHAR)), 1)) BETWEEN 33 AND 127
        THEN CAST(s AS VARCHAR)
    WHEN contains(CAST(s AS VARCHAR), chr(160)) OR contains(CAST(s AS VARCHAR), chr(65279))
        THEN nullif(trim(replace(replace(CAST(s AS VARCHAR), chr(160), ' '), chr(65279), '')), '')
    WHEN ascii(CAST(s AS VARCHAR)) BETWEEN 33 AND 127 AND ascii(right(CAST(s AS VARCHAR), 1)) BETWEEN 33 AND 127
        THEN CAST(s AS VARCHAR)
    ELSE nullif(trim(CAST(s AS VARCHAR)), '')
END;

CREATE OR REPLACE TEMP MACRO ilp_label(s) AS
    nullif(trim(regexp_replace(lower(strip_accents(CAST(s AS VARCHAR))), '[^a-z0-9]+', ' ', 'g')), '');

CREATE OR REPLACE TEMP MACRO ilp_pusk_label(s) AS
    regexp_replace(ilp_label(s), '^(uptd |upt |upt d )?(puskesmas |pkm |pusk )', '');

CREATE OR REPLACE TEMP MACRO ilp_desa_label(s) AS
    regexp_replace(ilp_label(s), '^(desa |kelurahan |kel |ds )', '');

CREATE OR REPLACE TEMP MACRO ilp_date(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '\\d{{5}}(\\.\\d+)?')
        THEN DATE '1899-12-30' + CAST(floor(CAST(s AS DOUBLE)) AS INTEGER)
    WHEN regexp_full_match(s, '\\d{{1,2}}[/.-]\\d{{1,2}}[/.-]\\d{{2}}') THEN NULL
    ELSE CAST(try_strptime(s, {_list(DATE_FORMATS)}) AS DATE)
END;

CREATE OR REPLACE TEMP MACRO ilp_int(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '-?\\d{{1,18}}') THEN TRY_CAST(s AS BIGINT)
    WHEN regexp_full_match(s, '-?\\d{{1,3}}(\\.\\d{{3}})+') THEN TRY_CAST(replace(s, '.', '') AS BIGINT)
    WHEN regexp_full_match(s, '-?\\d{{1,3}}(,\\d{{3}}){{2,}}') THEN TRY_CAST(replace(s, ',', '') AS BIGINT)
    WHEN regexp_full_match(s, '-?\\d+[.,]0+') THEN TRY_CAST(regexp_extract(s, '^(-?\\d+)', 1) AS BIGINT)
    ELSE NULL
END;

CREATE OR REPLACE TEMP MACRO ilp_decimal(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '-?\\d+(\\.\\d+)?') THEN TRY_CAST(s AS DOUBLE)
    WHEN regexp_full_match(s, '-?\\d+,\\d+') THEN TRY_CAST(replace(s, ',', '.') AS DOUBLE)
    WHEN regexp_full_match(s, '-?\\d{{1,3}}(\\.\\d{{3}})+,\\d+') THEN TRY_CAST(replace(replace(s, '.', ''), ',', '.') AS DOUBLE)
    WHEN regexp_full_match(s, '-?\\d{{1,3}}(,\\d{{3}})+\\.\\d+') THEN TRY_CAST(replace(s, ',', '') AS DOUBLE)
    ELSE NULL
END;

CREATE OR REPLACE TEMP MACRO ilp_number(s) AS coalesce(CAST(ilp_int(s) AS DOUBLE), ilp_decimal(s), CASE
    WHEN ilp_label(s) IN ('ya', 'y', 'ada', 'sudah', 'true', 'yes', 'v') THEN 1.0
    WHEN ilp_label(s) IN ('tidak', 't', 'tidak ada', 'belum', 'false', 'no', 'n') THEN 0.0
END);

CREATE OR REPLACE TEMP MACRO ilp_region(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '\\d{{2}}(\\.\\d{{2}}(\\.\\d{{2}}(\\.\\d{{4}})?)?)?') THEN s
    WHEN regexp_full_match(s, '\\d{{10}}(\\.0+)?')
        THEN substr(s, 1, 2) || '.' || substr(s, 3, 2) || '.' || substr(s, 5, 2) || '.' || substr(s, 7, 4)
    WHEN regexp_full_match(s, '\\d{{6}}(\\.0+)?') THEN substr(s, 1, 2) || '.' || substr(s, 3, 2) || '.' || substr(s, 5, 2)
    WHEN regexp_full_match(s, '\\d{{4}}(\\.0+)?') THEN substr(s, 1, 2) || '.' || substr(s, 3, 2)
    ELSE NULL
END;

CREATE OR REPLACE TEMP MACRO ilp_month_start(d) AS CAST(date_trunc('month', d) AS DATE);

CREATE OR REPLACE TEMP MACRO ilp_period(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '\\d{{5}}(\\.\\d+)?') THEN ilp_month_start(ilp_date(s))
    WHEN regexp_full_match(s, '[A-Za-z]+\\.?[ /-]*\\d{{4}}')
        THEN make_date(CAST(regexp_extract(s, '(\\d{{4}})$', 1) AS INTEGER),
                       {_month_case("s")}, 1)
    ELSE coalesce(CAST(try_strptime(s, {_list(PERIOD_FORMATS)}) AS DATE), ilp_month_start(ilp_date(s)))
END;

CREATE OR REPLACE TEMP MACRO ilp_month(s) AS CASE
    WHEN s IS NULL THEN NULL
    WHEN regexp_full_match(s, '\\d{{1,2}}(\\.0+)?') AND TRY_CAST(regexp_extract(s, '^(\\d+)', 1) AS INTEGER) BETWEEN 1 AND 12
        THEN TRY_CAST(regexp_extract(s, '^(\\d+)', 1) AS INTEGER)
    ELSE {_month_case("trim(s)")}
END;

CREATE OR REPLACE TEMP MACRO ilp_sex(s) AS CASE
    WHEN ilp_label(s) IN ('l', 'lk', 'laki laki', 'laki', 'pria', 'm', 'male', '1') THEN 'L'
    WHEN ilp_label(s) IN ('p', 'pr', 'perempuan', 'wanita', 'f', 'female', '2') THEN 'P'
END;

CREATE OR REPLACE TEMP MACRO ilp_nik_scientific(s) AS regexp_full_match(s, '\\d+([.,]\\d+)?[eE][+]?\\d+');
CREATE OR REPLACE TEMP MACRO ilp_nik_digits(s) AS
    regexp_replace(regexp_replace(s, '[.,]0+$', ''), '[^0-9]', '', 'g');
CREATE OR REPLACE TEMP MACRO ilp_nik_plausible(d) AS
    length(d) = 16 AND TRY_CAST(substr(d, 1, 2) AS INTEGER) BETWEEN 11 AND 94 AND substr(d, 13, 4) <> '0000';
"""


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)
