"""Twenty-four sessions read the figures while uploads commit: no errors and no torn reads.

The app's code path: one DuckDB connection per process (pages/_db._connection), a cursor per call
(pages/_db.cursor), coverage_many with the session's principal (pages/_cache.py) for readers,
and ingest_file with the uploader's principal on the same connection (pages/unggah.py) for the writer.

Upload j (j = 1…4) holds month j of 2024 for PERSONS new women with three K1 visits each, so the
district's cumulative K1 count to April is exactly j × PERSONS once upload j has committed. Every value a
reader sees must be one of 0, P, 2P, 3P, 4P: a figure between two states would be a torn read.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from ilp_metrics.core.db import connect
from ilp_metrics.ingest import ingest_file
from ilp_metrics.metrics.coverage import coverage_many
from ilp_metrics.security.scope import Principal

from .conftest import MB, SECRET

SESSIONS = 24
UPLOADS = 4
PERSONS = 2000
DINAS = Principal("dinas", "dinas")
PUSKESMAS = Principal("pkm.mb", "puskesmas", puskesmas_code=MB)


def upload_file(folder: Path, month: int) -> Path:
    path = folder / f"k1_2024_{month:02d}.csv"
    lines = ["service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code"]
    for serial in range(1, PERSONS + 1):
        nik = f"730904{month + 10:02d}0390{serial:04d}"  # birth day differs per upload: new women
        for day in (5, 15, 25):
            lines.append(f"2024-{month:02d}-{day:02d},{MB},73.09.04.2005,{nik},1990-03-{month + 10:02d},P,ANC_K1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_twenty_four_sessions_read_while_uploads_commit(db_path, tmp_path):
    files = [upload_file(tmp_path, m) for m in range(1, UPLOADS + 1)]
    valid = {j * PERSONS for j in range(UPLOADS + 1)}
    con = connect(db_path)  # the process's one connection
    seen: list[set[int]] = [set() for _ in range(SESSIONS)]
    reads = [0] * SESSIONS
    errors: list[BaseException] = []
    done = threading.Event()
    start = threading.Barrier(SESSIONS + 1)

    def session(i: int) -> None:
        who = PUSKESMAS if i % 4 == 0 else DINAS  # some sessions are puskesmas accounts
        try:
            start.wait()
            while True:
                finished = done.is_set()
                cur = con.cursor()  # a cursor per call, as pages/_db.cursor() gives
                try:
                    frame = coverage_many(cur, ["KIA_K1"], level="kabupaten", year=2024, through=4, principal=who)
                    desa = coverage_many(cur, ["KIA_K1"], level="desa", year=2024, through=4, principal=who)
                finally:
                    cur.close()
                april = frame[frame["month"] == 4]["numerator"]
                value = int(april.sum()) if len(april) else 0
                seen[i].add(value)
                assert set(desa["parent_code"]) <= {MB, "P7309140201"}
                reads[i] += 1
                if finished:
                    return
        except BaseException as exc:  # collected: an error in any session fails the test
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(SESSIONS)]
    for th in threads:
        th.start()
    start.wait()
    commits = []
    try:
        for path in files:
            time.sleep(0.2)
            report = ingest_file(con, path, secret=SECRET, uploaded_by="pak.andi", principal=DINAS)
            assert report.committed, report.to_dict()
            commits.append(report.upload_id)
    finally:
        done.set()
        for th in threads:
            th.join(timeout=300)
    con.close()
    observed = set().union(*seen)
    print(
        f"{SESSIONS} sessions, {sum(reads)} page reads, {len(commits)} uploads committed, "
        f"{len(errors)} errors, figures seen: {sorted(observed)}"
    )
    assert not errors, errors[:3]
    assert all(not th.is_alive() for th in threads)
    assert observed <= valid, f"torn reads: {sorted(observed - valid)}"
    assert UPLOADS * PERSONS in observed  # every session's last read came after the last commit
    assert all(UPLOADS * PERSONS in s for s in seen)
    assert len(observed) >= 2, "the reads must overlap the uploads for the test to mean anything"
