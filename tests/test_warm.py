"""The server-start warm-up imports every library module the pages import, so no first page run does."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _library_modules_imported_by_pages() -> set[str]:
    """`ilp_metrics...` modules named by the pages' and dashboard's imports (a name imported from a module
    counts as that module)."""
    names: set[str] = set()
    for path in [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ilp_metrics"):
                names.update(f"{node.module}.{a.name}" for a in node.names)
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.startswith("ilp_metrics"))
    return names


def test_warming_imports_every_library_module_the_pages_import():
    code = "import sys; from ilp_metrics.core import warm; warm.warm(); print('\\n'.join(sys.modules))"
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    modules = {
        n
        for n in _library_modules_imported_by_pages()
        if (ROOT / (n.replace(".", "/") + ".py")).is_file() or (ROOT / n.replace(".", "/") / "__init__.py").is_file()
    }
    assert modules, "the pages import no library module?"
    assert sorted(modules - loaded) == []


def test_warming_starts_one_thread_however_often_it_is_asked(monkeypatch):
    from ilp_metrics.core import warm

    started = []

    class Recorder:
        def __init__(self, target, name, daemon):
            self.name, self.daemon = name, daemon

        def start(self):
            started.append((self.name, self.daemon))

    monkeypatch.setattr(warm.threading, "Thread", Recorder)
    monkeypatch.setattr(warm, "_STARTED", warm.threading.Event())
    warm.start_warming()
    warm.start_warming()
    assert started == [("ilp-warm", True)]
