"""Generate the example ecosystem deterministically from a seed.

Stages:
  1. slots: per outlet, ordinary publication times (a Poisson count per day,
     fewer at weekends) and story times (stratified draws from the story's
     attention curve, so each outlet's count before/after any date is stable);
  2. patterns (``patterns=True``): the silent outlet's story slots after the
     warning become ordinary news; some slots of reprinting outlets copy a
     recent article of their source; omitting outlets' story articles leave
     the fact out; one article is edited, three are deleted, one outlet
     becomes unreachable (``scenario``);
  3. texts: every slot gets its text from ``texts`` with its own random draws.

``patterns=False`` gives the same outlets, rates, story and event with none of
the planted effects (every outlet states the fact at ``FACT_SHARE``): the
false-positive calibration. Everything derives from ``random.Random(seed)``
streams named per outlet, so adding an outlet does not reshuffle the others.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from untold.demo import scenario as sc
from untold.demo import texts, vocab
from untold.demo.scenario import DemoOutlet

__all__ = ["DemoArticle", "Ecosystem", "generate", "share_flags", "story_cdf_inverse"]

DAY_START_H = 2.0  # UTC hours of the newsroom day (08:00-24:00 in Almaty)
DAY_END_H = 18.0
STORY_SHINGLE_MAX = 0.5  # two unrelated story texts sharing more word 5-grams get redrawn


@dataclass(frozen=True)
class DemoArticle:
    id: str
    outlet_id: str
    path: str
    language: str
    published: datetime
    title: str
    paragraphs: texts.Paragraphs
    author: str
    topic: str  # a topic of texts.topics(), or "story"
    fact: bool = False  # the served (final) version states the nationality fact
    unverified: bool = False
    reprint_of: str | None = None  # article id of the source
    reprint_kind: str | None = None  # verbatim | near
    v1_paragraphs: texts.Paragraphs | None = None  # before an edit
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    deletion: str | None = None  # http_404 | redirect_home | soft_404

    @property
    def story(self) -> bool:
        return self.topic == "story"

    def text(self, at: datetime | None = None) -> str:
        """The body as served at ``at`` (the final version when None)."""
        paras = self.paragraphs
        if self.v1_paragraphs is not None and at is not None and self.edited_at and \
                at < self.edited_at:
            paras = self.v1_paragraphs
        return "\n\n".join(" ".join(p) for p in paras)


@dataclass(frozen=True)
class Ecosystem:
    seed: int
    patterns: bool
    scale: float
    outlets: tuple[DemoOutlet, ...]
    articles: tuple[DemoArticle, ...]  # by publication time
    by_id: dict[str, DemoArticle] = field(repr=False, default_factory=dict)

    def outlet(self, outlet_id: str) -> DemoOutlet:
        return next(o for o in self.outlets if o.id == outlet_id)

    def of_outlet(self, outlet_id: str) -> list[DemoArticle]:
        return [a for a in self.articles if a.outlet_id == outlet_id]


@dataclass
class _Slot:
    outlet: DemoOutlet
    when: datetime
    story: bool
    language: str = ""


def _rng(seed: int, *names: object) -> random.Random:
    return random.Random(f"{seed}:" + ":".join(str(n) for n in names))


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def story_cdf_inverse(q: float, span: float | None = None) -> float:
    """Days after the break at which share ``q`` of the story's attention is spent
    (``span``: days from the break to the end of the period)."""
    if span is None:
        span = (sc.END - sc.STORY_BREAK).total_seconds() / 86400
    tau, floor = sc.STORY_DECAY_DAYS, sc.STORY_FLOOR

    def mass(t: float) -> float:
        return tau * (1 - math.exp(-t / tau)) + floor * t

    target, lo, hi = q * mass(span), 0.0, span
    for _ in range(60):  # bisection: mass() is increasing
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mass(mid) < target else (lo, mid)
    return lo


def _slots(seed: int, outlet: DemoOutlet, scale: float) -> list[_Slot]:
    rng = _rng(seed, "slots", outlet.id)
    out: list[_Slot] = []
    day = sc.START
    while day < sc.END:
        rate = outlet.per_day * scale * (sc.WEEKEND_FACTOR if day.weekday() >= 5 else 1.0)
        for _ in range(_poisson(rng, rate)):
            hours = rng.uniform(DAY_START_H, DAY_END_H)
            out.append(_Slot(outlet, day + timedelta(hours=hours, seconds=rng.randint(0, 59)),
                             False))
        day += timedelta(days=1)
    n = outlet.story_articles
    for i in range(n):
        days = story_cdf_inverse((i + rng.random()) / n)
        out.append(_Slot(outlet, sc.STORY_BREAK + timedelta(days=days, minutes=rng.randint(20, 90)),
                         True))
    langs, weights = zip(*outlet.languages, strict=True)
    for s in out:
        s.language = rng.choices(langs, weights)[0]
    for s in out:
        s.when = s.when.replace(microsecond=0)
    out.sort(key=lambda s: s.when)
    return [s for s in out if s.when < sc.END]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i:i + 5]) for i in range(max(0, len(words) - 4))}


def share_flags(n: int, share: float, rng: random.Random) -> list[bool]:
    """Exactly round(n * share) True values in random order (stratified, not drawn)."""
    k = round(n * share)
    flags = [True] * k + [False] * (n - k)
    rng.shuffle(flags)
    return flags


def generate(seed: int = sc.DEFAULT_SEED, *, patterns: bool = True,
             scale: float = 1.0) -> Ecosystem:
    """The example ecosystem for ``seed``; ``scale`` multiplies ordinary output only."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    articles: list[DemoArticle] = []
    story_shingles: dict[str, list[set[tuple[str, ...]]]] = {}
    for outlet in sc.OUTLETS:
        articles += _outlet_articles(seed, outlet, scale, patterns, articles, story_shingles)
    articles.sort(key=lambda a: (a.published, a.id))
    by_id = {a.id: a for a in articles}
    if patterns:
        articles = _plant_changes(articles)
        by_id = {a.id: a for a in articles}
    return Ecosystem(seed, patterns, scale, sc.OUTLETS, tuple(articles), by_id)


