"""The command line's backup, restore and users commands."""

from __future__ import annotations

import json
import stat

from ilp_metrics.cli import main
from ilp_metrics.core.db import connect
from ilp_metrics.core.pseudonym import load_or_create_secret

from .conftest import ingest, table_counts, write_text


def test_backup_then_restore_round_trips_through_the_command_line(db_path, tmp_path, monkeypatch, capsys):
    key = tmp_path / "ilp.key"
    monkeypatch.setenv("ILP_SECRET_FILE", str(key))
    load_or_create_secret(key)
    con = connect(db_path)
    ingest(
        con, write_text(tmp_path / "c.csv", "period,puskesmas_code,service_code,count\n2024-03,P7309040201,ANC_K1,5\n")
    )
    counts = table_counts(con)
    con.close()
    monkeypatch.setenv("FRASA", "frasa-sandi-panjang")
    assert main(["backup", "--db", str(db_path), "--out", str(tmp_path / "b"), "--passphrase-env", "FRASA"]) == 0
    folder = next((tmp_path / "b").glob("ilp-backup-*"))
    assert (folder / "ilp.key.enc").exists() and not (folder / "ilp.key").exists()
    target = tmp_path / "baru" / "ilp.duckdb"
    monkeypatch.setenv("ILP_SECRET_FILE", str(tmp_path / "baru" / "ilp.key"))
    assert main(["restore", "--db", str(target), str(folder)]) == 2  # encrypted: passphrase needed
    assert "frasa sandinya" in capsys.readouterr().err
    assert main(["restore", "--db", str(target), str(folder), "--passphrase-env", "FRASA"]) == 0
    restored = connect(target)
    assert table_counts(restored) == counts
    restored.close()
    assert (tmp_path / "baru" / "ilp.key").read_bytes() == key.read_bytes()
    assert stat.S_IMODE((tmp_path / "baru" / "ilp.key").stat().st_mode) == 0o600


def test_users_are_added_listed_and_locked_out_accounts_unlocked(db_path, monkeypatch, capsys):
    monkeypatch.setenv("ILP_NEW_PASSWORD", "Sandi-Kuat-2024")
    assert main(["users", "--db", str(db_path), "add", "admin", "--role", "admin"]) == 0
    assert (
        main(["users", "--db", str(db_path), "add", "pkm.mb", "--role", "puskesmas", "--puskesmas", "P7309040201"]) == 0
    )
    assert main(["users", "--db", str(db_path), "add", "pkm.x", "--role", "puskesmas", "--puskesmas", "P0"]) == 1
    assert "registri" in capsys.readouterr().err
    assert main(["users", "--db", str(db_path), "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["role"], u["puskesmas_code"]) for u in listed] == [
        ("admin", "admin", None),
        ("pkm.mb", "puskesmas", "P7309040201"),
    ]
    assert all("password_hash" not in u for u in listed)
    assert main(["users", "--db", str(db_path), "deactivate", "admin"]) == 1  # the last admin stays
    assert main(["users", "--db", str(db_path), "unlock", "pkm.mb"]) == 0
