"""A story result as observations of an analysis run, and back.

One run of kind ``stories`` per analysed story. Its observations, in order:

==========  ===================  ==============  =====================================
kind        subject              key             value
==========  ===================  ==============  =====================================
story       ``*``                ``""``          title, query, window, bucket, totals,
                                                 first report, events
attention   outlet id or group   subject kind    one line: lists of bucket, matching,
                                                 total, share, ci_low, ci_high
coverage    outlet id            ``""``          the CoverageRow's fields
reprint     outlet id            article id      the ReprintLink's fields
sample      outlet id            article id      the SampleArticle's fields
==========  ===================  ==============  =====================================

An attention line is one observation (a year of days for a hundred outlets is
a hundred rows, not 36,500). Floats survive JSON exactly, so a reloaded result
equals the computed one.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any, Literal

from untold.analyze.results import (
    AttentionPoint,
    CoverageRow,
    EventMark,
    ReprintLink,
    SampleArticle,
    StoryResult,
)
from untold.analyze.story_rules import STORIES_RULES_VERSION
from untold.errors import StoreError
from untold.models import ObservationRecord
from untold.store.base import AnalysisStore

__all__ = ["RUN_KIND", "STORIES_RULES_VERSION", "load_story_result", "save_story_result"]

RUN_KIND = "stories"
# STORIES_RULES_VERSION (the stories rule table's, untold.analyze.story_rules) is stored
# with each run: bumped when what a story's counts mean changes.


_LINE_FIELDS = ("bucket", "matching", "total", "share", "ci_low", "ci_high")


def _records(r: StoryResult) -> list[ObservationRecord]:
    head = {"title": r.title, "query": r.query, "window_start": r.window_start,
            "window_end": r.window_end, "bucket": r.bucket, "matching_total": r.matching_total,
            "first_report": asdict(r.first_report) if r.first_report else None,
            "events": [asdict(e) for e in r.events]}
    recs = [ObservationRecord("story", "*", "", head)]
    line: dict[str, list[Any]] = {}
    for i, p in enumerate(r.attention):
        if i == 0 or (p.subject, p.subject_kind) != (r.attention[i - 1].subject,
                                                      r.attention[i - 1].subject_kind):
            line = {f: [] for f in _LINE_FIELDS}
            recs.append(ObservationRecord("attention", p.subject, p.subject_kind, line))
        for f in _LINE_FIELDS:
            line[f].append(getattr(p, f))
    recs += [ObservationRecord("coverage", c.outlet_id, "", asdict(c)) for c in r.coverage]
    recs += [ObservationRecord("reprint", x.outlet_id, str(x.article_id), asdict(x))
             for x in r.reprints]
    recs += [ObservationRecord("sample", s.outlet_id, str(s.article_id), asdict(s))
             for s in r.samples]
    return recs


def save_story_result(store: AnalysisStore, result: StoryResult) -> StoryResult:
    """Store ``result`` as a finished run; return it with its ``run_id``."""
    run = store.start_analysis(RUN_KIND, story_id=result.story_id,
                               rules_version=STORIES_RULES_VERSION,
                               params={"query": result.query, "bucket": result.bucket,
                                       "window_start": result.window_start,
                                       "window_end": result.window_end})
    store.add_observations(run, result.story_id, _records(result))
    store.finish_analysis(run)
    return replace(result, run_id=run)


def _sample(v: dict[str, Any]) -> SampleArticle:
    return SampleArticle(**v)


def load_story_result(store: AnalysisStore, story_id: str) -> StoryResult | None:
    """The story's latest stored result (None when it was never analysed)."""
    run = store.latest_analysis(RUN_KIND, story_id)
    if run is None:
        return None
    head: dict[str, Any] | None = None
    attention: list[AttentionPoint] = []
    coverage: list[CoverageRow] = []
    reprints: list[ReprintLink] = []
    samples: list[SampleArticle] = []
    for o in store.observations(run):
        v = o.value
        if o.kind == "story":
            head = v
        elif o.kind == "attention":
            kind: Literal["outlet", "group"] = "group" if o.key == "group" else "outlet"
            attention += [AttentionPoint(bucket=b, subject=o.subject, subject_kind=kind,
                                         matching=m, total=t, share=sh, ci_low=lo, ci_high=hi)
                          for b, m, t, sh, lo, hi in zip(*(v[f] for f in _LINE_FIELDS),
                                                         strict=True)]
        elif o.kind == "coverage":
            # rows stored before a field existed take its default (reach_*: none measured)
            coverage.append(CoverageRow(**{**v, "groups": tuple(v["groups"])}))
        elif o.kind == "reprint":
            reprints.append(ReprintLink(**v))
        elif o.kind == "sample":
            samples.append(_sample(v))
    if head is None:
        raise StoreError(f"stored run {run} of story {story_id!r} has no summary",
                         hint="run 'untold analyze' again")
    return StoryResult(
        story_id=story_id, title=head["title"], query=head["query"],
        window_start=head["window_start"], window_end=head["window_end"],
        bucket=head["bucket"], attention=tuple(attention), coverage=tuple(coverage),
        reprints=tuple(reprints), samples=tuple(samples),
        first_report=_sample(head["first_report"]) if head["first_report"] else None,
        events=tuple(EventMark(**{**e, "groups": tuple(e["groups"]),
                                  "countries": tuple(e["countries"])})
                     for e in head["events"]),
        matching_total=int(head["matching_total"]), run_id=run)
