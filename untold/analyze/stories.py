"""Analyse one story: a query plus a time window, over the study's outlets.

Stages (one read snapshot of the archive):
  1. compile the story's query; fix the window (the story's start/end, else
     the day-aligned span of its matches) and the bucket (day or hour);
  2. put the matches in the window (id, outlet, time) into a temporary table:
     the one place the full-text index is asked; with each its order key ``k``
     (a day-only date at the end of its day in the outlet's zone: it never
     wins a first report against a timed article of that day), its earliest
     possible instant ``lo`` and its precision ``p``;
  3. ``GROUP BY`` that table and the archive for attention
     (:mod:`.attention`) and coverage (:mod:`.coverage`, with each outlet's
     reachability: its blocking verdicts around the window); pick samples;
  4. :func:`save_story_result` stores it all as observations of an analysis
     run (kind ``stories``), which :func:`load_story_result` reads back into
     the same :class:`StoryResult` without recomputing.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from untold.analyze.attention import (
    TIME_EXPR,
    attention_points,
    bucket_bounds,
    bucket_keys,
    choose_bucket,
    floor_time,
    match_counts,
    output_counts,
)
from untold.analyze.coverage import (
    ReachSummary,
    coverage_row,
    fetch_counts,
    outlet_matches,
    reach_summaries,
    reprint_links,
)
from untold.analyze.daycounts import refresh, summary_is_current
from untold.analyze.observed import REACH_MARGIN
from untold.analyze.reachability import unreachable_periods
from untold.analyze.results import EventMark, SampleArticle, StoryResult
from untold.analyze.story_store import load_story_result, save_story_result
from untold.config import StoryConfig, Study
from untold.errors import ConfigError, QueryError, StoreError
from untold.models import Outlet
from untold.query import compile_query
from untold.store.base import Store
from untold.timeutil import TIME, day_bounds, from_iso, now_utc, outlet_timezone, to_iso, zone

__all__ = [
    "SAMPLES_PER_OUTLET", "analyze_story", "compute_story", "load_story_result",
    "save_story_result",
]

# The report shows an outlet's first few pieces on a story; storing every match
# of a big story (thousands) would bloat each run for no reader.
SAMPLES_PER_OUTLET = 25
MATCH_TABLE = "temp.untold_story_match"
# An article whose date is only a day (page and listing gave no time of day).
_DAY_ONLY = "a.published IS NOT NULL AND a.published_precision = 'day'"


def _conn(store: Store) -> sqlite3.Connection:
    conn = getattr(store, "conn", None)
    if store.backend != "sqlite" or not isinstance(conn, sqlite3.Connection):
        raise StoreError(f"story analysis is not available for the '{store.backend}' backend",
                         hint="use an SQLite archive")
    return conn


def _story(study: Study, story: StoryConfig | str) -> StoryConfig:
    if isinstance(story, StoryConfig):
        return story
    for s in study.stories:
        if s.id == story:
            return s
    known = ", ".join(s.id for s in study.stories) or "none"
    raise ConfigError(f"no story with id {story!r}", source=str(study.path),
                      hint=f"stories in the study: {known}")


def _window(conn: sqlite3.Connection, where: str, params: list[Any],
            story: StoryConfig) -> tuple[datetime, datetime]:
    """The story's window; a missing end comes from its matches, day-aligned."""
    start = from_iso(to_iso(story.start)) if story.start else None
    end = from_iso(to_iso(story.end)) if story.end else None
    if start is not None and end is not None:
        if start >= end:
            raise ConfigError(f"story {story.id!r}: start {to_iso(start)} is not before end "
                              f"{to_iso(end)}", hint="fix the story's start/end in the study file")
        return start, end
    clauses, args = [f"({where})"], list(params)
    for bound, op in ((start, ">="), (end, "<")):
        if bound is not None:
            clauses.append(f"{TIME_EXPR} {op} ?")
            args.append(to_iso(bound))
    lo, hi = conn.execute(f"SELECT MIN({TIME_EXPR}), MAX({TIME_EXPR}) FROM articles a "
                          f"WHERE {' AND '.join(clauses)}", args).fetchone()
    if lo is None:  # nothing matches: the whole archive's span
        lo, hi = conn.execute(f"SELECT MIN({TIME_EXPR}), MAX({TIME_EXPR}) "
                              "FROM articles a").fetchone()
    first = from_iso(lo) or start or end or now_utc()
    last = from_iso(hi) or first
    day = timedelta(days=1)
    if start is None:
        start = floor_time(first, "day")
        if end is not None and start >= end:
            start = end - day
    if end is None:
        end = floor_time(max(last, start), "day") + day
    return start, end


