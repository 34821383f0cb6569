"""CSV ingest against the bare DuckDB load of the same file, phase by phase (issue 17: ratio ≥ 0.5).

    .venv/bin/python -m bench.ingest_phases --sizes 300k,1M --runs 3 [--trace] [--keep]

Makes the province's registry (bench/synth.py, loaded through the real ingest) and one province-wide
layanan CSV per size (synth's records as a district exports them: `;`, dd/mm/yyyy, NIKs, desa codes
without dots), then for each size and run, one after the other in fresh child processes:

  ingest  `ingest_file` of the file into a copy of the registry database, CHECKPOINT included (what
          bench/run.py's `ingest` task does for each of its files);
  bare    `INSERT INTO t SELECT * FROM read_csv(file)` into a new database file, CHECKPOINT included
          (bench/run.py's `bare` task).

It prints wall and CPU seconds (CPU: every thread of the child, so a busy machine shows in wall only),
the medians and the ratio bare / ingest of the wall times. `--trace` adds one ingest per size whose SQL
statements are timed by the line that runs them and whose upload steps are timed by function: the
breakdown by phase. Generated files go to bench/data/ingest_phases/ and are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import parse_size, size_label  # noqa: E402

# The upload's steps timed by function with --trace: (module, function).
STEPS = (
    ("ilp_metrics.ingest", "sha256_of"),
    ("ilp_metrics.ingest", "_prepare"),
    ("ilp_metrics.ingest", "_stage"),
    ("ilp_metrics.ingest", "account_columns"),
    ("ilp_metrics.ingest", "validate"),
    ("ilp_metrics.ingest", "commit"),
    ("ilp_metrics.ingest.readers", "_detect_encoding"),
    ("ilp_metrics.ingest.readers", "_stage_csv"),
    ("ilp_metrics.ingest.load", "_slice_delete"),
    ("ilp_metrics.ingest.load", "_insert"),
    ("ilp_metrics.ingest.load", "_keep_tallies"),
    ("ilp_metrics.ingest.load", "keep_findings"),
)


def make_files(out: Path, sizes: list[int]) -> dict[int, Path]:
    """The registry database (registry.duckdb, ilp.key) and one layanan CSV per size, in `out`."""
    import duckdb

    from bench import synth
    from bench.run import load_registry

    prov = synth.generate(out, 1000, layanan=False)
    load_registry(prov, out / "registry.duckdb", out / "ilp.key")
    con = duckdb.connect()
    synth.prepare(con)
    files = {}
    for n in sizes:
        path = out / f"layanan_{size_label(n)}.csv"
        con.execute(f"""COPY (
            SELECT strftime(service_date, '%d/%m/%Y') AS "Tanggal Pelayanan",
                   puskesmas_code AS "Kode Puskesmas", replace(desa_code, '.', '') AS "Kode Desa",
                   {synth._nik_sql()} AS "NIK", strftime(birth_date, '%d/%m/%Y') AS "Tgl Lahir",
                   sex AS "JK", service_code AS "Kode Layanan", result AS "Hasil"
            FROM ({synth.records_sql(n, synth.persons_for(n))}) ORDER BY rid
        ) TO '{path}' (HEADER, DELIMITER ';', QUOTE '')""")
        files[n] = path
    con.close()
    return files


# ============================================================================== child tasks


class _TimedConnection:
    """A connection whose `execute` calls are timed by the line that makes them (file:function:line)."""

    def __init__(self, con: Any, times: dict[str, list[float]]) -> None:
        self._con, self._times = con, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def cursor(self) -> _TimedConnection:
        return _TimedConnection(self._con.cursor(), self._times)

    def execute(self, *args: Any, **kwargs: Any) -> _TimedConnection:
        frame = sys._getframe(1)
        key = f"{Path(frame.f_code.co_filename).stem}:{frame.f_code.co_name}:{frame.f_lineno}"
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            self._con.execute(*args, **kwargs)
            return self
        finally:
            got = self._times.setdefault(key, [0.0, 0.0, 0])
            got[0] += time.perf_counter() - wall
            got[1] += time.process_time() - cpu
            got[2] += 1


def _time_steps(times: dict[str, list[float]]) -> None:
    import importlib

    for module_name, name in STEPS:
        module = importlib.import_module(module_name)
        fn = getattr(module, name)

        @functools.wraps(fn)
        def timed(*args: Any, _fn: Any = fn, _key: str = f"{module_name}.{name}", **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return _fn(*args, **kwargs)
            finally:
                got = times.setdefault(_key, [0.0, 0.0, 0])
                got[0] += time.perf_counter() - wall
                got[1] += time.process_time() - cpu
                got[2] += 1

        setattr(module, name, timed)


def child_ingest(args: dict[str, Any]) -> dict[str, Any]:
    import pandas  # noqa: F401  the app has it loaded before any upload

    import ilp_metrics.ingest as ingest
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.db import connect
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.security.scope import cli_principal

    load_catalogue()  # the server has read it long before an upload
    statements: dict[str, list[float]] = {}
    steps: dict[str, list[float]] = {}
    if args["trace"]:
        _time_steps(steps)
    con = connect(args["db"])
    secret = load_or_create_secret(args["key"])
    wall, cpu = time.perf_counter(), time.process_time()
    report = ingest.ingest_file(
        _TimedConnection(con, statements) if args["trace"] else con,
        args["file"],
        kind="layanan",
        secret=secret,
        uploaded_by="bench",
        principal=cli_principal("bench"),
    )
    if not report.ok or report.rows_refused:
        raise SystemExit(f"{args['file']}: {report.error_code} {report.error}")
    con.execute("CHECKPOINT")
    out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "rows": report.rows_accepted}
    con.close()
    if args["trace"]:
        out["statements"], out["steps"] = statements, steps
    return out


def child_bare(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(args["db"])
    con.execute(
        "CREATE TABLE t (d VARCHAR, puskesmas VARCHAR, desa VARCHAR, nik VARCHAR, lahir VARCHAR, "
        "jk VARCHAR, layanan VARCHAR, hasil VARCHAR)"
    )
    wall, cpu = time.perf_counter(), time.process_time()
    con.execute(
        "INSERT INTO t SELECT * FROM read_csv(?, delim = ';', header = true, all_varchar = true)", [args["file"]]
    )
    con.execute("CHECKPOINT")
    out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    out["rows"] = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    return out


CHILDREN = {"ingest": child_ingest, "bare": child_bare}


def _remove(db: Path) -> None:
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()


def run_child(task: str, data: Path, file: Path, trace: bool = False) -> dict[str, Any]:
    db = data / f"{task}.duckdb"
    _remove(db)
    if task == "ingest":
        shutil.copyfile(data / "registry.duckdb", db)
    args = {"db": str(db), "key": str(data / "ilp.key"), "file": str(file), "trace": trace}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.ingest_phases", "child", task, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    _remove(db)
    if proc.returncode != 0:
        raise RuntimeError(f"child {task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _breakdown(traced: dict[str, Any], floor: float = 0.05) -> list[str]:
    lines = [f"  traced ingest: {traced['wall']:.2f} s wall, {traced['cpu']:.2f} s CPU"]
    for title, table in (("step", traced["steps"]), ("SQL", traced["statements"])):
        for key, (wall, cpu, calls) in sorted(table.items(), key=lambda kv: -kv[1][0]):
            if wall >= floor:
                lines.append(f"    {title:4s} {wall:6.2f} s wall {cpu:6.2f} s CPU {int(calls):3d}x  {key}")
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        print(json.dumps(CHILDREN[argv[1]](json.loads(argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="300k,1M")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--trace", action="store_true", help="one more ingest per size, timed phase by phase")
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "ingest_phases")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    if args.data.exists():
        shutil.rmtree(args.data)
    args.data.mkdir(parents=True)
    try:
        files = make_files(args.data, sizes)
        for n in sizes:
            ingest, bare = [], []
            for i in range(args.runs):
                ingest.append(run_child("ingest", args.data, files[n]))
                bare.append(run_child("bare", args.data, files[n]))
                print(
                    f"{size_label(n)} run {i + 1}: ingest {ingest[-1]['wall']:.2f} s ({ingest[-1]['cpu']:.2f} s CPU), "
                    f"bare {bare[-1]['wall']:.2f} s ({bare[-1]['cpu']:.2f} s CPU), load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            wall_i = statistics.median(r["wall"] for r in ingest)
            wall_b = statistics.median(r["wall"] for r in bare)
            cpu_i = statistics.median(r["cpu"] for r in ingest)
            cpu_b = statistics.median(r["cpu"] for r in bare)
            print(
                f"{size_label(n)}: ingest {wall_i:.2f} s ({cpu_i:.2f} s CPU), bare {wall_b:.2f} s ({cpu_b:.2f} s CPU); "
                f"ratio bare / ingest {wall_b / wall_i:.2f} (CPU {cpu_b / cpu_i:.2f}; target ≥ 0.5); "
                f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}",
                flush=True,
            )
            if args.trace:
                print("\n".join(_breakdown(run_child("ingest", args.data, files[n], trace=True))), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.data, ignore_errors=True)


if __name__ == "__main__":
    main()
