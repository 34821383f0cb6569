"""What every command group shares: exit codes, the usage error, the parser class, opening the
database, writing rows, and the trusted local operator the commands act as."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import duckdb

from ilp_metrics.security.scope import Principal, cli_principal

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_BUSY = 75  # the database stayed held by another process for the whole wait (sysexits' EX_TEMPFAIL)

SubParsers: TypeAlias = "argparse._SubParsersAction[_Parser]"  # where a command group adds its commands
Command: TypeAlias = Callable[[argparse.Namespace], int]
AddParser: TypeAlias = Callable[["argparse._SubParsersAction[_Parser]"], None]


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # argparse exits 2 itself; keep the wording
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def db_option(p: argparse.ArgumentParser, top: bool) -> None:
    p.add_argument(
        "--db",
        type=Path,
        default=(None if top else argparse.SUPPRESS),
        help="DuckDB database file (default: data/ilp.duckdb or $ILP_DB)",
    )


def user_option(p: argparse.ArgumentParser, text: str = "recorded in the audit trail") -> None:
    p.add_argument("--user", default="cli", help=text)


def operator(args: argparse.Namespace) -> Principal:
    """The command line is a trusted local operator (admin role), audited under its `--user` name."""
    return cli_principal(str(getattr(args, "user", None) or "cli"))


def say_waiting(message: str) -> None:
    """What a command says while it waits for the database (stderr: stdout may be a CSV)."""
    print(message, file=sys.stderr, flush=True)


def connect_cli(db: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The database for a command, waiting (and saying so) while the dashboard or another command holds
    it; core.db.DatabaseBusy after ILP_DB_LOCK_WAIT_SECONDS (main turns it into EXIT_BUSY)."""
    from ilp_metrics.core.db import connect_waiting

    return connect_waiting(db, read_only=read_only, on_wait=say_waiting)


def open_existing_rw(db: Path) -> duckdb.DuckDBPyConnection:
    from ilp_metrics.core.db import is_initialised, upgrade_schema

    if not db.is_file():
        raise UsageError(f"basis data tidak ditemukan: {db}")
    con = connect_cli(db)
    if not is_initialised(con):
        con.close()
        raise UsageError(f"{db} bukan basis data Dasbor ILP")
    upgrade_schema(con)
    _tallies_current(con)
    return con


def _tallies_current(con: duckdb.DuckDBPyConnection) -> None:
    from ilp_metrics.metrics import tallies

    tallies.ensure_current(con)  # a file made before the tallies: counted once, before any write
    _findings_current(con)


def _findings_current(con: duckdb.DuckDBPyConnection) -> None:
    from ilp_metrics.quality import kept

    kept.ensure_current(con)  # the data-quality findings, made once (after the tallies: the checks read them)


def open_or_create(db: Path) -> duckdb.DuckDBPyConnection:
    from ilp_metrics.core.db import init_schema, is_initialised, upgrade_schema

    con = connect_cli(db)
    if not is_initialised(con):
        init_schema(con)
        _findings_current(con)  # a new file: kept from its first upload on
    else:
        upgrade_schema(con)  # tables added since the file was made (accounts, audit trail)
        _tallies_current(con)
    return con


def open_existing(db: Path) -> duckdb.DuckDBPyConnection:
    from ilp_metrics.core.db import is_initialised

    if not db.is_file():
        raise UsageError(
            f"basis data tidak ditemukan: {db} (buat dengan `python -m ilp_metrics demo` atau `init`, lalu unggah data)"
        )
    con = connect_cli(db, read_only=True)
    if not is_initialised(con):
        raise UsageError(f"{db} bukan basis data Dasbor ILP")
    return con


def write_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    buf = io.StringIO()
    if rows or columns:
        writer = csv.DictWriter(buf, fieldnames=columns or list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    sys.stdout.write(buf.getvalue())


def number(value: Any, digits: int = 2) -> float | int | None:
    """Whole numbers print without decimals; the rest rounded; missing values stay empty (null)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else round(as_float, digits)


def through_month(text: str | None, year: int) -> int | None:
    """The month of a `--through YYYY-MM` option, which must lie in `--year`."""
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--through harus berbentuk YYYY-MM, bukan {text!r}")
    if int(match.group(1)) != year:
        raise UsageError(f"--through {text} tidak berada di tahun --year {year}")
    return int(match.group(2))
