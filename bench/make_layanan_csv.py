"""Write a synthetic `layanan` CSV of N rows over the registry of an existing database.

Used to measure ingest throughput:  python bench/make_layanan_csv.py --db data/ilp.duckdb --rows 1000000 --out /tmp/l.csv
NIKs are generated at run time (never stored in the repository); Indonesian headers, ';' separator and
dd/mm/yyyy dates, so the measurement includes the parsing the real files need.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SERVICES = [
    "ANC_K1",
    "ANC_K6",
    "KUNJUNGAN_ANC",
    "BALITA_DITIMBANG",
    "SKRINING_USIA_PRODUKTIF",
    "SKRINING_LANSIA",
    "YANKES_HIPERTENSI",
    "YANKES_DM",
    "TES_HIV",
    "KUNJUNGAN_RUMAH",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    desa = con.execute("SELECT desa_code, puskesmas_code FROM desa ORDER BY desa_code").df()
    con.close()
    rng = np.random.default_rng(args.seed)
    n = args.rows
    people = max(n // 4, 1)
    person = rng.integers(0, people, n)
    d = rng.integers(0, len(desa), people)[person]
    kec = desa.desa_code.str.slice(0, 8).str.replace(".", "", regex=False).to_numpy()[d]
    dob = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 70, people)[person], unit="D")
    nik = pd.Series(kec) + dob.strftime("%d%m%y").to_numpy() + pd.Series(person % 9999 + 1).map("{:04d}".format)
    day = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    frame = pd.DataFrame(
        {
            "Tanggal Pelayanan": day.strftime("%d/%m/%Y"),
            "Kode Puskesmas": desa.puskesmas_code.to_numpy()[d],
            "Kode Desa": desa.desa_code.str.replace(".", "", regex=False).to_numpy()[d],
            "NIK": nik.to_numpy(),
            "Tgl Lahir": dob.strftime("%d/%m/%Y"),
            "JK": np.where(rng.random(n) < 0.5, "L", "P"),
            "Kode Layanan": np.array(SERVICES)[rng.integers(0, len(SERVICES), n)],
        }
    )
    frame.to_csv(args.out, sep=";", index=False)
    print(f"{n} rows -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
