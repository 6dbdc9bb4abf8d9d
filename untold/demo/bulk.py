"""Fill an archive with generated articles, fast: benchmarks and calibration.

``fill_archive`` writes articles straight into a store through its real
``add_articles`` path (``NewArticle`` rows, each with a capture row), without
HTTP or extraction. Outlets are copies of the example's archetypes (a state
agency, omitting domestic outlets, a silent one, foreign controls ...), so
the same story query, facts and planted patterns apply at any size.

Speed: ordinary texts are assembled from a bank of pre-filled sentences
(independent draws, so no two articles are near-duplicates by accident);
MinHash signatures (~5 ms each) are computed only for planted reprints and
their sources, so near-duplicate links exist exactly where planted. Captures
carry no WARC record (``warc_file`` is NULL): ``untold check`` reports that.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from untold.demo import scenario as sc
from untold.demo import texts
from untold.demo.generator import share_flags as _share
from untold.demo.generator import story_cdf_inverse
from untold.demo.scenario import DemoOutlet
from untold.demo.study import bulk_study_toml
from untold.models import CaptureRecord, ExtractedArticle, NewArticle
from untold.store.base import ArchiveStore

__all__ = ["BULK_START", "bulk_outlets", "fill_archive"]

BULK_START = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 5000  # articles per write transaction
BANK_FILLS = 300  # filled copies of each sentence template in the bank
RECENT_SOURCES = 50  # signed rows kept per source outlet as reprint candidates
SOURCE_MARK = 0.15  # share of a source outlet's articles signed (reprintable): ~2x the reprints needed


@dataclass(eq=False)
class _Row:
    outlet: DemoOutlet
    when: datetime
    lang: str
    title: str
    text: str
    topic: str
    fact: bool = False
    source: _Row | None = None  # the row this one reprints
    signed: bool = False
    article_id: int = 0  # set once stored


def bulk_outlets(n_outlets: int) -> list[DemoOutlet]:
    """``n_outlets`` outlets: the example's, then copies of them with numbered ids."""
    out = []
    for k in range(n_outlets):
        arch = sc.OUTLETS[k % len(sc.OUTLETS)]
        if k < len(sc.OUTLETS):
            out.append(arch)
            continue
        n = k // len(sc.OUTLETS)
        out.append(DemoOutlet(f"{arch.id}{n}", f"{arch.name} {n}", f"{arch.id}{n}.example",
                              arch.country, arch.languages, arch.groups, arch.per_day,
                              arch.story_articles, arch.feed, arch.sitemap))
    return out


def _archetype(o: DemoOutlet) -> str:
    return o.id.rstrip("0123456789")


