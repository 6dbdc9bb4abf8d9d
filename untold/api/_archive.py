"""Library entry points for the archive: start a study, collect, import, check,
search and export (re-exported by :mod:`untold.api`).

Each function takes a study file path (or a loaded :class:`Study`) and does one
user-level job; long jobs accept a ``progress`` callback.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from untold.api._common import (
    StudyLike,
    check_format,
    check_outlets,
    load,
    open_archive,
    require_archive,
)
from untold.config import Study
from untold.errors import ConfigError, UntoldError

__all__ = ["archive_check", "collect", "disk_usage", "export", "import_warcs", "init_study",
           "remove_archive", "search", "status", "testlist_to_toml"]


def init_study(path: str | Path, *, force: bool = False, testlist: Path | None = None,
               country: str | None = None) -> Path:
    """Write a commented example study file (optionally with a test list's outlets)."""
    path = Path(path)
    if path.exists() and not force:
        raise ConfigError("file exists", source=str(path), hint="use --force to overwrite")
    text = resources.files("untold").joinpath("data/study.example.toml").read_text("utf-8")
    if testlist is not None:
        head, _, _ = text.partition("# One [[outlets]] table per outlet.")
        text = head + testlist_to_toml(testlist, country=country)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def testlist_to_toml(csv_path: Path, *, country: str | None = None) -> str:
    """``[[outlets]]`` tables for the NEWS rows of a Citizen Lab test-list CSV."""
    from untold.collect.testlists import outlets_from_testlist, outlets_to_toml

    return outlets_to_toml(outlets_from_testlist(Path(csv_path), country=country))


def collect(study: StudyLike, *, outlets: Sequence[str] = (),
            progress: Callable[..., None] | None = None, transport: Any = None,
            now: datetime | None = None) -> Any:
    """Discover and fetch new articles (see ``collect.pipeline``). ``now`` dates the
    fetches on a simulated clock (the demo); default the wall clock."""
    from untold.collect.pipeline import collect as run

    st = load(study)
    check_outlets(st, outlets)
    store = open_archive(st)
    try:
        return run(st, store, outlets=outlets, progress=progress, transport=transport,
                   clock=(lambda: now) if now is not None else None)
    finally:
        store.close()


def import_warcs(study: StudyLike, files: Sequence[Path], *, only_study_outlets: bool = False,
                 progress: Callable[..., None] | None = None,
                 workers: int | None = None) -> Any:
    """Load web archives (own crawls, CC-NEWS) into the study's archive."""
    from untold.collect.warcimport import import_warcs as run

    st = load(study)
    for f in files:
        if not Path(f).is_file():
            raise UntoldError("WARC file not found", source=str(f))
    store = open_archive(st)
    try:
        store.sync_outlets(st.outlets)
        return run(st, store, [Path(f) for f in files], only_study_outlets=only_study_outlets,
                   workers=workers, progress=progress)
    finally:
        store.close()


def status(study: StudyLike) -> list[dict[str, Any]]:
    """Per outlet: articles, date range, last success, frontier and recent failures."""
    st = load(study)
    if not st.db_path.exists():
        return [{"outlet": o.id, "name": o.name, "curated": True, "articles": 0,
                 "first_published": None, "last_published": None, "last_success": None,
                 "failures": {}, "frontier": {}} for o in st.outlets]
    store = open_archive(st, readonly=True)
    try:
        rows = store.outlet_status()
        counts = store.frontier_counts()
        for r in rows:
            r["frontier"] = counts.get(r["outlet"], {})
        return rows
    finally:
        store.close()


def export(study: StudyLike, fmt: str, out: Path | None = None) -> tuple[Path, int]:
    """Write the archive's articles as jsonl, csv or parquet; return (path, count)."""
    from untold.report.export import FORMATS, export_articles

    st = load(study)
    check_format(fmt, FORMATS, hint=f"use one of {', '.join(FORMATS)}")
    out = Path(out) if out else st.archive_dir / f"articles.{fmt}"
    store = open_archive(st, readonly=True)
    try:
        n = export_articles(store.iter_articles(), fmt, out)
    finally:
        store.close()
    return out, n


def archive_check(study: StudyLike, *, quick: bool = False, deep: bool = False,
                  workers: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Any:
    """Is the evidence there? The database's integrity and every capture's WARC record.

    Returns a :class:`untold.collect.evidence.CheckReport` (``.ok``, ``.lines()``):
    the SQLite and full-text index checks, then each capture matched with its WARC
    record, imported WARC files that moved or changed, and notes (a killed run's
    truncated tail). Default (full): the stored bytes of each record hashed and
    compared with their digest taken at capture time (imported files: whole, with
    the registry); ``quick``: record headers only; ``deep``: every record inflated
    and its payload's digest verified. The database is checked on a connection of
    its own while the WARC files are read.
    """
    from untold.collect.evidence import DEEP, FULL, QUICK, check_evidence
    from untold.errors import UsageError

    if quick and deep:
        raise UsageError("--quick and --deep exclude each other", source="--deep",
                         hint="give one of them (or neither, for the full check)")
    st = load(study)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    mode = QUICK if quick else DEEP if deep else FULL
    store = open_archive(st)
    try:
        return check_evidence(store, st.warc_dir, mode=mode, workers=workers,
                              progress=progress,
                              database=lambda: _database_problems(st, thorough=deep))
    finally:
        store.close()


def _database_problems(st: Study, *, thorough: bool) -> list[str]:
    """The database's own checks, on a connection of their own (they run in a thread);
    SQLite's full index-by-index integrity check only with ``--deep``."""
    store = open_archive(st)  # FTS5's integrity-check is issued as a write
    try:
        return store.integrity_check(thorough=thorough)
    finally:
        store.close()


def disk_usage(study: StudyLike) -> int:
    st = load(study)
    return sum(p.stat().st_size for p in st.archive_dir.rglob("*") if p.is_file()) \
        if st.archive_dir.exists() else 0


def remove_archive(study: StudyLike) -> None:
    st = load(study)
    if st.archive_dir.exists():
        shutil.rmtree(st.archive_dir)


def search(study: StudyLike, query: str, *, since: Any = None, until: Any = None,
           outlets: Sequence[str] = (), groups: Sequence[str] = (),
           limit: int | None = None) -> list[Any]:
    """Articles matching a search-language query (see ``untold.query``), oldest first."""
    from untold.query import parse
    from untold.query import search as run

    node = parse(query)  # fail on a bad query before touching the archive
    store = open_archive(study, readonly=True)
    try:
        return run(store, node, since=since, until=until, outlets=outlets, groups=groups,
                   limit=limit)
    finally:
        store.close()
