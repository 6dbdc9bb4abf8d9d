"""Article texts from templates: slots filled per article, numbers per use.

``ordinary`` and ``story`` return a title and paragraphs (each a tuple of
sentences), so an edit can drop exactly one sentence. The same functions
serve the served example and the bulk archive, so the study's queries match
both the same way.
"""

from __future__ import annotations

import random
from datetime import datetime
from types import ModuleType
from typing import Any

from untold.demo import texts_en, texts_kk, texts_ky, texts_ru, vocab

__all__ = ["LANGUAGES", "Paragraphs", "ordinary", "story", "topics"]

LANGUAGES = ("ru", "kk", "ky", "en")
Paragraphs = tuple[tuple[str, ...], ...]
_MODULES: dict[str, ModuleType] = {"ru": texts_ru, "kk": texts_kk, "ky": texts_ky,
                                   "en": texts_en}
_CITY_COLS = {"en": (0, 0, 0, 0), "ru": (1, 2, 3, 4), "kk": (5, 6, 5, 5), "ky": (7, 8, 7, 7)}
_MONTH_COLS = {"en": (0, 0, 0), "ru": (1, 1, 2), "kk": (3, 4, 3), "ky": (5, 6, 5)}


def topics() -> list[str]:
    return list(texts_en.TOPICS)


class _Slots(dict[str, Any]):
    """Fixed slots (place, person) per article; numbers drawn afresh at every use."""

    def __init__(self, rng: random.Random, lang: str, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.lang = lang

    def __missing__(self, key: str) -> str:
        r = self.rng
        if key == "n":
            return str(r.randint(20, 9800))
        if key == "small":
            return str(r.randint(5, 9) if self.lang == "ru" else r.randint(2, 9))
        if key == "few":
            return str(r.randint(2, 4))
        if key == "pct":
            return f"{r.randint(3, 38)}%"
        if key == "year":
            return str(r.randint(2027, 2031))
        raise KeyError(key)


def _fixed(rng: random.Random, lang: str, country: str, when: datetime) -> dict[str, str]:
    country = country if country in vocab.CITIES else rng.choice(["KZ", "KG"])
    c1, c2 = rng.sample(vocab.CITIES[country], 2)
    nom, loc, gen, ins = _CITY_COLS[lang]
    en, ru, local = rng.choice(vocab.PERSONS[country])
    month = vocab.MONTHS[when.month - 1]
    m_nom, m_loc, m_gen = _MONTH_COLS[lang]
    pick = rng.choice
    return {
        "city": c1[nom], "city_loc": c1[loc], "city_gen": c1[gen], "city_ins": c1[ins],
        "city2": c2[nom], "city2_loc": c2[loc], "city2_ins": c2[ins],
        "person": {"en": en, "ru": ru}.get(lang, local),
        "role": pick(vocab.ROLES[lang]), "org": pick(vocab.ORGS[lang]),
        "day": pick(vocab.DAYS[lang]), "day_acc": pick(vocab.DAYS["ru"]),
        "month": month[m_nom], "month_loc": month[m_loc], "month_gen": month[m_gen],
        "goods": pick(vocab.GOODS[lang]), "crop": pick(vocab.CROPS[lang]),
        "ordinal": pick(vocab.ORDINALS[lang]), "ordinal_cap": pick(vocab.ORDINALS["ru_cap"]),
        "score": pick(vocab.SCORES), "region": pick(vocab.REGIONS[lang]),
    }


def _fill(template: str, slots: _Slots) -> str:
    text = template.format_map(slots)
    return text[:1].upper() + text[1:]


def _paragraphs(rng: random.Random, sentences: list[str]) -> Paragraphs:
    """Sentences grouped into paragraphs of one to three (the lead stands alone)."""
    out: list[tuple[str, ...]] = [(sentences[0],)]
    i = 1
    while i < len(sentences):
        k = rng.choice((1, 2, 2, 3))
        out.append(tuple(sentences[i:i + k]))
        i += k
    return tuple(out)


def ordinary(rng: random.Random, lang: str, country: str, topic: str,
             when: datetime) -> tuple[str, Paragraphs]:
    """A news article on ``topic``: a lead, 4-5 more topic sentences, 4-6 generic ones."""
    mod = _MODULES[lang]
    titles, pool = mod.TOPICS[topic]
    slots = _Slots(rng, lang, _fixed(rng, lang, country, when))
    picked = rng.sample(pool, min(len(pool), rng.randint(5, 6)))
    rest = picked[1:] + rng.sample(mod.GENERIC, rng.randint(4, 6))
    rng.shuffle(rest)
    sentences = [_fill(t, slots) for t in [picked[0], *rest]]
    return _fill(rng.choice(titles), slots), _paragraphs(rng, sentences)


def story(rng: random.Random, lang: str, country: str, when: datetime, *, fact: bool,
          unverified: bool) -> tuple[str, Paragraphs, str | None]:
    """A story article; returns (title, paragraphs, the fact sentence or None).

    Every story article opens with a lead that names the video and the
    killing (the story query's words). ``fact``: one sentence says the victims
    were citizens of Kazakhstan. ``unverified``: one says the video's
    authenticity is unconfirmed (a fact no outlet leaves out on purpose).
    """
    parts: dict[str, list[str]] = _MODULES[lang].STORY
    slots = _Slots(rng, lang, _fixed(rng, lang, country, when))
    body = rng.sample(parts["body"][1:], rng.randint(4, 6))
    body += rng.sample(parts["update"], rng.randint(2, 4))
    if unverified:
        body.append(parts["body"][0])
    rng.shuffle(body)
    fact_sentence = _fill(rng.choice(parts["fact"]), slots) if fact else None
    sentences = [_fill(rng.choice(parts["lead"]), slots)] + [_fill(t, slots) for t in body]
    if fact_sentence:
        sentences.insert(rng.randint(1, 2), fact_sentence)
    return _fill(rng.choice(parts["title"]), slots), _paragraphs(rng, sentences), fact_sentence
