"""The ``untold`` commands for stealth edits: thin, calling :mod:`untold.api` only.

``revisit`` (one pass, for cron), ``watch`` (loop until Ctrl-C / SIGTERM),
``edits`` (findings per story), ``diff`` (two versions of one article).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from untold import api
from untold.cli._common import StudyArg, err, format_option, out, progress
from untold.errors import UsageError
from untold.text.spreadsheet import SafeDictWriter
from untold.timeutil import from_iso


def _print_stats(stats: Any) -> None:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.outcomes.items())) or "nothing due"
    out.print(f"enrolled {stats.enrolled}, due {stats.due}, checked {stats.checked}: {outcomes}")
    out.print(f"new versions {stats.versions}, deletions {stats.deletions}, "
              f"restorations {stats.restorations}, {stats.bytes} bytes received")
    if stats.failures:
        out.print("unreachable (not deletions): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(stats.failures.items())))
    if stats.stopped:
        err.print("stopped: what was checked is stored; run again to go on")


def _emit(rows: list[dict[str, Any]], cols: list[str], fmt: str, title: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        w = SafeDictWriter(sys.stdout, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    else:
        t = Table(title=title)
        for c in cols:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*(escape("" if r.get(c) is None else str(r.get(c))) for c in cols))
        out.print(t)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    @app.command()
    def revisit(study: StudyArg,
                now: Annotated[str | None, typer.Option(
                    help="Run the schedule as if it were this UTC time, e.g. "
                    "2026-10-06T10:00:00Z (simulations).")] = None,
                outlet: Annotated[list[str] | None, typer.Option(
                    help="Only this outlet id (repeatable).")] = None,
                limit: Annotated[int | None, typer.Option(
                    min=1, help="At most this many.")] = None,
                ) -> None:
        """Revisit stored articles that are due now, record edits and deletions, exit."""
        try:
            when = from_iso(now) if now else None
        except ValueError as exc:
            raise UsageError(f"--now {now!r} is not an ISO 8601 time",
                             hint="write it like 2026-10-06T10:00:00Z") from exc
        st = api.load(study)
        t0 = time.monotonic()
        with progress() as p:
            task = p.add_task("revisiting", total=None, rate=0.0, info="")

            def tick(stats: Any, what: str) -> None:
                rate = stats.checked / max(time.monotonic() - t0, 1e-6)
                p.update(task, total=stats.due or None, completed=stats.checked, rate=rate,
                         info=f"versions {stats.versions}  deletions {stats.deletions}")

            stats = api.revisit(st, now=when, outlets=outlet or (), limit=limit, progress=tick)
        _print_stats(stats)

    @app.command()
    def watch(study: StudyArg,
              interval: Annotated[str | None, typer.Option(
                  help="Pause between passes, e.g. 5m (default: [revisit] watch_interval).")]
              = None,
              passes: Annotated[int | None, typer.Option(
                  min=1, help="Stop after this many.")] = None,
              no_collect: bool = typer.Option(False, help="Only revisit, do not collect."),
              ) -> None:
        """Collect and revisit in a loop until Ctrl-C or SIGTERM (stops cleanly)."""
        from untold.config import parse_duration

        try:
            wait = parse_duration(interval) if interval is not None else None
        except ValueError as exc:
            raise UsageError(str(exc), source="--interval") from exc
        st = api.load(study)

        def on_pass(n: int, stats: Any) -> None:
            out.print(f"[bold]pass {n}[/]", highlight=False)
            _print_stats(stats)

        done = api.watch(st, interval=wait, passes=passes, collect=not no_collect,
                         on_pass=on_pass)
        out.print(f"stopped after {len(done)} passes; everything fetched is stored")

    @app.command()
    def edits(study: StudyArg,
              story: Annotated[list[str] | None, typer.Option(
                  help="Only this story id (repeatable).")] = None,
              format: Annotated[str, format_option("table", "csv", "json")] = "table",
              ) -> None:
        """Findings about edited, deleted and restored articles, per story (stored)."""
        fmt = format
        rows = []
        for se in api.analyze_edits(study, stories=story or ()):
            for f in se.findings:
                rows.append({"story": se.story.id, "kind": f.kind, "rule": f.rule,
                             "outlet": f.subject, "fact": f.detail.get("fact"),
                             "at": f.detail.get("at"), "after": f.detail.get("after"),
                             "article": f.evidence[0][0] if f.evidence else None,
                             "sentence": f.sentence})
        _emit(rows, ["story", "kind", "rule", "outlet", "fact", "after", "at", "article",
                     "sentence"], fmt, f"{len(rows)} findings")

    @app.command()
    def diff(study: StudyArg,
             article: Annotated[int, typer.Argument(help="Article id.")],
             old: Annotated[int | None, typer.Option(min=1, help="Old version number.")]
             = None,
             new: Annotated[int | None, typer.Option(min=1, help="New version number.")]
             = None,
             ) -> None:
        """Show two versions of an article word by word (removed red, added green)."""
        d = api.article_diff(study, article, old=old, new=new)
        a, b = d["old"], d["new"]
        out.print(f"version {a.version} ({a.fetched_at}) -> version {b.version} "
                  f"({b.fetched_at})", highlight=False)
        for part in ("title", "text"):
            segs = d[part]
            line = "".join(f"[red strike]{escape(t)}[/]" if tag == "removed" else escape(t)
                           for tag, t in segs.old if tag != "added")
            added = "".join(f"[green]{escape(t)}[/]" if tag == "added" else escape(t)
                            for tag, t in segs.new)
            out.print(f"[bold]{part}, before:[/] {line}", highlight=False)
            out.print(f"[bold]{part}, after:[/] {added}", highlight=False)
        out.print(json.dumps(d["text"].summary()))