def _outlet_articles(seed: int, outlet: DemoOutlet, scale: float, patterns: bool,
                     earlier: list[DemoArticle],
                     story_shingles: dict[str, list[set[tuple[str, ...]]]]) -> list[DemoArticle]:
    rng = _rng(seed, "text", outlet.id)
    slots = _slots(seed, outlet, scale)
    if patterns and outlet.id == sc.SILENT:
        for s in slots:
            if s.story and s.when >= sc.WARNING:
                s.story = False  # the same slot, filled with ordinary news
    stories = [s for s in slots if s.story]
    share = 0.0 if patterns and outlet.id in sc.OMITTING else sc.FACT_SHARE
    fact_flags = dict(zip(map(id, stories), share_flags(len(stories), share, rng), strict=True))
    unver_flags = dict(zip(map(id, stories), share_flags(len(stories), sc.UNVERIFIED_SHARE, rng),
                           strict=True))
    reprint = {r: (src, p) for r, src, p in sc.REPRINTS} if patterns else {}
    used_sources: set[str] = set()
    out: list[DemoArticle] = []
    topics = texts.topics()
    for n, s in enumerate(slots):
        aid = f"{outlet.id}-{n + 1:05d}"
        topic = "story" if s.story else rng.choice(topics)
        prefix = f"/{s.language}" if len(outlet.languages) > 1 else ""
        path = (f"{prefix}/news/{s.when:%Y/%m/%d}/"
                f"{'video' if s.story else topic}-{10000 + n * 7 + rng.randint(0, 6)}.html")
        author = rng.choice(_people(outlet))
        base = DemoArticle(aid, outlet.id, path, s.language, s.when, "", (), author, topic)
        if outlet.id in reprint and rng.random() < reprint[outlet.id][1]:
            src = _pick_source(rng, earlier, reprint[outlet.id][0], s, used_sources, scale)
            if src is not None:
                used_sources.add(src.id)
                out.append(_reprint(rng, base, src))
                continue
        if s.story:
            fact = fact_flags[id(s)]
            for _ in range(20):  # redraw a story text too like another one
                title, paras, _ = texts.story(rng, s.language, outlet.country, s.when,
                                              fact=fact, unverified=unver_flags[id(s)])
                sh = _shingles(" ".join(" ".join(p) for p in paras))
                others = story_shingles.setdefault(s.language, [])
                if all(len(sh & o) <= STORY_SHINGLE_MAX * len(sh | o) for o in others):
                    break
            others.append(sh)
            out.append(replace(base, title=title, paragraphs=paras, fact=fact,
                               unverified=unver_flags[id(s)]))
        else:
            title, paras = texts.ordinary(rng, s.language, outlet.country, topic, s.when)
            out.append(replace(base, title=title, paragraphs=paras))
    return out


