"""What a file really is, from its first bytes, whatever its extension: the answer to a wrong upload.

A web page saved as .xls, a SQL dump, a PDF or Word document, or a (Geo/Topo)JSON uploaded as data
would otherwise be read as a text table and told "no header found". `sniff` names the format so the
refusal can say what the file is and what to do (a GeoJSON belongs to the map upload).
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

HEAD = 64 * 1024

_SQL = re.compile(
    r"^\s*(--|/\*|#\s*mysql|create\s+(table|database|schema)|insert\s+into|drop\s+table|set\s+\w+\s*=|"
    r"lock\s+tables|use\s+\w+;|begin(\s+transaction)?;|pragma\s)",
    re.IGNORECASE | re.MULTILINE,
)
_HTML = re.compile(r"<(!doctype\s+html|html|head|body|table|meta|div)\b", re.IGNORECASE)
_GEO = re.compile(r'"type"\s*:\s*"(FeatureCollection|Feature|Polygon|MultiPolygon|GeometryCollection)"')
_TOPO = re.compile(r'"type"\s*:\s*"Topology"')


def _text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="ignore")


def _zip_kind(path: Path) -> str | None:
    """A zip that is an Office document other than a workbook (a workbook is left to the XLSX reader)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "xl/workbook.xml" in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "content.xml" in names and "mimetype" in names:
        return "odf"
    if any(n.lower().endswith((".shp", ".geojson", ".json")) for n in names):
        return "geo_zip"
    return None


def sniff(path: Path) -> str | None:
    """'html', 'sql', 'pdf', 'docx', 'pptx', 'odf', 'geojson', 'topojson', 'json', 'xml', 'geo_zip', 'rtf',
    or None for anything that may be a table (CSV, XLSX, or unknown: the readers decide)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    text = _text(head).lstrip()
    if text.startswith(("{", "[")):
        if _TOPO.search(text):
            return "topojson"
        if _GEO.search(text):
            return "geojson"
        return "json"
    if text.startswith("<"):
        if _HTML.search(text[:4096]):
            return "html"
        return "xml"
    if _HTML.search(text[:2048]) and ("</" in text[:HEAD]):
        return "html"
    if _SQL.search(text[:4096]) and re.search(r"\b(insert\s+into|create\s+table)\b", text, re.IGNORECASE):
        return "sql"
    return None
