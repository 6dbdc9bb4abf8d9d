"""Generate ecosystem 2 deterministically from ``scenario.SEED``.

Per outlet, from random streams named after it (adding an outlet reshuffles
no other):

1. slots: ordinary news (a Poisson count per local calendar day, fewer at
   weekends, at local newsroom hours, some overnight), mine-story slots
   (stratified draws from the story's decaying attention curve, so counts
   before and after any date are stable), hydro-story slots (stratified draws
   from an even spread plus a bump around the signing);
2. the planted patterns: the silent outlet's mine slots after the warning
   become ordinary news; facts are assigned by exact shares (stratified, not
   drawn) per outlet; the edit and the deletions mark their articles;
3. texts from ``texts`` with the article's own random draws; a text too like
   an earlier one of the same language and topic (word 5-shingles) is drawn again, so
   nothing is a near-duplicate by accident.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2 import texts
from tests.support.ecosystem2.scenario import EcoOutlet
from tests.support.ecosystem2.texts import Paragraphs

__all__ = ["Article", "Ecosystem", "generate", "local_time"]

MAX_SHINGLE_JACCARD = 0.5  # two texts sharing more word 5-grams get redrawn (reprints: 0.8)
SHINGLE_WINDOW = 150  # earlier texts of the language compared against
REDRAWS = 30
RELATED_LINKS = 3  # "read also" links to the outlet's previous articles


@dataclass(frozen=True)
class Article:
    id: str
    outlet_id: str
    number: int  # the outlet's own article number (in its URLs)
    path: str
    language: str
    published: datetime  # UTC
    title: str
    paragraphs: Paragraphs
    author: str
    topic: str  # an ordinary topic, "mine" or "hydro"
    facts: frozenset[str] = frozenset()  # mine facts the served (final) version states
    side: str = ""  # mine framing: "state" | "other"
    v1_paragraphs: Paragraphs | None = None  # before the edit
    removed: str | None = None  # the sentence the edit removed
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    deletion: str | None = None  # http_410 | redirect_home
    related: tuple[str, ...] = ()  # ids of earlier articles linked from the page

    def text(self, at: datetime | None = None) -> str:
        """The body as served at ``at`` (the final version when None)."""
        paras = self.paragraphs
        if self.v1_paragraphs is not None and at is not None and self.edited_at \
                and at < self.edited_at:
            paras = self.v1_paragraphs
        return "\n\n".join(" ".join(p) for p in paras if p)

    def facts_at(self, at: datetime | None) -> frozenset[str]:
        if self.removed and self.edited_at and at is not None and at < self.edited_at:
            return self.facts | {sc.EDIT.fact}
        return self.facts


@dataclass(frozen=True)
class Ecosystem:
    seed: int
    outlets: tuple[EcoOutlet, ...]
    articles: tuple[Article, ...]  # by publication time
    by_id: dict[str, Article] = field(repr=False, default_factory=dict)

    def outlet(self, outlet_id: str) -> EcoOutlet:
        return next(o for o in self.outlets if o.id == outlet_id)

    def of_outlet(self, outlet_id: str) -> list[Article]:
        return [a for a in self.articles if a.outlet_id == outlet_id]

    def url(self, a: Article) -> str:
        return self.outlet(a.outlet_id).base + a.path


@dataclass
class _Slot:
    when: datetime
    topic: str  # "" until chosen for ordinary news
    language: str = ""


def _rng(seed: int, *names: object) -> random.Random:
    return random.Random(f"{seed}:eco2:" + ":".join(str(n) for n in names))


def _poisson(rng: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def local_time(o: EcoOutlet, t: datetime) -> datetime:
    return t.astimezone(ZoneInfo(o.tz))


def _at_local(o: EcoOutlet, day: date, hours: float) -> datetime:
    base = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(o.tz))
    return (base + timedelta(hours=hours)).astimezone(sc.START.tzinfo).replace(microsecond=0)


def _bisect(fn: Callable[[float], float], target: float, lo: float, hi: float) -> float:
    """The x in [lo, hi] where the increasing ``fn`` reaches ``target``."""
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fn(mid) < target else (lo, mid)
    return lo


def _mine_days(q: float) -> float:
    """Days after the break by which share ``q`` of the mine story's attention is spent."""
    tau, floor = sc.MINE_DECAY_DAYS, sc.MINE_FLOOR
    span = (sc.END - sc.MINE_BREAK).total_seconds() / 86400

    def mass(t: float) -> float:
        return tau * (1 - math.exp(-t / tau)) + floor * t

    return _bisect(mass, q * mass(span), 0.0, span)


