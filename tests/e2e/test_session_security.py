"""Sessions through a real browser, on one server (`streamlit run app.py`, local accounts): exports are
built and audited for the signed-in account, and a sign-in survives a reload and a new tab through the
HttpOnly cookie until sign-out, deactivation, a password change or the idle timeout ends it.

The test process changes accounts while the server runs (the dashboard holds the database only during
a page run, pages/_db.py), the way an admin's command line would."""

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest

from ilp_metrics.core.db import connect_waiting, upgrade_schema
from ilp_metrics.core.i18n import t
from ilp_metrics.security.accounts import add_user, set_password, update_user
from ilp_metrics.security.sessions import COOKIE

from .conftest import StreamlitServer, new_page
from .helpers import assert_no_exception, main_text, open_page, wait_for_app

PASSWORD = "Sandi-Kuat-2024"
# The server's idle timeout: long enough that no page run of the other tests reaches it on a loaded machine
# (their sessions must end for the reason each test names), and spent by them while the idle test's session
# waits (fixture `idle_session`), so the idle test itself rarely waits at all.
IDLE_MINUTES = 2
USERS = ("dinas.satu", "dinas.dua", "dinas.tiga", "dinas.empat", "dinas.lima", "dinas.enam", "dinas.tujuh")


@pytest.fixture(scope="module")
def app(demo_db, tmp_path_factory):
    db, _ = demo_db.copy_to(tmp_path_factory.mktemp("session_security"))
    con = connect_waiting(db)
    upgrade_schema(con)
    add_user(con, "admin", "admin", password=PASSWORD)
    for name in USERS:
        add_user(con, name, "dinas", password=PASSWORD)
    add_user(con, "pkm.satu", "puskesmas", password=PASSWORD, puskesmas_code=demo_db.puskesmas["73.09"][0][0])
    add_user(con, "tamu.satu", "tamu", password=PASSWORD)
    con.execute("CHECKPOINT")
    con.close()
    server = StreamlitServer(
        db=db, script="app.py", env={"ILP_AUTH": "local", "ILP_SESSION_IDLE_MINUTES": str(IDLE_MINUTES)}
    ).start()
    yield server
    server.stop()


def _change(app, action) -> None:
    """An account change made from outside the server, as an admin's command would."""
    con = connect_waiting(app.db, wait_seconds=60)
    try:
        action(con)
    finally:
        con.close()


def _audit(app, action: str) -> list[tuple[str, str]]:
    con = connect_waiting(app.db, read_only=True, wait_seconds=60)
    try:
        return con.execute("SELECT actor, role FROM audit_log WHERE action = ? ORDER BY audit_id", [action]).fetchall()
    finally:
        con.close()


def _sign_in(page, app, name: str, path: str = "") -> None:
    open_page(page, app.url, path)
    page.get_by_label(t("akun.username", "id")).fill(name)
    page.get_by_label(t("akun.password", "id")).fill(PASSWORD)
    page.get_by_role("button", name=t("akun.login_button", "id")).click()
    wait_for_app(page)
    assert t("akun.login_title", "id") not in main_text(page)
    _wait_until(lambda: _has_cookie(page.context))  # the browser trades the one-time ticket for the cookie


def _wait_until(condition, timeout_s: float = 10) -> None:
    """Poll until `condition()` holds or the time is up (the caller asserts what it needs)."""
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def _signed_in(page) -> bool:
    wait_for_app(page, charts=False)
    return t("akun.login_title", "id") not in main_text(page)


def _has_cookie(context) -> bool:
    return any(c["name"] == COOKIE and c["httpOnly"] for c in context.cookies())


def _open_downloads(page, app) -> None:
    open_page(page, app.url, "presentasi")
    page.get_by_text(t("presentasi.downloads", "id")).click()


