"""A key that cannot silently change (issue 16.4): the database records its key's fingerprint; a replaced
or lost key is refused by ingest, restore and start-up with a message that says how to recover."""

from __future__ import annotations

import hashlib
import json

import pytest

from ilp_metrics.cli.main import main
from ilp_metrics.core.db import connect
from ilp_metrics.core.pseudonym import (
    KeyProblem,
    installation_secret,
    key_fingerprint,
    load_or_create_secret,
    recorded_fingerprint,
)
from ilp_metrics.security.backup import BackupError, backup, restore

from .conftest import ADMIN, SECRET, ingest, table_counts
from .hostile.corpus import good_row, layanan_csv

OTHER = bytes(range(100, 132))


def layanan_file(tmp_path, name, *serials):
    path = tmp_path / name
    path.write_bytes(layanan_csv(*(good_row(s) for s in serials)))
    return path


def key_file(path, key):
    path.write_text(key.hex() + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


def test_the_first_person_keys_record_the_fingerprint_of_their_key_not_the_key(con, tmp_path):
    assert recorded_fingerprint(con) is None  # the registry holds no person keys
    assert ingest(con, layanan_file(tmp_path, "a.csv", 1, 2)).committed
    assert recorded_fingerprint(con) == key_fingerprint(SECRET)
    assert SECRET.hex() not in json.dumps(con.execute("SELECT * FROM meta").fetchall())


def test_a_replaced_key_is_refused_and_nothing_is_written(con, tmp_path):
    assert ingest(con, layanan_file(tmp_path, "a.csv", 1)).committed
    before = table_counts(con)
    report = ingest(con, layanan_file(tmp_path, "b.csv", 1, 2), secret=OTHER)
    assert not report.ok and report.error_code == "key_mismatch"
    assert "Pulihkan berkas kunci yang benar dari cadangan" in report.error
    assert table_counts(con) == before


def test_the_cli_refuses_a_replaced_key_file_without_a_traceback(db_path, tmp_path, capsys):
    key = key_file(tmp_path / "ilp.key", SECRET)
    assert main(["ingest", "--db", str(db_path), str(layanan_file(tmp_path, "a.csv", 1))]) == 0
    key_file(key, OTHER)
    capsys.readouterr()
    assert main(["ingest", "--db", str(db_path), str(layanan_file(tmp_path, "b.csv", 1, 2))]) == 2
    err = capsys.readouterr().err
    assert "bukan kunci basis data ini" in err and "cadangan" in err and "Traceback" not in err
    con = connect(db_path)
    assert con.execute("SELECT count(*) FROM layanan").fetchone()[0] == 1
    con.close()


def test_a_deleted_key_is_an_error_not_a_new_key(db_path, tmp_path, capsys):
    key = key_file(tmp_path / "ilp.key", SECRET)
    assert main(["ingest", "--db", str(db_path), str(layanan_file(tmp_path, "a.csv", 1))]) == 0
    key.unlink()
    capsys.readouterr()
    assert main(["ingest", "--db", str(db_path), str(layanan_file(tmp_path, "b.csv", 1, 2))]) == 2
    assert "tidak ditemukan" in capsys.readouterr().err
    assert not key.exists()  # no new key was made


def test_a_database_from_before_fingerprints_gets_one_on_first_use(con, tmp_path):
    assert ingest(con, layanan_file(tmp_path, "a.csv", 1)).committed
    con.execute("DELETE FROM meta WHERE key = 'key_fingerprint'")  # as made before this check existed
    key = key_file(tmp_path / "ilp.key", SECRET)
    assert installation_secret(con, key) == SECRET
    assert recorded_fingerprint(con) == key_fingerprint(SECRET)
    with pytest.raises(KeyProblem) as refused:
        installation_secret(con, key_file(key, OTHER))
    assert refused.value.code == "mismatch"


def test_a_fresh_database_gets_a_new_key(con, tmp_path):
    key = tmp_path / "new.key"
    assert installation_secret(con, key, create=False) is None and not key.exists()
    assert installation_secret(con, key) == load_or_create_secret(key)


def test_restore_refuses_a_backup_whose_key_is_not_its_databases(con, db_path, tmp_path):
    key = key_file(tmp_path / "ilp.key", SECRET)
    assert ingest(con, layanan_file(tmp_path, "a.csv", 1)).committed
    folder = backup(con, tmp_path / "backups", key, principal=ADMIN)
    con.close()
    swapped = key_file(folder / "ilp.key", OTHER)  # a key from elsewhere, its manifest line made to match
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["key_sha256"] = hashlib.sha256(swapped.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    target = tmp_path / "restored"
    with pytest.raises(BackupError, match="bukan kunci basis data ini"):
        restore(folder, target / "ilp.duckdb", target / "ilp.key", principal=ADMIN)
    assert not (target / "ilp.duckdb").exists() and not (target / "ilp.key").exists()


def test_the_dashboard_does_not_start_with_a_replaced_key(con, db_path, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from .test_page_akun import ROOT

    assert ingest(con, layanan_file(tmp_path, "a.csv", 1)).committed
    con.close()
    monkeypatch.setenv("ILP_DB", str(db_path))
    monkeypatch.setenv("ILP_SECRET_FILE", str(key_file(tmp_path / "lain.key", OTHER)))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not at.exception
    assert any("bukan kunci basis data ini" in e.value for e in at.error)
