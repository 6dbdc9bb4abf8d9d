"""Library entry points for stealth edits (re-exported by :mod:`untold.api`).

``revisit`` (one pass, for cron), ``watch`` (collect + revisit until a
signal), ``analyze_edits`` (findings per story), ``edit_events`` (what the
revisits saw), ``article_diff`` (two versions, word by word) and
``edits_report_section`` (the report's HTML fragment).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from untold.api._common import (
    StudyLike,
    check_outlets,
    load,
    open_archive,
    require_archive,
)
from untold.errors import ConfigError, UntoldError

if TYPE_CHECKING:
    from untold.analyze.edits import StoryEdits
    from untold.collect.revisit import RevisitStats

__all__ = ["analyze_edits", "article_diff", "edit_events", "edits_report_section",
           "revisit", "watch"]


def revisit(study: StudyLike, *, now: datetime | None = None, outlets: Sequence[str] = (),
            limit: int | None = None, transport: Any = None,
            progress: Callable[..., None] | None = None,
            date_captures: bool = False) -> RevisitStats:
    """Revisit what is due at ``now`` (default: the wall clock) and exit.

    ``now`` runs the schedule on simulated time (tests, the demo); captures keep
    their real fetch times unless ``date_captures`` (a whole simulation, as the
    demo is) dates them at ``now`` too.
    """
    from untold.collect.revisit import revisit as run

    st = load(study)
    check_outlets(st, outlets)
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    require_archive(st, "run 'untold collect' first: revisits re-fetch stored articles")
    store = open_archive(st)
    try:
        return run(st, store, clock=(lambda: now) if now is not None else None,
                   outlets=outlets, limit=limit, transport=transport, progress=progress,
                   date_captures=date_captures and now is not None)
    finally:
        store.close()


def watch(study: StudyLike, *, interval: float | None = None, passes: int | None = None,
          collect: bool = True, transport: Any = None,
          on_pass: Callable[[int, Any], None] | None = None) -> list[RevisitStats]:
    """Collect and revisit in a loop until SIGINT/SIGTERM (or ``passes`` passes)."""
    from untold.collect.revisit_watch import watch as run

    st = load(study)
    store = open_archive(st)
    try:
        return run(st, store, interval=interval, passes=passes, collect=collect,
                   transport=transport, on_pass=on_pass)
    finally:
        store.close()


def analyze_edits(study: StudyLike, *, stories: Sequence[str] = ()) -> list[StoryEdits]:
    """Per story: edited/deleted articles, facts per version; findings stored."""
    from untold.analyze.edits import analyze_edits as run

    st = load(study)
    unknown = set(stories) - {s.id for s in st.stories}
    if unknown:
        raise ConfigError(f"no story with id {sorted(unknown)[0]!r}", source=str(st.path),
                          hint="story ids are the [[stories]] id keys of the study file")
    require_archive(st, "run 'untold collect' and 'untold revisit' first")
    store = open_archive(st)
    try:
        return run(st, store, story_ids=stories)
    finally:
        store.close()


def edit_events(study: StudyLike, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Every edit, deletion and restoration the revisits saw, oldest first."""
    st = load(study)
    store = open_archive(st, readonly=True)
    try:
        rows = []
        for e in store.edit_events(kind=kind):
            art = store.article_url_title(e.article_id)
            rows.append({"article_id": e.article_id, "outlet": e.outlet_id, "kind": e.kind,
                         "how": e.subkind, "after": e.after, "at": e.at,
                         "from_version": e.from_version, "to_version": e.to_version,
                         "rule": e.rule, "rules_version": e.rules_version,
                         "url": art[0] if art else "", "title": art[1] if art else ""})
        return rows
    finally:
        store.close()


def article_diff(study: StudyLike, article_id: int, *, old: int | None = None,
                 new: int | None = None) -> dict[str, Any]:
    """Two versions of an article (default: the last two) and their word diffs."""
    from untold.analyze.diff import diff_text

    st = load(study)
    store = open_archive(st, readonly=True)
    try:
        versions = store.versions(article_id)
    finally:
        store.close()
    if not versions:
        raise UntoldError(f"no article with id {article_id}", source=str(st.db_path))
    by_n = {v.version: v for v in versions}
    b = by_n.get(new) if new is not None else versions[-1]
    a = by_n.get(old) if old is not None else (versions[-2] if len(versions) > 1 else b)
    if a is None or b is None:
        raise UntoldError(f"article {article_id} has versions {sorted(by_n)}",
                          hint="pick --old/--new among them")
    return {"article_id": article_id, "old": a, "new": b,
            "title": diff_text(a.title, b.title), "text": diff_text(a.text, b.text, noise=True)}


def edits_report_section(study: StudyLike, *, files_dir: Path, report_name: str,
                         stories: Sequence[StoryEdits] | None = None,
                         ) -> tuple[str, str, list[str]]:
    """``(title, html, problems)`` for the report's ``extra_sections``.

    Captured copies of every version shown are written under
    ``files_dir/captures`` (see ``report.captures``) and linked with their SHA-256.
    """
    from untold.report.edits_section import edits_section

    st = load(study)
    data = list(stories) if stories is not None else analyze_edits(st)
    return edits_section(st, data, files_dir=Path(files_dir), report_name=report_name)
