"""Library entry points for stories (re-exported by :mod:`untold.api`).

``analyze`` computes every story of a study (attention, coverage, reprints,
samples) and stores each as an analysis run; ``story_results`` reads the
latest stored runs back without recomputing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from untold.analyze.results import StoryResult
from untold.api._common import StudyLike, load, open_archive, require_archive
from untold.config import StoryConfig
from untold.errors import ConfigError

__all__ = ["analyze", "select_stories", "story_coverage", "story_results", "story_summary"]

StoryProgress = Callable[[int, int, str], None]  # (stories done, stories in all, story id)


def select_stories(study: StudyLike,
                   story_ids: Sequence[str] | None = None) -> list[StoryConfig]:
    """The study's stories (all, or those named), checked: an unknown id is an error."""
    st = load(study)
    if not st.stories:
        raise ConfigError("the study has no stories to analyse", source=str(st.path),
                          hint="add a stories table (an id, a title and a query) to the study file")
    if not story_ids:
        return list(st.stories)
    by_id = {s.id: s for s in st.stories}
    for sid in story_ids:
        if sid not in by_id:
            raise ConfigError(f"no story with id {sid!r}", source=str(st.path),
                              hint="stories in the study: " + ", ".join(by_id))
    return [by_id[sid] for sid in dict.fromkeys(story_ids)]


def analyze(study: StudyLike, *, story_ids: Sequence[str] | None = None,
            bucket: str | None = None,
            progress: StoryProgress | None = None) -> list[StoryResult]:
    """Compute and store the study's stories (all, or ``story_ids``), in study order.

    ``bucket``: ``"day"``, ``"hour"``, or None to choose by window length.
    ``progress(done, total, story_id)`` is called before each story and at the end.
    """
    from untold.analyze.stories import analyze_story

    st = load(study)
    stories = select_stories(st, story_ids)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    store = open_archive(st)
    results: list[StoryResult] = []
    try:
        store.sync_outlets(st.outlets)  # names and groups as the study file says now
        for i, story in enumerate(stories):
            if progress:
                progress(i, len(stories), story.id)
            results.append(analyze_story(store, st, story, bucket=bucket))
        if progress:
            progress(len(stories), len(stories), "")
    finally:
        store.close()
    return results


def story_results(study: StudyLike) -> list[StoryResult]:
    """The latest stored result of each of the study's stories that was analysed."""
    from untold.analyze.stories import load_story_result

    st = load(study)
    if not st.db_path.exists():
        return []
    store = open_archive(st, readonly=True)
    try:
        if store.schema_version() < 3:  # made before analyses existed: none stored
            return []
        found = (load_story_result(store, s.id) for s in st.stories)
        return [r for r in found if r is not None]
    finally:
        store.close()


def story_summary(result: StoryResult) -> dict[str, Any]:
    """A story in one flat row: matches, outlets per coverage status, first report."""
    status = Counter(c.status for c in result.coverage if c.curated)
    first = result.first_report
    return {
        "story": result.story_id, "title": result.title,
        "window_start": result.window_start, "window_end": result.window_end,
        "bucket": result.bucket, "matching": result.matching_total,
        "reprints": len(result.reprints),
        "covered": status["covered"], "silent": status["silent"],
        "unreachable": status["unreachable"], "no_output": status["no_output"],
        "not_collected": status["not_collected"],
        "uncurated_covered": sum(1 for c in result.coverage if not c.curated),
        "first_outlet": first.outlet_id if first else None,
        "first_time": (first.published or first.fetched_at) if first else None,
        # "day": the first report's page states only its day (first_time is that day's label)
        "first_precision": ((first.published_precision or "time") if first.published
                            else "fetched") if first else None,
        "first_title": first.title if first else None,
        "first_url": first.url if first else None,
        "run_id": result.run_id,
    }


def story_coverage(result: StoryResult) -> list[dict[str, Any]]:
    """Per outlet, the coverage row the report's coverage table shows: its status
    (covered, silent, no_output, not_collected, unreachable), counts, first report,
    lag, fetch outcomes and reachability (``unreachable_days``, ``reach_measured``,
    ``reach_blocked``, ``reach_down``, ``reach_accessible``, ``reach_periods``) in the
    window. JSON-able (no infinite numbers)."""
    return [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in asdict(c).items()} for c in result.coverage]
