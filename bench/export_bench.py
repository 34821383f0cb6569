"""Time the exports on an existing database (demo by default), step by step, in one process.

    .venv/bin/python bench/export_bench.py --db data/ilp.duckdb --year 2025 --regency 73.09

Steps: gathering the figures (coverage of every indicator for the kabupaten and its puskesmas,
readiness), building the deck (including the pilot-vs-adopter comparison over the whole database),
and rendering PPTX, PDF and XLSX (with the desa tables). Median of --runs runs per step; the database
is opened read-only, so a running app can keep it open.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "ilp.duckdb")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--regency", default="73.09")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from ilp_metrics.core.db import connect
    from ilp_metrics.export.deck import build_deck
    from ilp_metrics.export.facts import desa_figures, gather
    from ilp_metrics.export.pdf_render import render_pdf
    from ilp_metrics.export.pptx_render import render_pptx
    from ilp_metrics.export.xlsx_render import render_xlsx
    from ilp_metrics.security.scope import cli_principal

    con = connect(args.db, read_only=True)
    times: dict[str, list[float]] = {}

    def timed(name, fn):
        started = time.perf_counter()
        out = fn()
        times.setdefault(name, []).append(time.perf_counter() - started)
        return out

    for _ in range(args.runs):
        facts = timed(
            "gather figures",
            lambda: gather(con, year=args.year, regency=args.regency, principal=cli_principal("bench")),
        )
        deck = timed(
            "build deck (with comparison)", lambda: build_deck(facts, con=con, principal=cli_principal("bench"))
        )
        timed("render PPTX", lambda: render_pptx(deck))
        timed("render PDF", lambda: render_pdf(facts, deck))
        desa = timed("desa tables", lambda: desa_figures(con, facts, principal=cli_principal("bench")))
        timed("render XLSX", lambda: render_xlsx(facts, desa=desa))
    con.close()
    print(f"{'step':32} {'median s':>9}  (runs: {args.runs}, {args.db.name}, {args.regency} {args.year})")
    for name, values in times.items():
        print(f"{name:32} {statistics.median(values):9.2f}")


if __name__ == "__main__":
    main()
