"""No personal data outside the pseudonymised tables (issue 16.1): an upload's clear text touches the disk
only inside the database's private folder (0700), which every exit path empties and the next open of the
database sweeps after a kill — transcoded copies, DuckDB's spill files and the upload page's staged files."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ilp_metrics.core import private
from ilp_metrics.core.config import private_dir_for
from ilp_metrics.core.db import connect

from .conftest import ingest, write_text

ROOT = Path(__file__).resolve().parent.parent
ROWS = 60_000
NAMES = ("Sitti Hasanah Daéng", "Kwartjaningsih Aminah", "Andi Nur'aini Ré", "Muh. Çahyo Ngéné")
_RNG = random.Random(1616)
KILL_AFTER = sorted(round(_RNG.uniform(0.0, 3.0), 2) for _ in range(2))  # seconds after the database opens
_DIGITS = re.compile(rb"\d{16,}")


def fixture_nik(i: int) -> str:
    return f"730904{(i % 28) + 1:02d}0390{(i % 9999) + 1:04d}"


@pytest.fixture(scope="module")
def cp1252_csv(tmp_path_factory) -> Path:
    """A Windows-1252 layanan file with NIKs and names (transcoded before DuckDB reads it)."""
    path = tmp_path_factory.mktemp("source") / "layanan.csv"
    desa = ("73.09.04.2005", "73.09.04.2006", "73.09.04.1002")
    with open(path, "w", encoding="cp1252", newline="") as fh:
        fh.write("service_date,puskesmas_code,desa_code,nik,name,birth_date,sex,service_code\n")
        for i in range(ROWS):
            fh.write(
                f"2024-{i % 12 + 1:02d}-15,P7309040201,{desa[i % 3]},{fixture_nik(i)},{NAMES[i % 4]},"
                "1990-03-15,P,ANC_K1\n"
            )
    return path


NIKS = frozenset(fixture_nik(i).encode() for i in range(ROWS))
NEEDLES = tuple(name.encode(enc) for name in NAMES for enc in ("utf-8", "cp1252"))


def personal_data_in(places: list[Path]) -> tuple[int, dict[str, int]]:
    """Files scanned (each place a file or a folder, searched whole), and per file holding any, how many
    fixture NIKs and names it holds in clear."""
    scanned, found = 0, {}
    for place in places:
        for path in [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]:
            scanned += 1
            data = path.read_bytes()
            niks = {
                run[i : i + 16] for m in _DIGITS.finditer(data) for run in [m.group()] for i in range(len(run) - 15)
            }
            hits = len(niks & NIKS) + sum(data.count(n) for n in NEEDLES)
            if hits:
                found[str(path)] = hits
    return scanned, found


def _writing(db: Path, kind: str) -> bool:
    """A transcoded copy (`work`) or a DuckDB spill file (`spill`) is on disk."""
    pattern = "work-*/*.csv" if kind == "work" else "spill-*/*storage*"
    return any(f.is_file() and f.stat().st_size > 0 for f in private_dir_for(db).glob(pattern))


def _kill_ingest(db: Path, source: Path, tmpdir: Path, kill_after: float | str, memory_limit: str = "") -> int:
    """Run the CLI ingest and SIGKILL it `kill_after` seconds after it opened the database, or as soon as
    it writes a transcoded copy ('work') or a spill file ('spill')."""
    env = {
        **os.environ,
        "ILP_SECRET_FILE": str(db.with_name("k.key")),
        "TMPDIR": str(tmpdir),
        "ILP_DUCKDB_MEMORY_LIMIT": memory_limit,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "ilp_metrics", "ingest", "--db", str(db), str(source)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = None
    while proc.poll() is None:
        if started is None and private_dir_for(db).is_dir():  # the database is open: the ingest is under way
            started = time.monotonic()
        if isinstance(kill_after, str):
            due = _writing(db, kill_after)
        else:
            due = started is not None and time.monotonic() - started > kill_after
        if due:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    return proc.wait(timeout=120)


@pytest.mark.slow
def test_killed_ingests_leave_no_nik_or_name_on_disk_after_reopening(registry_template, cp1252_csv, tmp_path):
    runs: list[tuple[float | str, str]] = [(t, "") for t in KILL_AFTER] + [("work", ""), ("spill", "60MB")]
    for n, (kill_after, memory_limit) in enumerate(runs):
        folder, tmpdir = tmp_path / f"db{n}", tmp_path / f"tmp{n}"
        folder.mkdir()
        tmpdir.mkdir()
        db = folder / "ilp.duckdb"
        shutil.copy(registry_template, db)
        code = _kill_ingest(db, cp1252_csv, tmpdir, kill_after, memory_limit)
        # Even before the sweep, clear text lies only inside the private folder (0700).
        assert personal_data_in([p for p in folder.iterdir() if p != private_dir_for(db)] + [tmpdir])[1] == {}
        assert stat.S_IMODE(private_dir_for(db).stat().st_mode) == 0o700
        left = personal_data_in([private_dir_for(db)])[1]
        connect(db).close()  # reopening sweeps what the killed process left in the private folder
        scanned, found = personal_data_in([folder, tmpdir])
        print(f"kill {kill_after}: exit {code}; left in the private folder {left}; after reopening")
        print(f"  {scanned} files scanned under the database folder and TMPDIR, NIKs/names in {found}")
        assert scanned >= 1 and found == {}


def test_a_refused_cp1252_file_leaves_nothing_in_the_private_folder(con, db_path, tmp_path):
    report = ingest(con, write_text(tmp_path / "r.csv", "daftar hadir,Ré\nKwartjaningsih Aminah,1\n", "cp1252"))
    assert not report.ok
    assert personal_data_in([private_dir_for(db_path)])[1] == {}
    assert all(not any(d.iterdir()) for d in private_dir_for(db_path).glob("work-*"))


def test_duckdb_spills_into_the_private_folder_of_the_process(con, db_path):
    setting = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert Path(setting).parent == private_dir_for(db_path)
    assert stat.S_IMODE(Path(setting).stat().st_mode) == 0o700


def test_opening_the_database_sweeps_the_folders_of_dead_processes_only(db_path):
    root = private.private_root(db_path)
    dead = root / "work-999999999-1"
    dead.mkdir()
    (dead / "copy.csv").write_text("x")
    mine = private.process_dir(db_path, "work")
    connect(db_path).close()
    assert not dead.exists() and mine.is_dir()


def test_the_legacy_spill_folder_beside_the_database_is_removed_on_open(db_path):
    legacy = db_path.with_name(db_path.name + ".tmp")
    legacy.mkdir()
    (legacy / "duckdb_temp_storage-0.tmp").write_bytes(b"x")
    connect(db_path).close()
    assert not legacy.exists()


def test_staged_uploads_of_ended_sessions_are_swept(db_path):
    uploads = private.uploads_dir(db_path)
    old, fresh = uploads / "ilp-upload-old", uploads / "ilp-upload-fresh"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "f.csv").write_text("x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert private.sweep_uploads(db_path, 3600) == [old]
    assert fresh.is_dir() and not old.exists()