class _Bank:
    """Pre-filled sentences per (language, topic) and generic ones per language."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        self.generic: dict[str, list[str]] = {}
        when = datetime(2026, 6, 1, tzinfo=UTC)
        for lang in texts.LANGUAGES:
            mod = texts._MODULES[lang]
            gen: list[str] = []
            for _ in range(BANK_FILLS):
                slots = texts._Slots(rng, lang, texts._fixed(rng, lang, "", when))
                gen += [texts._fill(t, slots) for t in mod.GENERIC]
                for topic, (titles, pool) in mod.TOPICS.items():
                    tl, sl = self.topic.setdefault((lang, topic), ([], []))
                    tl += [texts._fill(t, slots) for t in titles]
                    sl += [texts._fill(t, slots) for t in pool]
            self.generic[lang] = gen

    def article(self, lang: str, topic: str) -> tuple[str, str]:
        r = self.rng
        titles, pool = self.topic[(lang, topic)]
        sents = r.sample(pool, r.randint(4, 6)) + r.sample(self.generic[lang], r.randint(2, 3))
        return r.choice(titles), " ".join(sents[:3]) + "\n\n" + " ".join(sents[3:])


def fill_archive(store_or_path: ArchiveStore | str | Path, *, n_articles: int,
                 n_outlets: int = 13, days: int = 61, seed: int = sc.DEFAULT_SEED,
                 patterns: bool = True) -> dict[str, Any]:
    """Write about ``n_articles`` ordinary articles (plus the story's) over ``days``.

    ``store_or_path``: an open store, or the path of an ``archive.sqlite`` file.
    Returns counts, the outlets, the story/event times, the study TOML
    (``study_toml``, archive path to be filled in by the caller) and the
    ground truth of what was planted (``truth``).
    """
    from untold.store import open_store

    if n_articles < 0 or n_outlets < 1 or days < 7:
        raise ValueError("need n_articles >= 0, n_outlets >= 1 and days >= 7")
    store: ArchiveStore
    if own := isinstance(store_or_path, str | Path):
        store = open_store(store_or_path)
    else:
        store = store_or_path
    t0 = time.monotonic()
    try:
        outlets = bulk_outlets(n_outlets)
        store.sync_outlets([_outlet_model(o) for o in outlets])
        start, brk, warn, end = _times(days)
        tally = _Tally(warn)
        _write(store, _rows(outlets, n_articles, days, seed, patterns), tally)
    finally:
        if own:
            store.close()
    truth = tally.truth(outlets, patterns)
    return {"articles": tally.n, "outlets": [o.id for o in outlets],
            "seconds": round(time.monotonic() - t0, 2), "start": start, "break": brk,
            "warning": warn, "end": end, "truth": truth,
            "study_toml": bulk_study_toml(outlets, end=end, warning=warn)}


def _times(days: int) -> tuple[datetime, datetime, datetime, datetime]:
    end = BULK_START + timedelta(days=days)
    brk = BULK_START + timedelta(days=days // 2, hours=6)
    return BULK_START, brk, brk + (sc.WARNING - sc.STORY_BREAK), end


def _outlet_model(o: DemoOutlet) -> Any:
    from untold.models import Outlet

    return Outlet(id=o.id, name=o.name, domains=(o.domain,), country=o.country,
                  languages=tuple(lang for lang, _ in o.languages), groups=o.groups)


def _rows(outlets: list[DemoOutlet], n_articles: int, days: int, seed: int,
          patterns: bool) -> Iterator[_Row]:
    """The rows in publication order, made as they are consumed (memory stays flat)."""
    rng = random.Random(f"{seed}:bulk")
    bank = _Bank(random.Random(f"{seed}:bank"))
    start, brk, warn, end = _times(days)
    per_day = sum(o.per_day for o in outlets)
    factor = n_articles / days / per_day if per_day else 0.0
    slots: list[tuple[datetime, DemoOutlet, bool]] = []
    for o in outlets:
        weight = o.per_day * factor
        expected = weight * days
        for _ in range(int(expected) + (rng.random() < expected % 1)):
            slots.append((start + timedelta(seconds=rng.randrange(days * 86400)), o, False))
        span = (end - brk).total_seconds() / 86400
        for i in range(o.story_articles):
            when = brk + timedelta(days=story_cdf_inverse((i + rng.random()) / o.story_articles,
                                                          span))
            silent = patterns and _archetype(o) == sc.SILENT and when >= warn
            slots.append((when.replace(microsecond=0), o, not silent))
    slots.sort(key=lambda s: (s[0], s[1].id))
    flags: dict[str, list[tuple[bool, bool]]] = {}  # per outlet: (fact, unverified), stratified
    for o in outlets:
        n = sum(1 for _, so, st in slots if st and so is o)
        share = 0.0 if patterns and _archetype(o) in sc.OMITTING else sc.FACT_SHARE
        flags[o.id] = list(zip(_share(n, share, rng), _share(n, sc.UNVERIFIED_SHARE, rng),
                               strict=True))
    sources = {r: (src, p) for r, src, p in sc.REPRINTS} if patterns else {}
    source_archetypes = {src for src, _ in sources.values()}
    recent: dict[str, list[_Row]] = {}  # per source outlet: its latest signed rows
    topics = texts.topics()
    for when, o, is_story in slots:
        langs, weights = zip(*o.languages, strict=True)
        lang = rng.choices(langs, weights)[0]
        arch = _archetype(o)
        if arch in sources and rng.random() < sources[arch][1]:
            src_id = f"{sources[arch][0]}{o.id[len(arch):]}"
            cands = [r for r in recent.get(src_id, []) if r.lang == lang
                     and (r.topic == "story") == is_story
                     and (when - r.when).total_seconds() < sc.REPRINT_MAX_LAG_H * 3600]
            if cands:
                src = rng.choice(cands)
                yield _Row(o, when, lang, src.title, src.text, src.topic, src.fact,
                           source=src, signed=True)
                continue
        if is_story:
            fact, unverified = flags[o.id].pop()
            title, paras, _ = texts.story(rng, lang, o.country, when, fact=fact,
                                          unverified=unverified)
            body = "\n\n".join(" ".join(p) for p in paras)
            row = _Row(o, when, lang, title, body, "story", fact)
        else:
            topic = rng.choice(topics)
            title, body = bank.article(lang, topic)
            row = _Row(o, when, lang, title, body, topic)
        if arch in source_archetypes and rng.random() < SOURCE_MARK:
            row.signed = True
            mine = recent.setdefault(o.id, [])
            mine.append(row)
            del mine[:-RECENT_SOURCES]
        yield row


def _write(store: ArchiveStore, rows: Iterator[_Row], tally: _Tally) -> None:
    """Captures and articles, BATCH rows per pair of transactions."""
    from untold.extract import minhash_signature, text_hash

    while chunk := list(itertools.islice(rows, BATCH)):
        lo = tally.n
        urls = [f"{r.outlet.base}/news/{r.when:%Y/%m/%d}/{r.topic}-{lo + k}.html"
                for k, r in enumerate(chunk)]
        shas = [hashlib.sha256(r.text.encode("utf-8")).hexdigest() for r in chunk]
        caps = [CaptureRecord(url=u, outlet_id=r.outlet.id, kind="article",
                              fetched_at=r.when + timedelta(hours=1), status=200, failure=None,
                              warc_file=None, warc_offset=None, warc_length=None, sha256=sha,
                              content_type="text/html; charset=utf-8")
                for u, r, sha in zip(urls, chunk, shas, strict=True)]
        cap_ids = store.add_captures(caps)
        items = [NewArticle(
            article=ExtractedArticle(
                url=u, canonical_url=u, title=r.title, text=r.text, author=None,
                published=r.when, language=r.lang, language_confidence=1.0,
                text_hash=text_hash(r.text),
                minhash=minhash_signature(r.text) if r.signed else b""),
            outlet_id=r.outlet.id, capture_id=cid, fetched_at=r.when + timedelta(hours=1),
            sha256=sha)
            for u, r, cid, sha in zip(urls, chunk, cap_ids, shas, strict=True)]
        for r, out in zip(chunk, store.add_articles(items), strict=True):
            r.article_id = out.article_id
            tally.add(r)


class _Tally:
    """What the ground truth needs, gathered while rows stream past."""

    def __init__(self, warning: datetime) -> None:
        self.warning = warning
        self.n = 0
        self.story: Counter[str] = Counter()
        self.fact: Counter[str] = Counter()
        self.after: Counter[str] = Counter()
        self.story_ids: list[int] = []
        self.fact_ids: list[int] = []
        self.reprints: list[dict[str, Any]] = []

    def add(self, r: _Row) -> None:
        self.n += 1
        oid = r.outlet.id
        if r.topic == "story":
            self.story[oid] += 1
            self.story_ids.append(r.article_id)
            self.after[oid] += r.when >= self.warning
            if r.fact:
                self.fact[oid] += 1
                self.fact_ids.append(r.article_id)
        if r.source is not None:
            self.reprints.append({"article_id": r.article_id, "outlet": oid,
                                  "of_article_id": r.source.article_id,
                                  "of_outlet": r.source.outlet.id})

    def truth(self, outlets: list[DemoOutlet], patterns: bool) -> dict[str, Any]:
        arch = {o.id: _archetype(o) for o in outlets}
        return {
            "patterns": patterns,
            "outlets": {o.id: {"archetype": arch[o.id], "country": o.country,
                               "groups": list(o.groups), "story_articles": self.story[o.id],
                               "story_with_fact": self.fact[o.id],
                               "story_after_warning": self.after[o.id]} for o in outlets},
            "omission": sorted(o for o, a in arch.items() if a in sc.OMITTING) if patterns
            else [],
            "silent": sorted(o for o, a in arch.items() if a == sc.SILENT) if patterns else [],
            "controls": sorted(o.id for o in outlets if "foreign" in o.groups),
            "reprints": self.reprints,
            "story_article_ids": self.story_ids,
            "fact_article_ids": self.fact_ids,
            "not_planted": ["edits, deletions and unreachable outlets need a server: "
                            "see untold.demo.server"],
        }
