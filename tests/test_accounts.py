"""Accounts: argon2id hashes, lock-out, session expiry, the first admin, OIDC identities, modes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ilp_metrics.security import accounts
from ilp_metrics.security.accounts import AuthError, Session, add_user, authenticate
from ilp_metrics.security.audit import entries

from .conftest import ADMIN

PASSWORD = "Sandi-Kuat-2024"


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
