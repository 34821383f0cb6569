"""Shared fixtures: a small registry of two Maros puskesmas, the hand-checked coverage and comparison
databases (tests/fixtures/), and real files written per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from ilp_metrics.core.db import connect, init_schema

from .fixtures.built_once import built_once
from .fixtures.compare_fixture import build_compare_db
from .fixtures.coverage_fixture import build_coverage_db
from .fixtures.files import (
    ADMIN,
    DESA_CSV,
    DINAS,
    MB,
    PUSKESMAS_CSV,
    PUSKESMAS_MB,
    PUSKESMAS_TK,
    SECRET,
    TAMU,
    TK,
    ingest,
    nik,
    table_counts,
    write_text,
    write_xlsx,
)
from .fixtures.small_demo import SmallDemo, build_small_demo

# The helpers stay importable from here (`from .conftest import MB, ingest, ...`).
__all__ = [
    "ADMIN",
    "DESA_CSV",
    "DINAS",
    "MB",
    "PUSKESMAS_CSV",
    "PUSKESMAS_MB",
    "PUSKESMAS_TK",
    "SECRET",
    "TAMU",
    "TK",
    "ingest",
    "nik",
    "table_counts",
    "write_text",
    "write_xlsx",
]

# Page and browser tests run signed in as the demo `dinas` account (pages/_auth.py: ILP_AUTH=demo), so
# they need no login step; tests of signing in set ILP_AUTH themselves (monkeypatch). The servers that
# tests/e2e starts inherit this environment.
os.environ["ILP_AUTH"] = "demo"


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with schema, reference areas and the two-puskesmas registry, built once."""
    folder = tmp_path_factory.mktemp("template")
    db_path = folder / "template.duckdb"
    con = connect(db_path)
    init_schema(con)
    for name, text in (("puskesmas.csv", PUSKESMAS_CSV), ("desa.csv", DESA_CSV)):
        report = ingest(con, write_text(folder / name, text))
        assert report.ok, report.to_dict()
    con.execute("CHECKPOINT")
    con.close()
    return db_path


@pytest.fixture
def db_path(registry_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ilp.duckdb"
    shutil.copy(registry_template, path)
    return path


@pytest.fixture
def con(db_path: Path):
    c = connect(db_path)
    yield c
    c.close()


# ------------------------------------------------------------------ hand-checked fixtures


@pytest.fixture(scope="module")
def fixture_db(registry_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-checked coverage fixture (tests/fixtures/coverage_fixture.py), built once per module."""
    return build_coverage_db(registry_template, tmp_path_factory.mktemp("coverage"))


@pytest.fixture
def fcon(fixture_db: Path):
    c = connect(fixture_db, read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def compare_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-checked comparison fixture (tests/fixtures/compare_fixture.py), built once per module."""
    return build_compare_db(tmp_path_factory.mktemp("compare"))


@pytest.fixture
def ccon(compare_db: Path):
    c = connect(compare_db, read_only=True)
    yield c
    c.close()


# ------------------------------------------------------------------ the small demo


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the small demo is `slow` (building it takes about a minute on 2 cores), so
    `make test-fast` (-m "not slow") never builds it."""
    for item in items:
        if "small_demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
    if os.environ.get("PYTEST_XDIST_WORKER") is not None:
        items.sort(key=_start_early)


# Started first under pytest-xdist (`--dist worksteal` hands each worker a contiguous half of this order and
# lets an idle worker take the tail of another's queue, never its next two tests): the Spark tests, so both
# run in one worker and one Spark session, then the longest single test, so it is never the last one left
# while the other worker has nothing to do.
START_FIRST = ("tests/test_scale.py::test_spm_coverage_equal_on_spark_and_duckdb", "tests/test_cli_beside_app.py")


def _start_early(item: pytest.Item) -> int:
    """The position of START_FIRST's entries, then the browser tests (they share the demo build and their
    servers), then the rest; the sort is stable, so the usual order holds within each."""
    for rank, prefix in enumerate(START_FIRST):
        if item.nodeid.startswith(prefix):
            return rank
    browser = item.nodeid.startswith("tests/e2e/") or item.get_closest_marker("e2e")
    return len(START_FIRST) + (0 if browser else 1)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> SmallDemo:
    """The small demo database (tests/fixtures/small_demo.py), built once per run and shared by the
    xdist workers (tests/fixtures/built_once.py); read it only (`small_demo.copy_to(folder)` gives a test
    that writes its own copy)."""
    return built_once(tmp_path_factory, "small_demo", build_small_demo)


def pytest_report_header(config: pytest.Config) -> str:
    """The free space where the tests write: a full run needs a few GB at its peak, and a disk that runs
    out fails tests far from the cause ("No space left on device" in a browser or a fuzzer)."""
    folder = tempfile.gettempdir()
    return f"free space in {folder}: {shutil.disk_usage(folder).free / 2**30:.1f} GiB"
