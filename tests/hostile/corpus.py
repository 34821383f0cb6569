"""The hostile and broken file corpus: every file a district's many hands could produce, and some an
attacker would. Generated at test time (the 50 MB file and the zip bomb must never sit in the repository);
`python -m tests.hostile.corpus DIR` writes the files to a folder to look at.

Each case says what the answer must be:
  ("file", code)   the whole file is refused before any row is stored, with message `ingest.file.<code>`
  ("rows", reason) the file is refused with precise row refusals, among them `ingest.reason.<reason>`
  ("ok", kind)     a legitimate file in an awkward shape: accepted as that kind
  ("profile", "")  a mapping profile refused by name (path traversal)
Rows refer to the test registry (tests/conftest.py): puskesmas Maros Baru P7309040201 with desa
73.09.04.2005/2006/1002, Turikale P7309140201.
"""

from __future__ import annotations

import io
import os
import random
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

MB_CODE = "P7309040201"
LAYANAN_HEADER = "service_date,puskesmas_code,desa_code,nik,birth_date,sex,service_code"


def nik(serial: int = 1, dob: str = "150390") -> str:
    """Synthetic NIK built at run time (no NIK-like literal in the repository)."""
    return f"730904{dob}{serial:04d}"


def layanan_csv(*rows: str, header: str = LAYANAN_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def good_row(
    serial: int = 1,
    date: str = "2024-03-15",
    desa: str = "73.09.04.2005",
    service: str = "ANC_K1",
    sex: str = "P",
    birth: str = "1990-03-15",
    pusk: str = MB_CODE,
    nik_value: str | None = None,
) -> str:
    return f"{date},{pusk},{desa},{nik_value if nik_value is not None else nik(serial)},{birth},{sex},{service}"


def xlsx_bytes(rows: list[list[object]], extra: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in rows:
        ws.append(row)
    if extra:
        extra(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(
    data: bytes, add: dict[str, bytes], content_type_from: str | None = None, content_type_to: str | None = None
) -> bytes:
    """Copy an XLSX package, adding parts (and optionally changing the workbook's content type)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml" and content_type_from:
                body = body.replace(content_type_from.encode(), content_type_to.encode())
            dst.writestr(info.filename, body)
        for name, body in add.items():
            dst.writestr(name, body)
    return out.getvalue()


def layanan_xlsx_rows(n: int = 2) -> list[list[object]]:
    return [LAYANAN_HEADER.split(",")] + [good_row(i + 1).split(",") for i in range(n)]


def zip_bomb(path: Path) -> None:
    """A valid-looking XLSX with a part that expands ~1000× (200 MB of spaces packed in ~200 KB)."""
    base = xlsx_bytes(layanan_xlsx_rows())
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/padding.xml", "w") as fh:  # streamed: never 200 MB in memory
            chunk = b" " * (1 << 20)
            for _ in range(200):
                fh.write(chunk)


def self_closing_cells_xlsx(cells: int = 45_000) -> bytes:
    """A small workbook of two layanan rows and `cells` formatted empty cells, written the way Excel writes
    them (`<c r="B9" s="1"/>`): quadratic for a regex scan, linear for an XML parser (issue 16.5)."""
    from openpyxl.styles import PatternFill

    def format_cells(wb: openpyxl.Workbook) -> None:
        fill, ws, cols = PatternFill("solid", fgColor="FFFF00"), wb.active, 15
        for n in range(cells):
            ws.cell(row=5 + n // cols, column=1 + n % cols).fill = fill

    out = io.BytesIO()
    data = xlsx_bytes(layanan_xlsx_rows(), format_cells)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):  # openpyxl writes <c …></c>; Excel self-closes
                body = re.sub(rb'(<c r="[A-Z]+\d+" s="\d+")(?: t="n")?></c>', rb"\1/>", body)
            dst.writestr(info, body)
    return out.getvalue()


def wide_csv(columns: int = 10_000, rows: int = 50) -> bytes:
    """A layanan header with thousands of extra columns (1.1 MB at 10,000): refused on its head (16.5)."""
    extra = columns - len(LAYANAN_HEADER.split(","))
    header = LAYANAN_HEADER + "".join(f",x{i}" for i in range(extra))
    line = good_row(1) + ",1" * extra
    return ("\n".join([header] + [line] * rows) + "\n").encode("utf-8")


def macro_xlsm() -> bytes:
    """An .xlsm with a VBA project part: macros are never run; only cell values are read."""
    return _rezip(
        xlsx_bytes(layanan_xlsx_rows()),
        {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + os.urandom(512)},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )


def external_links_xlsx() -> bytes:
    """Cells whose formulas point into another workbook on a share: links are never followed; the
    cached values written by openpyxl are absent, so the dates read as empty and the rows are refused."""
    rows = layanan_xlsx_rows(1)
    rows.append(
        ["='\\\\server\\share\\[rahasia.xlsx]Sheet1'!A1", MB_CODE, "73.09.04.2005", nik(3), "1990-03-15", "P", "ANC_K1"]
    )
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships"/></externalLink>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/externalLinkPath" Target="file:///\\\\server\\share\\rahasia.xlsx"'
        b' TargetMode="External"/></Relationships>'
    )
    return _rezip(
        xlsx_bytes(rows),
        {"xl/externalLinks/externalLink1.xml": link, "xl/externalLinks/_rels/externalLink1.xml.rels": rels},
    )


def formulas_xlsx() -> bytes:
    rows = layanan_xlsx_rows(1)
    rows.append(["=DATE(2024,3,15)", MB_CODE, "73.09.04.2005", nik(4), "1990-03-15", "P", "ANC_K1"])
    return xlsx_bytes(rows)


def nik_truncated_xlsx() -> bytes:
    """NIK typed as numbers: Excel keeps 15 digits, every NIK ends in 0."""
    rows = [LAYANAN_HEADER.split(",")]
    for i in range(25):
        rows.append(
            ["2024-03-15", MB_CODE, "73.09.04.2005", int(nik((i + 1) * 10 + 1)[:15] + "0"), "1990-03-15", "P", "ANC_K1"]
        )
    return xlsx_bytes(rows)


def big_one_column(size_mb: int = 50) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        line = b"12345678901234567890123456789012345678901234567890123456789012345678901234567890123\n"
        with open(path, "wb") as fh:
            fh.write(b"angka\n")
            for _ in range(size_mb * (1 << 20) // len(line) + 1):
                fh.write(line)

    return write


def long_line(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write((LAYANAN_HEADER + "\n").encode())
        fh.write(b"2024-03-15," + b"A" * (9 << 20) + b"\n")


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes | Callable[[Path], None]
    expect: tuple[str, str]
    env: dict[str, str] = field(default_factory=dict)  # settings for this file (limits)
    note: str = ""

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        if callable(self.content):
            self.content(path)
        else:
            path.write_bytes(self.content)
        return path


def dinkes_html_page() -> bytes:
    """A district office's web table saved by the browser as .xls (Excel opens it; it is HTML)."""
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Data Puskesmas</title></head><body>"
        "<table><tr><th>No</th><th>Nama Puskesmas</th><th>Kode Puskesmas</th><th>Alamat</th></tr>"
        f"<tr><td>1</td><td>Maros Baru</td><td>{MB_CODE}</td><td>Jl. Poros</td></tr></table></body></html>"
    ).encode()


def sql_dump() -> bytes:
    return (
        "-- MySQL dump 10.13\nSET NAMES utf8mb4;\nCREATE TABLE `puskesmas` (`kode` varchar(16), `nama` text);\n"
        f"INSERT INTO `puskesmas` VALUES ('{MB_CODE}','Maros Baru');\n"
    ).encode()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>Tabel</w:p></w:body></w:document>")
    return out.getvalue()


def geojson_bytes() -> bytes:
    return (
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kode": "73.09.04.2005"},'
        b' "geometry": {"type": "Polygon", "coordinates": [[[119.5, -5.0], [119.6, -5.0], [119.6, -4.9], [119.5, -5.0]]]}}]}'
    )


def per_kabupaten_csv() -> bytes:
    """Provincial open data (opendata.jabarprov.go.id style): one row per kabupaten/kota and year."""
    return (
        b"id,kode_provinsi,nama_provinsi,kode_kabupaten_kota,nama_kabupaten_kota,jumlah_ibu_hamil,satuan,tahun\n"
        b"1,32,JAWA BARAT,3201,KABUPATEN BOGOR,112345,ORANG,2023\n"
        b"2,32,JAWA BARAT,3202,KABUPATEN SUKABUMI,50321,ORANG,2023\n"
    )


def _junk(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def cases() -> list[Case]:
    r = good_row
    d = "73.09.04.2005"
    desa_header = "desa_code,desa_name,puskesmas_code"
    return [
        # ---- nothing, or nothing usable
        Case("empty.csv", b"", ("file", "empty")),
        Case("header_only.csv", layanan_csv(), ("file", "no_data_rows")),
        Case("blank_lines_only.csv", b"\n\n   \n\n", ("file", "empty")),
        Case("totals_only.csv", layanan_csv("JUMLAH,,,,,,"), ("file", "no_data_rows")),
        Case("unknown_columns.csv", b"foo,bar,baz\n1,2,3\n", ("file", "no_header")),
        Case(
            "missing_puskesmas_column.csv",
            b"tanggal pelayanan,nik,tanggal lahir,jenis kelamin,kode layanan\n2024-03-15,x,1990-03-15,P,ANC_K1\n",
            ("file", "missing_columns"),
        ),
        # ---- not a table at all
        Case("binary_junk.csv", b"\x00\x01" + _junk(4096, 1), ("file", "not_text")),
        Case("binary_no_nul.csv", bytes(b or 1 for b in _junk(4096, 2)), ("file", "not_text")),
        Case("png_named.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _junk(256, 3), ("file", "not_text")),
        Case(
            "html_table_named.xls",
            b"<html><table><tr><td>tanggal</td></tr></table></html>",
            ("file", "wrong_file_html"),
        ),
        # ---- files of another kind uploaded as data: told what they are, whatever the extension
        Case("dinkes_page_saved.xls", dinkes_html_page(), ("file", "wrong_file_html"), note="web page saved as .xls"),
        Case("dump.sql.csv", sql_dump(), ("file", "wrong_file_sql")),
        Case("laporan.pdf.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", ("file", "wrong_file_pdf")),
        Case("tabel.docx.xlsx", docx_bytes(), ("file", "wrong_file_docx")),
        Case("batas_desa.csv", geojson_bytes(), ("file", "wrong_file_geojson"), note="pointed to the map upload"),
        Case("batas.topojson", b'{"type":"Topology","objects":{},"arcs":[]}', ("file", "wrong_file_topojson")),
        Case("api_response.csv", b'[{"kode_puskesmas": "P7309040201", "jumlah": 3}]', ("file", "wrong_file_json")),
        Case("opendata_per_kabupaten.csv", per_kabupaten_csv(), ("file", "per_kabupaten"), note="provincial open data"),
        Case("old_excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ("file", "xls_old")),
        Case("ole_named.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), ("file", "xls_old")),
        Case("text_named.xlsx", layanan_csv(r(1)), ("file", "xlsx_corrupt")),
        Case("truncated.xlsx", xlsx_bytes(layanan_xlsx_rows())[:700], ("file", "xlsx_corrupt")),
        Case("zip_not_excel.xlsx", _rezip(xlsx_bytes([["a"]]), {})[:0] or _plain_zip(), ("file", "xlsx_corrupt")),
        Case("zip_bomb.xlsx", zip_bomb, ("file", "xlsx_bomb")),
        Case("empty_workbook.xlsx", xlsx_bytes([]), ("file", "no_header")),
        # ---- limits, checked before parsing
        Case(
            "one_column_50mb.csv",
            big_one_column(50),
            ("file", "too_large"),
            env={"ILP_MAX_UPLOAD_MB": "20"},
            note="50 MB of one column against a 20 MB limit",
        ),
        Case(
            "one_column_50mb_within_limit.csv",
            big_one_column(50),
            ("file", "no_header"),
            note="50 MB of one column under the default 200 MB limit: read, no header found",
        ),
        Case(
            "too_many_rows.csv",
            layanan_csv(*[r(i + 1) for i in range(12)]),
            ("file", "too_many_rows"),
            env={"ILP_MAX_ROWS": "10"},
        ),
        Case(
            "too_many_rows.xlsx",
            xlsx_bytes(layanan_xlsx_rows(12)),
            ("file", "too_many_rows"),
            env={"ILP_MAX_ROWS": "10"},
        ),
        Case("line_9mb.csv", long_line, ("file", "line_too_long")),
        # ---- Excel features that must do nothing
        Case("macros.xlsm", macro_xlsm(), ("ok", "layanan"), note="VBA part ignored; cell values read"),
        Case(
            "external_links.xlsx",
            external_links_xlsx(),
            ("rows", "required_missing"),
            note="link never followed; a formula without cached value is empty",
        ),
        Case("formulas.xlsx", formulas_xlsx(), ("rows", "required_missing"), note="formulas are not evaluated"),
        # ---- encodings
        Case("utf16_bom.csv", layanan_csv(r(1), r(2)).decode().encode("utf-16"), ("ok", "layanan")),
        Case("utf16_le_no_bom.csv", layanan_csv(r(1), r(2)).decode().encode("utf-16-le"), ("ok", "layanan")),
        Case(
            "utf8_bom_semicolon.csv", b"\xef\xbb\xbf" + layanan_csv(r(1), r(2)).replace(b",", b";"), ("ok", "layanan")
        ),
        Case(
            "mixed_utf8_cp1252.csv",
            (desa_header + "\n").encode()
            + f"{d},Mattirotasi Café,{MB_CODE}\n".encode()
            + f"73.09.04.2006,Majannang Désa,{MB_CODE}\n".encode("cp1252"),
            ("ok", "desa"),
        ),
        # ---- CSV syntax
        Case(
            "embedded_newlines_quotes.csv",
            (
                desa_header
                + "\n"
                + f'{d},"Matti\nrotasi ""Lama""",{MB_CODE}\n'
                + f'73.09.04.2006,"Majannang, Baru",{MB_CODE}\n'
            ).encode(),
            ("ok", "desa"),
        ),
        Case("unbalanced_quote.csv", layanan_csv(r(1), '"2024-03-15,' + MB_CODE + ",x"), ("rows", "invalid_date")),
        # ---- injection
        Case(
            "sql_injection_names.csv",
            (desa_header + "\n" + f'{d},"\'); DROP TABLE layanan; --",{MB_CODE}\n').encode(),
            ("ok", "desa"),
            note="stored as text; every value is a bound parameter or staged data",
        ),
        Case(
            "sql_injection_code.csv",
            layanan_csv(r(1, pusk="P1'; DROP TABLE uploads;--")),
            ("rows", "unknown_puskesmas"),
        ),
        Case(
            "formula_injection_name.csv",
            (desa_header + "\n" + f'{d},=HYPERLINK("http://x"),{MB_CODE}\n').encode(),
            ("ok", "desa"),
            note="stored as text, never evaluated",
        ),
        Case("nul_inside.csv", layanan_csv(r(1)) + b"2024-03-15\x00,x\n", ("file", "not_text")),
        # ---- dates
        Case("future_date.csv", layanan_csv(r(1, date="2099-01-01")), ("rows", "date_in_future")),
        Case("impossible_date.csv", layanan_csv(r(1, date="31/02/2024")), ("rows", "invalid_date")),
        Case("two_digit_year.csv", layanan_csv(r(1, date="15/03/24")), ("rows", "invalid_date")),
        Case("date_before_2000.csv", layanan_csv(r(1, date="1999-12-31")), ("rows", "date_too_old")),
        Case("birth_after_service.csv", layanan_csv(r(1, birth="2024-05-01")), ("rows", "before_birth")),
        # ---- NIK
        Case("nik_15_digits.csv", layanan_csv(r(1, nik_value=nik(1)[:15])), ("rows", "nik_length")),
        Case("nik_17_digits.csv", layanan_csv(r(1, nik_value=nik(1) + "7")), ("rows", "nik_length")),
        Case("nik_scientific.csv", layanan_csv(r(1, nik_value="7.30904E+15")), ("rows", "nik_scientific")),
        Case("nik_province_zero.csv", layanan_csv(r(1, nik_value="00" + nik(1)[2:])), ("rows", "nik_invalid")),
        Case("nik_excel_truncated.xlsx", nik_truncated_xlsx(), ("rows", "nik_column_truncated")),
        # ---- codes, rows
        Case(
            "duplicate_rows.csv",
            (desa_header + "\n" + f"{d},Mattirotasi,{MB_CODE}\n" * 2).encode(),
            ("rows", "duplicate_key"),
        ),
        Case("unknown_puskesmas.csv", layanan_csv(r(1, pusk="P9999999999")), ("rows", "unknown_puskesmas")),
        Case("unknown_desa.csv", layanan_csv(r(1, desa="73.09.04.9999")), ("rows", "unknown_desa_code")),
        Case("unknown_service.csv", layanan_csv(r(1, service="VAKSIN_X")), ("rows", "unknown_service")),
        Case("bad_sex.csv", layanan_csv(r(1, sex="X")), ("rows", "invalid_sex")),
        Case(
            "capaian_negative.csv",
            f"period,puskesmas_code,service_code,count\n2024-03,{MB_CODE},ANC_K1,-5\n".encode(),
            ("rows", "negative"),
        ),
        Case(
            "capaian_fraction.csv",
            f"period,puskesmas_code,service_code,count\n2024-03,{MB_CODE},ANC_K1,12,5\n".replace(
                "12,5", '"12,5"'
            ).encode(),
            ("rows", "not_integer"),
        ),
        Case(
            "capaian_bad_period.csv",
            f"period,puskesmas_code,service_code,count\n13/2024,{MB_CODE},ANC_K1,5\n".encode(),
            ("rows", "invalid_period"),
        ),
        Case(
            "puskesmas_bad_coordinate.csv",
            b"puskesmas_code,puskesmas_name,regency_code,district_code,latitude,longitude\n"
            b"P7309040299,Uji,73.09,73.09.04,95,500\n",
            ("rows", "invalid_coordinate"),
        ),
        Case(
            "sasaran_unknown_group.csv",
            f"year,desa_code,target_group,count\n2024,{d},ALIEN,5\n".encode(),
            ("rows", "unknown_target_group"),
        ),
        # ---- bounded work per file (issue 16.5)
        Case(
            "self_closing_cells.xlsx",
            lambda path: path.write_bytes(self_closing_cells_xlsx()),  # built when written, not at collection
            ("ok", "layanan"),
            note="45 k formatted empty cells",
        ),
        Case("columns_10000.csv", wide_csv(), ("file", "too_many_columns")),
        Case(
            "cells_over_limit.csv",
            layanan_csv(*(r(i) for i in range(1, 40))),
            ("file", "too_many_cells"),
            env={"ILP_MAX_CELLS": "100"},
        ),
        # ---- mapping profile names
        Case("profile_traversal.yaml", b"name: ../../etc/passwd\nkind: layanan\ncolumns: {}\n", ("profile", "")),
    ]


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "bukan excel")
    return out.getvalue()


if __name__ == "__main__":  # pragma: no cover - a helper to look at the files
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for case in cases():
        print(case.write(target))
