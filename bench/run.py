"""Benchmark suite: province-size synthetic data, ingest and page timings, baselines, one table.

    .venv/bin/python -m bench.run --sizes 1M,10M            # the usual run (about 15 minutes here)
    .venv/bin/python -m bench.run --sizes 100M --direct-above 20M --runs 1   # the 100 M query target

For each size N (service records): generate the province (bench/synth.py) into --data/<N>/, load the
registry, sasaran and kesiapan through the real ingest path, then measure, each in a fresh child process
(peak memory = the child's max RSS):

  ingest CSV    the layanan files (one per kabupaten and year) through `ilp_metrics.ingest.ingest_file`,
                validation, pseudonymisation and slice replacement included, into a copy of the registry DB;
  bare DuckDB   the same files, one `INSERT … SELECT * FROM read_csv(file)` each, no validation; then a bare
                `GROUP BY service, puskesmas, month` with count(DISTINCT NIK) over that table;
  pandas        `read_csv` of the same files (codes as text) and the same groupby with nunique;
  pages         the library calls of the sidebar, the overview, a cluster and a puskesmas page
                (bench/pages.py) for the largest kabupaten, last year, December: cold = a fresh process
                opens the database and computes once; warm = the same connection again;
  province      one indicator (SPM06) for every puskesmas of the province;
  XLSX          (first size only) a 200,000-row XLSX extract through the ingest vs `pandas.read_excel`
                with its default engine (openpyxl); XLSX files cannot hold 1 M rows (Excel's limit is
                1,048,576 rows per sheet), so XLSX is measured at a realistic district file size.

Every figure is the median of --runs runs. Ratios are against baselines measured in the same run.
Sizes above --direct-above are written straight into the database by SQL (no files, no ingest): at
100 M records only the query-side figures are measured. Generated data are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEAR, MONTH = 2025, 12
XLSX_ROWS = 200_000


def parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "KMG" else text) * mult)


def size_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (f"{n // 1_000}k" if n % 1_000 == 0 else str(n))


def _maxrss_mb() -> float:
    """Peak resident memory of this process (VmHWM). ru_maxrss is not used: Linux carries it across
    exec, so a child would report the parent's peak when that is larger."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ============================================================================== child tasks
# Each runs in its own interpreter (python -m bench.run child TASK JSON) and prints one JSON line.


def child_ingest(args: dict) -> dict:
    import pandas  # noqa: F401  the app has it loaded; some readers import it lazily

    from ilp_metrics.core.db import connect
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.security.scope import cli_principal

    con = connect(args["db"])
    secret = load_or_create_secret(args["key"])
    rows = 0
    t = time.perf_counter()
    for f in args["files"]:
        r = ingest_file(con, f, kind="layanan", secret=secret, uploaded_by="bench", principal=cli_principal("bench"))
        if not r.ok or r.rows_refused:
            raise SystemExit(f"{f}: {r.error_code} {r.error} {[x.to_dict('en') for x in r.refusals[:3]]}")
        rows += r.rows_accepted
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    con.close()
    return {"seconds": seconds, "rows": rows, "maxrss_mb": _maxrss_mb()}


def child_bare(args: dict) -> dict:
    import duckdb

    con = duckdb.connect(args["db"])
    con.execute(
        "CREATE TABLE t (d VARCHAR, puskesmas VARCHAR, desa VARCHAR, nik VARCHAR, lahir VARCHAR, "
        "jk VARCHAR, layanan VARCHAR, hasil VARCHAR)"
    )
    t = time.perf_counter()
    for f in args["files"]:
        con.execute("INSERT INTO t SELECT * FROM read_csv(?, delim = ';', header = true, all_varchar = true)", [f])
    con.execute("CHECKPOINT")
    load = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    groupby = []
    for _ in range(args["runs"]):
        t = time.perf_counter()
        con.execute(
            "SELECT layanan, puskesmas, substr(d, 4, 7) AS month, count(DISTINCT nik) FROM t GROUP BY ALL"
        ).fetchall()
        groupby.append(time.perf_counter() - t)
    con.close()
    return {"seconds": load, "rows": rows, "groupby": statistics.median(groupby), "maxrss_mb": _maxrss_mb()}


