"""Accounts: argon2id hashes, lock-out, session expiry, the first admin, OIDC identities, modes."""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ilp_metrics.security import accounts
from ilp_metrics.security.accounts import AuthError, Session, add_user, authenticate
from ilp_metrics.security.audit import entries

from .conftest import ADMIN

PASSWORD = "Sandi-Kuat-2024"


@pytest.fixture(autouse=True)
def fresh_unknown_names(monkeypatch):
    """The in-memory count of unknown-name failures starts empty in every test."""
    monkeypatch.setattr(accounts, "_UNKNOWN", accounts._UnknownNames())


def test_passwords_are_stored_as_argon2id_hashes_only(con):
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    stored = con.execute("SELECT password_hash FROM users WHERE username = 'bu.rina'").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(con, "bu.rina", PASSWORD).role == "dinas"


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(con):
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    with pytest.raises(AuthError) as wrong:
        authenticate(con, "bu.rina", "salah-sekali-1")
    with pytest.raises(AuthError) as unknown:
        authenticate(con, "tidak.ada", PASSWORD)
    assert wrong.value.code == unknown.value.code == "akun.login_failed"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("ILP_LOGIN_LOCK_MINUTES", "15")
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    now = datetime(2025, 1, 6, 8, 0)
    for attempt in range(4):
        with pytest.raises(AuthError, match=r"akun.login_failed"):
            authenticate(con, "bu.rina", f"salah-{attempt}-xyz", now=now)
    with pytest.raises(AuthError) as fifth:
        authenticate(con, "bu.rina", "salah-5-xyz", now=now)
    assert fifth.value.code == "akun.locked"
    with pytest.raises(AuthError, match=r"akun.locked"):  # locked: even the right password is refused
        authenticate(con, "bu.rina", PASSWORD, now=now + timedelta(minutes=14))
    assert authenticate(con, "bu.rina", PASSWORD, now=now + timedelta(minutes=16)).username == "bu.rina"
    assert "lockout" in set(entries(con, principal=ADMIN)["action"])


def test_an_admin_can_unlock_a_locked_account(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "2")
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthError):
            authenticate(con, "bu.rina", "salah-salah-1")
    accounts.unlock(con, "bu.rina", actor="admin")
    assert authenticate(con, "bu.rina", PASSWORD).username == "bu.rina"


def test_sessions_expire_after_the_idle_time_and_the_absolute_lifetime(monkeypatch):
    monkeypatch.setenv("ILP_SESSION_HOURS", "8")
    monkeypatch.setenv("ILP_SESSION_IDLE_MINUTES", "60")
    start = datetime(2025, 1, 6, 8, 0)
    s = Session(start, start)
    assert not s.expired(start + timedelta(minutes=59))
    assert s.expired(start + timedelta(minutes=61))  # idle an hour
    busy = Session(start, start + timedelta(hours=8, minutes=30))
    assert busy.expired(start + timedelta(hours=8, minutes=31))  # active, but past eight hours


def test_weak_passwords_and_bad_usernames_are_refused(con):
    with pytest.raises(AuthError, match=r"akun.password_short"):
        add_user(con, "bu.rina", "dinas", password="pendek")
    with pytest.raises(AuthError, match=r"akun.password_simple"):
        add_user(con, "bu.rina", "dinas", password="hurufkecilsaja")
    with pytest.raises(AuthError, match=r"akun.username_invalid"):
        add_user(con, "../root", "dinas", password=PASSWORD)


def test_a_puskesmas_account_needs_a_registered_puskesmas(con):
    with pytest.raises(AuthError, match=r"akun.puskesmas_unknown"):
        add_user(con, "pkm.x", "puskesmas", password=PASSWORD, puskesmas_code="P0000000000")
    add_user(con, "pkm.mb", "puskesmas", password=PASSWORD, puskesmas_code="P7309040201")
    assert authenticate(con, "pkm.mb", PASSWORD).puskesmas_code == "P7309040201"


