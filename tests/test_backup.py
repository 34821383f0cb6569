"""Backups: a consistent copy of the database and, separately, the key (0600 or encrypted); restore."""

from __future__ import annotations

import stat

import pytest

from ilp_metrics.core.db import connect, data_version
from ilp_metrics.core.pseudonym import load_or_create_secret
from ilp_metrics.security import audit
from ilp_metrics.security.backup import BackupError, backup, list_backups, restore

from .conftest import ADMIN, ingest, table_counts, write_text

CAPAIAN = "period,puskesmas_code,service_code,count\n2024-03,P7309040201,ANC_K1,5\n"


@pytest.fixture
def filled(db_path, tmp_path):
    key = tmp_path / "ilp.key"
    load_or_create_secret(key)
    con = connect(db_path)
    assert ingest(con, write_text(tmp_path / "c.csv", CAPAIAN)).committed
    return con, key


def test_a_backup_round_trips_data_and_key(filled, tmp_path):
    con, key = filled
    counts, version = table_counts(con), data_version(con)
    folder = backup(con, tmp_path / "backups", key, actor="admin", principal=ADMIN)
    # Changes after the backup are undone by the restore.
    con.execute("DELETE FROM capaian")
    con.close()
    (tmp_path / "ilp.key").unlink()
    target_db, target_key = tmp_path / "ilp.duckdb", tmp_path / "ilp.key"
    assert restore(folder, target_db, target_key, force=True, actor="admin", principal=ADMIN) == version
    back = connect(target_db)
    assert table_counts(back) == counts and data_version(back) == version
    assert list(audit.entries(back, 1, principal=ADMIN)["action"]) == ["restore"]
    back.close()
    assert target_key.read_bytes() == (folder / "ilp.key").read_bytes()
    assert stat.S_IMODE(target_key.stat().st_mode) == 0o600


def test_the_key_is_a_separate_private_file(filled, tmp_path):
    con, key = filled
    folder = backup(con, tmp_path / "backups", key, principal=ADMIN)
    assert stat.S_IMODE((folder / "ilp.key").stat().st_mode) == 0o600
    assert key.read_text().strip() not in (folder / "ilp.duckdb").read_bytes().decode("latin-1")
    assert list_backups(tmp_path / "backups", principal=ADMIN)[0].folder == folder
    assert "backup" in set(audit.entries(con, principal=ADMIN)["action"])
    con.close()


def test_an_encrypted_key_needs_its_passphrase(filled, tmp_path):
    con, key = filled
    folder = backup(con, tmp_path / "backups", key, passphrase="frasa-sandi-panjang", principal=ADMIN)
    con.close()
    assert not (folder / "ilp.key").exists()
    assert key.read_bytes() not in (folder / "ilp.key.enc").read_bytes()
    target = tmp_path / "restored"
    with pytest.raises(BackupError, match="terenkripsi"):
        restore(folder, target / "ilp.duckdb", target / "ilp.key", principal=ADMIN)
    with pytest.raises(BackupError, match="frasa sandi salah"):
        restore(folder, target / "ilp.duckdb", target / "ilp.key", passphrase="bukan-frasa-ini", principal=ADMIN)
    restore(folder, target / "ilp.duckdb", target / "ilp.key", passphrase="frasa-sandi-panjang", principal=ADMIN)
    assert (target / "ilp.key").read_bytes() == key.read_bytes()


def test_a_tampered_backup_is_refused_and_nothing_is_overwritten(filled, tmp_path):
    con, key = filled
    folder = backup(con, tmp_path / "backups", key, principal=ADMIN)
    con.close()
    with open(folder / "ilp.duckdb", "r+b") as fh:
        fh.seek(5000)
        fh.write(b"\xff\xff")
    target = tmp_path / "t"
    with pytest.raises(BackupError, match="tidak cocok"):
        restore(folder, target / "ilp.duckdb", target / "ilp.key", principal=ADMIN)
    assert not (target / "ilp.duckdb").exists()


def test_restore_does_not_overwrite_without_force(filled, tmp_path):
    con, key = filled
    folder = backup(con, tmp_path / "backups", key, principal=ADMIN)
    con.close()
    with pytest.raises(BackupError, match="--force"):
        restore(folder, tmp_path / "ilp.duckdb", key, principal=ADMIN)


def test_restore_refuses_while_another_process_holds_the_database(filled, tmp_path):
    import subprocess
    import sys

    con, key = filled
    folder = backup(con, tmp_path / "backups", key, principal=ADMIN)
    con.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(60)",
            str(tmp_path / "ilp.duckdb"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(BackupError, match="dipakai proses lain"):
            restore(folder, tmp_path / "ilp.duckdb", key, force=True, principal=ADMIN)
    finally:
        holder.kill()
        holder.wait()
