"""tests/fixtures/built_once.py: under pytest-xdist a build shared by the workers runs once per run, and a
build that failed in one worker is done again by the next instead of leaving a half-built folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fixtures.built_once import built_once


class WorkerTemp:
    """What built_once reads of pytest's TempPathFactory in a worker: `<run>/popen-gwN`."""

    def __init__(self, run: Path, worker: str) -> None:
        self.base = run / f"popen-{worker}"

    def getbasetemp(self) -> Path:
        return self.base


def test_the_second_worker_reads_what_the_first_built(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    builds: list[Path] = []

    def build(folder: Path) -> dict[str, str]:
        builds.append(folder)
        (folder / "demo.duckdb").write_text("built", encoding="utf-8")
        return {"path": str(folder / "demo.duckdb")}

    first = built_once(WorkerTemp(tmp_path, "gw0"), "demo", build)
    second = built_once(WorkerTemp(tmp_path, "gw1"), "demo", build)
    assert builds == [tmp_path / "demo"]
    assert first == second == {"path": str(tmp_path / "demo" / "demo.duckdb")}


def test_a_failed_build_is_done_again_in_a_clean_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")

    def failing(folder: Path) -> str:
        (folder / "half.duckdb").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        built_once(WorkerTemp(tmp_path, "gw0"), "demo", failing)
    rebuilt = built_once(WorkerTemp(tmp_path, "gw1"), "demo", lambda folder: sorted(p.name for p in folder.iterdir()))
    assert rebuilt == []  # the half-built file is gone before the new build starts


def test_without_xdist_each_session_builds_in_its_own_folder(tmp_path_factory, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    folders = [built_once(tmp_path_factory, "demo", lambda folder: folder) for _ in range(2)]
    assert folders[0] != folders[1] and all(folder.is_dir() for folder in folders)
