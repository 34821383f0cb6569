"""End-to-end fixtures: a private copy of the demo database, `streamlit run dashboard.py` on a free
loopback port, and Debian's chromium driven by Playwright (never a browser downloaded by Playwright).

* `demo_db` (session): the full demo database (Maros 73.09 and Luwu Utara 73.22) copied with its key
  from `data/ilp.duckdb` to a temporary folder, or built there with the demo generator (~2.5 min) when
  the repository has none; once per run, however many pytest-xdist workers share it
  (tests/fixtures/built_once.py). `data/ilp.duckdb` is only ever read by a file copy. This copy is a
  template: servers get copies of their own, so a test that writes (the upload) never changes what others
  see.
* `server` (session): one read-mostly server for the page tests; yields its base URL.
* `start_server` (session): a factory for a private server on a fresh database copy (tests that write).
* `browser` (session) and `page` (per test, 1600×1000): skipped with the reason when /usr/bin/chromium
  is missing (`make browser` installs it), except under CI=true, where a missing chromium fails the tests
  (CI runs `make test` as root, which installs it).

On a failing test, the page is saved as `artifacts/screenshots/FAILED_<test>.png` and the tail of the
server's log is printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fixtures.built_once import built_once

from .helpers import SHOTS

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
REPO_DB = ROOT / "data" / "ilp.duckdb"
DEMO_SEED = 2024
DEMO_REGENCIES = {"73.09", "73.22"}  # Maros, Luwu Utara

CHROMIUM = Path(os.environ.get("ILP_CHROMIUM", "/usr/bin/chromium"))
# Measured on this kind of machine (docs: /work/shared/research/tech_notes.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1600, "height": 1000}
SERVER_START_TIMEOUT_S = 90


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e/ carries the `e2e` marker (pytest.ini), so `-m "not e2e"` skips them."""
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)  # read by `page` to keep evidence of a failure
    return report


# ------------------------------------------------------------------ database


@dataclass(frozen=True)
class DemoDatabase:
    """The template copy of the demo database and facts read from it before any server locks a copy."""

    path: Path
    key: Path
    puskesmas: dict[str, list[tuple[str, str, str]]]  # regency -> [(puskesmas_code, name, first desa_code)]
    service_codes: list[str]  # service codes of the monthly aggregate reports (`capaian`) already loaded

    def copy_to(self, folder: Path) -> tuple[Path, Path]:
        """A fresh copy: the database and its key side by side (config.secret_path_for's default)."""
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / self.path.name
        shutil.copy2(self.path, db)
        key = _key_beside(db)
        shutil.copy2(self.key, key)
        return db, key


def _key_beside(db: Path) -> Path:
    """config.secret_path_for without the ILP_SECRET_FILE override (the tests' copies keep their own key)."""
    return db.with_name(db.stem + ".key")


