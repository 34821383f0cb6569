"""The settings registry is the only reader of `ILP_*` variables, and docs/settings.md lists every setting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ilp_metrics.core.config import PROJECT_ROOT, SETTINGS, setting

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "settings.md"
REGISTRY = ROOT / "ilp_metrics" / "core" / "config.py"
_ROW = re.compile(r"^\| `(ILP_[A-Z0-9_]+)` \| (.+?) \| (.+) \|$")


def documented() -> dict[str, str]:
    """Environment variable -> default as written in the table of docs/settings.md."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line.strip())
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} has two rows in docs/settings.md"
            rows[m.group(1)] = m.group(2).strip()
    return rows


def default_as_documented(default: str) -> str:
    if not default:
        return "*(empty)*"
    path = Path(default)
    if path.is_absolute() and path.is_relative_to(PROJECT_ROOT):
        default = path.relative_to(PROJECT_ROOT).as_posix()
    return f"`{default}`"


def test_every_registered_setting_has_a_row_with_its_default():
    rows = documented()
    assert sorted(rows) == sorted(s.env for s in SETTINGS), "docs/settings.md and config.SETTINGS differ"
    for s in SETTINGS:
        assert rows[s.env] == default_as_documented(s.default), f"default of {s.env} in docs/settings.md"


def test_names_and_variables_are_unique_and_prefixed():
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert all(s.env.startswith("ILP_") and s.help for s in SETTINGS)


def test_an_environment_variable_overrides_the_default(monkeypatch):
    monkeypatch.setenv("ILP_FONT_DIR", "/opt/fonts")
    assert setting("font_dir") == "/opt/fonts"
    monkeypatch.delenv("ILP_FONT_DIR")
    assert setting("font_dir") == ""
    with pytest.raises(KeyError, match="no_such_setting"):
        setting("no_such_setting")


def _env_reads(tree: ast.AST) -> list[tuple[int, ast.expr | None]]:
    """(line, key expression) of every os.environ[...] / os.environ.get(...) / os.getenv(...) /
    os.environ.setdefault(...) / os.environ.pop(...) read in a module."""

    def is_environ(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
            isinstance(node, ast.Name) and node.id == "environ"
        )

    found: list[tuple[int, ast.expr | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and is_environ(node.value):
            found.append((node.lineno, node.slice))
        elif isinstance(node, ast.Call):
            func = node.func
            environ_method = isinstance(func, ast.Attribute) and func.attr in {"get", "setdefault", "pop"}
            getenv = (isinstance(func, ast.Attribute) and func.attr == "getenv") or (
                isinstance(func, ast.Name) and func.id == "getenv"
            )
            if getenv or (environ_method and is_environ(func.value)):
                found.append((node.lineno, node.args[0] if node.args else None))
    return found


def _sources() -> list[Path]:
    files = sorted((ROOT / "ilp_metrics").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py"))
    return [*files, ROOT / "dashboard.py"]


def test_no_module_reads_an_ilp_variable_outside_the_registry():
    offenders = []
    for path in _sources():
        if path == REGISTRY:
            continue
        for line, key in _env_reads(ast.parse(path.read_text(encoding="utf-8"))):
            literal = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            if literal is not None and literal.startswith("ILP_"):
                offenders.append(f"{path.relative_to(ROOT)}:{line} reads {literal}")
    assert offenders == [], "read these through ilp_metrics.core.config.setting(): " + "; ".join(offenders)


def test_the_scan_sees_every_form_of_reading():
    code = (
        "import os\nfrom os import environ, getenv\n"
        "a = os.environ['ILP_A']\nb = os.environ.get('ILP_B')\nc = os.getenv('ILP_C')\n"
        "d = environ.get('ILP_D')\ne = getenv('ILP_E')\nf = os.environ.get(name)\n"
    )
    keys = [k.value if isinstance(k, ast.Constant) else None for _, k in _env_reads(ast.parse(code))]
    assert sorted(k for k in keys if k) == ["ILP_A", "ILP_B", "ILP_C", "ILP_D", "ILP_E"]
    assert None in keys  # a variable named at run time (backup --passphrase-env) is seen, and allowed
