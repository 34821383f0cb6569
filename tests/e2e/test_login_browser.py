"""Signing in through a real browser: a puskesmas account on a copy of the demo database with local
accounts (ILP_AUTH=local) sees the sign-in first, then only its own puskesmas's desa detail."""

from __future__ import annotations

import pytest

from ilp_metrics.core.db import connect, upgrade_schema
from ilp_metrics.core.i18n import t
from ilp_metrics.security.accounts import add_user

from .conftest import StreamlitServer
from .helpers import SHOTS, assert_no_exception, main_text, open_page, wait_for_app

PASSWORD = "Sandi-Kuat-2024"


@pytest.fixture
def local_server(demo_db, tmp_path, monkeypatch):
    db, _ = demo_db.copy_to(tmp_path / "login")
    con = connect(db)
    upgrade_schema(con)
    own = demo_db.puskesmas["73.09"][0][0]
    add_user(con, "admin", "admin", password=PASSWORD)
    add_user(con, "pkm.satu", "puskesmas", password=PASSWORD, puskesmas_code=own)
    con.execute("CHECKPOINT")
    con.close()
    monkeypatch.setenv("ILP_AUTH", "local")
    server = StreamlitServer(db=db).start()
    yield server
    server.stop()


def test_a_puskesmas_user_signs_in_and_sees_only_its_own_desa(page, local_server, demo_db):
    own, other = demo_db.puskesmas["73.09"][0][0], demo_db.puskesmas["73.09"][1][0]
    open_page(page, local_server.url, "")
    assert t("akun.login_title", "id") in main_text(page)
    assert t("nav.overview", "id") not in page.locator('[data-testid="stSidebarNav"]').all_inner_texts()
    page.get_by_label(t("akun.username", "id")).fill("pkm.satu")
    page.get_by_label(t("akun.password", "id")).fill(PASSWORD)
    page.get_by_role("button", name=t("akun.login_button", "id")).click()
    wait_for_app(page)
    assert_no_exception(page)
    assert t("akun.login_title", "id") not in main_text(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "login_1_signed_in.png"), full_page=True)

    # Within the session (a reload is a new Streamlit session, signed out): the puskesmas page, then
    # another centre picked in its selector — no desa table, the reason instead; its own centre: the table.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.puskesmas", "id")).click()
    wait_for_app(page)
    names = {code: name for code, name, _ in demo_db.puskesmas["73.09"]}
    _choose(page, t("pusk.pick", "id"), f"{names[other]} ({other})")
    assert_no_exception(page)
    assert "Rincian desa hanya tersedia untuk puskesmas Anda sendiri" in main_text(page)
    page.screenshot(path=str(SHOTS / "login_2_other_puskesmas.png"), full_page=True)
    _choose(page, t("pusk.pick", "id"), f"{names[own]} ({own})")
    assert "Rincian desa hanya tersedia" not in main_text(page)
    page.goto(local_server.url)  # a new browser session starts signed out
    wait_for_app(page, charts=False)
    assert t("akun.login_title", "id") in main_text(page)


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)
