"""Stealth edits as findings: per story, what each outlet changed, deleted, restored.

Stages of ``analyze_edits``:

1. the story's articles (its query over version 1, the article as collected)
   that have edit events (``store.edit_events``, written by ``untold revisit``);
2. each story fact (``StoryConfig.facts``: id -> query) evaluated on every
   version of those articles (``fact_presence``: the store indexes the versions
   in a private archive with the real schema and the real query compiler, so a
   fact means exactly what it means in ``untold search``);
3. findings, one plain sentence each, with rule id, rules version and the
   article as evidence: ``edit`` (substantive change, and per fact removed or
   added), ``deletion`` (how), ``restoration``; times are related to the
   latest study event before them that concerns the outlet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from untold.analyze.diff import TextDiff, diff_text
from untold.collect.revisit_classify import (
    FACT_ADDED_RULE,
    FACT_REMOVED_RULE,
    MOVED_LIKENESS,
    RULES_VERSION,
    SOFT_PAGE_LIKENESS,
)
from untold.config import EventConfig, StoryConfig, Study
from untold.errors import ConfigError, QueryError
from untold.models import EditEvent, FindingRecord, Outlet, Version
from untold.query import compile_query
from untold.store.base import Store
from untold.text.noise import COUNTER_MAX_WORDS, FURNITURE_MAX_WORDS
from untold.timeutil import from_iso, to_iso

__all__ = ["ArticleEdits", "StoryEdits", "analyze_edits", "fact_presence", "story_edits"]

# The parameters every edit/deletion verdict depends on, stored with each finding.
THRESHOLDS = {"soft_page_likeness": SOFT_PAGE_LIKENESS, "moved_likeness": MOVED_LIKENESS,
              "furniture_max_words": FURNITURE_MAX_WORDS, "counter_max_words": COUNTER_MAX_WORDS}
_HOW = {"http_404": "now answers 404 Not Found", "http_410": "now answers 410 Gone",
        "http_451": "now answers 451 Unavailable For Legal Reasons",
        "redirect_home": "now redirects to the home page",
        "redirect_section": "now redirects to a section page",
        "redirect_other": "now redirects to another page",
        "soft_404": "now shows the site's not-found page",
        "home_page": "now shows the home page", "delisted": "was dropped from its "
        "outlet's feed or sitemap while its URL still answered"}


@dataclass
class ArticleEdits:
    """One tracked article of a story: its versions, events and facts per version."""

    article_id: int
    outlet_id: str
    url: str
    title: str
    versions: list[Version]
    events: list[EditEvent]
    facts: dict[int, set[str]] = field(default_factory=dict)  # version -> fact ids present
    diffs: dict[int, tuple[TextDiff, TextDiff]] = field(default_factory=dict)  # to version ->

    def version(self, n: int | None) -> Version | None:
        return next((v for v in self.versions if v.version == n), None)


@dataclass
class StoryEdits:
    story: StoryConfig
    articles: list[ArticleEdits]
    findings: list[FindingRecord] = field(default_factory=list)


def fact_presence(store: Store, items: Sequence[tuple[str, str, Version]],
                  facts: dict[str, str]) -> list[set[str]]:
    """Per (outlet id, language, version): the ids of ``facts`` the version states."""
    queries = {}
    for fid, query in facts.items():
        try:
            queries[fid] = compile_query(query)
        except QueryError as exc:
            raise ConfigError(f"fact {fid!r}: {exc}",
                              hint="fix the fact's query in the study file") from exc
    return store.facts_in_texts(store.outlets(),
                                [(oid, lang, v.title, v.text, v.fetched_at)
                                 for oid, lang, v in items], queries)


def story_edits(study: Study, store: Store, story: StoryConfig) -> StoryEdits:
    """The story's articles with edit events, their versions, diffs and facts."""
    ids = store.edited_article_ids(story.query, story.start, story.end)
    events = store.edit_events(article_ids=ids)
    arts: list[ArticleEdits] = []
    langs: dict[int, str] = {}
    for aid in ids:
        row = store.article_head(aid)
        assert row is not None  # an edit event's article is never removed
        langs[aid] = row[3]
        a = ArticleEdits(aid, row[0], row[1], row[2], store.versions(aid),
                         [e for e in events if e.article_id == aid])
        for prev, cur in zip(a.versions, a.versions[1:], strict=False):
            a.diffs[cur.version] = (diff_text(prev.title, cur.title),
                                    diff_text(prev.text, cur.text, noise=True))
        arts.append(a)
    if story.facts and arts:
        items = [(a.outlet_id, langs[a.article_id], v) for a in arts for v in a.versions]
        present = iter(fact_presence(store, items, dict(story.facts)))
        for a in arts:
            for v in a.versions:
                a.facts[v.version] = next(present)
    return StoryEdits(story, arts)


def _event_before(study: Study, outlet: Outlet | None, at: datetime) -> EventConfig | None:
    best: EventConfig | None = None
    for e in study.events:
        t = e.time if e.time.tzinfo else e.time.replace(tzinfo=at.tzinfo)
        if t > at:
            continue
        if outlet is not None and ((e.groups and not set(e.groups) & set(outlet.groups))
                                   or (e.countries and outlet.country not in e.countries)):
            continue
        if best is None or t >= best.time.replace(tzinfo=t.tzinfo):
            best = e
    return best