def _xlsx_button(page):
    return page.get_by_role("button", name=t("presentasi.download_xlsx", "id"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dinas.satu", "pkm.satu"])
def test_a_download_is_the_signed_in_accounts_workbook_audited_under_its_name(browser, app, name):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, name)
        _open_downloads(page, app)
        with page.expect_download(timeout=120_000) as taken:
            _xlsx_button(page).click()
        book = openpyxl.load_workbook(io.BytesIO(Path(taken.value.path()).read_bytes()), read_only=True)
        assert t("export.xlsx.sheet_desa", "id") in book.sheetnames
        assert (name, "puskesmas" if name.startswith("pkm") else "dinas") in _audit(app, "export")
        assert not any(actor in ("anonim", "demo") for actor, _ in _audit(app, "export"))
        assert_no_exception(page)
    finally:
        context.close()


@pytest.mark.slow
def test_a_guest_is_offered_no_download(browser, app):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "tamu.satu", "presentasi")
        open_page(page, app.url, "presentasi")
        assert t("presentasi.downloads", "id") not in main_text(page)
        assert _xlsx_button(page).count() == 0
    finally:
        context.close()


@pytest.mark.slow
def test_an_account_deactivated_on_an_open_page_downloads_nothing_and_stays_signed_out(browser, app):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "dinas.dua")
        _open_downloads(page, app)
        _xlsx_button(page).wait_for()
        _change(app, lambda con: update_user(con, "dinas.dua", actor="admin", active=False))
        with pytest.raises(Exception, match="Timeout"), page.expect_download(timeout=8_000):
            _xlsx_button(page).click()
        assert "dinas.dua" not in [actor for actor, _ in _audit(app, "export")]
        page.reload()
        assert not _signed_in(page)  # the kept session ended with the account
    finally:
        context.close()


@pytest.mark.slow
def test_a_sign_in_survives_a_reload_and_a_new_tab_through_an_httponly_cookie(browser, app):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "dinas.tiga")
        assert _has_cookie(context)
        page.reload()
        assert _signed_in(page)
        other = context.new_page()
        other.goto(app.url + "/klaster")
        assert _signed_in(other)
        assert not page.evaluate("document.cookie.includes('ilp_session')")  # no script can read it
    finally:
        context.close()


@pytest.mark.slow
def test_signing_out_ends_the_kept_session_even_for_a_copied_cookie(browser, app):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "dinas.empat")
        copied = [c for c in context.cookies() if c["name"] == COOKIE]
        page.get_by_role("button", name=t("akun.logout", "id")).click()
        wait_for_app(page, charts=False)
        _wait_until(lambda: not _has_cookie(context))
        assert not _has_cookie(context)  # the browser was told to drop it
        thief, stolen = new_page(browser)
        try:
            thief.add_cookies(copied)
            stolen.goto(app.url)
            assert not _signed_in(stolen)  # and the server no longer honours it
        finally:
            thief.close()
    finally:
        context.close()


@pytest.mark.slow
def test_a_password_change_ends_the_kept_session(browser, app):
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "dinas.lima")
        _change(app, lambda con: set_password(con, "dinas.lima", "Sandi-Baru-2025", actor="admin"))
        page.reload()
        assert not _signed_in(page)
    finally:
        context.close()


@pytest.fixture(scope="module", autouse=True)
def idle_session(browser, app):
    """dinas.enam signed in as the module starts, then left alone: the idle test (the module's last) waits
    only for what the other tests have not already spent of the idle timeout."""
    context, page = new_page(browser)
    try:
        _sign_in(page, app, "dinas.enam")
        page.goto("about:blank")  # no page run touches the session from now on
        yield page, time.monotonic()
    finally:
        context.close()


@pytest.mark.slow
def test_an_idle_session_is_not_restored(idle_session, app):
    page, left_alone = idle_session
    idle_for = time.monotonic() - left_alone
    time.sleep(max(0.0, IDLE_MINUTES * 60 + 3 - idle_for))  # the idle timeout itself is what is tested
    page.goto(app.url)
    assert not _signed_in(page)
