"""Installation settings: where the database and the pseudonymisation secret live, and upload limits.

Every setting has a default, an environment variable that overrides it, and a line of help,
so the README's table of settings can be checked against this registry by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.env, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("db_path", "ILP_DB", str(PROJECT_ROOT / "data" / "ilp.duckdb"),
            "DuckDB database file used by the dashboard and the CLI."),
    Setting("secret_path", "ILP_SECRET_FILE", "",
            "File holding the pseudonymisation key; default: '<database name>.key' beside the database."),
    Setting("max_upload_mb", "ILP_MAX_UPLOAD_MB", "200",
            "Largest file accepted for upload, in megabytes (checked before parsing)."),
    Setting("max_rows", "ILP_MAX_ROWS", "5000000",
            "Largest number of data rows accepted in one file."),
    Setting("max_xlsx_ratio", "ILP_MAX_XLSX_RATIO", "200",
            "Largest decompression ratio accepted for an XLSX file (zip-bomb guard)."),
)


def setting(name: str) -> str:
    for s in SETTINGS:
        if s.name == name:
            return s.value()
    raise KeyError(name)


def default_db_path() -> Path:
    return Path(setting("db_path"))


def secret_path_for(db_path: Path | str) -> Path:
    """The key lives outside the database file so that a copied database cannot be re-identified."""
    explicit = setting("secret_path")
    if explicit:
        return Path(explicit)
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".key")
