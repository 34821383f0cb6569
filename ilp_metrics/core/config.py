"""Installation settings: where the database and the pseudonymisation secret live, and upload limits.

Every setting has a default, an environment variable that overrides it, and a line of help; the
library reads `ILP_*` variables only through `setting()`, and docs/settings.md lists every one
(tests/test_settings.py keeps both true).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str

    def value(self) -> str:
        return os.environ.get(self.env, self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "db_path",
        "ILP_DB",
        str(PROJECT_ROOT / "data" / "ilp.duckdb"),
        "DuckDB database file used by the dashboard and the CLI.",
    ),
    Setting(
        "secret_path",
        "ILP_SECRET_FILE",
        "",
        "File holding the pseudonymisation key; default: '<database name>.key' beside the database.",
    ),
    Setting(
        "max_upload_mb",
        "ILP_MAX_UPLOAD_MB",
        "200",
        "Largest file accepted for upload, in megabytes (checked before parsing).",
    ),
    Setting("max_rows", "ILP_MAX_ROWS", "5000000", "Largest number of data rows accepted in one file."),
    Setting(
        "max_columns",
        "ILP_MAX_COLUMNS",
        "500",
        "Largest number of columns accepted in one file (checked on the header area, before the file is loaded).",
    ),
    Setting(
        "max_cells",
        "ILP_MAX_CELLS",
        "100000000",
        "Largest number of cells (rows times columns) accepted in one file.",
    ),
    Setting(
        "parse_seconds",
        "ILP_PARSE_SECONDS",
        "300",
        "Time limit for reading one file, in seconds; a file that takes longer is refused.",
    ),
    Setting(
        "duckdb_memory_limit",
        "ILP_DUCKDB_MEMORY_LIMIT",
        "",
        "DuckDB's memory_limit (e.g. '2GB'); empty: DuckDB's default. Work beyond it spills to the private folder.",
    ),
    Setting(
        "max_xlsx_ratio",
        "ILP_MAX_XLSX_RATIO",
        "200",
        "Largest decompression ratio accepted for an XLSX file (zip-bomb guard).",
    ),
    Setting(
        "auth",
        "ILP_AUTH",
        "auto",
        "Sign-in: 'local' (accounts in the database), 'oidc' (st.login, .streamlit/secrets.toml), "
        "'demo' (everyone is the demo dinas account), 'auto' (demo for the demo database, else local).",
    ),
    Setting("session_hours", "ILP_SESSION_HOURS", "8", "A signed-in session ends after this many hours."),
    Setting(
        "session_idle_minutes",
        "ILP_SESSION_IDLE_MINUTES",
        "60",
        "A session idle for this many minutes must sign in again.",
    ),
    Setting(
        "login_max_failures", "ILP_LOGIN_MAX_FAILURES", "5", "Wrong passwords in a row before an account is locked."
    ),
    Setting("login_lock_minutes", "ILP_LOGIN_LOCK_MINUTES", "15", "How long a locked account stays locked."),
    Setting(
        "db_lock_wait_seconds",
        "ILP_DB_LOCK_WAIT_SECONDS",
        "60",
        "How long the command line and the dashboard wait for the database while another process holds it.",
    ),
    Setting(
        "db_linger_seconds",
        "ILP_DB_LINGER_SECONDS",
        "10",
        "The dashboard keeps the database open this long after its last page run (0: closes it at once).",
    ),
    Setting(
        "oidc_default_role",
        "ILP_OIDC_DEFAULT_ROLE",
        "",
        "Role of an OIDC identity with no account ('' refuses it; 'tamu' lets it view).",
    ),
    Setting(
        "backup_dir",
        "ILP_BACKUP_DIR",
        "",
        "Folder for the admin page's backups; default: 'backups' beside the database.",
    ),
    Setting(
        "font_dir",
        "ILP_FONT_DIR",
        "",
        "Folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf for the PDF report, searched before "
        "Debian's font folders.",
    ),
    Setting(
        "new_password",
        "ILP_NEW_PASSWORD",
        "",
        "Password for the CLI's `users add` and `users set-password` without a prompt (scripts); empty: asked twice.",
    ),
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


def private_dir_for(db_path: Path | str) -> Path:
    """The folder (mode 0700) for everything that may hold clear text of an upload: DuckDB's spill files,
    transcoded CSV copies, the upload page's staged files. It lies beside the database, so it is on the
    same disk and under the same protection, and it is swept when the database is opened."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.private")


def audit_head_path_for(db_path: Path | str) -> Path:
    """The audit trail's anchor (last sequence number and hash) lives in the key folder, out of the database."""
    return secret_path_for(db_path).with_name(f"{Path(db_path).name}.audit-head")
