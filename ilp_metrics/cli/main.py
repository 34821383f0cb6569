"""Parser assembly and `main`: the command groups (data, figures, admin) each add their own commands.

Exit status: 0 success; 1 the input was refused (nothing written, reasons printed); 2 bad usage.
`--db PATH` may be given before or after the command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ilp_metrics.cli import admin, data, figures
from ilp_metrics.cli.common import (
    EXIT_BUSY,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    AddParser,
    Command,
    UsageError,
    _Parser,
    db_option,
)
from ilp_metrics.core.config import default_db_path
from ilp_metrics.core.db import DatabaseBusy
from ilp_metrics.core.pseudonym import KeyProblem

__all__ = ["COMMANDS", "EXIT_BUSY", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "UsageError", "build_parser", "main"]

_GROUPS: dict[str, tuple[AddParser, Command]] = {**data.COMMANDS, **figures.COMMANDS, **admin.COMMANDS}

# The order in which `--help` lists the commands.
ORDER = (
    "init",
    "demo",
    "ingest",
    "indicators",
    "coverage",
    "export",
    "compare",
    "quality",
    "backup",
    "restore",
    "users",
    "export-parquet",
)

COMMANDS: dict[str, Command] = {name: _GROUPS[name][1] for name in ORDER}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m ilp_metrics", description="Dasbor ILP command line")
    db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in ORDER:
        _GROUPS[name][0](sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    args.db = Path(args.db) if getattr(args, "db", None) else default_db_path()
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"galat: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyProblem as exc:  # the key file is not this database's: nothing was done
        print(f"galat: {exc.message('id')}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseBusy as exc:  # never a traceback; exit 1 stays for refused input
        print(f"galat: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stays open until the process exits)
        return EXIT_OK
