"""docs/DATA_CONTRACT.md §4 is a promise to scripts: every command it lists, and every option it shows for
that command, exists in the command-line parser (`ilp_metrics.cli.build_parser`)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from ilp_metrics.cli import build_parser

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "DATA_CONTRACT.md"


def command_section() -> str:
    text = CONTRACT.read_text(encoding="utf-8")
    start = text.index("## 4. Command line")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def contract_commands() -> dict[str, set[str]]:
    """Command -> the options its row shows (`coverage --indicator CODE --level …` -> {--indicator, --level})."""
    found: dict[str, set[str]] = {}
    for line in command_section().splitlines():
        m = re.match(r"^\| `([a-z][a-z-]*)([^`]*)` \|", line)
        if m:
            found[m.group(1)] = set(re.findall(r"--[a-z][a-z-]*", m.group(2)))
    return found


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


def test_the_contract_lists_the_commands_it_promises():
    assert {"init", "demo", "ingest", "indicators", "coverage", "quality", "export"} <= set(contract_commands())


@pytest.mark.parametrize("command", sorted(contract_commands()))
def test_every_command_of_the_contract_exists_with_its_options(command):
    parsers = subcommands(build_parser())
    assert command in parsers, f"`{command}` of DATA_CONTRACT.md §4 is not a command of the CLI"
    missing = contract_commands()[command] - options(parsers[command])
    assert not missing, f"`{command}` lacks the options {sorted(missing)} of DATA_CONTRACT.md §4"


def test_the_database_option_is_accepted_before_the_command():
    assert "--db" in command_section()
    assert "--db" in options(build_parser())
