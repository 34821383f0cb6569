"""Every page as a user meets it: Debian's chromium on a real `streamlit run`, timed from navigation (or
the click) to the last element drawn.

    .venv/bin/python -m bench.browser_pages                      # the demo database, 3 runs
    .venv/bin/python -m bench.browser_pages --db bench/data/10M/ilp.duckdb --regency 73.71 --runs 2

Each run uses one port, as a district's dashboard has one address, and one browser profile (a browser
context), as a Kadis uses his own browser. For each page, a fresh server is started on a copy of the
database (`server ready` = from the process start to the first answer of /_stcore/health), and the page is
measured four ways:

  first visit    a browser that never opened the dashboard (empty cache: it downloads and compiles the
                 whole app, Plotly's 4.7 MB included), on a fresh server;
  first view     the page's first view after a server start (nothing cached for it on the server), in a new
                 tab of the browser that has opened the dashboard before (the usual morning);
  filter change  in that same tab, another kabupaten/kota picked in the sidebar, then the year before, then
                 the first kabupaten/kota again (three figure sets not seen before on this server, no cache
                 hit): from each click on the option to the page drawn again, as a Kadis changing the
                 district or the year in a meeting waits;
  new tab        the first URL again in a new tab of that browser (a second viewer of the same figures).

"Drawn" is the end-to-end tests' criterion (tests/e2e/helpers.wait_for_app): Streamlit's script has
finished, no status widget or skeleton is shown, and every visible Plotly chart has drawn its SVG. The time
is read in the page itself: a MutationObserver notes when the document last changed, and the time is
from the navigation start (or the click, `pointerdown`) to that last change. The polling that finds the page
finished and the quiet period it waits for are therefore not counted.

Before the runs, the file's tallies and kept data-quality findings are made current once, as the dashboard
does when it opens a file for writing (`make_current`): otherwise every server start would recompute them
on its copy (minutes at 10 M records) after a code change.

The baseline, measured in the same run on the same port and browser, is a page that draws one Plotly
chart and one table from literals (bench/baseline_page.py): what any Streamlit page costs here. Ratios are
page time / baseline time. Medians of --runs (the filter change: of every change of every run); the load
average is printed with the results, because two cores shared with other work inflate every figure.
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
    """`streamlit run` in its own process group on a private copy of the database and its key; by default
    `app.py`, what `make run` serves (it starts importing the pages' modules while the server starts)."""

    def __init__(self, db: Path, key: Path, folder: Path, script: str = "app.py", port: int | None = None) -> None:
        self.folder = folder
        self.db = folder / db.name
        shutil.copy2(db, self.db)
        self.key = self.db.with_name(self.db.stem + ".key")
        shutil.copy2(key, self.key)
        self.script = script
        self.port = port or _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_s = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = dict(os.environ, ILP_DB=str(self.db), ILP_SECRET_FILE=str(self.key))
        # The pages, not the sign-in: a synthetic file is not the demo, so without this it would ask for one.
        env.setdefault("ILP_AUTH", "demo")
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


# Notes, in the page, when the document last changed and when the user last pressed on something.
_MARKS_JS = """
window.__ilpLast = 0;
window.__ilpPressed = null;
new MutationObserver(() => { window.__ilpLast = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
document.addEventListener('pointerdown', () => { window.__ilpPressed = performance.now(); }, true);
"""


def browser_profile(browser: object) -> object:
    """A browser context: one user's browser (its cache is shared by its tabs), with the marks installed."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    context.add_init_script(_MARKS_JS)
    return context


def _drawn_since_navigation(page: object) -> float:
    return float(page.evaluate("() => window.__ilpLast")) / 1000  # type: ignore[attr-defined]


def _drawn_since_press(page: object) -> float:
    last, pressed = page.evaluate("() => [window.__ilpLast, window.__ilpPressed]")  # type: ignore[attr-defined]
    return (float(last) - float(pressed)) / 1000


def _timed_view(context: object, url: str) -> float:
    """Seconds from navigation in a new tab of `context` to the page fully drawn (the tab is closed)."""
    page = context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(url)
        wait_for_app(page, timeout_ms=180_000, settle_ms=0)
        return _drawn_since_navigation(page)
    finally:
        page.close()


def _first_visit(browser: object, url: str) -> float:
    """A browser that never opened the dashboard: a new, empty profile."""
    context = browser_profile(browser)
    try:
        return _timed_view(context, url)
    finally:
        context.close()  # type: ignore[attr-defined]


URL_CHANGE: set[str] = set()  # pages without a visible sidebar (Presentasi): the change is a new URL


def _pick(page: object, key: str, choose: object) -> tuple[float, str] | None:
    """Pick an option of the selectbox `key` in the open tab: `choose(options, current text)` returns the
    option to click, or None to skip. Seconds from the click to the page drawn again, and the text that was
    shown before; None when the page has no such box or no option to choose."""
    box = page.locator(f".st-key-{key}")  # type: ignore[attr-defined]
    if not box.is_visible():
        return None
    current = box.get_by_role("combobox").input_value().strip()
    box.get_by_role("button").click()
    options = page.get_by_role("option")  # type: ignore[attr-defined]
    options.first.wait_for()
    target = choose(options.all(), current)  # type: ignore[operator]
    if target is None:
        page.keyboard.press("Escape")  # type: ignore[attr-defined]
        return None
    target.click()
    wait_for_app(page, timeout_ms=180_000, settle_ms=0)
    return _drawn_since_press(page), current


def _other(options: list[object], current: str) -> object | None:
    return next((o for o in options if o.inner_text().strip() != current), None)  # type: ignore[attr-defined]


def _text(wanted: str) -> object:
    return lambda options, current: next((o for o in options if o.inner_text().strip() == wanted), None)


def _timed_changes(context: object, url: str, other: str, label: str, year: int) -> list[float]:
    """Seconds from picking another filter in the sidebar (in a tab that shows `url`) to the page drawn
    again, for three changes in a row to figures not seen before on this server: another kabupaten/kota,
    then the year before, then the first kabupaten/kota again (in that year). The tab's own first load is
    not counted. The presentation slide hides the sidebar and has its own kabupaten picker (one change);
    a page with neither changes the district by the URL: then `other` is opened in the same tab."""
    page = context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(url)
        wait_for_app(page, timeout_ms=180_000, settle_ms=0)
        first = _pick(page, "w_regency", _other)
        if first is None:
            one = _pick(page, "w_pres_regency", _other)
            if one is not None:
                return [one[0]]
            URL_CHANGE.add(label)
            page.goto(other)
            wait_for_app(page, timeout_ms=180_000, settle_ms=0)
            return [_drawn_since_navigation(page)]
        times = [first[0]]
        for key, choose in (("w_year", _text(str(year - 1))), ("w_regency", _text(first[1]))):
            step = _pick(page, key, choose)
            if step is not None:
                times.append(step[0])
        return times
    finally:
        page.close()


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


def make_current(db: Path) -> float | None:
    """What the dashboard does when it opens a file for writing (pages/_db.py), done once on the file
    measured: its tallies and kept findings made current, so that no server start in the runs (each on
    a copy) spends minutes on them. Seconds taken, or None when they were current already."""
    from ilp_metrics.catalogue import load_catalogue
    from ilp_metrics.core.db import connect
    from ilp_metrics.metrics import tallies
    from ilp_metrics.quality import kept

    cat = load_catalogue()
    started = time.perf_counter()
    con = connect(db)
    try:
        made = tallies.ensure_current(con, cat)
        made = kept.ensure_current(con, cat) or made
        if made:
            con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - started if made else None


def measure(db: Path, key: Path, runs: int, regency: str | None) -> dict[str, dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    made = make_current(db)
    if made is not None:
        print(f"{db}: tallies and kept findings made current first ({made:.1f} s)", file=sys.stderr)
    reg1, year1, reg2, _ = _filters(db, regency)
    results: dict[str, dict[str, list[float]]] = {label: {} for label in [*PAGES.values(), "baseline", "server"]}

    def note(label: str, view: str, seconds: float) -> None:
        results[label].setdefault(view, []).append(seconds)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for run in range(runs):
                port = _free_port()
                profile = browser_profile(browser)  # this run's user: has opened the dashboard before
                try:
                    with tempfile.TemporaryDirectory(prefix="ilp-bench-") as tmp:
                        base = Server(db, key, Path(tmp), script="bench/baseline_page.py", port=port).start()
                        try:
                            note("baseline", "first visit", _first_visit(browser, base.url))
                            _timed_view(profile, base.url)  # the profile's earlier visit: its cache is warm
                        finally:
                            base.stop()
                        base = Server(db, key, Path(tmp), script="bench/baseline_page.py", port=port).start()
                        try:
                            note("baseline", "first view", _timed_view(profile, base.url))
                            note("baseline", "new tab", _timed_view(profile, base.url))
                        finally:
                            base.stop()
                    for path, label in PAGES.items():
                        with tempfile.TemporaryDirectory(prefix="ilp-bench-") as tmp:
                            first = other = ""
                            server = Server(db, key, Path(tmp), port=port).start()
                            try:
                                first = page_url(server.url, path, kabupaten=reg1, tahun=year1)
                                other = page_url(server.url, path, kabupaten=reg2, tahun=year1)
                                note(label, "first visit", _first_visit(browser, first))
                            finally:
                                server.stop()
                            server = Server(db, key, Path(tmp), port=port).start()
                            try:
                                note("server", "ready", server.ready_s)
                                note(label, "first view", _timed_view(profile, first))
                                for seconds in _timed_changes(profile, first, other, label, year1):
                                    note(label, "filter change", seconds)
                                note(label, "new tab", _timed_view(profile, first))
                            finally:
                                server.stop()
                finally:
                    profile.close()  # type: ignore[attr-defined]
                print(f"run {run + 1}/{runs} done", file=sys.stderr)
        finally:
            browser.close()
    return results


VIEWS = ("first visit", "first view", "filter change", "new tab")


def report(results: dict[str, dict[str, list[float]]], runs: int, db: Path) -> str:
    med = {label: {k: statistics.median(v) for k, v in views.items()} for label, views in results.items()}
    base = med["baseline"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Pages in chromium, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {db}; medians of {runs} runs",
        f"machine: {os.cpu_count()} cores; load average at the end {load}",
        f"server ready {med['server']['ready']:.2f} s (target ≤ {TARGET_READY_S:.0f} s)",
        f"baseline page (one chart, one table, no data): first visit {base['first visit']:.2f} s, "
        f"first view {base['first view']:.2f} s, new tab {base['new tab']:.2f} s",
        "",
        f"| page | first visit (empty browser cache) | first view (≤ {TARGET_FIRST_S:.0f} s) "
        f"| filter change (≤ {TARGET_CHANGE_S:.0f} s) | new tab | first view / baseline |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label in PAGES.values():
        m = med[label]
        lines.append(
            f"| {label} | {m['first visit']:.2f} s | {m['first view']:.2f} s "
            f"| {m['filter change']:.2f} s{' †' if label in URL_CHANGE else ''} | {m['new tab']:.2f} s "
            f"| {m['first view'] / base['first view']:.1f}× |"
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
