"""`python -m ilp_metrics COMMAND`: the command line promised by the data contract (§4).

One module per group of commands: `data` (init, demo, ingest, indicators), `figures` (coverage, compare,
quality, export, export-parquet), `admin` (users, backup, restore); `main` assembles the parser and runs
a command; `common` holds what they share. The command line acts as a trusted local operator
(`security.scope.cli_principal`), audited under its `--user` name.
"""

from __future__ import annotations

from ilp_metrics.cli.common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, UsageError
from ilp_metrics.cli.main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "UsageError", "build_parser", "main"]