def test_the_first_admin_is_created_once(con):
    assert accounts.needs_first_admin(con)
    admin = accounts.create_first_admin(con, "admin", PASSWORD)
    assert admin.role == "admin" and not accounts.needs_first_admin(con)
    with pytest.raises(AuthError, match=r"akun.setup_done"):
        accounts.create_first_admin(con, "admin2", PASSWORD)


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(con):
    accounts.create_first_admin(con, "admin", PASSWORD)
    with pytest.raises(AuthError, match=r"akun.last_admin"):
        accounts.update_user(con, "admin", actor="admin", role="dinas")
    with pytest.raises(AuthError, match=r"akun.last_admin"):
        accounts.update_user(con, "admin", actor="admin", active=False)


def test_a_deactivated_account_can_no_longer_sign_in_nor_keep_its_session(con):
    accounts.create_first_admin(con, "admin", PASSWORD)
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    accounts.update_user(con, "bu.rina", actor="admin", active=False)
    assert accounts.load_principal(con, "bu.rina") is None  # pages re-read the account on every run
    with pytest.raises(AuthError, match=r"akun.login_failed"):
        authenticate(con, "bu.rina", PASSWORD)


def test_an_oidc_identity_maps_to_the_account_with_its_email(con, monkeypatch):
    add_user(con, "pak.budi", "dinas", email="Budi@Dinkes.example.go.id")
    assert accounts.principal_for_oidc(con, "budi@dinkes.example.go.id").username == "pak.budi"
    monkeypatch.setenv("ILP_OIDC_DEFAULT_ROLE", "")
    with pytest.raises(AuthError, match=r"akun.oidc_unknown"):
        accounts.principal_for_oidc(con, "orang@lain.example")
    monkeypatch.setenv("ILP_OIDC_DEFAULT_ROLE", "tamu")
    assert accounts.principal_for_oidc(con, "orang@lain.example").role == "tamu"


def test_the_mode_is_demo_for_the_marked_demo_database_only(con, monkeypatch):
    monkeypatch.setenv("ILP_AUTH", "auto")
    assert accounts.auth_mode(con) == "local"
    con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', '1')")
    assert accounts.auth_mode(con) == "demo"
    monkeypatch.setenv("ILP_AUTH", "oidc")
    assert accounts.auth_mode(con) == "oidc"


def _answer(con, name: str, password: str, now: datetime) -> AuthError:
    with pytest.raises(AuthError) as caught:
        authenticate(con, name, password, now=now)
    return caught.value


def test_an_unknown_name_locks_like_a_real_account_with_the_same_answers(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ILP_LOGIN_LOCK_MINUTES", "15")
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    now = datetime(2025, 1, 6, 8, 0)
    for name in ("bu.rina", "tidak.ada"):
        answers = [_answer(con, name, f"salah-{i}-xyz", now) for i in range(5)]
        assert [(a.code, a.details) for a in answers] == [
            ("akun.login_failed", {}),
            ("akun.login_failed", {}),
            ("akun.locked", {"minutes": 15}),
            ("akun.locked", {"minutes": 16}),  # the minutes left, rounded up as for every account
            ("akun.locked", {"minutes": 16}),
        ], name


def test_unknown_and_locked_names_run_the_same_password_hash_check(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "1")
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    now = datetime(2025, 1, 6, 8, 0)
    _answer(con, "bu.rina", "salah-salah-1", now)  # locked from now on
    verified: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(str(hash)[:9])
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "HASHER", Counting())
    for name in ("bu.rina", "tidak.ada"):
        _answer(con, name, PASSWORD, now)
    assert verified == ["$argon2id", "$argon2id"]


