"""The archive's ``untold`` commands: init, testlist, collect, import, status, search,
export and check. Thin: each calls :mod:`untold.api` and prints what it returns."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from untold import api
from untold.cli._common import StudyArg, err, format_option, out, progress, warn
from untold.errors import UntoldError, WarcError
from untold.text.spreadsheet import SafeDictWriter
from untold.timeutil import to_iso

__all__ = ["register", "status"]


def init(path: Annotated[Path, typer.Argument(help="Where to write the study file.")]
         = Path("study.toml"),
         from_testlist: Annotated[Path | None, typer.Option(
             help="A Citizen Lab test-list CSV: its NEWS rows become the outlets.")] = None,
         country: Annotated[str | None, typer.Option(help="Country code for test-list rows.")]
         = None,
         force: bool = typer.Option(False, help="Overwrite an existing file.")) -> None:
    """Write a commented example study file to start from."""
    p = api.init_study(path, force=force, testlist=from_testlist, country=country)
    out.print(f"wrote {escape(str(p))}")


def testlist(csv_file: Annotated[Path, typer.Argument(help="Citizen Lab test-list CSV.")],
             country: Annotated[str | None, typer.Option(help="Country code.")] = None) -> None:
    """Print TOML outlet tables for the NEWS rows of a Citizen Lab test list."""
    sys.stdout.write(api.testlist_to_toml(csv_file, country=country))


def collect(study: StudyArg,
            outlet: Annotated[list[str] | None, typer.Option(
                help="Only this outlet id (repeatable).")] = None) -> None:
    """Discover and fetch new articles of the study's outlets (resumable)."""
    st = api.load(study)  # a bad study file fails before any progress bar
    t0 = time.monotonic()
    with progress() as p:
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
        warn(msg)
    if len(stats.source_errors) > 10:
        err.print(f"... and {len(stats.source_errors) - 10} more source errors")


def import_(study: StudyArg,
            files: Annotated[list[Path], typer.Argument(help="WARC files (.warc, .warc.gz).")],
            only_study_outlets: bool = typer.Option(
                False, help="Skip pages of domains the study does not name."),
            workers: Annotated[int | None, typer.Option(
                min=1, help="Extraction processes.")] = None,
            ) -> None:
    """Load web archives (your crawls, Common Crawl CC-NEWS) into the archive (resumable).

    A damaged record or file costs only itself: everything readable is imported, each
    gap is one warning line (file@offset, bytes, why), and the exit status is 1.
    """
    st = api.load(study)
    for f in files:
        if not f.is_file():
            raise UntoldError("WARC file not found", source=str(f), hint="check the path")
    t0 = time.monotonic()
    with progress() as p:
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
    # damaged or unreadable files: the rest is stored, and the exit status says so (1)
    summary = stats.damage() if hasattr(stats, "damage") else None
    if summary is not None and stats.files_failed == stats.error_count == 1 \
            and not stats.skipped_bytes and len(errors) == 1:
        errors, summary = [], str(errors[0])  # one unreadable file: its line is the error
    for e in errors:
        warn(str(e))
    if summary is not None:
        raise WarcError(summary)


def status(study: StudyArg,
           format: Annotated[str, format_option("table", "json")] = "table") -> None:
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


def search(study: StudyArg,
           query: Annotated[str, typer.Argument(help='e.g. \'казахстан AND (видео OR "video")\'')],
           since: Annotated[datetime | None, typer.Option(help="From this date (UTC).")] = None,
           until: Annotated[datetime | None, typer.Option(help="Before this date (UTC).")]
           = None,
           outlet: Annotated[list[str] | None, typer.Option(help="Outlet id (repeatable).")]
           = None,
           group: Annotated[list[str] | None, typer.Option(help="Outlet group (repeatable).")]
           = None,
           limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")]
           = None,
           format: Annotated[str, format_option("table", "csv", "json")] = "table") -> None:
    """Search the archive with the Lucene / Media Cloud style query language."""
    hits = api.search(study, query, since=_utc(since), until=_utc(until),
                      outlets=outlet or (), groups=group or (), limit=limit)
    rows = [{"id": h.id, "outlet": h.outlet_id, "published": to_iso(h.published),
             "language": h.language, "title": h.title, "url": h.url} for h in hits]
    if format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif format == "csv":
        w = SafeDictWriter(sys.stdout, fieldnames=["id", "outlet", "published", "language",
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


def export(study: StudyArg,
           format: Annotated[str, format_option("jsonl", "csv", "parquet")] = "jsonl",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file.")]
           = None) -> None:
    """Export the articles (id, outlet, url, canonical url, title, text, language, times, digest)."""
    path, n = api.export(study, format, output)
    out.print(f"wrote {n} articles to {escape(str(path))}")


def check(study: StudyArg,
          quick: Annotated[bool, typer.Option(
              "--quick", help="Files and record headers only: nothing is hashed.")]
          = False,
          deep: Annotated[bool, typer.Option(
              "--deep", help="Inflate every record and verify its payload's SHA-256 and "
              "WARC digests (several times slower than the default).")] = False) -> None:
    """Prove the evidence is there and unaltered: database, index, every record.

    By default the stored bytes of each record are hashed and compared with
    the digest taken when they were written (an imported WARC file: the whole
    file, with its digest at import); a record that differs, or has no such
    digest, is read and its payload verified. Exits 1 when evidence is lost
    or altered (or the database is damaged).
    """
    st = api.load(study)  # a bad study file fails before any progress bar
    t0 = time.monotonic()
    with progress() as p:
        task = p.add_task("checking captures", total=None, rate=0.0, info="")

        def tick(done: int, total: int) -> None:
            p.update(task, total=total or None, completed=done,
                     rate=done / max(time.monotonic() - t0, 1e-6), info="")

        report = api.archive_check(st, quick=quick, deep=deep, progress=tick)
    sys.stdout.write("".join(line + "\n" for line in report.lines()))
    if not report.ok:
        sys.stdout.write("archive has problems: evidence lost or altered (see above)\n"
                         if report.capture_problems or report.file_problems
                         else "archive has problems (see above)\n")
        sys.stdout.flush()
        raise typer.Exit(1)
    sys.stdout.write("archive ok\n" if not report.notes else "archive ok (see notes above)\n")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app (in the order ``--help`` lists them)."""
    app.command()(init)
    app.command()(testlist)
    app.command()(collect)
    app.command("import")(import_)
    app.command()(status)
    app.command()(search)
    app.command()(export)
    app.command()(check)
