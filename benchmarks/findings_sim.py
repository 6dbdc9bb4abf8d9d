"""Simulated story counts for the findings benchmark (statistics layer, no archive).

A study of ``outlets`` outlets in two groups over ``days`` days; one event
half-way names the group "state". Every outlet publishes Poisson daily
output; a story rises and fades, shared by all; each story article states
each fact with the fact's rate, the same everywhere (no effect). Options
plant an omission (one outlet never states one fact) or a silence (the
"state" outlets stop covering the story after the event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from untold.analyze.findings_data import StoryData
from untold.config import EventConfig, StoryConfig
from untold.models import Outlet

START = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Planted:
    omission: tuple[str, str] | None = None     # (outlet, fact)
    omission_n: int = 0                         # that outlet's story articles
    omission_rate: float = 0.0                  # the fact's rate elsewhere
    silence: str | None = None                  # group


def simulate(rng: np.random.Generator, *, outlets: int = 12, days: int = 30, facts: int = 3,
             omission: bool = False, silence: bool = False,
             omission_articles: int | None = None, omission_rate: float | None = None,
             ) -> tuple[StoryData, Planted]:
    """One study's counts. With ``omission``, the planted outlet keeps only
    ``omission_articles`` story articles (when given) and the omitted fact's rate
    elsewhere is ``omission_rate`` (when given; else uniform in 60-95 %)."""
    ids = [f"o{i:02d}" for i in range(outlets)]
    outs = {o: Outlet(id=o, name=f"Outlet {o}", domains=(f"{o}.example",),
                      country="KZ" if i % 2 == 0 else "RU",
                      groups=("state",) if i < outlets // 2 else ("independent",))
            for i, o in enumerate(ids)}
    day_names = [(START + timedelta(days=d)).date().isoformat() for d in range(days)]
    event_day = days // 2
    ev = EventConfig(id="warning", time=START + timedelta(days=event_day, hours=9),
                     description="a government warning", groups=["state"])
    base = rng.uniform(20, 60, size=outlets)
    prop = rng.uniform(0.03, 0.08, size=outlets)
    t = np.arange(days)
    intensity = 0.3 + np.exp(-0.5 * ((t - rng.uniform(5, days - 5)) / 6.0) ** 2)
    rates = rng.uniform(0.6, 0.95, size=facts)
    fact_ids = [f"f{j}" for j in range(facts)]
    articles: dict[int, tuple[str, str]] = {}
    exposure: dict[str, tuple[int, int]] = {}  # outlet -> all articles (after, before)
    hits: dict[str, set[int]] = {f: set() for f in fact_ids}
    planted = Planted()
    silent = {o for o in ids if "state" in outs[o].groups} if silence else set()
    aid = 0
    story_of: dict[str, list[int]] = {o: [] for o in ids}
    for i, o in enumerate(ids):
        for d in range(days):
            total = int(rng.poisson(base[i]))
            after, before = exposure.get(o, (0, 0))
            exposure[o] = (after + total, before) if d >= event_day else (after, before + total)
            p = min(1.0, prop[i] * intensity[d])
            if o in silent and d >= event_day:
                p *= 0.1
            k = int(rng.binomial(total, p))
            for _ in range(k):
                aid += 1
                articles[aid] = (o, day_names[d] + "T12:00:00Z")
                story_of[o].append(aid)
    for j, f in enumerate(fact_ids):
        for a in articles:
            if rng.random() < rates[j]:
                hits[f].add(a)
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
    story = StoryConfig(id="sim", title="simulated story", query="story",
                        facts={f: f for f in fact_ids})
    data = StoryData(story=story, start=START, end=START + timedelta(days=days), outlets=outs,
                     articles=articles, exposure={ev.id: exposure}, facts=dict(story.facts),
                     fact_hits=hits,
                     events=[ev], days=day_names)
    return data, planted