def test_unknown_and_locked_names_take_the_same_time(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "1")
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    now = datetime(2025, 1, 6, 8, 0)
    _answer(con, "bu.rina", "salah-salah-1", now)

    def median_seconds(name: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            _answer(con, name, PASSWORD, now)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    locked, unknown = median_seconds("bu.rina"), median_seconds("tidak.ada")
    assert 1 / 3 < locked / unknown < 3  # both verify one argon2id hash (before: 1 ms against 220 ms)


def test_failed_sign_ins_of_unknown_names_are_audited_as_one_counted_event_per_window(con, monkeypatch):
    monkeypatch.setenv("ILP_LOGIN_LOCK_MINUTES", "15")
    now = datetime(2025, 1, 6, 8, 0)
    for i in range(40):
        _answer(con, f"=cmd|' /C calc'!A{i}", "apa-saja-123", now + timedelta(seconds=i))
    first = entries(con, principal=ADMIN, action="login_failed")
    assert len(first) == 1 and first["target"].isna().all() and "cmd" not in "".join(first["actor"])
    _answer(con, "nama.lain", "apa-saja-123", now + timedelta(minutes=16))  # a new window closes the old
    rows = entries(con, principal=ADMIN, action="login_failed").sort_values("audit_id")
    counts = [json.loads(d)["count"] for d in rows["details"]]
    assert counts == [1, 39, 1]
    assert not any("cmd" in str(v) or "nama.lain" in str(v) for v in rows.to_numpy().ravel())


def test_the_open_window_count_is_written_on_flush(con):
    now = datetime(2025, 1, 6, 8, 0)
    for _ in range(3):
        _answer(con, "tidak.ada", "apa-saja-123", now)
    assert accounts.flush_unknown_failures(con, now=now) == 2
    counts = [json.loads(d)["count"] for d in entries(con, principal=ADMIN, action="login_failed")["details"]]
    assert sorted(counts) == [1, 2]


def test_the_user_table_offered_for_download_runs_no_formula(con):
    from ilp_metrics.export.safe_cells import safe_frame

    add_user(con, "bu.rina", "dinas", password=PASSWORD, display_name='=HYPERLINK("http://x")', email="@b.c")
    table = safe_frame(accounts.list_users(con))
    row = table[table["username"] == "bu.rina"].iloc[0]
    assert row["display_name"] == '\'=HYPERLINK("http://x")' and row["email"] == "'@b.c"
    assert row["failed_attempts"] == 0 and row["active"]  # numbers and flags untouched


def test_a_kept_session_ticket_is_used_once_and_its_cookie_cannot_be_forged(monkeypatch):
    from ilp_metrics.security.sessions import SessionStore

    monkeypatch.setenv("ILP_SESSION_HOURS", "8")
    store, now = SessionStore(), datetime(2025, 1, 6, 8, 0)
    sid = store.start("bu.rina", "stamp", now)
    ticket = store.ticket(sid, now)
    claimed = store.claim(ticket, now)
    assert claimed is not None and claimed[1] == 8 * 3600
    assert store.claim(ticket, now) is None  # single use
    cookie = claimed[0]
    assert store.session_of(cookie, now)[:3] == (sid, "bu.rina", "stamp")
    body, mac = cookie.rsplit(".", 1)
    forged = f"{body[:-1]}{'1' if body[-1] != '1' else '2'}.{mac}"  # another expiry, the same signature
    assert store.session_of(forged, now) is None
    assert store.session_of(cookie, now + timedelta(hours=9)) is None  # past its lifetime


def test_a_kept_session_ends_when_idle_or_signed_out(monkeypatch):
    from ilp_metrics.security.sessions import SessionStore

    monkeypatch.setenv("ILP_SESSION_IDLE_MINUTES", "60")
    store, now = SessionStore(), datetime(2025, 1, 6, 8, 0)
    sid = store.start("bu.rina", "stamp", now)
    cookie = store.claim(store.ticket(sid, now), now)[0]
    assert store.alive(sid, now + timedelta(minutes=50))  # a page run touches the clock
    assert store.session_of(cookie, now + timedelta(minutes=100)) is not None
    assert store.session_of(cookie, now + timedelta(minutes=111)) is None  # 61 minutes idle
    other = store.start("bu.rina", "stamp", now)
    cookie = store.claim(store.ticket(other, now), now)[0]
    store.end(other)
    assert store.session_of(cookie, now) is None


def test_a_password_change_changes_the_account_stamp_a_kept_session_checks(con):
    add_user(con, "bu.rina", "dinas", password=PASSWORD)
    con.execute("UPDATE users SET changed_at = TIMESTAMP '2025-01-01 08:00:00' WHERE username = 'bu.rina'")
    before = accounts.account_stamp(con, "bu.rina")
    accounts.set_password(con, "bu.rina", "Sandi-Baru-2025", actor="admin")
    assert before is not None and accounts.account_stamp(con, "bu.rina") != before
    accounts.update_user(con, "bu.rina", actor="admin", active=False)
    assert accounts.account_stamp(con, "bu.rina") is None
