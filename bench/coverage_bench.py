"""Time the figure sets behind the pages on an existing database (demo by default).

    .venv/bin/python bench/coverage_bench.py --db data/ilp.duckdb --year 2024 --regency 73.22

Measures, for one district-year:
  * every indicator × puskesmas × month (the full set behind the cluster and puskesmas pages),
  * every indicator × desa × month, and every indicator × kabupaten × month;
  * cold: a fresh process opens the database and computes once (median of --cold runs);
  * warm: the same connection computes again (median of --warm runs);
  * baseline in the same run: a bare GROUP BY of distinct persons per service, puskesmas and month
    over the same year's layanan rows (no rules, no denominators), to show the cost of the rules.
Prints one table of medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE_SQL = """
SELECT l.service_code, l.puskesmas_code, month(l.service_date) AS month, count(DISTINCT l.person_key) AS n
FROM layanan l JOIN puskesmas p USING (puskesmas_code)
WHERE p.regency_code = $regency AND l.service_date >= make_date($year, 1, 1)
  AND l.service_date < make_date($year + 1, 1, 1)
GROUP BY ALL
"""


def _compute(con, level: str, year: int, regency: str) -> int:
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.metrics.coverage import coverage_many
    from ilp_metrics.security.scope import cli_principal

    cat = load_catalogue()
    frame = coverage_many(
        con,
        [i.code for i in cat.indicators],
        level=level,
        year=year,
        through=12,
        regency=regency,
        catalogue=cat,
        principal=cli_principal("bench"),
    )
    return len(frame)


def _cold_once(db: str, level: str, year: int, regency: str) -> float:
    """A fresh interpreter: import, open, compute once; returns the seconds of open + compute."""
    code = (
        "import sys, time, json; sys.path.insert(0, %r)\n"
        "import duckdb\n"
        "from bench.coverage_bench import _compute\n"
        "from ilp_metrics.catalogue import load_catalogue; import ilp_metrics.metrics.coverage; load_catalogue()\n"
        "t = time.perf_counter(); con = duckdb.connect(%r, read_only=True)\n"
        "n = _compute(con, %r, %d, %r)\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'rows': n}))\n"
    ) % (str(ROOT), db, level, year, regency)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def main() -> None:
    import duckdb

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=str(ROOT / "data" / "ilp.duckdb"))
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--regency", default="73.22")
    ap.add_argument("--cold", type=int, default=3)
    ap.add_argument("--warm", type=int, default=5)
    args = ap.parse_args()

    con = duckdb.connect(args.db, read_only=True)
    rows = con.execute(
        "SELECT count(*) FROM layanan l JOIN puskesmas p USING (puskesmas_code) "
        "WHERE p.regency_code = ? AND year(l.service_date) = ?",
        [args.regency, args.year],
    ).fetchone()[0]
    print(f"database {args.db}; kabupaten {args.regency}, year {args.year}: {rows:,} layanan rows")

    def median_of(fn, n: int) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    base = median_of(
        lambda: con.execute(BASELINE_SQL, {"regency": args.regency, "year": args.year}).fetchall(), args.warm
    )
    print(f"{'figure set':<38}{'rows':>8}{'cold s':>9}{'warm s':>9}{'warm/baseline':>15}")
    print(f"{'baseline: bare GROUP BY (warm)':<38}{'':>8}{'':>9}{base:>9.3f}{1.0:>15.1f}")
    for level in ("kabupaten", "puskesmas", "desa"):
        n = _compute(con, level, args.year, args.regency)
        warm = median_of(lambda: _compute(con, level, args.year, args.regency), args.warm)
        cold = statistics.median(_cold_once(args.db, level, args.year, args.regency) for _ in range(args.cold))
        label = f"all indicators × {level} × month"
        print(f"{label:<38}{n:>8}{cold:>9.3f}{warm:>9.3f}{warm / base:>15.1f}")


if __name__ == "__main__":
    main()
