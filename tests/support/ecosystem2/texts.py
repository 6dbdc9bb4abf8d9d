"""Article texts of ecosystem 2: ordinary news, the mine story and the hydro story.

Each language has a bank (``texts_ru``, ``texts_kk``, ``texts_ky``, ``texts_en``)
of the same shape: cities, people, teams, topics (title and sentence templates),
generic sentences, and the two stories' sentence pools. Templates hold slots
(``{person}``, ``{n}``, ``{in_city}`` ...; ``{x_cap}`` is ``{x}`` capitalised)
filled from the article's own random stream, so no two articles repeat each
other word for word.

Story headlines are a head and a detail ("Взрыв на шахте «Бесоба»: прокуратура
возбудила дело"), so an outlet seldom repeats a headline word for word. The mine
story's pools are written per phase (rescue in the first days,
investigation later), and its framing slots (``{ev_nom}``, ``{ev_gen}`` ...)
take a side's words: "incident" (state) or "tragedy" (everyone else), each with
``scenario.FRAMING_SHARE`` of the side's slots. The hydro story's optional
sentences (numbers, names, a quote) each appear with one probability
(``HYDRO_OPTIONAL_P``), the same in every outlet and language.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2 import texts_en, texts_kk, texts_ky, texts_ru

__all__ = ["BANKS", "HYDRO_OPTIONAL_P", "LANGUAGES", "Paragraphs", "framing_words", "hydro",
           "mine", "ordinary", "topics"]

Paragraphs = tuple[tuple[str, ...], ...]

BANKS: dict[str, dict[str, Any]] = {"ru": texts_ru.BANK, "kk": texts_kk.BANK,
                                    "ky": texts_ky.BANK, "en": texts_en.BANK}
LANGUAGES = tuple(BANKS)
# Probability of each optional hydro sentence (capacity, cost, lender, minister, quote,
# completion year, exports, ecologists, reservoir): one value per sentence, every language.
HYDRO_OPTIONAL_P = (0.55, 0.5, 0.45, 0.4, 0.3, 0.45, 0.4, 0.3, 0.3)
EARLY_DAYS = 2.0  # the rescue phase; then the investigation phase's sentences
MINE_DEATHS = ((0.5, 9), (2.0, 12), (1e9, 14))  # (until day, confirmed dead): the toll rises
MINE_TRAPPED = 23  # miners trapped by the blast
HYDRO_AFTER_SHARE = 0.6  # after the signing, this share of titles and leads report it

_SLOT = re.compile(r"\{(\w+)\}")


def topics() -> list[str]:
    return sorted(texts_ru.BANK["topics"])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Filler:
    """Fills one article's templates; the article's city is drawn once."""

    def __init__(self, rng: random.Random, lang: str, extra: dict[str, Any] | None = None):
        self.rng = rng
        self.bank = BANKS[lang]
        self.city = rng.randrange(len(self.bank["cities"]))
        self.extra = extra or {}

    def value(self, name: str) -> str:
        r, b = self.rng, self.bank
        if name.endswith("_cap"):
            return _cap(self.value(name[:-4]))
        if name in self.extra:
            v = self.extra[name]
            return str(v(r) if callable(v) else v)
        if name in ("city", "in_city", "city_gen"):
            return str(b[{"city": "cities"}.get(name, name)][self.city])
        if name == "person":
            return str(r.choice(b["people"]))
        if name == "person_gen":
            return str(r.choice(b["mine"]["people_gen"]))
        if name in ("team1", "team2"):
            t1, t2 = r.sample(b["teams"], 2)
            self.extra.update(team1=t1, team2=t2)
            return t1 if name == "team1" else t2
        if name in ("s1", "s2"):
            s1 = r.randint(1, 4)
            self.extra.update(s1=s1, s2=r.randint(0, s1 - 1))
            return str(self.extra[name])
        dec = b["decimal"]
        numbers = {
            "pct": lambda: f"{r.randint(5, 16)}{dec}{r.randint(0, 9)}",
            "pct_small": lambda: f"{r.randint(0, 2)}{dec}{r.randint(1, 9)}",
            "n": lambda: str(r.randint(120, 4800)),
            "n_small": lambda: str(r.randint(2, 9)),
            "minute": lambda: str(r.randint(5, 89)),
            "t_neg": lambda: f"-{r.randint(2, 15)}",
            "t_pos": lambda: str(r.randint(5, 22)),
        }
        if name in numbers:
            return numbers[name]()
        raise KeyError(f"no slot {name!r}")

    def fill(self, template: str) -> str:
        return _cap(_SLOT.sub(lambda m: self.value(m.group(1)), template))


def ordinary(rng: random.Random, lang: str, topic: str) -> tuple[str, Paragraphs]:
    """An ordinary news item: a title, 4-6 topic sentences and 2 generic ones."""
    b = BANKS[lang]
    f = _Filler(rng, lang)
    titles, pool = b["topics"][topic]
    title = f.fill(rng.choice(titles))
    sents = [f.fill(s) for s in rng.sample(pool, rng.randint(4, 6))]
    sents += [f.fill(s) for s in rng.sample(b["generic"], 2)]
    cut = rng.randint(2, 3)
    return title, (tuple(sents[:cut]), tuple(sents[cut:]))


def _deaths(days: float) -> int:
    return next(n for until, n in MINE_DEATHS if days < until)


def _ev(rng: random.Random, lang: str, side: str, case: str) -> str:
    """A framing word in ``case``: the side's own with FRAMING_SHARE, else the other's."""
    other = "other" if side == "state" else "state"
    forms = BANKS[lang]["mine"]["ev"]
    pick = side if rng.random() < sc.FRAMING_SHARE else other
    return str(rng.choice(forms[pick][case]))


def mine(rng: random.Random, lang: str, side: str, when: datetime, *, violations: bool,
         trapped: bool) -> tuple[str, Paragraphs, str | None]:
    """A mine-story article as of ``when``: (title, paragraphs, the violations sentence
    when stated). ``side``: "state" or "other", the framing words it uses."""
    m = BANKS[lang]["mine"]
    days = (when - sc.MINE_BREAK).total_seconds() / 86400
    extra: dict[str, Any] = {"deaths": _deaths(days), "trapped": MINE_TRAPPED,
                             "days": max(2, int(days))}
    for case in ("nom", "gen", "ins", "abl"):
        extra[f"ev_{case}"] = lambda r, c=case: _ev(r, lang, side, c)
    f = _Filler(rng, lang, extra)
    early = days < EARLY_DAYS
    lead = f.fill(rng.choice(m["lead_early"] if early else m["lead_late"]))
    phase = [f.fill(s) for s in rng.sample(m["early"] if early else m["late"], 3)]
    framed = [f.fill(s) for s in rng.sample(m["framed"], 2)]
    p1 = [lead, phase[0]]
    if trapped:
        p1.append(f.fill(rng.choice(m["trapped"])))
    p2 = [framed[0], phase[1]]
    fact = None
    if violations:
        fact = f.fill(rng.choice(m["violations"]))
        p2.insert(rng.randint(0, len(p2)), fact)
    p3 = [f.fill(rng.choice(m["voices"])), framed[1], phase[2]]
    if rng.random() < 0.5:
        p3.append(f.fill(rng.choice(BANKS[lang]["generic"])))
    title = (f.fill(rng.choice(m["heads"])) + ": "
             + f.fill(rng.choice(m["details_early"] if early else m["details_late"])).lower())
    return title, (tuple(p1), tuple(p2), tuple(p3)), fact


def hydro(rng: random.Random, lang: str, when: datetime) -> tuple[str, Paragraphs]:
    """A hydro-story article as of ``when`` (nothing planted: the same draws everywhere)."""
    h = BANKS[lang]["hydro"]
    f = _Filler(rng, lang)
    after = when >= sc.SIGNING
    detail = h["details_after"] if after and rng.random() < HYDRO_AFTER_SHARE else h["details"]
    title = f.fill(rng.choice(h["heads"])) + ": " + rng.choice(detail)
    lead = f.fill(rng.choice(h["lead_after"] if after and rng.random() < HYDRO_AFTER_SHARE
                             else h["lead"]))
    opt = [f.fill(s) for s, p in zip(h["optional"], HYDRO_OPTIONAL_P, strict=True)
           if rng.random() < p]
    rng.shuffle(opt)
    tail = [f.fill(rng.choice(h["voices"])), *(f.fill(g) for g in h["generic"])]
    return title, (tuple([lead, *opt[:1]]), tuple(opt[1:]), tuple(tail))


def framing_words(side: str) -> list[str]:
    """Every framing word form of ``side`` ("state" or "other"), all languages."""
    return [w for b in BANKS.values() for forms in b["mine"]["ev"][side].values() for w in forms]
