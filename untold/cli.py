"""The ``untold`` command line: a thin Typer layer over :mod:`untold.api`.

Known problems (``UntoldError``) print one line on stderr and exit 2; an
interrupted long job says how to resume and exits 130.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from untold import api
from untold.errors import UntoldError
from untold.timeutil import to_iso

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Measure information control in the news.")
# Piped output is not wrapped at 80 columns: tables stay readable in files and CI logs.
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)

StudyArg = Annotated[Path, typer.Argument(help="The study file (TOML).")]


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    cols = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:>7.1f}/s"), TextColumn("{task.fields[info]}"),
            TimeElapsedColumn()]
    with Progress(*cols, console=err, transient=False) as p:
        yield p


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Where to write the study file.")]
         = Path("study.toml"),
         from_testlist: Annotated[Path | None, typer.Option(
             help="A Citizen Lab test-list CSV: its NEWS rows become the outlets.")] = None,
         country: Annotated[str | None, typer.Option(help="Country code for test-list rows.")]
         = None,
         force: bool = typer.Option(False, help="Overwrite an existing file.")) -> None:
    """Write a commented example study file to start from."""
    p = api.init_study(path, force=force, testlist=from_testlist, country=country)
    out.print(f"wrote {p}")


@app.command()
def testlist(csv_file: Annotated[Path, typer.Argument(help="Citizen Lab test-list CSV.")],
             country: Annotated[str | None, typer.Option(help="Country code.")] = None) -> None:
    """Print TOML outlet tables for the NEWS rows of a Citizen Lab test list."""
    sys.stdout.write(api.testlist_to_toml(csv_file, country=country))


@app.command()
def collect(study: StudyArg,
            outlet: Annotated[list[str] | None, typer.Option(
                help="Only this outlet id (repeatable).")] = None) -> None:
    """Discover and fetch new articles of the study's outlets (resumable)."""
    st = api.load(study)  # a bad study file fails before any progress bar
    t0 = time.monotonic()
    with _progress("collect") as p:
        task = p.add_task("discovering", total=None, rate=0.0, info="")

        def tick(stats: Any, what: str) -> None:
            rate = stats.fetched / max(time.monotonic() - t0, 1e-6)
            fails = sum(stats.failures.values())
            p.update(task, description="fetching" if stats.queued else "discovering",
                     total=stats.queued or None, completed=stats.fetched, rate=rate,
                     info=f"new {stats.articles_new}  dup {stats.duplicates}  failed {fails}")

        stats = api.collect(st, outlets=outlet or (), progress=tick)
    _print_collect(stats)


def _print_collect(stats: Any) -> None:
    out.print(f"discovered {stats.discovered} new URLs, fetched {stats.fetched}, "
              f"stored {stats.articles_new} new articles ({stats.duplicates} duplicates, "
              f"{stats.near_duplicates} near-duplicates/reprints)")
    if stats.skipped:
        out.print("skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.skipped.items())))
    if stats.failures:
        out.print("failures: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.failures.items())))
    for msg in stats.source_errors[:10]:
        err.print(f"[yellow]warning:[/] {msg}", markup=True, highlight=False)
    if len(stats.source_errors) > 10:
        err.print(f"... and {len(stats.source_errors) - 10} more source errors")


@app.command("import")
def import_(study: StudyArg,
            files: Annotated[list[Path], typer.Argument(help="WARC files (.warc, .warc.gz).")],
            only_study_outlets: bool = typer.Option(
                False, help="Skip pages of domains the study does not name."),
            workers: Annotated[int | None, typer.Option(help="Extraction processes.")] = None,
            ) -> None:
    """Load web archives (your crawls, Common Crawl CC-NEWS) into the archive (resumable)."""
    st = api.load(study)
    for f in files:
        if not f.is_file():
            raise UntoldError("WARC file not found", source=str(f), hint="check the path")
    t0 = time.monotonic()
    with _progress("import") as p:
        task = p.add_task("importing", total=None, rate=0.0, info="")

        def tick(prog: Any) -> None:
            d = prog if isinstance(prog, dict) else getattr(prog, "__dict__", {})
            read = int(d.get("records_read", 0))
            p.update(task, completed=read,
                     rate=read / max(time.monotonic() - t0, 1e-6),
                     info=f"new {d.get('articles_new', 0)}  dup {d.get('duplicates', 0)}")

        stats = api.import_warcs(st, files, only_study_outlets=only_study_outlets,
                                 workers=workers, progress=tick)
    d = stats.as_dict() if hasattr(stats, "as_dict") else dict(stats.__dict__)
    errors = d.pop("errors", []) or []
    out.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in d.items()
                        if not isinstance(v, dict | list)))
    for k, v in d.items():
        if isinstance(v, dict) and v:
            out.print(f"{k.replace('_', ' ')}: " + ", ".join(f"{a} {b}" for a, b in v.items()))
    for e in errors:
        err.print(f"[yellow]warning:[/] {e}", markup=True, highlight=False)


