"""Every page as a user meets it: Debian's chromium on a real `streamlit run`, timed from navigation to
the last element drawn.

    .venv/bin/python -m bench.browser_pages                      # the demo database, 3 runs
    .venv/bin/python -m bench.browser_pages --db bench/data/10M/ilp.duckdb --regency 73.71 --runs 2

For each run, a fresh server is started on a copy of the database (`server ready` = from the process start
to the first answer of /_stcore/health), then, one after the other, each page is measured three ways:

  first view     the page's first view on that server (nothing cached for it yet), in a new browser tab;
  filter change  in that same tab, another kabupaten/kota picked in the sidebar (figures not seen before on
                 this server, no cache hit): from the click on the option to the page drawn again, as a
                 Kadis changing the district in a meeting waits;
  new tab        the first URL again in a new browser tab (what a second viewer of the same figures waits for:
                 the browser loads the whole app again, so the baseline page's own cost is in it).

"Drawn" is the end-to-end tests' criterion (tests/e2e/helpers.wait_for_app): Streamlit's script has
finished, no status widget or skeleton is shown, and every visible Plotly chart has drawn its SVG.

The baseline, measured in the same run on the same server and browser, is a page that draws one Plotly
chart and one table from literals (bench/baseline_page.py): what any Streamlit page costs here. Ratios are
page time / baseline time. Medians of --runs; the load average is printed with the results, because two
cores shared with other work inflate every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import page_url, wait_for_app  # noqa: E402  (the tests' own criterion of "drawn")

CHROMIUM = Path(os.environ.get("ILP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWPORT = {"width": 1920, "height": 1080}

# url path -> label; "" is the default page (Ringkasan). The targets apply to every one of them.
PAGES = {
    "": "Ringkasan",
    "klaster": "Klaster",
    "puskesmas": "Puskesmas",
    "perbandingan": "Perbandingan",
    "kualitas": "Kualitas data",
    "presentasi": "Presentasi",
}
TARGET_CHANGE_S = 1.0  # demo: every page after a filter change (issue 17)
TARGET_FIRST_S = 3.0  # demo: first view after a server start
TARGET_READY_S = 5.0  # server ready after `make run` finds the database built


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`streamlit run` in its own process group on a private copy of the database and its key."""

    def __init__(self, db: Path, key: Path, folder: Path, script: str = "dashboard.py") -> None:
        self.folder = folder
        self.db = folder / db.name
        shutil.copy2(db, self.db)
        self.key = self.db.with_name(self.db.stem + ".key")
        shutil.copy2(key, self.key)
        self.script = script
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_s = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = dict(os.environ, ILP_DB=str(self.db), ILP_SECRET_FILE=str(self.key))
        command = [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true"]
        command += ["--server.port", str(self.port), "--server.address", "127.0.0.1"]
        command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        started = time.perf_counter()
        log = (self.folder / f"streamlit_{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = started + 120
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        self.ready_s = time.perf_counter() - started
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"streamlit did not start; see {log.name}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None


def _timed_view(browser: object, url: str) -> float:
    """Seconds from navigation in a new tab to the page fully drawn (the tab is closed afterwards)."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        wait_for_app(page, timeout_ms=180_000, settle_ms=0)
        # wait_for_app ends after a quiet period in which nothing ran: that period is not the user's wait.
        return time.perf_counter() - started - _quiet_s()
    finally:
        context.close()


URL_CHANGE: set[str] = set()  # pages without a visible sidebar (Presentasi): the change is a new URL


def _timed_change(browser: object, url: str, other: str, label: str) -> float:
    """Seconds from picking another kabupaten/kota in the sidebar (in a tab that shows `url`) to the page
    drawn again; the tab's own first load is not counted. A page that hides the sidebar (the Presentasi
    slide) changes district by its URL: then `other` is opened in the same tab."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(url)
        wait_for_app(page, timeout_ms=180_000, settle_ms=0)
        box = page.locator(".st-key-w_regency")
        if not box.is_visible():
            URL_CHANGE.add(label)
            started = time.perf_counter()
            page.goto(other)
            wait_for_app(page, timeout_ms=180_000, settle_ms=0)
            return time.perf_counter() - started - _quiet_s()
        current = box.get_by_role("combobox").input_value().strip()
        box.get_by_role("button").click()
        options = page.get_by_role("option")
        options.first.wait_for()
        target = next(o for o in options.all() if o.inner_text().strip() != current)
        started = time.perf_counter()
        target.click()
        wait_for_app(page, timeout_ms=180_000, settle_ms=0)
        return time.perf_counter() - started - _quiet_s()
    finally:
        context.close()


def _quiet_s() -> float:
    from tests.e2e.helpers import QUIET_MS

    return QUIET_MS / 1000


def _filters(db: Path, regency: str | None) -> tuple[str, int, str, int]:
    """(kabupaten, year) of the first view and (kabupaten, year) of the filter change: the largest
    kabupaten in its latest year, then another kabupaten (when there is one) in the year before."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """WITH per_regency AS (
                   SELECT p.regency_code, max(year(l.service_date)) AS last_year, count(*) AS records
                   FROM layanan l JOIN puskesmas p USING (puskesmas_code)
                   GROUP BY p.regency_code)
               SELECT regency_code, last_year FROM per_regency ORDER BY records DESC, regency_code"""
        ).fetchall()
    if not rows:
        raise SystemExit(f"{db} holds no service records")
    first = next((r for r in rows if r[0] == regency), rows[0]) if regency else rows[0]
    other = next((r for r in rows if r[0] != first[0]), first)
    return str(first[0]), int(first[1]), str(other[0]), int(first[1]) - 1


def measure(db: Path, key: Path, runs: int, regency: str | None) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    reg1, year1, reg2, _ = _filters(db, regency)
    results: dict[str, dict[str, list[float]]] = {label: {} for label in [*PAGES.values(), "baseline", "server"]}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for run in range(runs):
                for path, label in PAGES.items():
                    with tempfile.TemporaryDirectory(prefix="ilp-bench-") as tmp:
                        server = Server(db, key, Path(tmp)).start()
                        try:
                            results["server"].setdefault("ready", []).append(server.ready_s)
                            first = page_url(server.url, path, kabupaten=reg1, tahun=year1)
                            times = results[label]
                            times.setdefault("first view", []).append(_timed_view(browser, first))
                            other = page_url(server.url, path, kabupaten=reg2, tahun=year1)
                            times.setdefault("filter change", []).append(_timed_change(browser, first, other, label))
                            times.setdefault("new tab", []).append(_timed_view(browser, first))
                        finally:
                            server.stop()
                with tempfile.TemporaryDirectory(prefix="ilp-bench-") as tmp:
                    base = Server(db, key, Path(tmp), script="bench/baseline_page.py").start()
                    try:
                        results["baseline"].setdefault("first view", []).append(_timed_view(browser, base.url))
                        results["baseline"].setdefault("new tab", []).append(_timed_view(browser, base.url))
                    finally:
                        base.stop()
                print(f"run {run + 1}/{runs} done", file=sys.stderr)
        finally:
            browser.close()
    return results


def report(results: dict[str, dict[str, list[float]]], runs: int, db: Path) -> str:
    med = {label: {k: statistics.median(v) for k, v in views.items()} for label, views in results.items()}
    base = med["baseline"]["first view"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Pages in chromium, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {db}; medians of {runs} runs",
        f"machine: {os.cpu_count()} cores; load average at the end {load}",
        f"server ready {med['server']['ready']:.2f} s (target ≤ {TARGET_READY_S:.0f} s)",
        f"baseline page (one chart, one table, no data): {base:.2f} s first view",
        f"baseline page, new tab again: {med['baseline']['new tab']:.2f} s (the floor of every new-tab figure)",
        "",
        f"| page | first view (≤ {TARGET_FIRST_S:.0f} s) | filter change (≤ {TARGET_CHANGE_S:.0f} s) | new tab "
        "| first / baseline |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label in PAGES.values():
        m = med[label]
        lines.append(
            f"| {label} | {m['first view']:.2f} s | {m['filter change']:.2f} s{' †' if label in URL_CHANGE else ''} "
            f"| {m['new tab']:.2f} s "
            f"| {m['first view'] / base:.1f}× |"
        )
    if URL_CHANGE:
        lines.append("")
        lines.append("† no sidebar on this page: the district changed by its URL in the same tab (a page load)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "ilp.duckdb")
    parser.add_argument("--key", type=Path, help="its pseudonymisation key (default: beside the database)")
    parser.add_argument("--regency", help="kabupaten/kota of the first view (default: the one with most records)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    key = args.key or args.db.with_name(args.db.stem + ".key")
    if not (args.db.is_file() and key.is_file()):
        raise SystemExit(f"{args.db} or its key {key} is missing (make demo builds the demo database)")
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing (make browser installs Debian's chromium)")
    print(report(measure(args.db, key, args.runs, args.regency), args.runs, args.db))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
