"""What the running dashboard imports is in the runtime requirements, not only in the development ones.

`make run` installs requirements.txt only; a package imported by `ilp_metrics/`, `pages/` or
`dashboard.py` but listed in requirements-dev.in alone works in the tests and fails for a district.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"ilp_metrics", "pages", "tests", "bench", "dashboard"}
# Imported only on a path the dashboard never takes: the Spark deployment installs Spark itself (docs/scale.md).
OPTIONAL = {"pyspark"}


def runtime_sources() -> list[Path]:
    return [
        *sorted((ROOT / "ilp_metrics").rglob("*.py")),
        *sorted((ROOT / "pages").glob("*.py")),
        ROOT / "dashboard.py",
    ]


def imported_top_level(path: Path) -> set[str]:
    """Top-level module names a file imports, at module level or inside functions (lazy imports count);
    imports for the type checker only (`if TYPE_CHECKING:`) do not."""
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def requirement_names(path: Path) -> set[str]:
    """Distribution names of an `.in` file, normalised as PyPI compares them."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(normalise(re.split(r"[\[<>=!~ ;]", line, maxsplit=1)[0]))
    return out


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def third_party_imports() -> dict[str, set[str]]:
    """Imported top-level module -> the files importing it, for modules that are neither stdlib nor ours."""
    found: dict[str, set[str]] = {}
    for path in runtime_sources():
        for name in imported_top_level(path) - FIRST_PARTY - OPTIONAL - set(sys.stdlib_module_names):
            found.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_runtime_import_is_a_runtime_requirement():
    runtime = requirement_names(ROOT / "requirements.in")
    owners = packages_distributions()
    missing = {}
    for module, files in sorted(third_party_imports().items()):
        dists = {normalise(d) for d in owners.get(module, [])}
        if not dists & runtime:
            missing[module] = sorted(files)
    assert not missing, f"imported at run time but not in requirements.in: {missing}"


def test_the_check_sees_a_lazy_import_inside_a_function(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    import sqlglot.expressions\n    from pyspark.sql import SparkSession\n")
    assert imported_top_level(source) == {"sqlglot", "pyspark"}


def test_imports_for_the_type_checker_only_are_not_run_time_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pyarrow\nimport duckdb\n")
    assert imported_top_level(source) == {"typing", "duckdb"}


def test_a_development_only_package_is_not_a_runtime_requirement():
    assert "pytest" not in requirement_names(ROOT / "requirements.in")
    assert "pytest" in requirement_names(ROOT / "requirements-dev.in")
