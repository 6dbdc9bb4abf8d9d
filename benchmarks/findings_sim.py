"""Simulated stories for the findings benchmark (statistics layer, no archive).

A study of ``outlets`` outlets in two groups ("state", "independent") over
``days`` days; one event half-way names the group "state". Every outlet
publishes Poisson daily output; a story rises and fades, shared by all; each
story article states each fact with the fact's rate, the same everywhere (no
effect). With ``texts`` every story article also gets a set of words
(``StoryData.cache[framing.WORDS_KEY]``, what the framing rule reads):

* a Zipf vocabulary of ``VOCAB`` words: the share of articles using the word of
  rank r is ``ZIPF_TOP * r ** -ZIPF_EXP`` (about 70 distinct words an article,
  most of the vocabulary rare);
* topic words whose use moves with the story's time, the same on both sides:
  "early" words fading from the first day (witnesses, fire), "peak" words
  following the story's rise and fall, and "after" words that appear once the
  event has happened. When one side stops publishing after the event (the
  silence plant), its remaining articles sit in the early days, so the time
  artefact a framing rule must not report is part of the null;
* house style: each outlet uses each word at its own rate (a normal offset of
  ``HOUSE_SD`` on the logit scale), plus ``STYLE_WORDS`` words it favours
  strongly (``STYLE_SHIFT``): outlets' articles are not independent draws.

Options plant an effect of a stated size, one per kind of finding:
``omission`` (one outlet never states a fact the others state at 60-95 %),
``group_omission`` (the "state" outlets state one fact that many points less
often), ``silence`` (the "state" outlets' story attention falls to
``silence_factor`` after the event), ``change`` (the ``change_group`` outlets' attention
falls the same way from a day far from any event: a change point without an event) and ``framing`` (the "state" outlets use
one word in ``framing_rates[0]`` of their story articles, the others in
``framing_rates[1]``; by default ``FRAMING_RATES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from untold.analyze.findings_data import StoryData
from untold.analyze.framing import WORDS_KEY
from untold.config import EventConfig, StoryConfig
from untold.models import Outlet

START = datetime(2026, 3, 1, tzinfo=UTC)
VOCAB = 3000  # words; real stories use more, but the rare tail cannot reach significance
ZIPF_TOP, ZIPF_EXP = 1.2, 0.6  # document frequency of the word of rank r: 1.2 r^-0.6
MAX_RATE = 0.95  # no word is in every article
TOPIC = {"early": 15, "peak": 15, "after": 15}  # time-varying words of each kind
HOUSE_SD = 0.4  # outlets' own rates: logit offset sd (rates of 10 % spread over 7-14 %)
STYLE_WORDS, STYLE_SHIFT = 10, 3.0  # per outlet: words it favours strongly (logit +3)
FRAMING_RATES = (0.7, 0.15)  # planted framing word: share in "state" vs other articles
FRAMING_RANK = 300  # the planted word's rank (its ordinary rate ~ 4 %)
CHANGE_DAY_FRACTION = 0.2  # the change plant starts a fifth into the window


@dataclass
class Planted:
    omission: tuple[str, str] | None = None     # (outlet, fact)
    omission_n: int = 0                         # that outlet's story articles
    omission_rate: float = 0.0                  # the fact's rate elsewhere
    group_omission: str | None = None           # fact the "state" group states less
    silence: str | None = None                  # group
    change: str | None = None                   # group whose share changes (no event)
    change_day: str | None = None
    framing: str | None = None                  # word the "state" group favours


def _name(i: int) -> str:
    """A word of letters only (the framing rule drops numbers): vq + base-26 letters."""
    s = ""
    for _ in range(3):
        s = chr(ord("a") + i % 26) + s
        i //= 26
    return "vq" + s


def _texts(rng: np.random.Generator, articles: dict[int, tuple[str, str]], ids: list[str],
           outs: dict[str, Outlet], day_names: list[str], event_day: int, peak: float,
           framing: tuple[float, float] | None,
           ) -> tuple[dict[int, tuple[str, frozenset[str]]], str | None]:
    """Word sets of the story articles (see the module's docstring)."""
    rank = np.arange(1, VOCAB + 1, dtype=float)
    base = np.minimum(MAX_RATE, ZIPF_TOP * rank ** -ZIPF_EXP)
    days = len(day_names)
    d = np.arange(days, dtype=float)[:, None]
    rates = np.repeat(base[None, :], days, axis=0)          # days x words
    topic = rng.choice(np.arange(20, 400), size=sum(TOPIC.values()), replace=False)
    k = 0
    for kind, count in TOPIC.items():
        cols = topic[k:k + count]
        k += count
        if kind == "early":
            rates[:, cols] = 0.02 + 0.6 * 0.7 ** d
        elif kind == "peak":
            rates[:, cols] = 0.02 + 0.5 * np.exp(-0.5 * ((d - peak) / 3.0) ** 2)
        else:
            rates[:, cols] = np.where(d >= event_day, 0.45, 0.02)
    logit = np.log(rates / (1 - rates))
    house = rng.normal(0.0, HOUSE_SD, size=(len(ids), VOCAB))
    for i in range(len(ids)):
        house[i, rng.choice(VOCAB, size=STYLE_WORDS, replace=False)] += STYLE_SHIFT
    plant = FRAMING_RANK - 1 if framing is not None else -1
    pos = {o: i for i, o in enumerate(ids)}
    day_pos = {n: i for i, n in enumerate(day_names)}
    names = np.array([_name(i) for i in range(VOCAB)])
    out: dict[int, tuple[str, frozenset[str]]] = {}
    aids = sorted(articles)
    o_idx = np.array([pos[articles[a][0]] for a in aids], dtype=int)
    d_idx = np.array([day_pos[articles[a][1][:10]] for a in aids], dtype=int)
    lg = logit[d_idx] + house[o_idx]                        # articles x words
    if framing is not None:
        state = np.array(["state" in outs[articles[a][0]].groups for a in aids])
        r = np.where(state, framing[0], framing[1])
        lg[:, plant] = np.log(r / (1 - r)) + house[o_idx, plant] - house[:, plant].mean()
    used = rng.random(lg.shape) < 1.0 / (1.0 + np.exp(-lg))
    for row, a in enumerate(aids):
        out[a] = ("en", frozenset(names[used[row]].tolist()))
    return out, (str(names[plant]) if framing is not None else None)


def simulate(rng: np.random.Generator, *, outlets: int = 12, days: int = 30, facts: int = 3,
             omission: bool = False, silence: bool = False,
             omission_articles: int | None = None, omission_rate: float | None = None,
             group_omission: float = 0.0, silence_factor: float = 0.1,
             change: bool = False, change_group: str = "state", texts: bool = False,
             silence_lead: int = 0,
             framing: bool = False, framing_rates: tuple[float, float] = FRAMING_RATES,
             ) -> tuple[StoryData, Planted]:
    """One study's counts. With ``silence_lead``, the silence begins that many days
    before the event (a drop the event cannot explain). With ``omission``, the planted outlet keeps only
    ``omission_articles`` story articles (when given) and the omitted fact's rate
    elsewhere is ``omission_rate`` (when given; else uniform in 60-95 %)."""
    ids = [f"o{i:02d}" for i in range(outlets)]
    outs = {o: Outlet(id=o, name=f"Outlet {o}", domains=(f"{o}.example",),
                      country="KZ" if i % 2 == 0 else "RU",
                      groups=("state",) if i < outlets // 2 else ("independent",))
            for i, o in enumerate(ids)}
    day_names = [(START + timedelta(days=d)).date().isoformat() for d in range(days)]
    event_day = days // 2
    change_day = int(days * CHANGE_DAY_FRACTION)
    ev = EventConfig(id="warning", time=START + timedelta(days=event_day, hours=9),
                     description="a government warning", groups=["state"])
    base = rng.uniform(20, 60, size=outlets)
    prop = rng.uniform(0.03, 0.08, size=outlets)
    t = np.arange(days)
    peak = float(rng.uniform(5, days - 5))
    intensity = 0.3 + np.exp(-0.5 * ((t - peak) / 6.0) ** 2)
    rates = rng.uniform(0.6, 0.95, size=facts)
    fact_ids = [f"f{j}" for j in range(facts)]
    articles: dict[int, tuple[str, str]] = {}
    exposure: dict[str, tuple[int, int]] = {}  # outlet -> all articles (after, before)
    hits: dict[str, set[int]] = {f: set() for f in fact_ids}
    planted = Planted()
    state = {o for o in ids if "state" in outs[o].groups}
    changing = {o for o in ids if change_group in outs[o].groups}
    aid = 0
    story_of: dict[str, list[int]] = {o: [] for o in ids}
    for i, o in enumerate(ids):
        for d in range(days):
            total = int(rng.poisson(base[i]))
            after, before = exposure.get(o, (0, 0))
            exposure[o] = (after + total, before) if d >= event_day else (after, before + total)
            p = min(1.0, prop[i] * intensity[d])
            if ((silence and o in state and d >= event_day - silence_lead)
                    or (change and o in changing and d >= change_day)):
                p *= silence_factor
            k = int(rng.binomial(total, p))
            for _ in range(k):
                aid += 1
                articles[aid] = (o, day_names[d] + "T12:00:00Z")
                story_of[o].append(aid)
    for j, f in enumerate(fact_ids):
        for a in articles:
            r = rates[j] - (group_omission if j == 0 and articles[a][0] in state else 0.0)
            if rng.random() < r:
                hits[f].add(a)
    if group_omission:
        planted.group_omission = fact_ids[0]
    if omission:
        keep = omission_articles or 8
        eligible = [o for o in ids if len(story_of[o]) >= keep]
        if eligible:
            o = str(rng.choice(eligible))
            j = int(rng.integers(facts))
            if omission_articles is not None:
                for a in story_of[o][omission_articles:]:
                    del articles[a]
                    for f in fact_ids:
                        hits[f].discard(a)
                story_of[o] = story_of[o][:omission_articles]
            if omission_rate is not None:
                rates[j] = omission_rate
                hits[fact_ids[j]] = {a for a in articles if rng.random() < rates[j]}
            hits[fact_ids[j]] -= set(story_of[o])
            planted.omission = (o, fact_ids[j])
            planted.omission_n = len(story_of[o])
            planted.omission_rate = float(rates[j])
    if silence:
        planted.silence = "state"
    if change:
        planted.change, planted.change_day = change_group, day_names[change_day]
    story = StoryConfig(id="sim", title="simulated story", query="story",
                        facts={f: f for f in fact_ids})
    data = StoryData(story=story, start=START, end=START + timedelta(days=days), outlets=outs,
                     articles=articles, exposure={ev.id: exposure}, facts=dict(story.facts),
                     fact_hits=hits,
                     events=[ev], days=day_names)
    if texts or framing:
        words, planted.framing = _texts(rng, articles, ids, outs, day_names, event_day, peak,
                                        framing_rates if framing else None)
        data.cache[WORDS_KEY] = words
    return data, planted