def _read_facts(db: Path) -> tuple[dict, list[str]]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """SELECT p.regency_code, p.puskesmas_code, p.puskesmas_name, min(d.desa_code)
               FROM puskesmas p JOIN desa d USING (puskesmas_code) GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        services = [
            r[0]
            for r in con.execute("SELECT service_code FROM capaian GROUP BY 1 ORDER BY count(*) DESC, 1").fetchall()
        ]
    found: dict[str, list[tuple[str, str, str]]] = {}
    for regency, code, name, desa in rows:
        found.setdefault(regency, []).append((code, name, desa))
    return found, services


def _copy_repository_db(folder: Path) -> Path | None:
    """Copy data/ilp.duckdb (+ its WAL, if a writer left one) and its key; None when there is none."""
    from ilp_metrics.core.config import secret_path_for

    key = secret_path_for(REPO_DB)  # honours ILP_SECRET_FILE, like the dashboard would
    if not (REPO_DB.is_file() and key.is_file()):
        return None
    target = folder / "ilp.duckdb"
    shutil.copy2(REPO_DB, target)
    wal = REPO_DB.with_name(REPO_DB.name + ".wal")
    if wal.is_file():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    shutil.copy2(key, _key_beside(target))
    return target


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> DemoDatabase:
    """Prepared once per run, whatever the number of xdist workers (tests/fixtures/built_once.py)."""
    return built_once(tmp_path_factory, "e2e_template", _prepare_demo)


def _prepare_demo(folder: Path) -> DemoDatabase:
    target = _copy_repository_db(folder)
    facts = None
    if target is not None:
        try:
            facts = _read_facts(target)
        except Exception as exc:  # a copy taken mid-write, an old file format…: build instead
            print(f"e2e: data/ilp.duckdb not usable as a copy ({exc}); building the demo database")
        if facts is not None and not set(facts[0]) >= DEMO_REGENCIES:
            print(f"e2e: data/ilp.duckdb holds {sorted(facts[0])}, not both demo districts; building the demo")
            facts = None
    if facts is None:
        from ilp_metrics.demo.build import build_demo

        for leftover in folder.iterdir():
            leftover.unlink()
        target = folder / "ilp.duckdb"
        started = time.monotonic()
        build_demo(target, seed=DEMO_SEED)
        print(f"e2e: demo database built in {time.monotonic() - started:.0f} s")
        facts = _read_facts(target)
    missing = DEMO_REGENCIES - set(facts[0])
    assert not missing, f"demo database lacks kabupaten {missing}"
    return DemoDatabase(path=target, key=_key_beside(target), puskesmas=facts[0], service_codes=facts[1])


# ------------------------------------------------------------------ server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StreamlitServer:
    """`streamlit run dashboard.py` in its own process group, on its own database copy."""

    db: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    script: str = "dashboard.py"  # app.py: the same dashboard with its session route (kept sign-ins)
    env: dict[str, str] = field(default_factory=dict)  # settings of this server only

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.db.parent / f"streamlit_{self.port}.log"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"

    def start(self) -> StreamlitServer:
        env = dict(os.environ, ILP_DB=str(self.db), ILP_SECRET_FILE=str(_key_beside(self.db)), PYTHONUNBUFFERED="1")
        env.update(self.env)
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",  # pages are being edited: no reruns mid-test
            "--client.toolbarMode",
            "viewer",
        ]
        with self.log_path.open("w") as log:  # stdout and stderr: the child keeps its own descriptor
            self.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None and self._port_was_taken():
                # Another worker's server (pytest-xdist) took the port between _free_port and the bind.
                self.port = _free_port()
                return self.start()
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"Streamlit did not answer {self.url}/_stcore/health (exit code "
                    f"{self.proc.returncode}); its output:\n{self.log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.25)

    def _port_was_taken(self) -> bool:
        return f"Port {self.port} is not available" in self.log_tail()

    def stop(self) -> None:
        """Terminate the whole process group; kill it if it has not gone after 20 s. Idempotent."""
        if self.proc is None:
            return
        if self.proc.poll() is not None and not _group_alive(self.proc.pid):
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


@pytest.fixture(scope="session")
def start_server(demo_db: DemoDatabase, tmp_path_factory: pytest.TempPathFactory):
    """Factory: `start_server()` starts a server on a fresh copy of the demo database; all are stopped
    at the end of the session (a test may stop its own earlier with `.stop()`)."""
    started: list[StreamlitServer] = []

    def start() -> StreamlitServer:
        db, _ = demo_db.copy_to(tmp_path_factory.mktemp("e2e_server"))
        server = StreamlitServer(db=db)
        started.append(server)
        return server.start()

    start.started = started  # read by `page` to show the servers' logs when a test fails
    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def app_server(start_server) -> StreamlitServer:
    return start_server()


@pytest.fixture(scope="session")
def server(app_server: StreamlitServer) -> str:
    """Base URL of the shared server (tests on it must not write to its database)."""
    return app_server.url


# ------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is not installed: the browser tests need Debian's chromium "
            "(`make browser` installs it as root; CI's `make test` does)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)  # CI must run them: a missing browser is a broken setup
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def new_page(browser, viewport: dict[str, int] = VIEWPORT):
    context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Makassar")
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    return context, context.new_page()


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:150]


def keep_failure_evidence(request, p, servers: list[StreamlitServer]) -> None:
    """After a failed test: the page as FAILED_<test>.png and the tail of every server's log."""
    report = getattr(request.node, "e2e_report_call", None)
    if report is None or not report.failed:
        return
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(SHOTS / f"FAILED_{_safe_name(request.node.nodeid)}.png"), full_page=True)
    except Exception as exc:  # the evidence is a bonus; never hide the real failure
        print(f"e2e: no failure screenshot ({exc})")
    print(f"e2e: page URL at the failure: {p.url}")
    for server in servers:
        print(f"--- tail of the log of the server at {server.url} ---\n{server.log_tail()}")


@pytest.fixture
def page(browser, request, start_server):
    """A fresh browser context per test (no session state carried over), 1600×1000."""
    context, p = new_page(browser)
    yield p
    keep_failure_evidence(request, p, start_server.started)
    context.close()