def _outlets(store: Store, study: Study, covered: set[str]) -> list[Outlet]:
    """The study's outlets in study order, then any other outlet that covered it."""
    outlets = list(study.outlets)
    ids = {o.id for o in outlets}
    extra = covered - ids
    if extra:
        known = {o.id: o for o in store.outlets() if o.id in extra}
        outlets += [known.get(i) or Outlet(id=i, name=i, domains=(), curated=False)
                    for i in sorted(extra)]
    return outlets


def _samples(conn: sqlite3.Connection, reprint_of: dict[int, int]) -> list[SampleArticle]:
    rows = conn.execute(
        "SELECT a.id, a.outlet_id, a.title, a.url, a.published, a.fetched_at, a.language, "
        "a.capture_id, COALESCE(c.sha256, a.sha256), s.p FROM (SELECT id, k, p, ROW_NUMBER() "
        f"OVER (PARTITION BY outlet_id ORDER BY k, id) AS rn FROM {MATCH_TABLE}) s "
        "JOIN articles a ON a.id = s.id LEFT JOIN captures c ON c.id = a.capture_id "
        "WHERE s.rn <= ? ORDER BY s.k, s.id", (SAMPLES_PER_OUTLET,)).fetchall()
    return [SampleArticle(article_id=int(r[0]), outlet_id=r[1], title=r[2], url=r[3],
                          published=r[4], fetched_at=r[5], language=r[6],
                          capture_id=int(r[7]), sha256=r[8], reprint_of=reprint_of.get(r[0]),
                          published_precision=r[9] if r[4] else "")
            for r in rows]


def _day_bound_functions(conn: sqlite3.Connection, zones: dict[str, tzinfo]) -> None:
    """SQL functions untold_day_end / untold_day_start(published, outlet_id): the last
    second and the first instant of a day-only date's day in its outlet's zone (UTC
    for an outlet the study does not name), as ISO 8601 UTC."""
    cache: dict[tuple[str, str], tuple[str, str]] = {}

    def bounds(published: str | None, outlet_id: str) -> tuple[str, str] | None:
        if not published:
            return None
        key = (published[:10], outlet_id)
        if key not in cache:
            start, end = day_bounds(date.fromisoformat(key[0]), zones.get(outlet_id, UTC))
            cache[key] = (to_iso(start) or "", to_iso(end - timedelta(seconds=1)) or "")
        return cache[key]

    def day_end(published: str | None, outlet_id: str) -> str | None:
        got = bounds(published, outlet_id)
        return got[1] if got else None

    def day_start(published: str | None, outlet_id: str) -> str | None:
        got = bounds(published, outlet_id)
        return got[0] if got else None

    conn.create_function("untold_day_end", 2, day_end, deterministic=True)
    conn.create_function("untold_day_start", 2, day_start, deterministic=True)


def _reach(store: Store, ids: list[str], start: datetime,
           end: datetime) -> dict[str, ReachSummary]:
    """Each outlet's reachability in the window, from the verdicts of the measurements
    within ``REACH_MARGIN`` of it (a period's bounds depend on its neighbours)."""
    read = getattr(store, "reach_rows", None)
    if read is None or not ids:
        return {}
    rows = read(ids, to_iso(start - REACH_MARGIN) or "", to_iso(end + REACH_MARGIN) or "")
    return reach_summaries(rows, unreachable_periods(rows), ids, start, end)


def _events(study: Study, start: datetime, end: datetime) -> tuple[EventMark, ...]:
    marks = []
    for ev in sorted(study.events, key=lambda e: (to_iso(e.time) or "", e.id)):
        t = from_iso(to_iso(ev.time))
        if t is not None and start <= t <= end:
            marks.append(EventMark(id=ev.id, time=to_iso(t) or "", description=ev.description,
                                   groups=tuple(ev.groups), countries=tuple(ev.countries)))
    return tuple(marks)