@app.command()
def status(study: StudyArg,
           format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
           ) -> None:
    """Per outlet: articles stored, date range, last successful fetch, recent failures."""
    rows = api.status(study)
    if format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    t = Table(title=f"untold status: {study}", caption="* uncurated: a domain the study "
              "does not name" if any(not r["curated"] for r in rows) else None)
    for col in ("outlet", "articles", "published from", "to", "last success", "queued"):
        t.add_column(col, no_wrap=True, justify="right" if col in ("articles", "queued")
                     else "left")
    t.add_column("recent failures", overflow="fold")
    for r in rows:
        fails = ", ".join(f"{k} {v}" for k, v in sorted(r["failures"].items())) or "-"
        name = r["outlet"] + ("" if r["curated"] else " *")
        t.add_row(escape(name), str(r["articles"]), _day(r["first_published"]),
                  _day(r["last_published"]),
                  (r["last_success"] or "never")[:16].replace("T", " "),
                  str(r.get("frontier", {}).get("new", 0)), escape(fails))
    out.print(t)


@app.command()
def search(study: StudyArg,
           query: Annotated[str, typer.Argument(help='e.g. \'казахстан AND (видео OR "video")\'')],
           since: Annotated[datetime | None, typer.Option(help="From this date (UTC).")] = None,
           until: Annotated[datetime | None, typer.Option(help="Before this date (UTC).")]
           = None,
           outlet: Annotated[list[str] | None, typer.Option(help="Outlet id (repeatable).")]
           = None,
           group: Annotated[list[str] | None, typer.Option(help="Outlet group (repeatable).")]
           = None,
           limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
           format: Annotated[str, typer.Option("--format", help="table, csv or json")]
           = "table") -> None:
    """Search the archive with the Lucene / Media Cloud style query language."""
    if format not in ("table", "csv", "json"):
        raise UntoldError(f"unknown format {format!r}", hint="use table, csv or json")
    hits = api.search(study, query, since=_utc(since), until=_utc(until),
                      outlets=outlet or (), groups=group or (), limit=limit)
    rows = [{"id": h.id, "outlet": h.outlet_id, "published": to_iso(h.published),
             "language": h.language, "title": h.title, "url": h.url} for h in hits]
    if format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=["id", "outlet", "published", "language",
                                                   "title", "url"])
        w.writeheader()
        w.writerows(rows)
    else:
        t = Table(title=f"{len(rows)} articles")
        for col in ("published", "outlet", "lang", "title", "url"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(_day(r["published"]), r["outlet"], r["language"],
                      escape(r["title"]), escape(r["url"]))
        out.print(t)


def _utc(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def _day(iso: str | None) -> str:
    return iso[:10] if iso else "-"


@app.command()
def export(study: StudyArg,
           format: Annotated[str, typer.Option("--format", help="jsonl, csv or parquet")]
           = "jsonl",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")]
           = None) -> None:
    """Export the articles (id, outlet, url, canonical url, title, text, language, times, digest)."""
    path, n = api.export(study, format, output)
    out.print(f"wrote {n} articles to {path}")


@app.command()
def check(study: StudyArg) -> None:
    """Check the archive's integrity (database, full-text index, WARC files)."""
    problems = api.archive_check(study)
    for p in problems:
        out.print(f"problem: {p}")
    if any(not p.split(":")[0].endswith(".warc.gz") for p in problems):
        raise typer.Exit(1)
    out.print("archive ok" if not problems else "archive ok (see notes above)")


@app.command()
def demo(dest: Annotated[Path, typer.Argument(help="Where to build the example study.")]
         = Path("untold-demo"),
         scale: Annotated[float, typer.Option(
             min=0.01, max=1.0, help="Share of the example's ordinary news to build "
             "(the story and its planted patterns are always whole).")] = 1.0) -> None:
    """Build the bundled example, collect it from loopback, analyse it; print the report's path.

    The example is a synthetic news ecosystem with planted patterns (an omitted fact,
    a silence after a warning, reprints, an edit, deletions, an unreachable outlet);
    its ground truth is written beside the study.
    """
    t0 = time.monotonic()
    with _progress("demo") as p:
        task = p.add_task("building the example", total=None, rate=0.0, info="")

        def tick(stage: str, detail: Any) -> None:
            if stage in ("collect", "revisit"):
                i, n, t = detail
                p.update(task, description=f"{stage} (clock {t:%Y-%m-%d})", total=2 * n,
                         completed=2 * (i - 1) + (stage == "revisit"),
                         rate=0.0, info=f"{time.monotonic() - t0:.0f} s")
            else:
                p.update(task, description=stage, info=f"{time.monotonic() - t0:.0f} s")

        res = api.demo(dest, scale=scale, progress=tick)
        p.update(task, description="done", completed=p.tasks[0].total)
    status(res["study"], format="table")
    found = res["findings"]
    kinds = Counter(f["kind"] for f in found)
    out.print(f"findings: {len(found)} "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or 'none'}); "
              f"ground truth: {res['ground_truth']}")
    out.print(f"study: {res['study']}")
    out.print(f"archive: {res['archive']}")
    sys.stdout.flush()
    print(Path(res["report"]).resolve())


def _register_areas() -> None:
    from untold import cli_edits, cli_findings, cli_ooni, cli_probe, cli_report, cli_stories

    for mod in (cli_stories, cli_report, cli_findings, cli_edits, cli_probe, cli_ooni):
        mod.register(app)


_register_areas()


def main() -> None:
    try:
        app(standalone_mode=False)
    except UntoldError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", markup=True, highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted: everything collected so far is kept; run again to resume")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.exit(1)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