def _when(study: Study, outlet: Outlet | None, ev: EditEvent) -> tuple[str, dict[str, Any]]:
    """"between A and B" plus, when an event came before, how long after it."""
    at = from_iso(ev.at)
    after = from_iso(ev.after)
    text = f"between {ev.after} and {ev.at}" if ev.after else f"by {ev.at}"
    detail: dict[str, Any] = {"at": ev.at, "after": ev.after}
    if at is None:
        return text, detail
    e = _event_before(study, outlet, at)
    if e is not None:
        et = e.time if e.time.tzinfo else e.time.replace(tzinfo=at.tzinfo)
        hi = (at - et).total_seconds() / 3600
        lo = max(0.0, (after - et).total_seconds() / 3600) if after else 0.0
        text += (f", {hi:.0f} hours after event '{e.id}'" if hi - lo < 1 else
                 f", {lo:.0f} to {hi:.0f} hours after event '{e.id}'")
        detail.update(event=e.id, event_time=to_iso(et), hours_after_min=round(lo, 2),
                      hours_after_max=round(hi, 2))
    return text, detail


def _findings(study: Study, se: StoryEdits) -> list[FindingRecord]:
    names = {o.id: o for o in study.outlets}
    out: list[FindingRecord] = []
    sid = se.story.id
    for a in se.articles:
        outlet = names.get(a.outlet_id)
        who = outlet.name if outlet else a.outlet_id
        for ev in a.events:
            when, detail = _when(study, outlet, ev)
            detail.update(edit_event=ev.id, url=a.url, from_version=ev.from_version,
                          to_version=ev.to_version, capture_id=ev.capture_id)
            base = {"story_id": sid, "subject": a.outlet_id, "rules_version": RULES_VERSION,
                    "evidence": [(a.article_id, "article")], "thresholds": THRESHOLDS}
            if ev.kind == "edit" and ev.to_version is not None:
                tdiff, bdiff = a.diffs[ev.to_version]
                s = bdiff.summary()
                detail.update(s, title_changed=tdiff.changed)
                tail = ", title changed." if tdiff.changed else "."
                said = (f"{who} edited '{a.title}' {when}: {s['sentences_removed']} sentences "
                        f"removed, {s['sentences_added']} added, {s['sentences_changed']} "
                        f"changed{tail}")
                out.append(FindingRecord(
                    kind="edit", rule=ev.rule, detail=dict(detail), sentence=said,
                    statistic=float(s["words_added"] + s["words_removed"]),
                    **base))  # type: ignore[arg-type]
                before = a.facts.get(ev.from_version or 1, set())
                after = a.facts.get(ev.to_version, set())
                for fid in sorted(before - after):
                    out.append(FindingRecord(
                        kind="edit", rule=FACT_REMOVED_RULE, sentence=(
                            f"{who} removed fact '{fid}' from '{a.title}' {when}."),
                        detail=dict(detail, fact=fid, fact_query=se.story.facts[fid]),
                        **base))  # type: ignore[arg-type]
                for fid in sorted(after - before):
                    out.append(FindingRecord(
                        kind="edit", rule=FACT_ADDED_RULE, sentence=(
                            f"{who} added fact '{fid}' to '{a.title}' {when}."),
                        detail=dict(detail, fact=fid, fact_query=se.story.facts[fid]),
                        **base))  # type: ignore[arg-type]
            elif ev.kind == "deletion":
                how = _HOW.get(ev.subkind, ev.subkind)
                out.append(FindingRecord(
                    kind="deletion", rule=ev.rule, detail=dict(detail, how=ev.subkind),
                    sentence=f"{who}'s article '{a.title}' {how}: deleted {when}.",
                    **base))  # type: ignore[arg-type]
            elif ev.kind == "restoration":
                out.append(FindingRecord(
                    kind="restoration", rule=ev.rule, detail=dict(detail, how=ev.subkind),
                    sentence=f"{who} restored '{a.title}' {when}.",
                    **base))  # type: ignore[arg-type]
    return out


def analyze_edits(study: Study, store: Store, *,
                  story_ids: Sequence[str] = ()) -> list[StoryEdits]:
    """Per story, its edited/deleted articles; findings stored as one analysis run each."""
    from untold.query import parse

    chosen = [s for s in study.stories if not story_ids or s.id in story_ids]
    for story in chosen:  # a bad fact query fails before any work, naming the fact
        for fid, query in story.facts.items():
            try:
                parse(query)
            except QueryError as exc:
                raise ConfigError(f"story {story.id!r}, fact {fid!r}: {exc}",
                                  source=str(study.path),
                                  hint="fix the fact's query in the study file") from exc
    out: list[StoryEdits] = []
    for story in chosen:
        se = story_edits(study, store, story)
        se.findings = _findings(study, se)
        run = store.start_analysis("edits", story_id=story.id, rules_version=RULES_VERSION,
                                   params={"facts": dict(story.facts)})
        store.add_findings(run, se.findings)
        store.finish_analysis(run)
        out.append(se)
    return out
