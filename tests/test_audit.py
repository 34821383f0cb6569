"""The audit trail records uploads, replacements, withdrawals and account changes, is append-only in
the code base, and its hash chain exposes an edit or a deletion made behind the library's back."""

from __future__ import annotations

import re
from pathlib import Path

from ilp_metrics.ingest import withdraw
from ilp_metrics.security import audit
from ilp_metrics.security.accounts import add_user

from .conftest import ADMIN, ingest, write_text

ROOT = Path(__file__).resolve().parent.parent
CAPAIAN = "period,puskesmas_code,service_code,count\n"


def test_uploads_replacements_and_withdrawals_are_recorded_with_who_and_when(con, tmp_path):
    first = ingest(
        con, write_text(tmp_path / "a.csv", CAPAIAN + "2024-03,P7309040201,ANC_K1,5\n"), uploaded_by="bu.rina"
    )
    ingest(con, write_text(tmp_path / "b.csv", CAPAIAN + "2024-03,P7309040201,ANC_K1,7\n"), uploaded_by="pak.andi")
    withdraw(con, first.upload_id + 1, actor="bu.rina", principal=ADMIN)
    log = audit.entries(con, principal=ADMIN)
    tail = log.head(3)  # newest first
    assert list(tail["action"]) == ["withdraw", "replace", "upload"]
    assert list(tail["actor"]) == ["bu.rina", "pak.andi", "bu.rina"]
    assert list(tail["target"])[1:] == ["b.csv", "a.csv"]
    assert tail["logged_at"].notna().all()
    assert audit.verify(con, principal=ADMIN) is None


def test_a_refused_file_leaves_no_audit_entry(con, tmp_path):
    before = len(audit.entries(con, principal=ADMIN))
    report = ingest(con, write_text(tmp_path / "bad.csv", CAPAIAN + "2024-03,P7309040201,ANC_K1,-5\n"))
    assert not report.ok and len(audit.entries(con, principal=ADMIN)) == before


def test_an_edited_or_deleted_entry_breaks_the_chain(con):
    add_user(con, "bu.rina", "dinas", password="Sandi-Kuat-2024")
    add_user(con, "pak.andi", "dinas", password="Sandi-Kuat-2024")
    ids = sorted(audit.entries(con, principal=ADMIN)["audit_id"])
    assert audit.verify(con, principal=ADMIN) is None
    con.execute("UPDATE audit_log SET actor = 'orang.lain' WHERE audit_id = ?", [ids[-1]])
    assert audit.verify(con, principal=ADMIN) == ids[-1]


def test_a_deleted_entry_breaks_the_chain(con):
    add_user(con, "bu.rina", "dinas", password="Sandi-Kuat-2024")
    add_user(con, "pak.andi", "dinas", password="Sandi-Kuat-2024")
    ids = sorted(audit.entries(con, principal=ADMIN)["audit_id"])
    con.execute("DELETE FROM audit_log WHERE audit_id = ?", [ids[0]])
    assert audit.verify(con, principal=ADMIN) is not None


def test_no_code_updates_or_deletes_the_audit_log():
    pattern = re.compile(
        r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|DROP\s+TABLE\s+(IF\s+EXISTS\s+)?audit_log"
        r"|TRUNCATE\s+audit_log)",
        re.IGNORECASE,
    )
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("ilp_metrics", "pages")
        for p in (ROOT / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    offenders += ["dashboard.py"] if pattern.search((ROOT / "dashboard.py").read_text(encoding="utf-8")) else []
    assert offenders == []


# ------------------------------------------------------------------ keyed chain and anchored head (issue 16.6)


def _keyed_trail(con, db_path):
    """A trail written while the installation key exists: keyed links and an anchored head."""
    from ilp_metrics.core.config import secret_path_for

    secret_path_for(db_path).write_text(bytes(range(50, 82)).hex() + "\n", encoding="ascii")
    for name in ("bu.rina", "pak.andi", "kak.sri"):
        add_user(con, name, "dinas", password="Sandi-Kuat-2024")
    return sorted(audit.entries(con, principal=ADMIN)["audit_id"])


def _rehash_from(con, first_id):
    """What anyone holding the file can do: recompute plain SHA-256 links from `first_id` on."""
    import hashlib
    import json

    prev = con.execute("SELECT hash FROM audit_log WHERE audit_id = ?", [first_id - 1]).fetchone()
    prev = prev[0] if prev else audit.GENESIS
    rows = con.execute(
        "SELECT audit_id, logged_at, actor, role, action, target, details FROM audit_log "
        "WHERE audit_id >= ? ORDER BY audit_id",
        [first_id],
    ).fetchall()
    for audit_id, at, actor, role, action, target, details in rows:
        payload = json.dumps(
            [prev, audit_id, at.isoformat(), actor, role, action, target, details],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(payload.encode()).hexdigest()
        con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE audit_id = ?", [prev, digest, audit_id])
        prev = digest


def test_a_cut_tail_is_detected_against_the_anchored_head(con, db_path):
    ids = _keyed_trail(con, db_path)
    assert audit.verify(con, principal=ADMIN) is None
    con.execute("DELETE FROM audit_log WHERE audit_id >= ?", [ids[-2]])
    assert audit.verify(con, principal=ADMIN) == ids[-2]


def test_an_edit_with_the_rest_re_hashed_is_detected(con, db_path):
    ids = _keyed_trail(con, db_path)
    con.execute("UPDATE audit_log SET target = 'orang.lain' WHERE audit_id = ?", [ids[-2]])
    _rehash_from(con, ids[-2])
    assert audit.verify(con, principal=ADMIN) == ids[-2]


def test_turning_the_keyed_chain_off_in_the_database_is_detected(con, db_path):
    _keyed_trail(con, db_path)
    con.execute("DELETE FROM meta WHERE key = 'audit_keyed_from'")  # as if every row were plain SHA-256
    _rehash_from(con, 1)
    assert audit.verify(con, principal=ADMIN) == 1  # the anchored head says the chain is keyed


def test_every_backup_manifest_anchors_the_head(con, db_path, tmp_path):
    import json

    from ilp_metrics.core.config import secret_path_for
    from ilp_metrics.security.backup import backup

    ids = _keyed_trail(con, db_path)
    folder = backup(con, tmp_path / "backups", secret_path_for(db_path), principal=ADMIN)
    head = json.loads((folder / "manifest.json").read_text())["audit_head"]
    digest = con.execute("SELECT hash FROM audit_log WHERE audit_id = ?", [ids[-1]]).fetchone()[0]
    assert head["audit_id"] == ids[-1] and head["hash"] == digest
