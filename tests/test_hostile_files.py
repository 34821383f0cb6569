"""Hostile and broken files (tests/hostile/corpus.py): each one gets a clear answer in Bahasa Indonesia
or a precise row refusal, the process stays up, and a refused file leaves the database unchanged."""

from __future__ import annotations

import hashlib

import pytest

from ilp_metrics.core.db import connect, data_version
from ilp_metrics.ingest import ingest_file, readers
from ilp_metrics.ingest.mapping import ProfileError, load_profile, save_profile

from .conftest import DINAS, SECRET, table_counts
from .hostile.corpus import cases

CASES = cases()
FILE_CASES = [c for c in CASES if c.expect[0] != "profile"]


def test_the_corpus_holds_at_least_forty_files():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


def state(con) -> tuple:
    """Everything an upload could change: row counts, the data version and the uploads table's content."""
    uploads = con.execute("SELECT * FROM uploads ORDER BY upload_id").fetchall()
    return table_counts(con), data_version(con), hashlib.sha256(repr(uploads).encode()).hexdigest()


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.name for c in FILE_CASES])
def test_each_hostile_file_gets_a_clear_answer(case, db_path, tmp_path, monkeypatch):
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    path = case.write(tmp_path)
    con = connect(db_path)
    try:
        before = state(con)
        report = ingest_file(con, path, secret=SECRET, lang="id", principal=DINAS)
        after = state(con)
        kind, code = case.expect
        if kind == "ok":
            assert report.ok and report.committed, report.to_dict()
            assert report.kind == code
            assert after[1] == before[1] + 1
            return
        assert not report.ok and not report.committed
        assert after == before, "a refused file must leave the database exactly as it was"
        assert report.error and not report.error.startswith("ingest."), "a catalogue sentence, not a key"
        if kind == "file":
            assert report.error_code == code
            assert report.error.startswith(_fixed_wording(code))
            assert not report.refusals
        else:
            reasons = {r.reason_code for r in report.refusals}
            assert code in reasons, report.to_dict()
            for refusal in report.refusals:  # precise: a row number as the user sees it, and the reason
                assert refusal.row >= 1
                text = refusal.to_dict("id")["reason"]
                assert text and not text.startswith("ingest.")
        # Still usable afterwards: the connection answers and the registry is intact.
        assert con.execute("SELECT count(*) FROM puskesmas").fetchone()[0] == 2
    finally:
        con.close()


def _fixed_wording(code: str) -> str:
    """The catalogue sentence up to its first placeholder (sizes, ratios, columns vary)."""
    from ilp_metrics.core.i18n import load_messages

    return load_messages()[f"ingest.file.{code}"]["id"].split("{", 1)[0]


def test_size_limit_is_checked_before_any_parsing(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("ILP_MAX_UPLOAD_MB", "1")
    big = tmp_path / "besar.csv"
    big.write_bytes(b"x" * (2 << 20))

    def never(*args, **kwargs):
        raise AssertionError("the file was parsed although it is over the size limit")

    monkeypatch.setattr(readers, "read_csv", never)
    monkeypatch.setattr(readers, "read_xlsx", never)
    con = connect(db_path)
    report = ingest_file(con, big, secret=SECRET, principal=DINAS)
    con.close()
    assert report.error_code == "too_large"
    assert "File terlalu besar (2.0 MB; batas 1.0 MB)" in report.error


def test_zip_bomb_is_refused_without_decompressing(db_path, tmp_path, monkeypatch):
    import zipfile

    case = next(c for c in CASES if c.name == "zip_bomb.xlsx")
    path = case.write(tmp_path)
    assert path.stat().st_size < 2 << 20  # small on disk …

    def never(*args, **kwargs):
        raise AssertionError("the bomb was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "read", never)
    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    con = connect(db_path)
    report = ingest_file(con, path, secret=SECRET, principal=DINAS)
    con.close()
    assert report.error_code == "xlsx_bomb"
    assert report.error.startswith("File XLSX ditolak: isinya mengembang")


def test_a_profile_named_to_escape_its_folder_is_refused(tmp_path):
    case = next(c for c in CASES if c.expect[0] == "profile")
    profile = load_profile(case.write(tmp_path))
    target = tmp_path / "profiles"
    with pytest.raises(ProfileError, match="nama profil hanya boleh"):
        save_profile(profile, target)
    assert not any(tmp_path.parent.rglob("passwd*"))


def test_sql_in_names_is_stored_as_text_and_every_table_survives(db_path, tmp_path):
    case = next(c for c in CASES if c.name == "sql_injection_names.csv")
    con = connect(db_path)
    report = ingest_file(con, case.write(tmp_path), secret=SECRET, principal=DINAS)
    assert report.ok
    name = con.execute("SELECT desa_name FROM desa WHERE desa_code = '73.09.04.2005'").fetchone()[0]
    assert name == "'); DROP TABLE layanan; --"
    assert con.execute("SELECT count(*) FROM layanan").fetchone()[0] == 0  # the table is still there
    con.close()


def test_the_cli_answers_a_hostile_file_and_exits_cleanly(db_path, tmp_path, monkeypatch, capsys):
    from ilp_metrics.cli import main

    monkeypatch.setenv("ILP_SECRET_FILE", str(tmp_path / "k.key"))
    case = next(c for c in CASES if c.name == "binary_junk.csv")
    code = main(["ingest", "--db", str(db_path), str(case.write(tmp_path))])
    out = capsys.readouterr().out
    assert code == 1
    assert "bukan tabel CSV" in out