def compute_story(store: Store, study: Study, story: StoryConfig | str, *,
                  bucket: str | None = None) -> StoryResult:
    """The story's attention, coverage, reprints and samples (not stored)."""
    story = _story(study, story)
    try:
        where, params = compile_query(story.query).to_sqlite()
    except QueryError as exc:
        raise ConfigError(f"story {story.id!r} has a bad query: {exc.message}",
                          source=str(study.path), hint=exc.hint) from exc
    conn = _conn(store)
    zones = {o.id: zone(outlet_timezone(o)) for o in study.outlets}
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: a running collector cannot skew the counts
    try:
        start, end = _window(conn, where, params, story)
        kind = choose_bucket(start, end, bucket)
        s, e = to_iso(start) or "", to_iso(end) or ""
        conn.execute(f"DROP TABLE IF EXISTS {MATCH_TABLE}")
        _day_bound_functions(conn, zones)
        conn.execute(f"CREATE TABLE {MATCH_TABLE} (id INTEGER PRIMARY KEY, "
                     "outlet_id TEXT NOT NULL, t TEXT NOT NULL, k TEXT NOT NULL, "
                     "lo TEXT NOT NULL, p TEXT NOT NULL)")
        conn.execute(f"INSERT INTO {MATCH_TABLE} SELECT a.id, a.outlet_id, {TIME_EXPR}, "
                     f"CASE WHEN {_DAY_ONLY} THEN untold_day_end(a.published, a.outlet_id) "
                     f"ELSE {TIME_EXPR} END, "
                     f"CASE WHEN {_DAY_ONLY} THEN untold_day_start(a.published, a.outlet_id) "
                     f"ELSE {TIME_EXPR} END, "
                     f"CASE WHEN {_DAY_ONLY} THEN 'day' ELSE 'time' END "
                     f"FROM articles a WHERE ({where}) AND {TIME_EXPR} >= ? "
                     f"AND {TIME_EXPR} < ?", [*params, s, e])
        firsts = outlet_matches(conn, MATCH_TABLE)
        reprints = reprint_links(conn, MATCH_TABLE)
        outlets = _outlets(store, study, set(firsts))
        ids = [o.id for o in outlets]
        matching = match_counts(conn, MATCH_TABLE, kind)
        keys = bucket_keys(start, end, kind)
        totals = output_counts(conn, ids, bucket_bounds(keys, start, end, kind), kind,
                               summary=kind == "day" and summary_is_current(conn))
        fetches = fetch_counts(conn, ids, s, e)
        reach = _reach(store, ids, start, end)
        reprint_of = {r.article_id: r.of_article_id for r in reprints}
        samples = _samples(conn, reprint_of)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"story {story.id!r} could not be analysed: {exc}",
                         source=str(getattr(store, "path", "")),
                         hint="check the archive with 'untold check'") from exc
    finally:
        conn.execute(f"DROP TABLE IF EXISTS {MATCH_TABLE}")
        if own:
            conn.execute("COMMIT")
    study_ids = {o.id for o in study.outlets}
    out_total: dict[str, int] = {}
    for (o, _), n in totals.items():
        out_total[o] = out_total.get(o, 0) + n
    n_reprints: dict[str, int] = {}
    for r in reprints:
        n_reprints[r.outlet_id] = n_reprints.get(r.outlet_id, 0) + 1
    first = samples[0] if samples else None
    first_time = (first.published or first.fetched_at) if first else None
    first_precision = (first.published_precision or TIME) if first else TIME
    report_tz = zones.get(first.outlet_id, UTC) if first else UTC
    coverage = tuple(coverage_row(o, firsts.get(o.id), n_reprints.get(o.id, 0),
                                  out_total.get(o.id, 0), fetches[o.id], first_time,
                                  first_report_precision=first_precision,
                                  tz=zones.get(o.id, UTC), report_tz=report_tz,
                                  reach=reach.get(o.id))
                     for o in outlets)
    return StoryResult(
        story_id=story.id, title=story.title, query=story.query, window_start=s,
        window_end=e, bucket=kind,
        attention=tuple(attention_points(keys, outlets, study_ids, matching, totals)),
        coverage=coverage, reprints=tuple(reprints), samples=tuple(samples),
        first_report=first, events=_events(study, start, end),
        matching_total=sum(m.matching for m in firsts.values()))


def analyze_story(store: Store, study: Study, story: StoryConfig | str, *,
                  bucket: str | None = None) -> StoryResult:
    """Compute a story (see :func:`compute_story`) and store it as an analysis run.

    ``bucket``: ``"day"``, ``"hour"`` or None (hourly for windows up to three
    days). The result carries the ``run_id`` it was stored under.
    """
    if bucket not in (None, "day", "hour"):
        raise ConfigError(f"unknown bucket {bucket!r}", hint="use day or hour")
    story = _story(study, story)
    try:
        refresh(store)  # the per-day summary: daily attention reads it instead of counting
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"story {story.id!r} could not be analysed: {exc}",
                         source=str(getattr(store, "path", "")),
                         hint="check the archive with 'untold check'") from exc
    return save_story_result(store, compute_story(store, study, story, bucket=bucket))

