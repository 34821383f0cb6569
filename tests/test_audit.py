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
