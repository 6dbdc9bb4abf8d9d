"""Analyse one story: a query plus a time window, over the study's outlets.

Stages (one read snapshot of the archive):
  1. compile the story's query; fix the window (the story's start/end, else
     the day-aligned span of its matches) and the bucket (day or hour);
  2. have the store select the matches in the window (id, outlet, time): the
     one place the full-text index is asked; with each its order key ``k`` (a
     day-only date at the end of its day in the outlet's zone: it never wins a
     first report against a timed article of that day), its earliest possible
     instant ``lo`` and its precision ``p`` (``untold.store.sqlite.stories``);
  3. count over those matches and the archive for attention
     (:mod:`.attention`) and coverage (:mod:`.coverage`, with each outlet's
     reachability: its blocking verdicts around the window); pick samples;
  4. :func:`save_story_result` stores it all as observations of an analysis
     run (kind ``stories``), which :func:`load_story_result` reads back into
     the same :class:`StoryResult` without recomputing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from untold.analyze.attention import (
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
from untold.errors import ConfigError, QueryError
from untold.models import Outlet
from untold.query import CompiledQuery, compile_query
from untold.store.base import Store
from untold.timeutil import TIME, from_iso, now_utc, outlet_timezone, to_iso, zone

__all__ = [
    "SAMPLES_PER_OUTLET", "analyze_story", "compute_story", "load_story_result",
    "save_story_result",
]

# The report shows an outlet's first few pieces on a story; storing every match
# of a big story (thousands) would bloat each run for no reader.
SAMPLES_PER_OUTLET = 25


def _story(study: Study, story: StoryConfig | str) -> StoryConfig:
    if isinstance(story, StoryConfig):
        return story
    for s in study.stories:
        if s.id == story:
            return s
    known = ", ".join(s.id for s in study.stories) or "none"
    raise ConfigError(f"no story with id {story!r}", source=str(study.path),
                      hint=f"stories in the study: {known}")


def _window(store: Store, query: CompiledQuery,
            story: StoryConfig) -> tuple[datetime, datetime]:
    """The story's window; a missing end comes from its matches, day-aligned."""
    start = from_iso(to_iso(story.start)) if story.start else None
    end = from_iso(to_iso(story.end)) if story.end else None
    if start is not None and end is not None:
        if start >= end:
            raise ConfigError(f"story {story.id!r}: start {to_iso(start)} is not before end "
                              f"{to_iso(end)}", hint="fix the story's start/end in the study file")
        return start, end
    # the matches' span within the given bounds; with no match, the whole archive's
    lo, hi = store.match_span(query, to_iso(start) if start is not None else None,
                              to_iso(end) if end is not None else None)
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


def _samples(store: Store, reprint_of: dict[int, int]) -> list[SampleArticle]:
    rows = store.story_samples(SAMPLES_PER_OUTLET)
    return [SampleArticle(article_id=int(r[0]), outlet_id=r[1], title=r[2], url=r[3],
                          published=r[4], fetched_at=r[5], language=r[6],
                          capture_id=int(r[7]), sha256=r[8], reprint_of=reprint_of.get(r[0]),
                          published_precision=r[9] if r[4] else "")
            for r in rows]


def _reach(store: Store, ids: list[str], start: datetime,
           end: datetime) -> dict[str, ReachSummary]:
    """Each outlet's reachability in the window, from the verdicts of the measurements
    within ``REACH_MARGIN`` of it (a period's bounds depend on its neighbours)."""
    if not ids:
        return {}
    rows = store.reach_rows(ids, to_iso(start - REACH_MARGIN) or "",
                            to_iso(end + REACH_MARGIN) or "")
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
        query = compile_query(story.query)
    except QueryError as exc:
        raise ConfigError(f"story {story.id!r} has a bad query: {exc.message}",
                          source=str(study.path), hint=exc.hint) from exc
    zones = {o.id: zone(outlet_timezone(o)) for o in study.outlets}
    with store.story_snapshot(f"story {story.id!r} could not be analysed"):
        start, end = _window(store, query, story)
        kind = choose_bucket(start, end, bucket)
        s, e = to_iso(start) or "", to_iso(end) or ""
        store.select_story_matches(query, s, e, zones)
        firsts = outlet_matches(store)
        reprints = reprint_links(store)
        outlets = _outlets(store, study, set(firsts))
        ids = [o.id for o in outlets]
        matching = match_counts(store, kind)
        keys = bucket_keys(start, end, kind)
        totals = output_counts(store, ids, bucket_bounds(keys, start, end, kind), kind,
                               summary=kind == "day" and summary_is_current(store))
        fetches = fetch_counts(store, ids, s, e)
        reach = _reach(store, ids, start, end)
        reprint_of = {r.article_id: r.of_article_id for r in reprints}
        samples = _samples(store, reprint_of)
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
    with store.reading(f"story {story.id!r} could not be analysed"):
        refresh(store)  # the per-day summary: daily attention reads it instead of counting
    return save_story_result(store, compute_story(store, study, story, bucket=bucket))