def child_pandas(args: dict) -> dict:
    import pandas as pd

    t = time.perf_counter()
    frame = pd.concat(
        [pd.read_csv(f, sep=";", dtype=str, keep_default_na=False) for f in args["files"]], ignore_index=True
    )
    read = time.perf_counter() - t
    groupby = []
    for _ in range(args["runs"]):
        t = time.perf_counter()
        month = frame["Tanggal Pelayanan"].str.slice(3, 10)
        frame.groupby([frame["Kode Layanan"], frame["Kode Puskesmas"], month])["NIK"].nunique()
        groupby.append(time.perf_counter() - t)
    return {"seconds": read, "rows": len(frame), "groupby": statistics.median(groupby), "maxrss_mb": _maxrss_mb()}


def child_pandas_xlsx(args: dict) -> dict:
    import pandas as pd

    t = time.perf_counter()
    frame = pd.read_excel(args["file"], dtype=str)  # the default engine for .xlsx: openpyxl
    return {"seconds": time.perf_counter() - t, "rows": len(frame), "maxrss_mb": _maxrss_mb()}


def child_ingest_xlsx(args: dict) -> dict:
    import fastexcel  # noqa: F401  imported by the server long before an upload; not part of the upload's time
    import pandas  # noqa: F401  (fastexcel imports it)

    return child_ingest({**args, "files": [args["file"]]})


def child_pages(args: dict) -> dict:
    """Cold (first computation in this fresh process, open included) and warm medians per page."""
    t0 = time.perf_counter()
    import duckdb

    from bench.pages import PAGES
    from ilp_metrics.catalogue import load_catalogue

    cat = load_catalogue()
    import_s = time.perf_counter() - t0
    out: dict = {"import_s": import_s}
    t = time.perf_counter()
    con = duckdb.connect(args["db"], read_only=True)
    out["open_s"] = time.perf_counter() - t
    for page in args["pages"]:
        fn = PAGES[page]
        t = time.perf_counter()
        fn(con, cat, args["regency"], YEAR, MONTH)
        cold = time.perf_counter() - t
        warm = []
        for _ in range(args["warm"]):
            t = time.perf_counter()
            fn(con, cat, args["regency"], YEAR, MONTH)
            warm.append(time.perf_counter() - t)
        out[page] = {"cold": cold, "warm": statistics.median(warm) if warm else None}
    out["maxrss_mb"] = _maxrss_mb()
    return out


def child_direct(args: dict) -> dict:
    from bench import synth
    from ilp_metrics.core.db import connect, transaction
    from ilp_metrics.core.pseudonym import load_or_create_secret

    con = connect(args["db"])
    con.execute("SET memory_limit = '8GB'")  # the machine is shared: sort 100 M rows by spilling, not by RAM
    t = time.perf_counter()
    with transaction(con):
        upload_id = con.execute("SELECT nextval('upload_id_seq')").fetchone()[0]
        synth.insert_layanan_direct(con, args["records"], load_or_create_secret(args["key"]), upload_id)
        con.execute(
            """INSERT INTO uploads (upload_id, file_name, sha256, kind, uploaded_by, uploaded_at, rows_read,
                       rows_accepted, rows_refused, rows_skipped) VALUES (?, 'synthetic (bench, direct)', 'direct',
                       'layanan', 'bench', now(), ?, ?, 0, 0)""",
            [upload_id, args["records"], args["records"]],
        )
        from ilp_metrics.catalogue import load_catalogue
        from ilp_metrics.metrics import tallies

        tallies.rebuild(con, load_catalogue())  # what an upload keeps (written here behind the ingest's back)
    con.execute("CHECKPOINT")
    seconds = time.perf_counter() - t
    con.close()
    return {"seconds": seconds, "rows": args["records"], "maxrss_mb": _maxrss_mb()}


