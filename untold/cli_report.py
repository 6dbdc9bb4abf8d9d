"""The ``untold`` commands for report: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command()
    def report(study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
               output: Annotated[Path | None, typer.Option(
                   "-o", "--output", help="The HTML file (default: <archive>/report.html).")]
               = None,
               analyze: bool = typer.Option(
                   True, help="Analyse stories that have no stored result yet.")) -> None:
        """Write the study's report: one HTML file that works offline, plus captured copies.

        Prints the report's path as the last line.
        """
        from untold import api

        err = Console(stderr=True)
        with err.status("report: starting") as status:
            path = api.report(study, output, analyze_missing=analyze,
                              progress=lambda what: status.update(f"report: {what}"))
        sys.stdout.write(f"{path}\n")
