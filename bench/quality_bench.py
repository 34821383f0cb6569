"""Time the data-quality check set on an existing database (the full demo by default).

    .venv/bin/python bench/quality_bench.py --db data/ilp.duckdb --years 2024 2025 [--regency 73.22]

For each year (and kabupaten, or all): the whole `findings` run, then each check family on its own,
medians of --runs runs on one read-only connection. Prints one table; the findings count per check and
severity follows, so a timing is always read next to what was found.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    from ilp_metrics import quality
    from ilp_metrics.core.db import connect
    from ilp_metrics.quality import checks as c
    from ilp_metrics.security.scope import cli_principal

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "ilp.duckdb")
    parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025])
    parser.add_argument("--regency", default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    con = connect(args.db, read_only=True)
    con.execute("SET enable_progress_bar = false")
    rows = con.execute("SELECT count(*) FROM layanan").fetchone()[0]
    print(f"database {args.db} — {rows:,} layanan rows; medians of {args.runs} runs (seconds)")
    for year in args.years:
        total, found = _time(
            lambda: quality.findings(con, year, regency=args.regency, principal=cli_principal("bench")), args.runs
        )
        scope = quality._scope(con, year, args.regency, None, None, cli_principal("bench"))
        grid = c.completeness_grid(con, scope)
        parts = {
            "completeness": lambda: c.check_completeness(con, scope, grid),
            "timeliness": lambda: c.check_timeliness(con, scope),
            "outliers": lambda: c.check_outliers(con, scope),
            "impossible": lambda: c.check_impossible(con, scope),
            "figures (ceiling, pairs, year totals)": lambda: c.check_figures(con, scope),
            "denominators": lambda: c.check_denominators(con, scope),
            "duplicates": lambda: c.check_duplicates(con, scope),
            "registry": lambda: c.check_registry(con, scope, args.regency),
        }
        print(f"\n{year} {args.regency or 'all'}: findings() {total:.2f} s, {len(found)} findings")
        for name, fn in parts.items():
            seconds, _ = _time(fn, args.runs)
            print(f"  {name:<40} {seconds:6.2f}")
        counts = found.groupby(["check", "severity"]).size()
        for (check, severity), n in counts.items():
            print(f"    {check:<22} {severity:<7} {n}")


if __name__ == "__main__":
    main()