def child_summaries(args: dict) -> dict:
    """What the dashboard does when it opens a file for writing (pages/_db.py): the tallies and the kept
    data-quality findings made current, so that no server start and no page computes them."""
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.db import connect
    from ilp_metrics.metrics import tallies
    from ilp_metrics.quality import kept

    cat = load_catalogue()
    con = connect(args["db"])
    t = time.perf_counter()
    counted = tallies.ensure_current(con, cat)
    tallies_s = time.perf_counter() - t
    t = time.perf_counter()
    made = kept.ensure_current(con, cat)
    kept_s = time.perf_counter() - t
    con.execute("CHECKPOINT")
    con.close()
    return {"tallies_s": tallies_s if counted else 0.0, "kept_s": kept_s if made else 0.0, "maxrss_mb": _maxrss_mb()}


CHILDREN = {
    "summaries": child_summaries,
    "ingest": child_ingest,
    "bare": child_bare,
    "pandas": child_pandas,
    "pandas_xlsx": child_pandas_xlsx,
    "ingest_xlsx": child_ingest_xlsx,
    "pages": child_pages,
    "direct": child_direct,
}


def run_child(task: str, **args) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "child", task, json.dumps(args)], cwd=ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ============================================================================== set-up


def _remove_db(path: Path) -> None:
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()


def load_registry(prov, db: Path, key: Path) -> None:
    """Registry, sasaran and kesiapan through the real ingest path (small; not measured)."""
    from ilp_metrics.core.db import connect, init_schema
    from ilp_metrics.core.pseudonym import load_or_create_secret
    from ilp_metrics.ingest import ingest_file
    from ilp_metrics.security.scope import cli_principal

    _remove_db(db)
    con = connect(db)
    init_schema(con)
    secret = load_or_create_secret(key)
    for kind, path in prov.registry_files:
        r = ingest_file(con, path, kind=kind, secret=secret, uploaded_by="bench", principal=cli_principal("bench"))
        if not r.ok or r.rows_refused:
            raise RuntimeError(f"{path}: {r.error} {[x.to_dict('en') for x in r.refusals[:3]]}")
    con.execute("CHECKPOINT")
    con.close()


def write_xlsx(src_files: list[Path], out: Path, rows: int) -> Path:
    """The first `rows` layanan rows as an XLSX extract (one sheet, the same headers; openpyxl write-only)."""
    import duckdb
    from openpyxl import Workbook

    con = duckdb.connect()
    data = con.execute(
        f"SELECT * FROM read_csv(?, delim = ';', header = true, all_varchar = true) LIMIT {int(rows)}",
        [[str(f) for f in src_files]],
    ).fetchall()
    header = [c[0] for c in con.description]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Layanan")
    ws.append(header)
    for row in data:
        ws.append(list(row))
    wb.save(out)
    return out


def _copy_db(src: Path, dst: Path) -> None:
    _remove_db(dst)
    shutil.copyfile(src, dst)


def med(values: list[float]) -> float:
    return statistics.median(values)


# ============================================================================== one size


ALL_PAGES = ["sidebar", "overview", "cluster", "puskesmas", "province"]