def _hydro_days(q: float) -> float:
    """Days after START by which share ``q`` of the hydro story's articles are out."""
    span = (sc.END - sc.START).total_seconds() / 86400
    mid = (sc.SIGNING - sc.START).total_seconds() / 86400
    s, b = sc.HYDRO_BUMP_DAYS, sc.HYDRO_BUMP_SHARE

    def phi(x: float) -> float:
        return 0.5 * (1 + math.erf((x - mid) / (s * math.sqrt(2))))

    lo_p, hi_p = phi(0.0), phi(span)

    def cdf(t: float) -> float:
        return (1 - b) * t / span + b * (phi(t) - lo_p) / (hi_p - lo_p)

    return _bisect(cdf, q, 0.0, span)


def _slots(seed: int, o: EcoOutlet) -> list[_Slot]:
    rng = _rng(seed, "slots", o.id)
    out: list[_Slot] = []
    tz = ZoneInfo(o.tz)
    day = sc.START.astimezone(tz).date() - timedelta(days=1)
    last = sc.END.astimezone(tz).date()
    while day <= last:
        rate = o.per_day * (sc.WEEKEND_FACTOR if day.weekday() >= 5 else 1.0)
        for _ in range(_poisson(rng, rate)):
            h = rng.uniform(0.0, 6.0) if rng.random() < o.overnight else rng.uniform(*o.hours)
            out.append(_Slot(_at_local(o, day, h), ""))
        day += timedelta(days=1)
    for i in range(o.mine):
        t = sc.MINE_BREAK + timedelta(days=_mine_days((i + rng.random()) / o.mine))
        if o.id == sc.SILENT and i == 0:
            t = sc.MINE_BREAK + sc.FIRST_REPORT_AFTER
        else:
            t = max(t, sc.MINE_BREAK + sc.OTHERS_NOT_BEFORE
                    + timedelta(minutes=rng.randint(0, 40)))
        topic = "mine"
        if o.id == sc.SILENT and t >= sc.WARNING:
            topic = ""  # the same slot, filled with ordinary news: output does not drop
        out.append(_Slot(t.replace(microsecond=0), topic))
    for i in range(o.hydro):
        t = sc.START + timedelta(days=_hydro_days((i + rng.random()) / o.hydro))
        # published at newsroom hours on the local day the draw fell on
        out.append(_Slot(_at_local(o, local_time(o, t).date(), rng.uniform(*o.hours)),
                         "hydro"))
    langs, weights = zip(*o.languages, strict=True)
    for s in out:
        s.language = rng.choices(langs, weights)[0]
    out = [s for s in out if sc.START <= s.when < sc.END]
    out.sort(key=lambda s: (s.when, s.topic))
    return out


def share_flags(n: int, share: float, rng: random.Random) -> list[bool]:
    """Exactly round(n * share) True values in random order (stratified, not drawn)."""
    k = round(n * share)
    flags = [True] * k + [False] * (n - k)
    rng.shuffle(flags)
    return flags


def article_path(o: EcoOutlet, lang: str, local: datetime, number: int, topic: str) -> str:
    """The URL path of an article, in the outlet's own URL scheme."""
    prefix = f"/{lang}" if o.multilingual else ""
    slug = {"mine": "besoba", "hydro": "kokzhar"}.get(topic, topic)
    style = o.style
    if style == "agency":
        return f"{prefix}/news/{local:%Y/%m/%d}/{number}-{slug}"
    if style == "jsonld":
        return f"{prefix}/article/{number}-{slug}"
    if style == "table":
        return f"/news/view/{number}"
    if style == "local":
        return f"/{local:%Y/%m/%d}/{slug}-{number}/"
    if style == "blog":
        return f"{prefix}/{local:%Y/%m}/{slug}-{number}"
    if style == "counter":
        return f"{prefix}/news/{number}"
    return f"{prefix}/articles/{local:%Y/%m/%d}/{number}-{slug}.html"  # magazine


def _shingles(text: str) -> set[int]:
    words = text.lower().split()
    return {hash(tuple(words[i:i + 5])) for i in range(max(0, len(words) - 4))}


def _too_like(sh: set[int], earlier: list[set[int]]) -> bool:
    for e in earlier:
        common = len(sh & e)
        if common > MAX_SHINGLE_JACCARD * (len(sh) + len(e) - common):
            return True
    return False


