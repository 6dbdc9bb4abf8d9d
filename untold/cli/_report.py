"""The ``untold`` commands for report: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from untold import api
from untold.cli._common import spinner
from untold.errors import UsageError

HTML_SUFFIXES = (".html", ".htm")  # the report is one HTML file; anything else is a typo


def _html_name(value: Path | None) -> Path | None:
    """Refuse ``-o report.pdf`` while the command line is parsed (exit 2)."""
    if value is not None and value.suffix.lower() not in HTML_SUFFIXES:
        raise UsageError("the report is an HTML file", source=str(value),
                         hint="give an output name ending in .html")
    return value


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command()
    def report(study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
               output: Annotated[Path | None, typer.Option(
                   "-o", "--output", callback=_html_name,
                   help="The HTML file (default: <archive>/report.html).")]
               = None,
               analyze: bool = typer.Option(
                   True, help="Analyse stories that have no stored result yet.")) -> None:
        """Write the study's report: one HTML file that works offline, plus captured copies.

        Prints the report's path as the last line.
        """
        with spinner("report: starting") as status:
            path = api.report(study, output, analyze_missing=analyze,
                              progress=lambda what: status.update(f"report: {what}"))
        sys.stdout.write(f"{path}\n")
