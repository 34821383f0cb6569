"""Synthetic province-scale data (Sulawesi Selatan: 24 kabupaten/kota), generated in DuckDB SQL.

The structure is the demo's (`ilp_metrics.demo.generate`) scaled to a province, without its story:

- registry: every kecamatan of province 73 in the Kemendagri reference gets one puskesmas per ~7 desa
  (at least one): 24 kabupaten, 313 kecamatan, ~450 puskesmas, 3,059 desa; ILP start dates spread over
  2023-01 .. 2025-06;
- sasaran: per desa and year, from a desa population of 1,000–6,000 (≈ 9.4 M people in the province)
  with the demo's PWS formulas (`sasaran_for`);
- kesiapan: the 11 readiness items per puskesmas and month, 2024-01 .. 2025-12;
- layanan: N service records over 2024-01-01 .. 2025-12-31 by a population of min(N / 4, 9.4 M) persons
  (so every person has about four records: repeat visits, several services, both years); each person
  lives in one desa, has a sex and a birth date, and receives only services fitting their age and sex
  (ANC for women 15–49, weighing for under-fives, …), with results where indicators filter on them
  (stunting, anemia, TB treatment outcome).

Files are written the way district extracts arrive: `;`-separated CSV with Indonesian headers, dd/mm/yyyy
dates, 16-digit NIKs and desa codes without dots (SATUSEHAT style), one layanan file per kabupaten and
year. NIKs are generated at run time (kecamatan + birth date, +40 on the day for women, + serial) and are
never written into the repository. Everything is deterministic (hash-based draws, no RNG state).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ilp_metrics.core.config import PROJECT_ROOT
from ilp_metrics.demo.generate import TARGET_GROUPS, sasaran_for

PROVINCE = "73"
YEARS = (2024, 2025)
DESA_PER_PUSKESMAS = 7
DESA_COUNT = 3059  # desa of province 73 in the reference (checked in prepare)
PROVINCE_POPULATION = 9_400_000
REFERENCE = PROJECT_ROOT / "data" / "reference"

# Services by person class, with a weight (copies in the draw list) and the results drawn for them.
# classes: balita (0-4), anak (5-14), wanita (women 15-49), dewasa (others 15-59), lansia (60+).
_SERVICES = {
    "balita": [
        ("BALITA_DITIMBANG", 6),
        ("BALITA_DIPANTAU", 2),
        ("SKRINING_STUNTING", 2),
        ("IMUNISASI_DASAR_LENGKAP", 1),
        ("KN_LENGKAP", 1),
    ],
    "anak": [("SKRINING_ANAK_SEKOLAH", 3), ("SKRINING_ANEMIA_REMAJA", 1), ("KUNJUNGAN_RUMAH", 1)],
    "wanita": [
        ("ANC_K1", 1),
        ("ANC_K6", 1),
        ("KUNJUNGAN_ANC", 3),
        ("PERSALINAN_FASKES", 1),
        ("KF_LENGKAP", 1),
        ("SKRINING_USIA_PRODUKTIF", 2),
        ("SKRINING_KANKER_SERVIKS", 1),
        ("SKRINING_KANKER_PAYUDARA", 1),
        ("TES_HIV", 1),
        ("YANKES_HIPERTENSI", 1),
    ],
    "dewasa": [
        ("SKRINING_USIA_PRODUKTIF", 3),
        ("YANKES_HIPERTENSI", 3),
        ("YANKES_DM", 1),
        ("TES_HIV", 1),
        ("YANKES_TERDUGA_TB", 1),
        ("PENGOBATAN_TB", 1),
        ("YANKES_ODGJ_BERAT", 1),
        ("SKRINING_JIWA", 1),
        ("KASUS_DBD", 1),
    ],
    "lansia": [("SKRINING_LANSIA", 3), ("YANKES_HIPERTENSI", 3), ("YANKES_DM", 2), ("KUNJUNGAN_RUMAH", 1)],
}
# service -> (results, modulus): result = results[hash % modulus] when below len(results), else 'normal'.
_RESULTS = {
    "SKRINING_STUNTING": (("stunting",), 5),  # one in five stunted
    "SKRINING_ANEMIA_REMAJA": (("anemia",), 4),
    "PENGOBATAN_TB": (("sembuh", "pengobatan_lengkap", "gagal", "putus_berobat"), 5),
}

LAYANAN_HEADER = ("Tanggal Pelayanan", "Kode Puskesmas", "Kode Desa", "NIK", "Tgl Lahir", "JK", "Kode Layanan", "Hasil")


@dataclass
class Province:
    """What the generator wrote: registry files (load first) and layanan files (one per kabupaten-year)."""

    out: Path
    registry_files: list[tuple[str, Path]]  # (kind, path) in load order
    layanan_files: list[Path]
    records: int
    persons: int
    puskesmas: int
    desa: int


def _svc_rows() -> list[tuple[str, int, str]]:
    rows = []
    for cls, items in _SERVICES.items():
        k = 0
        for code, weight in items:
            for _ in range(weight):
                rows.append((cls, k, code))
                k += 1
    return rows


def _registry(con: duckdb.DuckDBPyConnection) -> None:
    """s_pusk and s_desa temp tables from the reference areas of province 73."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_village AS
        SELECT v.code AS desa_code, v.name AS desa_name, v.district_code,
               row_number() OVER (PARTITION BY v.district_code ORDER BY v.code) - 1 AS k,
               count(*) OVER (PARTITION BY v.district_code) AS n_kec
        FROM read_csv('{REFERENCE / "villages.csv"}', all_varchar = true) v
        WHERE v.code LIKE '{PROVINCE}.%'
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_desa AS
        SELECT desa_code, desa_name, district_code,
               'P' || replace(district_code, '.', '') || lpad(CAST(201 + k % greatest(1, CAST(round(n_kec / {DESA_PER_PUSKESMAS}) AS INTEGER)) AS VARCHAR), 4, '0') AS puskesmas_code,
               1000 + hash(desa_code, 'pop') % 5001 AS penduduk
        FROM s_village
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE s_pusk AS
        WITH p AS (
            SELECT puskesmas_code, any_value(district_code) AS district_code, count(*) AS n_desa
            FROM s_desa GROUP BY puskesmas_code
        )
        SELECT p.puskesmas_code, 'Puskesmas ' || d.name || CASE WHEN right(p.puskesmas_code, 2) = '01' THEN ''
                   ELSE ' ' || CAST(CAST(right(p.puskesmas_code, 2) AS INTEGER) AS VARCHAR) END AS puskesmas_name,
               left(p.district_code, 5) AS regency_code, p.district_code, p.n_desa,
               DATE '2023-01-01' + INTERVAL (hash(p.puskesmas_code, 'ilp') % 30) MONTH AS ilp_start_date
        FROM p JOIN read_csv('{REFERENCE / "districts.csv"}', all_varchar = true) d ON d.code = p.district_code
    """)


def _write_csv(path: Path, header: tuple[str, ...], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows)


def _write_registry(con: duckdb.DuckDBPyConnection, out: Path) -> list[tuple[str, Path]]:
    files = []
    pusk = con.execute("""
        SELECT puskesmas_code, puskesmas_name, regency_code, district_code, strftime(ilp_start_date, '%d/%m/%Y'),
               CASE WHEN ilp_start_date < DATE '2024-01-01' THEN 'pilot' ELSE 'adopter' END
        FROM s_pusk ORDER BY 1""").fetchall()
    files.append(("puskesmas", out / "puskesmas.csv"))
    _write_csv(
        files[-1][1],
        ("Kode Puskesmas", "Nama Puskesmas", "Kode Kabupaten", "Kode Kecamatan", "Tanggal Mulai ILP", "Kohort"),
        pusk,
    )
    desa = con.execute("SELECT desa_code, desa_name, puskesmas_code FROM s_desa ORDER BY 1").fetchall()
    files.append(("desa", out / "desa.csv"))
    _write_csv(files[-1][1], ("Kode Desa", "Nama Desa", "Kode Puskesmas"), desa)
    rows = []
    for code, penduduk in con.execute("SELECT desa_code, penduduk FROM s_desa ORDER BY 1").fetchall():
        for year in YEARS:
            targets = sasaran_for(int(penduduk * (1.011 ** (year - 2024))))
            rows.extend((year, code, g, targets[g]) for g in TARGET_GROUPS)
    files.append(("sasaran", out / "sasaran.csv"))
    _write_csv(files[-1][1], ("Tahun", "Kode Desa", "Kelompok Sasaran", "Jumlah"), rows)
    kesiapan = con.execute("""
        WITH m AS (SELECT unnest(generate_series(DATE '2024-01-01', DATE '2025-12-01', INTERVAL 1 MONTH)) AS period),
        base AS (
            SELECT p.puskesmas_code, p.n_desa, m.period, p.ilp_start_date,
                   least(1.0, greatest(0.0, date_diff('month', p.ilp_start_date, m.period) / 12.0)) AS ramp
            FROM s_pusk p CROSS JOIN m
        ), items AS (
            SELECT puskesmas_code, period, 'KLASTER_TERBENTUK' AS item, CASE WHEN period >= ilp_start_date THEN 1 ELSE 0 END AS v FROM base
            UNION ALL SELECT puskesmas_code, period, 'JUMLAH_DESA', n_desa FROM base
            UNION ALL SELECT puskesmas_code, period, 'DESA_DENGAN_PUSTU', CAST(round(n_desa * (0.3 + 0.6 * ramp)) AS INTEGER) FROM base
            UNION ALL SELECT puskesmas_code, period, 'JUMLAH_POSYANDU', 5 * n_desa FROM base
            UNION ALL SELECT puskesmas_code, period, 'POSYANDU_ILP', CAST(round(5 * n_desa * ramp) AS INTEGER) FROM base
            UNION ALL SELECT puskesmas_code, period, 'JUMLAH_KADER', 25 * n_desa FROM base
            UNION ALL SELECT puskesmas_code, period, 'KADER_TERLATIH', CAST(round(25 * n_desa * (0.2 + 0.7 * ramp)) AS INTEGER) FROM base
            UNION ALL SELECT puskesmas_code, period, 'LOKMIN_BULANAN', CASE WHEN hash(puskesmas_code, period, 'l') % 10 < 7 THEN 1 ELSE 0 END FROM base
            UNION ALL SELECT puskesmas_code, period, 'PWS_DIGUNAKAN', CASE WHEN period >= ilp_start_date THEN 1 ELSE 0 END FROM base
            UNION ALL SELECT puskesmas_code, period, 'LAPORAN_WAJIB', 10 FROM base
            UNION ALL SELECT puskesmas_code, period, 'LAPORAN_TEPAT_WAKTU', 6 + hash(puskesmas_code, period, 't') % 5 FROM base
        )
        SELECT strftime(period, '%Y-%m'), puskesmas_code, item, v FROM items ORDER BY 1, 2, 3
    """).fetchall()
    files.append(("kesiapan", out / "kesiapan.csv"))
    _write_csv(files[-1][1], ("Periode", "Kode Puskesmas", "Kode Item", "Nilai"), kesiapan)
    return files


def records_sql(records: int, persons: int, with_key: bool = False) -> str:
    """SELECT of the synthetic layanan records (typed) over s_desa and s_svc; with_key adds the person_key
    (HMAC of 'nik:<NIK>' with the bound $ipad/$opad, computed once per person, not per record)."""
    from ilp_metrics.core.pseudonym import hmac_sql

    n_desa = DESA_COUNT
    class_sizes = (
        "CASE p.cls "
        + " ".join(f"WHEN '{c}' THEN {sum(w for _, w in items)}" for c, items in _SERVICES.items())
        + " END"
    )
    key_expr = hmac_sql("'nik:' || " + _nik_sql())
    key = f", {key_expr} AS person_key" if with_key else ""
    return f"""
        WITH desa_i AS (
            SELECT row_number() OVER (ORDER BY desa_code) - 1 AS di, desa_code, puskesmas_code,
                   left(desa_code, 5) AS regency_code, replace(left(desa_code, 8), '.', '') AS kec6
            FROM s_desa
        ),
        persons AS (
            SELECT p.pid, d.desa_code, d.puskesmas_code, d.regency_code, d.kec6,
                   CASE WHEN hash(p.pid, 'sex') % 2 = 0 THEN 'L' ELSE 'P' END AS sex,
                   -- age at 2024-01-01 in days, from a coarse pyramid
                   CASE WHEN u < 900 THEN hash(p.pid, 'd') % (5 * 365)
                        WHEN u < 2500 THEN 5 * 365 + hash(p.pid, 'd') % (10 * 365)
                        WHEN u < 8800 THEN 15 * 365 + hash(p.pid, 'd') % (45 * 365)
                        ELSE 60 * 365 + hash(p.pid, 'd') % (25 * 365) END AS age_days
            FROM (SELECT range AS pid, hash(range, 'age') % 10000 AS u FROM range({int(persons)})) p
            JOIN desa_i d ON d.di = hash(p.pid, 'desa') % {n_desa}
        ), people AS (
            SELECT *, DATE '2024-01-01' - CAST(age_days AS INTEGER) - 1 AS birth_date,
                   CASE WHEN age_days < 5 * 365 THEN 'balita' WHEN age_days < 15 * 365 THEN 'anak'
                        WHEN age_days >= 60 * 365 THEN 'lansia'
                        WHEN sex = 'P' AND age_days < 50 * 365 THEN 'wanita' ELSE 'dewasa' END AS cls
            FROM persons
        ), keyed AS (SELECT *{key} FROM people),
        recs AS (  -- dates rise with rid (731 days over the records): rows come out in date order, no sort
            SELECT r.range AS rid, hash(r.range, 'person') % {int(persons)} AS pid,
                   DATE '2024-01-01' + CAST(r.range * 731 // {int(records)} AS INTEGER) AS service_date
            FROM range({int(records)}) r
        )
        SELECT r.rid, r.service_date, p.puskesmas_code, p.desa_code, p.regency_code, year(r.service_date) AS year,
               p.kec6, p.pid, p.birth_date, p.sex, s.service_code,{" p.person_key," if with_key else ""}
               CASE WHEN s.service_code = 'SKRINING_STUNTING' THEN CASE WHEN hash(r.rid, 'res') % 5 = 0 THEN 'stunting' ELSE 'normal' END
                    WHEN s.service_code = 'SKRINING_ANEMIA_REMAJA' THEN CASE WHEN hash(r.rid, 'res') % 4 = 0 THEN 'anemia' ELSE 'normal' END
                    WHEN s.service_code = 'PENGOBATAN_TB' THEN ['sembuh', 'pengobatan_lengkap', 'gagal', 'putus_berobat', 'sembuh'][CAST(1 + hash(r.rid, 'res') % 5 AS BIGINT)]
                    END AS result
        FROM recs r JOIN keyed p USING (pid)
        JOIN s_svc s ON s.cls = p.cls AND s.k = hash(r.rid, 'svc') % ({class_sizes})
    """


def _nik_sql() -> str:
    """16-digit NIK: kecamatan (6) + ddmmyy of birth (+40 on the day for women) + serial (4)."""
    return (
        "kec6 || lpad(CAST(day(birth_date) + CASE WHEN sex = 'P' THEN 40 ELSE 0 END AS VARCHAR), 2, '0') "
        "|| strftime(birth_date, '%m%y') || lpad(CAST(pid % 9999 + 1 AS VARCHAR), 4, '0')"
    )


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Registry and service draw tables in `con` (a scratch connection)."""
    con.execute("SET enable_progress_bar = false")
    _registry(con)
    con.execute("CREATE OR REPLACE TEMP TABLE s_svc (cls VARCHAR, k INTEGER, service_code VARCHAR)")
    con.executemany("INSERT INTO s_svc VALUES (?, ?, ?)", _svc_rows())
    n = con.execute("SELECT count(*) FROM s_desa").fetchone()[0]
    if n != DESA_COUNT:
        raise RuntimeError(f"reference data changed: {n} desa in province {PROVINCE}, expected {DESA_COUNT}")


def persons_for(records: int) -> int:
    return max(1, min(records // 4, PROVINCE_POPULATION))


def generate(out: Path, records: int, *, layanan: bool = True) -> Province:
    """Write the province's registry files and (unless layanan=False) its layanan CSVs into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    persons = persons_for(records)
    con = duckdb.connect()
    try:
        prepare(con)
        registry = _write_registry(con, out)
        files: list[Path] = []
        if layanan:
            con.execute(
                f"CREATE TEMP TABLE s_rec AS SELECT * FROM ({records_sql(records, persons)}) "
                f"ORDER BY regency_code, service_date"
            )
            parts = con.execute("SELECT DISTINCT regency_code, year FROM s_rec ORDER BY ALL").fetchall()
            for regency, year in parts:
                path = out / f"layanan_{regency.replace('.', '')}_{year}.csv"
                con.execute(
                    f"""
                    COPY (
                        SELECT strftime(service_date, '%d/%m/%Y') AS "Tanggal Pelayanan",
                               puskesmas_code AS "Kode Puskesmas", replace(desa_code, '.', '') AS "Kode Desa",
                               {_nik_sql()} AS "NIK", strftime(birth_date, '%d/%m/%Y') AS "Tgl Lahir",
                               sex AS "JK", service_code AS "Kode Layanan", result AS "Hasil"
                        FROM s_rec WHERE regency_code = ? AND year = ?
                    ) TO '{path}' (HEADER, DELIMITER ';', QUOTE '')
                """,
                    [regency, year],
                )
                files.append(path)
        n_pusk, n_desa = con.execute("SELECT (SELECT count(*) FROM s_pusk), (SELECT count(*) FROM s_desa)").fetchone()
    finally:
        con.close()
    return Province(out, registry, files, records, persons, n_pusk, n_desa)


def insert_layanan_direct(db: duckdb.DuckDBPyConnection, records: int, secret: bytes, upload_id: int) -> None:
    """Write N records straight into `layanan` (no files, no validation): for sizes beyond the upload path.

    person_key is the same HMAC-SHA256 of 'nik:<NIK>' the ingest computes, so keys match uploaded data.
    Rows are stored in date order (no sort of 100 M rows): kabupaten are mixed in every row group, which
    is pessimistic for a one-kabupaten page (uploads would cluster them) and neutral for province queries.
    """
    from ilp_metrics.core.pseudonym import hmac_pads

    prepare(db)
    ipad, opad = hmac_pads(secret)
    db.execute(
        f"""
        INSERT INTO layanan (upload_id, source_row, service_date, puskesmas_code, desa_code, person_key,
                             birth_date, age_years, sex, service_code, result)
        SELECT {int(upload_id)}, CAST(r.rid AS INTEGER), r.service_date, r.puskesmas_code, r.desa_code, r.person_key,
               r.birth_date,
               CAST(date_diff('year', r.birth_date, r.service_date)
                    - CASE WHEN strftime(r.service_date, '%m%d') < strftime(r.birth_date, '%m%d') THEN 1 ELSE 0 END
                    AS SMALLINT),
               r.sex, r.service_code, r.result
        FROM ({records_sql(records, persons_for(records), with_key=True)}) r
    """,
        {"ipad": ipad, "opad": opad},
    )
