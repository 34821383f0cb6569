"""End-to-end fixtures: the demo database (copied, never modified), a Streamlit server on a free port,
and Debian's chromium driven by Playwright (never a browser downloaded by Playwright)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ILP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory) -> Path:
    """A private copy of the demo database (both districts); built when the repository has none."""
    from ilp_metrics.config import secret_path_for

    folder = tmp_path_factory.mktemp("e2e")
    target = folder / "ilp.duckdb"
    source = ROOT / "data" / "ilp.duckdb"
    if source.is_file() and secret_path_for(source).is_file():
        shutil.copy(source, target)
        shutil.copy(secret_path_for(source), secret_path_for(target))
    else:
        from ilp_metrics.demo.build import build_demo

        build_demo(target, seed=2024)
    # Codes the upload test needs, read now: once the server runs, it holds the file's lock.
    import duckdb

    with duckdb.connect(str(target), read_only=True) as probe:
        pusk, desa = probe.execute(
            "SELECT puskesmas_code, desa_code FROM desa WHERE puskesmas_code LIKE 'P7309%' ORDER BY 1, 2 LIMIT 1"
        ).fetchone()
    (folder / "codes.txt").write_text(f"{pusk},{desa}")
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(e2e_db: Path):
    """`streamlit run dashboard.py` on the copied database; yields the base URL."""
    port = _free_port()
    log = (e2e_db.parent / "server.log").open("w")
    env = dict(os.environ, ILP_DB=str(e2e_db), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--client.toolbarMode", "viewer"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("Streamlit did not start:\n" + (e2e_db.parent / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (`make browser` installs Debian's chromium; CI does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="id-ID")
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()
