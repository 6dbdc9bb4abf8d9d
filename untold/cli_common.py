"""What every ``untold`` command shares: the consoles, the one-line messages and
the ``--format`` option (checked in one place for every command).

Kept apart from :mod:`untold.cli` (which imports the area modules) so the area
modules can import it at the top without an import cycle.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from untold.errors import UsageError

__all__ = ["StudyArg", "err", "error_line", "format_option", "out", "warn"]

# Piped output is not wrapped at 80 columns: tables stay readable in files and CI logs.
# Markup is for untold's own styles (data is escaped); ':name:' in data is never an emoji.
out = Console(width=None if sys.stdout.isatty() else 140, emoji=False)
# soft_wrap: a message is one line however long; its text is never read as markup or
# emoji codes (an error about 'a:b:c' or '[x]' prints those characters)
err = Console(stderr=True, soft_wrap=True, emoji=False, markup=False, highlight=False)

StudyArg = Annotated[Path, typer.Argument(help="The study file (TOML).")]


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def error_line(text: str) -> None:
    """``error: <text>`` as one line on stderr: plain text, red on a terminal."""
    err.print(Text.assemble(("error:", "red"), " ", _one_line(text)))


def warn(text: str) -> None:
    """``warning: <text>`` as one line on stderr (URLs and brackets printed as they are)."""
    err.print(Text.assemble(("warning:", "yellow"), " ", _one_line(text)))


def _either(choices: Sequence[str]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]


def format_option(*choices: str) -> Any:
    """The ``--format`` option of a command that prints in ``choices``.

    Checked while the command line is parsed, so an unknown format is a usage error
    (exit 2) in every command alike, before any work is done::

        format: Annotated[str, format_option("table", "json")] = "table"
    """
    def check(value: str) -> str:
        if value not in choices:
            raise UsageError(f"unknown format {value!r}", source="--format",
                             hint=f"use {_either(choices)}")
        return value

    return typer.Option("--format", help=_either(choices), callback=check)