def measure_size(
    n: int,
    data: Path,
    runs: int,
    warm: int,
    direct: bool,
    xlsx: bool,
    log,
    heavy_runs: int | None = None,
    pages: list[str] | None = None,
    browser: bool = True,
) -> dict:
    from bench import synth

    d = data / size_label(n)
    if d.exists():
        shutil.rmtree(d)
    res: dict = {"records": n, "direct": direct}
    t = time.perf_counter()
    prov = synth.generate(d, n, layanan=not direct)
    res.update(
        generate_s=time.perf_counter() - t,
        persons=prov.persons,
        puskesmas=prov.puskesmas,
        desa=prov.desa,
        files=len(prov.layanan_files),
        csv_mb=sum(f.stat().st_size for f in prov.layanan_files) / 1e6,
    )
    log(
        f"[{size_label(n)}] generated in {res['generate_s']:.1f} s: {prov.puskesmas} puskesmas, {prov.desa} desa, "
        f"{prov.persons:,} persons, {len(prov.layanan_files)} layanan files ({res['csv_mb']:.0f} MB)"
    )
    key = d / "ilp.key"
    registry_db = d / "registry.duckdb"
    load_registry(prov, registry_db, key)
    db = d / "ilp.duckdb"
    files = [str(f) for f in prov.layanan_files]

    loads = runs if heavy_runs is None else max(1, min(runs, heavy_runs))
    res["load_runs"] = loads
    if direct:
        _copy_db(registry_db, db)
        r = run_child("direct", db=str(db), key=str(key), records=n)
        res["direct_load"] = r
        log(f"[{size_label(n)}] direct SQL load {r['seconds']:.1f} s, peak {r['maxrss_mb']:.0f} MB")
    else:
        ingest = []
        for i in range(loads):
            target = db if i == loads - 1 else d / "run.duckdb"
            _copy_db(registry_db, target)
            ingest.append(run_child("ingest", db=str(target), key=str(key), files=files))
            log(
                f"[{size_label(n)}] ingest run {i + 1}: {ingest[-1]['seconds']:.1f} s, "
                f"peak {ingest[-1]['maxrss_mb']:.0f} MB"
            )
        _remove_db(d / "run.duckdb")
        bare = []
        for i in range(loads):
            _remove_db(d / "bare.duckdb")
            bare.append(run_child("bare", db=str(d / "bare.duckdb"), files=files, runs=warm))
            log(
                f"[{size_label(n)}] bare DuckDB run {i + 1}: load {bare[-1]['seconds']:.1f} s, "
                f"group by {bare[-1]['groupby']:.2f} s"
            )
        _remove_db(d / "bare.duckdb")
        pandas = []
        for i in range(loads):
            pandas.append(run_child("pandas", files=files, runs=max(1, warm // 2)))
            log(
                f"[{size_label(n)}] pandas run {i + 1}: read {pandas[-1]['seconds']:.1f} s, "
                f"groupby {pandas[-1]['groupby']:.2f} s, peak {pandas[-1]['maxrss_mb']:.0f} MB"
            )
        res["ingest"] = {
            "seconds": med([r["seconds"] for r in ingest]),
            "rows": ingest[0]["rows"],
            "maxrss_mb": max(r["maxrss_mb"] for r in ingest),
        }
        res["bare"] = {
            "seconds": med([r["seconds"] for r in bare]),
            "groupby": med([r["groupby"] for r in bare]),
            "maxrss_mb": max(r["maxrss_mb"] for r in bare),
        }
        res["pandas"] = {
            "seconds": med([r["seconds"] for r in pandas]),
            "groupby": med([r["groupby"] for r in pandas]),
            "maxrss_mb": max(r["maxrss_mb"] for r in pandas),
        }
        if xlsx:
            xl = write_xlsx(prov.layanan_files, d / "layanan_200k.xlsx", XLSX_ROWS)
            ix, px = [], []
            for i in range(runs):
                _copy_db(registry_db, d / "xlsx.duckdb")
                ix.append(run_child("ingest_xlsx", db=str(d / "xlsx.duckdb"), key=str(key), file=str(xl)))
                px.append(run_child("pandas_xlsx", file=str(xl)))
                log(
                    f"[xlsx] run {i + 1}: ingest {ix[-1]['seconds']:.1f} s, pandas.read_excel {px[-1]['seconds']:.1f} s"
                )
            _remove_db(d / "xlsx.duckdb")
            res["xlsx"] = {
                "rows": ix[0]["rows"],
                "mb": xl.stat().st_size / 1e6,
                "ingest": med([r["seconds"] for r in ix]),
                "pandas": med([r["seconds"] for r in px]),
                "ingest_maxrss_mb": max(r["maxrss_mb"] for r in ix),
            }

    r = run_child("summaries", db=str(db))
    res["summaries"] = r
    log(f"[{size_label(n)}] summaries made current: tallies {r['tallies_s']:.1f} s, kept findings {r['kept_s']:.1f} s")

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    regency, layanan_rows, regency_rows = con.execute(
        """
        SELECT p.regency_code, (SELECT count(*) FROM layanan), count(*) FROM layanan l JOIN puskesmas p USING (puskesmas_code)
        WHERE year(l.service_date) = ? GROUP BY 1 ORDER BY 3 DESC LIMIT 1""",
        [YEAR],
    ).fetchone()
    con.close()
    res.update(
        regency=regency,
        layanan_rows=layanan_rows,
        regency_year_rows=regency_rows,
        db_mb=(db.stat().st_size + (Path(str(db) + ".wal").stat().st_size if Path(str(db) + ".wal").exists() else 0))
        / 1e6,
    )
    pages = pages or ALL_PAGES
    page_runs = [run_child("pages", db=str(db), regency=regency, pages=pages, warm=warm) for _ in range(runs)]
    res["pages"] = {
        p: {"cold": med([r[p]["cold"] for r in page_runs]), "warm": med([r[p]["warm"] for r in page_runs])}
        for p in pages
    }
    res["pages_maxrss_mb"] = max(r["maxrss_mb"] for r in page_runs)
    res["open_s"] = med([r["open_s"] for r in page_runs])
    log(
        f"[{size_label(n)}] pages: "
        + ", ".join(f"{p} {v['cold']:.2f}/{v['warm']:.2f} s" for p, v in res["pages"].items())
    )
    if browser:
        res["browser"] = browser_pages(db, key, runs, regency, log, f"[{size_label(n)}]")
    return res


def browser_pages(db: Path, key: Path, runs: int, regency: str | None, log, label: str) -> dict | None:
    """Every page in chromium (bench/browser_pages.py): medians of first view, filter change, repeat view."""
    from bench import browser_pages as bp

    if not bp.CHROMIUM.is_file():
        log(f"{label} pages in chromium: skipped ({bp.CHROMIUM} is missing; make browser installs it)")
        return None
    raw = bp.measure(db, key, runs, regency)
    out = {page: {view: med(times) for view, times in views.items()} for page, views in raw.items()}
    log(f"{label} pages in chromium:\n" + bp.report(raw, runs, db))
    return out


def browser_on_kept(n: int, data: Path, runs: int, log) -> dict:
    """The pages in chromium on the database kept in data/<size>/ (an earlier --keep run, or made here once
    by bench/province_db.py: the upload path with the summaries deferred). browser_pages makes its
    summaries current first when the code changed since (kept findings: about 2 minutes at 10 M)."""
    from bench import province_db

    d = data / size_label(n)
    db, key = d / "ilp.duckdb", d / "ilp.key"
    if not (db.is_file() and key.is_file()):
        log(f"[{size_label(n)}] no kept database in {d}: making it (bench/province_db.py)")
        province_db.build(n, d, log=lambda msg: log(f"[{size_label(n)}] {msg}"))
    return {"records": n, "browser": browser_pages(db, key, runs, None, log, f"[{size_label(n)}]")}


# ============================================================================== table


def browser_table(demo: dict | None, results: list[dict]) -> str:
    """Pages in chromium beside their targets (issue 17): demo ≤ 3 s first view and ≤ 1 s after a filter
    change; 10 M ≤ 2 s after a filter change; server ready ≤ 5 s."""
    from bench import browser_pages as bp

    columns = [("demo", demo)] + [(size_label(r["records"]), r.get("browser")) for r in results]
    columns = [(name, data) for name, data in columns if data]
    if not columns:
        return "(pages in chromium not measured)"
    lines = [
        "| page · view (target) | " + " | ".join(name for name, _ in columns) + " |",
        "| --- | " + " | ".join("---" for _ in columns) + " |",
    ]
    targets = {
        "first visit": "empty browser cache, —",
        "first view": "≤ 3 s on the demo",
        "filter change": "≤ 1 s demo, ≤ 2 s 10M",
        "new tab": "—",
    }
    for page in [*bp.PAGES.values(), "baseline"]:
        for view, target in targets.items():
            cells = [f"{data[page][view]:.2f} s" if view in data.get(page, {}) else "—" for _, data in columns]
            if any(c != "—" for c in cells):
                lines.append(f"| {page} · {view} ({target}) | " + " | ".join(cells) + " |")
    cells = [f"{data['server']['ready']:.2f} s" for _, data in columns]
    lines.append("| server ready (≤ 5 s) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt_s(x: float | None) -> str:
    return "—" if x is None else (f"{x:.3f} s" if x < 1 else f"{x:.2f} s" if x < 10 else f"{x:.1f} s")


def _fmt_rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}/s"


def table(results: list[dict]) -> str:
    cols = [size_label(r["records"]) for r in results]
    lines = ["| measure | " + " | ".join(cols) + " |", "| --- | " + " | ".join("---" for _ in cols) + " |"]

    def row(label: str, fn) -> None:
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row(
        "service records (persons; puskesmas; desa)",
        lambda r: f"{r['layanan_rows']:,} ({r['persons']:,}; {r['puskesmas']}; {r['desa']:,})",
    )
    row(
        "layanan CSV files (MB)", lambda r: f"{r['files']} ({r['csv_mb']:,.0f} MB)" if not r["direct"] else "direct SQL"
    )
    row(
        "CSV ingest, validation included: rows/s",
        lambda r: f"{_fmt_rate(r['ingest']['rows'], r['ingest']['seconds'])} ({_fmt_s(r['ingest']['seconds'])})",
    )
    row(
        "bare DuckDB CSV load: rows/s",
        lambda r: f"{_fmt_rate(r['ingest']['rows'], r['bare']['seconds'])} ({_fmt_s(r['bare']['seconds'])})",
    )
    row(
        "pandas read_csv: rows/s",
        lambda r: f"{_fmt_rate(r['ingest']['rows'], r['pandas']['seconds'])} ({_fmt_s(r['pandas']['seconds'])})",
    )
    row(
        "**ratio** ingest / bare DuckDB throughput (target ≥ 0.5)",
        lambda r: f"{r['bare']['seconds'] / r['ingest']['seconds']:.2f}",
    )
    row("ratio ingest / pandas read_csv throughput", lambda r: f"{r['pandas']['seconds'] / r['ingest']['seconds']:.2f}")
    row(
        "XLSX ingest (200 k rows, one sheet): rows/s",
        lambda r: f"{_fmt_rate(r['xlsx']['rows'], r['xlsx']['ingest'])} ({_fmt_s(r['xlsx']['ingest'])})",
    )
    row(
        "pandas read_excel, default engine: rows/s",
        lambda r: f"{_fmt_rate(r['xlsx']['rows'], r['xlsx']['pandas'])} ({_fmt_s(r['xlsx']['pandas'])})",
    )
    row(
        "**ratio** XLSX ingest speed-up over pandas (target ≥ 10)",
        lambda r: f"{r['xlsx']['pandas'] / r['xlsx']['ingest']:.1f}×",
    )
    row("peak memory, CSV ingest (target < 4 GB at 10 M)", lambda r: f"{r['ingest']['maxrss_mb']:,.0f} MB")
    row(
        "peak memory, bare DuckDB / pandas",
        lambda r: f"{r['bare']['maxrss_mb']:,.0f} / {r['pandas']['maxrss_mb']:,.0f} MB",
    )
    row("database on disk", lambda r: f"{r['db_mb']:,.0f} MB")
    row("bare GROUP BY service × puskesmas × month, count distinct (warm)", lambda r: _fmt_s(r["bare"]["groupby"]))
    row("pandas groupby, nunique (data in memory)", lambda r: _fmt_s(r["pandas"]["groupby"]))
    row("kabupaten shown (its rows in the year)", lambda r: f"{r['regency']} ({r['regency_year_rows']:,})")
    for page, label in (
        ("sidebar", "sidebar (every page)"),
        ("overview", "overview page"),
        ("cluster", "cluster page (cluster 2)"),
        ("puskesmas", "puskesmas page"),
    ):
        row(
            f"{label}: cold / warm",
            lambda r, p=page: f"{_fmt_s(r['pages'][p]['cold'])} / {_fmt_s(r['pages'][p]['warm'])}",
        )
        row(
            f"{label}: pandas groupby ÷ warm (target ≥ 10)",
            lambda r, p=page: f"{r['pandas']['groupby'] / r['pages'][p]['warm']:.1f}×",
        )
        row(f"{label}: warm ÷ bare GROUP BY", lambda r, p=page: f"{r['pages'][p]['warm'] / r['bare']['groupby']:.2f}")
    row(
        "one indicator × every puskesmas of the province: cold / warm (target ≤ 30 s at 100 M)",
        lambda r: f"{_fmt_s(r['pages']['province']['cold'])} / {_fmt_s(r['pages']['province']['warm'])}",
    )
    row("peak memory, page computations", lambda r: f"{r['pages_maxrss_mb']:,.0f} MB")
    return "\n".join(lines)


def machine() -> str:
    import platform

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {mem:.0f} GB RAM, {platform.platform()}, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "child":
        print(json.dumps(CHILDREN[argv[1]](json.loads(argv[2]))))
        return
    ap = argparse.ArgumentParser(description="Dasbor ILP benchmark suite (see bench/README.md).")
    ap.add_argument("--sizes", default="1M,10M", help="service-record counts, e.g. 1M,10M,100M")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (medians are reported)")
    ap.add_argument("--warm", type=int, default=5, help="warm repetitions inside a page process")
    ap.add_argument(
        "--heavy-runs",
        type=int,
        default=None,
        help="runs of the whole-file loads (ingest, bare DuckDB, pandas) for sizes of 10 M and more (default: --runs)",
    )
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data", help="where generated data go (git-ignored)")
    ap.add_argument(
        "--direct-above",
        default="20M",
        help="sizes above this are written into the database by SQL, without files or ingest",
    )
    ap.add_argument("--no-xlsx", action="store_true", help="skip the XLSX measurement")
    ap.add_argument(
        "--pages", default=",".join(ALL_PAGES), help="figure sets to time (e.g. 'province' alone for the 100 M target)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    ap.add_argument("--no-browser", action="store_true", help="skip the pages in chromium (bench/browser_pages.py)")
    ap.add_argument(
        "--browser-only",
        action="store_true",
        help="only the pages in chromium, on the database kept in --data/<size>/ (made once by bench/province_db.py)",
    )
    ap.add_argument(
        "--demo", type=Path, default=ROOT / "data" / "ilp.duckdb", help="the demo database whose pages are timed first"
    )
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    limit = parse_size(args.direct_above)
    args.data.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)

    def log(msg: str) -> None:
        print(f"{datetime.now().strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    results = []
    demo_pages = None
    demo_key = args.demo.with_name(args.demo.stem + ".key")
    if not (args.no_browser or args.browser_only) and args.demo.is_file() and demo_key.is_file():
        demo_pages = browser_pages(args.demo, demo_key, args.runs, None, log, "[demo]")
    if args.browser_only:
        results = [browser_on_kept(n, args.data, args.runs, log) for n in sizes]
        print(
            f"\nDasbor ILP pages in chromium, {started:%Y-%m-%d %H:%M} UTC; medians of {args.runs} runs\n{machine()}\n"
        )
        print(browser_table(demo_pages, results))
        return
    xlsx_done = args.no_xlsx
    for n in sizes:
        direct = n > limit
        res = measure_size(
            n,
            args.data,
            args.runs,
            args.warm,
            direct,
            xlsx=not xlsx_done and not direct,
            log=log,
            heavy_runs=args.heavy_runs if n >= 10_000_000 else None,
            pages=[p for p in args.pages.split(",") if p],
            browser=not args.no_browser,
        )
        xlsx_done = xlsx_done or "xlsx" in res
        results.append(res)
        if not args.keep:
            shutil.rmtree(args.data / size_label(n), ignore_errors=True)
    loads = ", ".join(f"{size_label(r['records'])}: {r['load_runs']}" for r in results)
    print(
        f"\nDasbor ILP benchmark, {started:%Y-%m-%d %H:%M} UTC; medians of {args.runs} runs "
        f"(whole-file loads: {loads}); year {YEAR}, through month {MONTH}\n{machine()}\n"
    )
    print(table(results))
    print("\n" + browser_table(demo_pages, results))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"started": started.isoformat(), "machine": machine(), "results": results}, indent=1, default=str
            )
        )


if __name__ == "__main__":
    main()
