"""Sign-in, first-run setup, roles and scopes as the dashboard shows them (AppTest through dashboard.py);
also OpenID Connect via AppTest's simulated `st.user`, and the admin pages (users, audit, backups)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ilp_metrics.core.db import connect
from ilp_metrics.security.accounts import add_user

from .conftest import MB, TK

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sandi-Kuat-2024"


def app(monkeypatch, db: Path, mode: str = "local", **query: str) -> AppTest:
    monkeypatch.setenv("ILP_DB", str(db))
    monkeypatch.setenv("ILP_AUTH", mode)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def users(db: Path, *specs: tuple) -> None:
    con = connect(db)
    for username, role, pkm, email in specs:
        add_user(con, username, role, password=PASSWORD if not email else None, puskesmas_code=pkm, email=email)
    con.close()


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="w_login_user").input(username)
    at.text_input(key="w_login_pw").input(password)
    at.button[0].click().run()
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def infos(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.info, *at.error, *at.warning, *at.success])


def test_a_database_without_admin_asks_for_the_admin_first(monkeypatch, db_path):
    at = app(monkeypatch, db_path).run()
    assert titles(at) == ["Penyiapan pertama — buat akun admin"]
    at.text_input(key="w_setup_pw").input(PASSWORD)
    at.text_input(key="w_setup_pw2").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert "Masuk sebagai **admin** (admin)" in [c.value for c in at.sidebar.caption]
    at.switch_page("pages/pengguna.py").run()
    assert titles(at) == ["Pengguna dan peran"]


def test_nothing_is_shown_before_signing_in(monkeypatch, fixture_db, tmp_path):
    import shutil

    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    users(db, ("admin", "admin", None, None))
    at = app(monkeypatch, db).run()
    assert titles(at) == ["Masuk ke Dasbor ILP"]
    assert not at.dataframe and not at.metric
    link = app(monkeypatch, db)  # a direct link to a page, opened by a new session, still lands on the sign-in
    link.switch_page("pages/ringkasan.py").run()
    assert titles(link) == ["Masuk ke Dasbor ILP"]
    assert not link.dataframe and not link.metric


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(monkeypatch, db_path):
    users(db_path, ("admin", "admin", None, None), ("bu.rina", "dinas", None, None))
    at = sign_in(app(monkeypatch, db_path).run(), "bu.rina", "bukan-sandinya-1")
    assert "Nama pengguna atau kata sandi salah." in infos(at)
    sign_in(at, "bu.rina")
    assert not at.exception and "Masuk ke Dasbor ILP" not in titles(at)
    assert "Masuk sebagai **bu.rina** (dinas)" in [c.value for c in at.sidebar.caption]


def test_repeated_failures_lock_the_account_on_the_page(monkeypatch, db_path):
    monkeypatch.setenv("ILP_LOGIN_MAX_FAILURES", "3")
    users(db_path, ("admin", "admin", None, None), ("bu.rina", "dinas", None, None))
    at = app(monkeypatch, db_path).run()
    for attempt in range(3):
        sign_in(at, "bu.rina", f"salah-{attempt}-xyz")
    assert "Akun dikunci sementara" in infos(at)
    sign_in(at, "bu.rina")
    assert "Akun dikunci sementara" in infos(at) and titles(at) == ["Masuk ke Dasbor ILP"]


def test_a_dinas_user_cannot_open_the_admin_pages(monkeypatch, db_path):
    users(db_path, ("admin", "admin", None, None), ("bu.rina", "dinas", None, None))
    at = sign_in(app(monkeypatch, db_path).run(), "bu.rina")
    for page in ("pages/pengguna.py", "pages/audit.py", "pages/cadangan.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the navigation
            at.switch_page(page)


def test_an_admin_page_opened_directly_by_a_non_admin_refuses(monkeypatch, db_path):
    """Second line of defence: the page file itself asks for the permission (ILP_AUTH=demo is dinas)."""
    monkeypatch.setenv("ILP_DB", str(db_path))
    monkeypatch.setenv("ILP_AUTH", "demo")
    monkeypatch.chdir(ROOT)
    for page in ("pengguna", "audit", "cadangan"):
        at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
        assert not at.exception
        assert [e.value for e in at.error] == [
            "Halaman ini hanya untuk peran tertentu; akun Anda tidak memiliki akses."
        ]
        assert not at.dataframe


def test_a_guest_has_no_upload_page_and_no_desa_detail(monkeypatch, fixture_db, tmp_path):
    import shutil

    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    users(db, ("admin", "admin", None, None), ("tamu", "tamu", None, None))
    at = sign_in(app(monkeypatch, db, puskesmas=MB).run(), "tamu")
    # A guest has no "dashboard" permission: neither the upload page nor the analysis pages (the puskesmas
    # page with its desa detail among them); the library refuses a guest desa rows anyway (test_scope.py).
    for page in ("unggah", "puskesmas"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"pages/{page}.py")


def test_a_puskesmas_user_sees_desa_of_its_own_centre_only(monkeypatch, fixture_db, tmp_path):
    import shutil

    db = tmp_path / "ilp.duckdb"
    shutil.copy(fixture_db, db)
    users(db, ("admin", "admin", None, None), ("pkm.mb", "puskesmas", MB, None))
    at = sign_in(app(monkeypatch, db, puskesmas=TK).run(), "pkm.mb")
    at.switch_page("pages/puskesmas.py").run()
    assert not at.exception
    assert "Rincian desa hanya tersedia untuk puskesmas Anda sendiri (P7309040201)" in infos(at)
    desa_names = {"Turikale", "Taroada"}
    shown = "\n".join(str(d.value) for d in at.dataframe)
    assert not any(name in shown for name in desa_names)


def test_the_demo_database_signs_in_as_the_labelled_demo_account(monkeypatch, db_path):
    con = connect(db_path)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('demo', '1')")
    con.close()
    at = app(monkeypatch, db_path, mode="auto").run()
    assert not at.exception and "Masuk ke Dasbor ILP" not in titles(at)
    assert any("Akun demo" in m.value for m in at.sidebar.markdown)


def test_oidc_signs_in_the_account_with_the_providers_email(monkeypatch, db_path):
    users(db_path, ("admin", "admin", None, None), ("pak.budi", "dinas", None, "budi@dinkes.example.go.id"))
    at = app(monkeypatch, db_path, mode="oidc")
    at.user = {"is_logged_in": False}
    at.run()
    assert titles(at) == ["Masuk ke Dasbor ILP"]
    assert [b.label for b in at.button] == ["Masuk dengan akun Dinas"]
    at.user = {"is_logged_in": True, "email": "budi@dinkes.example.go.id", "name": "Budi"}
    at.run()
    assert not at.exception and "Masuk ke Dasbor ILP" not in titles(at)
    assert "Masuk sebagai **pak.budi** (dinas)" in [c.value for c in at.sidebar.caption]


def test_oidc_refuses_an_identity_without_an_account(monkeypatch, db_path):
    monkeypatch.setenv("ILP_OIDC_DEFAULT_ROLE", "")
    users(db_path, ("admin", "admin", None, None))
    at = app(monkeypatch, db_path, mode="oidc")
    at.user = {"is_logged_in": True, "email": "orang@lain.example"}
    at.run()
    assert titles(at) == ["Masuk ke Dasbor ILP"]
    assert "orang@lain.example belum terdaftar" in infos(at)


def test_the_admin_adds_a_puskesmas_user_and_sees_it_in_the_audit_trail(monkeypatch, db_path):
    users(db_path, ("admin", "admin", None, None))
    at = sign_in(app(monkeypatch, db_path).run(), "admin")
    at.switch_page("pages/pengguna.py").run()
    at.text_input(key="w_add_user").input("pkm.turikale")
    at.selectbox(key="w_add_role").set_value("puskesmas")
    at.selectbox(key="w_add_pkm").set_value(TK)
    at.text_input(key="w_add_pw").input(PASSWORD)
    next(b for b in at.button if b.label == "Tambah pengguna").click().run()
    assert not at.exception
    assert "Pengguna pkm.turikale ditambahkan." in infos(at)
    at.switch_page("pages/audit.py").run()
    assert "Rantai jejak utuh" in infos(at)
    log = at.dataframe[0].value
    assert (log["Kegiatan"] == "user_add").any() and (log["Objek"] == "pkm.turikale").any()


def test_the_admin_backup_button_writes_a_backup(monkeypatch, db_path, tmp_path):
    from ilp_metrics.core.pseudonym import load_or_create_secret

    monkeypatch.setenv("ILP_BACKUP_DIR", str(tmp_path / "cadangan"))
    monkeypatch.setenv("ILP_SECRET_FILE", str(tmp_path / "ilp.key"))
    load_or_create_secret(tmp_path / "ilp.key")
    users(db_path, ("admin", "admin", None, None))
    at = sign_in(app(monkeypatch, db_path).run(), "admin")
    at.switch_page("pages/cadangan.py").run()
    assert "Belum ada cadangan." in infos(at)
    next(b for b in at.button if b.label == "Buat cadangan sekarang").click().run()
    assert not at.exception
    assert "Cadangan dibuat:" in infos(at)
    made = list((tmp_path / "cadangan").glob("ilp-backup-*"))
    assert len(made) == 1 and (made[0] / "ilp.key").exists() and (made[0] / "ilp.duckdb").exists()
    assert at.dataframe[0].value.iloc[0]["Kunci"] == "berkas 0600"