def _people(outlet: DemoOutlet) -> list[str]:
    country = outlet.country if outlet.country in ("KZ", "KG") else "KZ"
    col = 0 if outlet.languages[0][0] == "en" else 1
    return [p[col] for p in vocab.PERSONS[country][:4]]


def _pick_source(rng: random.Random, earlier: list[DemoArticle], source: str, s: _Slot,
                 used: set[str], scale: float) -> DemoArticle | None:
    # a smaller example has sparser sources: widen the window to keep some reprints
    lo = s.when - timedelta(hours=sc.REPRINT_MAX_LAG_H / min(1.0, scale))
    cands = [a for a in earlier if a.outlet_id == source and a.language == s.language
             and a.story == s.story and lo <= a.published < s.when and a.reprint_of is None
             and a.id not in used]
    return rng.choice(cands) if cands else None


def _reprint(rng: random.Random, base: DemoArticle, src: DemoArticle) -> DemoArticle:
    """A copy of ``src``: verbatim, or (NEAR_SHARE) with an attribution sentence added."""
    paras, kind = src.paragraphs, "verbatim"
    if rng.random() < sc.NEAR_SHARE:
        kind = "near"
        paras = (*paras, (_attribution(base.language, src.outlet_id),))
    return replace(base, title=src.title, paragraphs=paras, topic=src.topic, fact=src.fact,
                   unverified=src.unverified, reprint_of=src.id, reprint_kind=kind)


def _attribution(lang: str, source: str) -> str:
    """The credit line a near reprint adds (short: reprints stay near-duplicates)."""
    name = next(o.name for o in sc.OUTLETS if o.id == source)
    return {"ru": "Источник", "en": "Source", "kk": "Дереккөз", "ky": "Булак"}[lang] + f": {name}."


def _plant_changes(articles: list[DemoArticle]) -> list[DemoArticle]:
    """The edit and the deletions, on the named outlets' early story articles."""
    out = list(articles)

    def nth_own_story(outlet_id: str, nth: int) -> int:
        """Index of the outlet's nth own story article that the early pass sees (an
        ordinary one when a seed leaves too few: the change must be observable)."""
        own = [i for i, a in enumerate(out) if a.outlet_id == outlet_id
               and a.reprint_of is None and a.published < sc.EARLY_PASS]
        stories = [i for i in own if out[i].story]
        return stories[nth] if nth < len(stories) else own[-1 - nth]

    e = sc.EDIT
    i = nth_own_story(e.outlet_id, e.nth_story)
    a = out[i]
    rng = random.Random(a.id)
    title, v1, fact_sentence = texts.story(rng, a.language, "KZ", a.published, fact=True,
                                           unverified=a.unverified)
    v2 = tuple(p for p in (tuple(s for s in para if s != fact_sentence) for para in v1) if p)
    out[i] = replace(a, title=title, paragraphs=v2, v1_paragraphs=v1, edited_at=e.at,
                     fact=False)
    for d in sc.DELETIONS:
        i = nth_own_story(d.outlet_id, d.nth_story)
        out[i] = replace(out[i], deleted_at=d.at, deletion=d.kind)
    return out