def _outlet_articles(seed: int, o: EcoOutlet,
                     seen: dict[str, list[set[int]]]) -> list[Article]:
    rng = _rng(seed, "text", o.id)
    slots = _slots(seed, o)
    topics = texts.topics()
    mine = [s for s in slots if s.topic == "mine"]
    share = sc.OMIT_SHARE if o.id in sc.OMITTING else sc.FACT_SHARE
    violations = share_flags(len(mine), share, rng)
    if o.id == sc.EDIT.outlet_id and not violations[sc.EDIT.nth_story]:
        # the edited article must state the fact before the edit: swap flags
        j = violations.index(True)
        violations[j], violations[sc.EDIT.nth_story] = False, True
    trapped = share_flags(len(mine), sc.TRAPPED_SHARE, rng)
    flags = {id(s): (v, t) for s, v, t in zip(mine, violations, trapped, strict=True)}
    side = "state" if o.id in sc.FRAMING else "other"
    people = texts.BANKS[o.languages[0][0]]["people"][:4]
    number = 10000 + _rng(seed, "numbers", o.id).randint(0, 80000)
    out: list[Article] = []
    for n, s in enumerate(slots):
        number += rng.randint(1, 4)
        topic = s.topic or rng.choice(topics)
        shown = local_time(o, s.when)
        pool = seen.setdefault(f"{s.language}:{topic}", [])
        facts: frozenset[str] = frozenset()
        for _ in range(REDRAWS):
            if topic == "mine":
                v, t = flags[id(s)]
                title, paras, _ = texts.mine(rng, s.language, side, s.when, violations=v,
                                             trapped=t)
                facts = frozenset(k for k, on in (("violations", v), ("trapped", t)) if on)
            elif topic == "hydro":
                title, paras = texts.hydro(rng, s.language, s.when)
            else:
                title, paras = texts.ordinary(rng, s.language, topic)
            sh = _shingles(" ".join(" ".join(p) for p in paras))
            if not _too_like(sh, pool[-SHINGLE_WINDOW:]):
                break
        pool.append(sh)
        same_lang = [a.id for a in out if a.language == s.language]
        out.append(Article(
            id=f"{o.id}-{n + 1:04d}", outlet_id=o.id, number=number,
            path=article_path(o, s.language, shown, number, topic), language=s.language,
            published=s.when, title=title, paragraphs=paras, author=rng.choice(people),
            topic=topic, facts=facts, side=side if topic == "mine" else "",
            related=tuple(same_lang[-RELATED_LINKS:])))
    return out


def _nth_mine(articles: list[Article], outlet_id: str, nth: int) -> int:
    own = [i for i, a in enumerate(articles) if a.outlet_id == outlet_id and a.topic == "mine"]
    i = own[nth]
    if articles[i].published >= sc.EARLY_PASS:
        raise ValueError(f"{articles[i].id} is published after the early pass: the collector "
                         "could not see it before it changes")
    return i


def _plant_changes(articles: list[Article]) -> list[Article]:
    """The stealth edit (the violations sentence removed) and the deletions."""
    out = list(articles)
    e = sc.EDIT
    i = _nth_mine(out, e.outlet_id, e.nth_story)
    a = out[i]
    templates = texts.BANKS[a.language]["mine"]["violations"]  # no slots: exact sentences
    removed = next(s for p in a.paragraphs for s in p if s in templates)
    v2 = tuple(p for p in (tuple(s for s in para if s != removed) for para in a.paragraphs)
               if p)
    out[i] = replace(a, paragraphs=v2, v1_paragraphs=a.paragraphs, removed=removed,
                     edited_at=e.at, facts=a.facts - {e.fact})
    for d in sc.DELETIONS:
        i = _nth_mine(out, d.outlet_id, d.nth_story)
        out[i] = replace(out[i], deleted_at=d.at, deletion=d.kind)
    return out


def generate(seed: int = sc.SEED) -> Ecosystem:
    """Ecosystem 2 for ``seed`` (the default is the one the tests and ground truth use)."""
    seen: dict[str, list[set[int]]] = {}
    articles: list[Article] = []
    for o in sc.OUTLETS:
        articles += _outlet_articles(seed, o, seen)
    articles.sort(key=lambda a: (a.published, a.id))
    articles = _plant_changes(articles)
    return Ecosystem(seed, sc.OUTLETS, tuple(articles), {a.id: a for a in articles})
