"""What every ``untold`` command shares: the consoles, the one-line messages, the
progress displays and the ``--format`` option (checked in one place for every command).

The one private helper module of :mod:`untold.cli`: the area modules import from
here (and from :mod:`untold.api`), never from each other's private names.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.status import Status
from rich.text import Text

from untold.errors import UsageError

__all__ = ["LazyProgress", "StudyArg", "err", "error_line", "format_option", "out", "progress",
           "spinner", "warn"]

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


class LazyProgress(Progress):
    """A progress display that appears at the work's first report, not before.

    So an error raised before any work is done (a bad study, a busy archive) is the
    only thing on stderr; a run that fails later leaves its bar erased, not half drawn.
    """

    def update(self, *args: Any, **kwargs: Any) -> None:
        if not self.live.is_started:
            self.start()
        super().update(*args, **kwargs)

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.stop()
            return
        self.live.transient = True
        if self.console.is_terminal:
            self.stop()
            return
        # off a terminal even an erased bar leaves a blank line: send it nowhere, then
        # give the console back its own setting (None: whatever sys.stderr is then)
        saved = self.console._file
        self.console.file = io.StringIO()
        try:
            self.stop()
        finally:
            self.console._file = saved


def progress(*, rate: bool = True) -> LazyProgress:
    """The progress display of a long command, on stderr: ``with progress() as p``.

    Its tasks carry an ``info`` field, and a ``rate`` field (items per second) when
    ``rate`` is on.
    """
    cols = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            *([TextColumn("{task.fields[rate]:>7.1f}/s")] if rate else []),
            TextColumn("{task.fields[info]}"), TimeElapsedColumn()]
    return LazyProgress(*cols, console=err, transient=False)


def spinner(text: str) -> Status:
    """A one-line status on stderr for work without a count (``with spinner(...) as s``;
    ``s.update(text)`` says what it does now); on a console of its own, as it draws."""
    return Console(stderr=True).status(text)
