"""One synthetic province database the dashboard can open, made once and kept (for the pages in chromium).

    .venv/bin/python -m bench.province_db --records 10M --out /tmp/province10m
    .venv/bin/python -m bench.province_db --records 10M --out /tmp/province10m --direct   # no files, by SQL

Writes `<out>/ilp.duckdb` and its key `<out>/ilp.key`. The files path is the upload path: the province's
registry files (bench/synth.py) and its layanan CSVs (one per kabupaten and year) through
`ilp_metrics.ingest.ingest_file`, every check included, but with the summaries kept at upload (tallies,
kept findings) deferred to one recount at the end, as the demo builder does: the same tables a district's
uploads leave, made in one pass instead of 48. `--direct` writes the records straight into `layanan` by SQL
(the 100 M path of bench/run.py; kabupaten mixed in every row group) and then makes both summaries. Either
way the file holds current tallies and kept findings, so no server start recomputes them. Each step's
time is printed; the CSVs are deleted unless --keep-files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import load_registry, parse_size  # noqa: E402


def build(records: int, out: Path, *, direct: bool = False, keep_files: bool = False, log=print) -> dict[str, float]:
    """Make `out/ilp.duckdb` with `records` service records; returns each step's seconds."""
    from bench import synth
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.db import connect, transaction
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.metrics import tallies
    from ilp_metrics.quality import kept
    from ilp_metrics.security.scope import cli_principal

    steps: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        steps[name] = time.perf_counter() - started
        log(f"{name}: {steps[name]:.1f} s")

    out.mkdir(parents=True, exist_ok=True)
    files = out / "files"
    db, key = out / "ilp.duckdb", out / "ilp.key"
    t = time.perf_counter()
    prov = synth.generate(files, records, layanan=not direct)
    step("generate files" if not direct else "generate registry files", t)
    t = time.perf_counter()
    load_registry(prov, db, key)
    step("registry, sasaran, kesiapan (ingest)", t)
    cat = load_catalogue()
    con = connect(db)
    secret = load_or_create_secret(key)
    try:
        if direct:
            t = time.perf_counter()
            with transaction(con):
                upload_id = con.execute("SELECT nextval('upload_id_seq')").fetchone()[0]
                synth.insert_layanan_direct(con, records, secret, upload_id)
                con.execute(
                    """INSERT INTO uploads (upload_id, file_name, sha256, kind, uploaded_by, uploaded_at, rows_read,
                           rows_accepted, rows_refused, rows_skipped) VALUES (?, 'synthetic (bench, direct)',
                           'direct', 'layanan', 'bench', now(), ?, ?, 0, 0)""",
                    [upload_id, records, records],
                )
            step("layanan by SQL", t)
            t = time.perf_counter()
            tallies.ensure_current(con, cat)
            step("tallies", t)
            t = time.perf_counter()
            kept.ensure_current(con, cat)
            step("kept findings", t)
        else:
            with kept.deferred(con, cat):
                with tallies.deferred(con, cat):
                    t = time.perf_counter()
                    for f in prov.layanan_files:
                        r = ingest_file(
                            con, f, kind="layanan", secret=secret, uploaded_by="bench", principal=cli_principal("bench")
                        )
                        if not r.ok or r.rows_refused:
                            raise SystemExit(f"{f.name}: {r.error_code} {r.error}")
                    step(f"layanan ingest ({len(prov.layanan_files)} files, summaries deferred)", t)
                    t = time.perf_counter()
                step("tallies", t)
                t = time.perf_counter()
            step("kept findings", t)
        t = time.perf_counter()
        con.execute("CHECKPOINT")
        step("checkpoint", t)
        if tallies.ensure_current(con, cat) or kept.ensure_current(con, cat):
            raise SystemExit("the summaries were not current after the build")
    finally:
        con.close()
    if not keep_files:
        shutil.rmtree(files, ignore_errors=True)
    steps["database MB"] = db.stat().st_size / 1e6
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", default="10M", help="service records, e.g. 10M")
    parser.add_argument("--out", type=Path, required=True, help="folder of ilp.duckdb and ilp.key")
    parser.add_argument("--direct", action="store_true", help="write the records by SQL (no files, no ingest)")
    parser.add_argument("--keep-files", action="store_true", help="keep the generated CSVs in <out>/files")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    steps = build(parse_size(args.records), args.out, direct=args.direct, keep_files=args.keep_files)
    print(f"total: {time.perf_counter() - t:.1f} s; {args.out / 'ilp.duckdb'}: {steps['database MB']:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
