"""The ``untold`` commands for stories: thin, calling :mod:`untold.api` only.

``untold analyze`` runs the analysis steps in order; each step is one function
here that calls the library and returns what the summary prints. Step 1 is
stories (attention, coverage, reprints); later steps (findings) chain after it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from untold import api
from untold.cli._common import format_option, out, progress
from untold.errors import UsageError
from untold.text.spreadsheet import SafeDictWriter

FORMATS = ("table", "csv", "json")
BUCKETS = ("day", "hour")
SUMMARY_COLUMNS = ("story", "matching", "reprints", "covered", "silent", "unreachable",
                   "no_output", "not_collected", "first_outlet", "first_time", "first_title")


def _out() -> Console:
    return out  # piped output is not wrapped at 80 columns (untold.cli._common)


def run_stories(study: Any, story_ids: list[str] | None, bucket: str | None) -> list[Any]:
    """Step 1 of ``untold analyze``: compute and store the stories, with a progress bar."""
    api.select_stories(study, story_ids)  # an unknown id fails before the progress bar
    with progress(rate=False) as p:  # the bar appears at the first report, not before
        task = p.add_task("stories", total=None, info="")

        def tick(done: int, total: int, story_id: str) -> None:
            p.update(task, total=total, completed=done, info=escape(story_id))

        return list(api.analyze(study, story_ids=story_ids or None, bucket=bucket,
                                progress=tick))


def print_story_summary(results: list[Any], fmt: str) -> None:
    rows = [api.story_summary(r) for r in results]
    if fmt == "json":  # each story with its outlets' coverage status (the report's table)
        full = [{**row, "coverage": api.story_coverage(r)}
                for row, r in zip(rows, results, strict=True)]
        sys.stdout.write(json.dumps(full, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        w = SafeDictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else SUMMARY_COLUMNS)
        w.writeheader()
        w.writerows(rows)
        return
    t = Table(title="stories", caption="outlets of the study by coverage status; "
              "first report: the earliest matching article anywhere")
    for col in SUMMARY_COLUMNS:
        t.add_column(col.replace("_", " "), overflow="fold",
                     justify="left" if col.startswith(("story", "first")) else "right",
                     min_width=22 if col == "first_time" else None)  # a day-only note
    for r in rows:
        shown = {**r, "first_time": _first_time(r)}
        t.add_row(*(escape("-" if shown[c] is None else str(shown[c]))
                    for c in SUMMARY_COLUMNS))
    _out().print(t)


def _first_time(row: dict[str, Any]) -> str | None:
    """The first report's time as the table shows it: a page that states only its day
    shows the day, never a midnight it did not state."""
    first = row["first_time"]
    if not first:
        return None
    if row.get("first_precision") == "day":
        return f"{str(first)[:10]} (date only)"
    return str(first)[:16].replace("T", " ")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command()
    def analyze(
        study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
        story: Annotated[list[str] | None, typer.Option(
            help="Only this story id (repeatable).")] = None,
        bucket: Annotated[str | None, typer.Option(
            help="day or hour (default: hourly for windows up to three days).")] = None,
        format: Annotated[str, format_option(*FORMATS)] = "table",
    ) -> None:
        """Analyse the study's stories: attention over time, coverage, reprints (stored)."""
        if bucket is not None and bucket not in BUCKETS:
            raise UsageError(f"unknown bucket {bucket!r}", source="--bucket",
                             hint="use day or hour")
        st = api.load(study)  # a bad study file fails before any progress bar
        results = run_stories(st, story, bucket)
        print_story_summary(results, format)
        # then what rests on the stories: edits (from revisits) and the findings
        ids = [r.story_id for r in results]
        edits = api.analyze_edits(st, stories=ids)
        found = api.compute_findings(st, story_ids=ids)
        if format == "table":
            n_edit = sum(len(e.findings) for e in edits)
            _out().print(f"findings: {len(found)} from the statistics, {n_edit} from edits "
                         "and deletions; list them with 'untold findings'")
