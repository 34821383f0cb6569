"""Shared fixtures: a small registry of two Maros puskesmas and real files written per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ilp_metrics.core.db import connect, init_schema
from ilp_metrics.ingest import ingest_file
from ilp_metrics.security.scope import Principal

# Page and browser tests run signed in as the demo `dinas` account (pages/_auth.py: ILP_AUTH=demo), so
# they need no login step; tests of signing in set ILP_AUTH themselves (monkeypatch). The servers that
# tests/e2e starts inherit this environment.
os.environ["ILP_AUTH"] = "demo"

SECRET = bytes(range(32))

# Two puskesmas of Kabupaten Maros with real Kemendagri kecamatan and desa codes.
PUSKESMAS_CSV = """\
puskesmas_code,puskesmas_name,regency_code,district_code,ilp_start_date,cohort,latitude,longitude
P7309040201,Maros Baru,73.09,73.09.04,2023-01-01,pilot,-5.0049,119.5732
P7309140201,Turikale,73.09,73.09.14,2024-08-01,pilot,-4.9926,119.5781
"""

DESA_CSV = """\
desa_code,desa_name,puskesmas_code
73.09.04.2005,Mattirotasi,P7309040201
73.09.04.2006,Majannang,P7309040201
73.09.04.1002,Pallantikang,P7309040201
73.09.14.1004,Turikale,P7309140201
73.09.14.1005,Taroada,P7309140201
"""


MB, TK = "P7309040201", "P7309140201"  # Maros Baru, Turikale

# Principals the tests call the library as (ilp_metrics.security.scope): every data function requires one.
ADMIN = Principal("admin.test", "admin", display_name="Admin")
DINAS = Principal("dinas.test", "dinas", display_name="Dinas Kesehatan")
PUSKESMAS_MB = Principal("pkm.marosbaru", "puskesmas", puskesmas_code=MB, display_name="Puskesmas Maros Baru")
PUSKESMAS_TK = Principal("pkm.turikale", "puskesmas", puskesmas_code=TK, display_name="Puskesmas Turikale")
TAMU = Principal("tamu.test", "tamu", display_name="Tamu")


def nik(kec: str = "730904", dob: str = "150390", serial: int = 1) -> str:
    """A synthetic 16-digit NIK: kecamatan code, birth date DDMMYY, serial (built at run time so no
    NIK-like literal sits in the repository)."""
    return f"{kec}{dob}{serial:04d}"


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], merges: list[str] = (), sheet_title: str = "Data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def ingest(con, path: Path, **kwargs: Any):
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("principal", DINAS)
    return ingest_file(con, path, **kwargs)


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with schema, reference areas and the two-puskesmas registry, built once."""
    folder = tmp_path_factory.mktemp("template")
    db_path = folder / "template.duckdb"
    con = connect(db_path)
    init_schema(con)
    for name, text in (("puskesmas.csv", PUSKESMAS_CSV), ("desa.csv", DESA_CSV)):
        report = ingest(con, write_text(folder / name, text))
        assert report.ok, report.to_dict()
    con.execute("CHECKPOINT")
    con.close()
    return db_path


@pytest.fixture
def db_path(registry_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ilp.duckdb"
    shutil.copy(registry_template, path)
    return path


@pytest.fixture
def con(db_path: Path):
    c = connect(db_path)
    yield c
    c.close()


def table_counts(con) -> dict[str, int]:
    tables = ("uploads", "puskesmas", "desa", "sasaran", "layanan", "capaian", "kesiapan", "upload_refusals")
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
