"""The pages hold no SQL: every query lives in the library (ilp_metrics), which the pages call.

A page module fails when one of its strings reads as SQL (a statement keyword such as SELECT, INSERT,
UPDATE, DELETE, CREATE or a JOIN) or when it calls `.execute(` / `.sql(` / `.executemany(` itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]

_UPPER = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|JOIN|UNION|PRAGMA|CHECKPOINT|COPY)\b")
_ANY_CASE = re.compile(
    r"\bselect\b[\s\S]+\bfrom\b|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w+\s+set\b"
    r"|\bcreate\s+(or\s+replace\s+)?(table|view|index|sequence)\b|\bjoin\s+\w+[\s\S]*\b(on|using)\b",
    re.IGNORECASE,
)
_CALLS = {"execute", "executemany", "sql", "read_sql"}


def sql_problems(source: str) -> list[str]:
    """What in one module's source reads as SQL or runs it: (line: reason) strings, empty when clean."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _UPPER.search(node.value) or _ANY_CASE.search(node.value):
                problems.append(f"{node.lineno}: SQL in a string: {node.value.strip()[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _CALLS:
            problems.append(f"{node.lineno}: calls .{node.func.attr}(")
    return problems


@pytest.mark.parametrize("path", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_the_page_module_holds_no_sql(path: Path):
    assert sql_problems(path.read_text(encoding="utf-8")) == [], f"move the query of {path.name} into ilp_metrics"


@pytest.mark.parametrize(
    "source",
    [
        'cur.execute("SELECT 1")',
        'rows = con.sql("select * from t")',
        'Q = """SELECT p.name FROM puskesmas p"""',
        'Q = "select code from puskesmas where regency_code = $r"',
        'Q = f"DELETE FROM uploads WHERE upload_id = {n}"',
        'Q = "insert into audit_log values (1)"',
        'Q = "a LEFT JOIN b USING (code)"',
    ],
)
def test_the_check_finds_sql(source: str):
    assert sql_problems(source)


def test_the_check_lets_page_text_pass():
    clean = 'st.title(tr("overview.title", area=area))\nst.caption("Pilih kabupaten dan bulan.")\nx = "select"'
    assert sql_problems(clean) == []
