"""What the findings rules read, and what each rule returns.

``load_story_data`` gathers one story's counts from the archive with a few
grouped SQL queries: story article ids with outlet and time, every outlet's
output before and after each event in the window, and the articles stating
each fact, with each article's language and the languages each fact can be
stated in (a fact is compared only among articles in those languages, see
``untold.analyze.fact_languages``). It is the one place that touches the
archive, so it can later read the story analysis's result instead without
changing the rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from untold.analyze.fact_languages import attested, fact_languages
from untold.analyze.facts import (
    CandidateFact,
    candidate_facts,
    candidate_node,
    match_facts,
    sample_story_articles,
)
from untold.analyze.observed import Coverage, load_coverage
from untold.config import EventConfig, StoryConfig, Study
from untold.errors import ConfigError, QueryError
from untold.models import Outlet
from untold.query import Node, parse
from untold.store.base import Store
from untold.timeutil import to_iso

__all__ = ["RuleTest", "StoryData", "load_story_data"]


@dataclass
class RuleTest:
    """One hypothesis a rule tested (or could not test), before multiplicity correction."""

    kind: str                     # omission | silence | framing
    rule: str                     # rule id, e.g. "omission.outlet"
    subject: str                  # outlet id, group name or "group:a|b"
    sentence: str                 # plain words with the numbers; q is appended later
    p_value: float | None         # None: not tested, ``reason`` says why
    statistic: float | None = None
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    big_enough: bool = True       # the effect passes the rule's size threshold
    reason: str = ""              # why not tested
    thresholds: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class StoryData:
    story: StoryConfig
    start: datetime
    end: datetime
    outlets: dict[str, Outlet]                       # curated outlets of the study
    articles: dict[int, tuple[str, str]]             # story article id -> (outlet, ISO time)
    exposure: dict[str, dict[str, tuple[int, int]]]  # event -> outlet -> all articles
                                                     # (after, before) the event
    facts: dict[str, str]                            # fact id -> query
    fact_hits: dict[str, set[int]]                   # fact id -> story articles stating it
    events: list[EventConfig]
    days: list[str] = field(default_factory=list)    # "YYYY-MM-DD" of the window
    proposed: list[CandidateFact] = field(default_factory=list)  # facts untold proposed
    languages: dict[int, str] = field(default_factory=dict)  # story article id -> language
    # fact id -> the languages it can be stated in; a fact not listed is compared
    # across all articles (data built without languages, e.g. simulations)
    fact_languages: dict[str, frozenset[str]] = field(default_factory=dict)
    observed: Coverage | None = None  # days of each outlet untold observed (None: unknown)

    cache: dict[str, Any] = field(default_factory=dict)  # derived tables, computed once

    def fact_label(self, fid: str) -> str:
        """How a sentence names a fact: its id, or for a proposed one its words."""
        for c in self.proposed:
            if c.id == fid:
                return c.label
        return fid

    def by_outlet(self) -> dict[str, list[int]]:
        """Story article ids of each outlet that has any, ascending (computed once)."""
        if "by_outlet" not in self.cache:
            out: dict[str, list[int]] = defaultdict(list)
            for aid, (oid, _) in sorted(self.articles.items()):
                out[oid].append(aid)
            self.cache["by_outlet"] = dict(out)
        return dict(self.cache["by_outlet"])

    def language_of(self, aid: int) -> str:
        return self.languages.get(aid, "und")

    def comparable(self, fid: str) -> dict[str, list[int]]:
        """``by_outlet`` restricted to the articles in a language the fact can be
        stated in (outlets left with none are left out)."""
        key = f"comparable:{fid}"
        if key not in self.cache:
            langs = self.fact_languages.get(fid)
            out = {}
            for oid, ids in self.by_outlet().items():
                keep = ids if langs is None else [a for a in ids
                                                  if self.language_of(a) in langs]
                if keep:
                    out[oid] = keep
            self.cache[key] = out
        return dict(self.cache[key])

    def compared_languages(self, fid: str) -> list[str]:
        """The languages of the articles a fact is compared among."""
        return sorted({self.language_of(a) for ids in self.comparable(fid).values()
                       for a in ids})



def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _parse(study: Study, story_id: str, what: str, query: str) -> Any:
    try:
        return parse(query)
    except QueryError as exc:
        raise ConfigError(f"story {story_id!r}, {what}: {exc.message}", source=str(study.path),
                          hint=exc.hint or "see 'untold search --help' for the query language"
                          ) from exc


def _output_split(store: Store, outlets: list[str], start: datetime,
                  end: datetime, cut: datetime) -> dict[str, tuple[int, int]]:
    """Per outlet, all its articles in the window (after, before) ``cut``: the exposure
    that normalises attention. Read from the (outlet, published) index alone."""
    if not outlets:
        return {}
    return store.output_split(outlets, to_iso(start) or "", to_iso(end) or "",
                              to_iso(_utc(cut)) or "")


def _attester(store: Store, outlets: list[str], start: datetime,
              end: datetime) -> Callable[[Node, frozenset[str]], set[str]]:
    """Which of some languages write a word: counted over all articles of the study's
    outlets in the story's window (not the story's alone, so that outlets leaving a
    fact out do not take its language with them)."""
    totals: dict[str, int] = {}
    using: dict[Node, dict[str, int]] = {}  # facts share words: count each once

    def attest(word: Node, languages: frozenset[str]) -> set[str]:
        if not totals:
            totals.update(store.articles_per_language(outlets, to_iso(start) or "",
                                                      to_iso(end) or ""))
        if word not in using:
            using[word] = store.matches_per_language(word, start, end, outlets)
        return attested({lang: (using[word].get(lang, 0), totals.get(lang, 0))
                         for lang in languages})

    return attest


def load_story_data(store: Store, study: Study, story: StoryConfig,
                    facts: dict[str, str] | None = None, *, propose: bool = True) -> StoryData:
    """Counts of one story: its articles, the outlets' output and the fact matches.

    ``facts`` defaults to the story's; when it names none and ``propose`` is set,
    recurring names, numbers and quotes of the coverage are proposed and tested.
    """
    study_outlets = {o.id for o in study.outlets}
    node = _parse(study, story.id, "query", story.query)
    for fid, q in (story.facts if facts is None else facts).items():
        _parse(study, story.id, f"fact {fid!r}", q)  # a bad fact fails before any work
    start = _utc(story.start) if story.start else None
    end = _utc(story.end) if story.end else None
    with store.reading(f"reading story {story.id!r} failed", source=False):
        rows = store.story_articles(node, start, end)
        if start is None or end is None:
            lo, hi = (min(r[2][:10] for r in rows), max(r[2][:10] for r in rows)) if rows \
                else (None, None)
            if start is None:
                start = datetime.fromisoformat(lo).replace(tzinfo=UTC) if lo else \
                    datetime(1970, 1, 1, tzinfo=UTC)
            if end is None:
                end = (datetime.fromisoformat(hi).replace(tzinfo=UTC) + timedelta(days=1)) \
                    if hi else start + timedelta(days=1)
        exposure = {ev.id: _output_split(store, sorted(study_outlets), start, end, ev.time)
                    for ev in study.events if start < _utc(ev.time) < end}
        facts = dict(story.facts if facts is None else facts)
        present = {str(r[3] or "und") for r in rows if r[1] in study_outlets}
        proposed: list[CandidateFact] = []
        nodes: dict[str, Node] = {fid: parse(q) for fid, q in facts.items()}
        attest = _attester(store, sorted(study_outlets), start, end)
        languages = {fid: fact_languages(n, present, attest) for fid, n in nodes.items()}
        if not facts and propose:
            by_outlet: dict[str, list[int]] = defaultdict(list)
            for a, o, *_ in rows:
                if o in study_outlets:
                    by_outlet[str(o)].append(int(a))
            proposed = candidate_facts(sample_story_articles(store, by_outlet), story.query)
            # as the reader sees it: the lexicon forms are matched as written (candidate_node)
            facts = {c.id: " OR ".join([c.query, *c.forms]) for c in proposed}
            nodes = {c.id: candidate_node(c) for c in proposed}
            languages = {c.id: frozenset(c.languages) & present for c in proposed}
        hits = match_facts(store, nodes, {int(r[0]) for r in rows})
    curated = {o.id: o for o in study.outlets}
    articles = {int(a): (str(o), str(d)) for a, o, d, _ in rows if o in curated}
    article_languages = {int(a): str(lang or "und") for a, o, _, lang in rows if o in curated}
    days = []
    d = start.date()
    while d < end.date() or (d == end.date() and end.time() != datetime.min.time()):
        days.append(d.isoformat())
        d += timedelta(days=1)
    return StoryData(story=story, start=start, end=end, outlets=curated, articles=articles,
                     exposure=exposure,
                     facts=facts, fact_hits=hits, events=list(study.events), days=days,
                     proposed=proposed, languages=article_languages,
                     fact_languages=languages,
                     observed=load_coverage(store, sorted(curated), start, end, days,
                                            [(ev.id, _utc(ev.time)) for ev in study.events
                                             if start < _utc(ev.time) < end]))
