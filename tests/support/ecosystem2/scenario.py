"""Ecosystem 2: outlets, times and the planted patterns (no text, no markup here).

A second example news ecosystem, written apart from ``untold.demo``: eleven
fictional outlets (five Kazakh, two Kyrgyz, two Russian, two international)
publish ordinary news from ``START`` to ``END``. Two stories run through it:

* ``mine`` (planted): at ``MINE_BREAK`` a methane explosion kills miners at a
  coal mine in the Karaganda region. State outlets leave out that the mine's
  owner had been fined for safety violations (omission) and call the disaster
  an "incident" where everyone else says "tragedy" (framing). At ``WARNING``
  the information ministry warns domestic media; one private regional outlet
  stops covering the story (silence), edits the violations fact out of its
  first report (stealth edit) and deletes another article; a state regional
  paper deletes one too.
* ``hydro`` (nothing planted): a joint hydropower project, covered by every
  outlet at the same rates throughout, with a bump around ``SIGNING``.

Collection troubles that must not become findings: ``BLOCKED`` (feed-only,
refuses connections from ``BLOCK_AT`` on), ``LOW_VOLUME``, ``COUNTERS``
(a view counter that ticks between revisits), ``FLAKY`` (503 on one pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "BLOCKED", "BLOCK_AT", "COUNTERS", "DELETIONS", "EARLY_PASS", "EDIT", "END", "EVENTS",
    "FACT_SHARE", "FIRST_REPORT_AFTER", "FLAKY", "FRAMING", "FRAMING_SHARE", "HYDRO",
    "LOW_VOLUME", "MINE", "MINE_BREAK", "OMITTING", "OMIT_SHARE", "OUTAGE", "OUTLETS", "PASSES",
    "SEED", "SIGNING", "SILENT", "START", "TRAPPED_SHARE", "WARNING", "DeletionPlan",
    "EcoOutlet", "EditPlan", "StoryPlan", "outlet",
]

SEED = 20261001  # same seed, same ecosystem (every random stream derives from it)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


START = _t("2026-09-14T00:00:00")  # a Monday
END = _t("2026-10-26T00:00:00")  # exclusive: six weeks
MINE_BREAK = _t("2026-10-01T04:10:00")  # 09:10 in Karaganda (UTC+5)
WARNING = _t("2026-10-03T07:00:00")  # the ministry's warning to domestic media
SIGNING = _t("2026-10-12T08:00:00")  # Kyrgyz cabinet approves the plant's financing
EARLY_PASS = _t("2026-10-02T06:00:00")  # a collection between the break and the block
BLOCK_AT = _t("2026-10-02T10:00:00")  # the blocked outlet refuses connections from here on
# The flaky outlet answers 503 to everything in this interval, which holds one pass.
OUTAGE = (_t("2026-10-08T22:00:00"), _t("2026-10-09T04:00:00"))

# When the collector runs: weekly, plus one right after the story broke (so the edited
# and deleted articles are collected before they change) and one at the end. Feeds list
# at least ten days, so a weekly pass misses nothing a feed showed.
PASSES: tuple[datetime, ...] = (
    _t("2026-09-21T00:00:00"), _t("2026-09-28T00:00:00"), EARLY_PASS,
    _t("2026-10-09T00:00:00"), _t("2026-10-16T00:00:00"), _t("2026-10-23T00:00:00"), END,
)

WEEKEND_FACTOR = 0.55  # newsrooms publish about half as much on Saturdays and Sundays
MINE_DECAY_DAYS = 4.0  # attention to the disaster halves in under three days ...
MINE_FLOOR = 0.08  # ... then follow-ups (investigation, funerals, trial) trickle on
FIRST_REPORT_AFTER = timedelta(minutes=35)  # the local paper is first, 35 min after the blast
OTHERS_NOT_BEFORE = timedelta(minutes=80)  # every other outlet follows at least 80 min later
HYDRO_BUMP_SHARE = 0.35  # share of the hydro story's articles around the signing ...
HYDRO_BUMP_DAYS = 2.0  # ... spread with this standard deviation; the rest evenly


@dataclass(frozen=True)
class EcoOutlet:
    id: str
    name: str
    domain: str
    country: str
    tz: str  # IANA zone the newsroom writes its times in
    languages: tuple[tuple[str, float], ...]  # (language, share of output)
    groups: tuple[str, ...]
    per_day: float  # ordinary articles per weekday
    mine: int  # articles on the mine story it would write over the period
    hydro: int  # articles on the hydro story
    style: str  # page template (see ``pages``)
    hours: tuple[float, float]  # local newsroom hours
    feed: str | None = None  # "rss" | "atom"
    feed_items: int = 40  # items a feed lists (newest first)
    sitemap: str | None = None  # "urlset" | "index"
    sitemap_in_study: bool = True  # False: only robots.txt names it
    overnight: float = 0.0  # share of articles published between midnight and 06:00 local
    title_format: str = "{title}"  # the page's <title>: site names added before or after
    dates: str = "meta_utc"  # how the page states its date (see ``pages.DATE_KINDS``)
    lastmod: str = "offset"  # sitemap lastmod: "offset" | "day" | "local" (zone-less)
    boilerplate: str | None = None  # a line every article of the site ends with

    @property
    def base(self) -> str:
        return f"http://{self.domain}"

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1


OUTLETS: tuple[EcoOutlet, ...] = (
    EcoOutlet("aqorda", "Aqorda Herald", "aqorda-herald.test", "KZ", "Asia/Almaty",
              (("ru", 0.65), ("kk", 0.35)), ("state", "domestic", "agency"), 3.5, 20, 12,
              "agency", (7.0, 23.0), feed="rss", feed_items=60, sitemap="index",
              title_format="{title} — Aqorda Herald", dates="day_only"),
    EcoOutlet("qazsoz", "Qazaq Sozi", "qazaqsozi.test", "KZ", "Asia/Almaty",
              (("kk", 1.0),), ("state", "domestic"), 2.0, 12, 8,
              "jsonld", (8.0, 21.0), feed="atom", feed_items=30, sitemap="urlset",
              sitemap_in_study=False, title_format="Qazaq Sozi | {title}", dates="jsonld"),
    EcoOutlet("kaspiy", "Каспий Вестник", "kaspiy-vestnik.test", "KZ", "Asia/Almaty",
              (("ru", 1.0),), ("state", "domestic", "regional"), 1.5, 14, 5,
              "table", (8.0, 20.0), sitemap="urlset", sitemap_in_study=False,
              title_format="{title} - Каспий Вестник", dates="dateline", lastmod="day"),
    EcoOutlet("saryarqa", "Saryarqa Daily", "saryarqa-daily.test", "KZ", "Asia/Almaty",
              (("ru", 1.0),), ("private", "domestic", "regional"), 2.5, 40, 7,
              "local", (7.0, 23.5), sitemap="urlset", overnight=0.1,
              title_format="{title} | Saryarqa Daily", dates="meta_local", lastmod="local"),
    EcoOutlet("erkindik", "Erkindik", "erkindik.test", "KZ", "Asia/Almaty",
              (("ru", 0.6), ("kk", 0.4)), ("independent", "domestic"), 2.0, 16, 10,
              "blog", (9.0, 22.0), feed="rss", feed_items=25,
              title_format="{title} · Erkindik", dates="meta_utc"),
    EcoOutlet("bishkekpost", "Bishkek Post", "bishkek-post.test", "KG", "Asia/Bishkek",
              (("ky", 0.6), ("ru", 0.4)), ("private", "foreign"), 2.5, 10, 16,
              "counter", (8.0, 22.0), feed="rss", feed_items=40, sitemap="urlset",
              title_format="{title} | Bishkek Post", dates="time_offset"),
    EcoOutlet("alabel", "Ala-Bel", "ala-bel.test", "KG", "Asia/Bishkek",
              (("ky", 1.0),), ("independent", "foreign"), 0.35, 3, 3,
              "jsonld", (10.0, 19.0), dates="jsonld"),
    EcoOutlet("stepnoy", "Степной курьер", "stepnoy-kurier.test", "RU", "Europe/Moscow",
              (("ru", 1.0),), ("private", "foreign", "russian"), 2.0, 12, 8,
              "magazine", (7.0, 21.0), feed="atom", feed_items=30, sitemap="urlset",
              title_format="{title} — Степной курьер", dates="meta_offset",
              boilerplate="Подписывайтесь на «Степной курьер» в Telegram и VK."),
    EcoOutlet("novayaazia", "Новая Азия", "novaya-azia.test", "RU", "Europe/Moscow",
              (("ru", 1.0),), ("private", "foreign", "russian"), 1.5, 10, 7,
              "magazine", (8.0, 22.0), sitemap="index",
              title_format="{title} :: Новая Азия", dates="meta_utc",
              boilerplate="Читайте «Новую Азию» в Дзене и подписывайтесь на наш канал."),
    EcoOutlet("steppewatch", "Steppe Watch", "steppewatch.test", "US", "America/New_York",
              (("en", 1.0),), ("international", "foreign"), 2.5, 12, 9,
              "jsonld", (6.0, 20.0), feed="rss", feed_items=50,
              title_format="{title} | Steppe Watch", dates="jsonld"),
    EcoOutlet("caspianmon", "Caspian Monitor", "caspian-monitor.test", "DE", "Europe/Berlin",
              (("en", 0.45), ("ru", 0.35), ("kk", 0.2)), ("international", "foreign"),
              2.0, 12, 9, "agency", (7.0, 21.0), feed="rss", feed_items=40,
              sitemap="urlset", title_format="{title} - Caspian Monitor", dates="time_offset"),
)


def outlet(outlet_id: str) -> EcoOutlet:
    return next(o for o in OUTLETS if o.id == outlet_id)


# -- the planted patterns (story "mine") ----------------------------------------------

OMITTING = ("aqorda", "qazsoz", "kaspiy")  # the state group: leaves the violations out
FACT_SHARE = 0.8  # everyone else states the violations in this share of its story articles
OMIT_SHARE = 0.05  # the state outlets in this share (one slip in twenty)
TRAPPED_SHARE = 0.6  # every outlet states the trapped-miners fact at this share (not planted)
FRAMING = ("aqorda", "qazsoz", "kaspiy")  # say "incident" where the others say "tragedy"
FRAMING_SHARE = 0.95  # share of a side's framing slots that use the side's own words
# The local paper of the stricken region covers the story heavily (``mine`` = 40 planned:
# about 12 live pieces before the warning) until WARNING, then publishes nothing on it
# (its later slots carry ordinary news). With 7 pieces before, the drop was detectable
# only at p ~ 0.002 because the story's own decay leaves ~4 expected after; 12 give ~2e-4.
SILENT = "saryarqa"
BLOCKED = "erkindik"
LOW_VOLUME = "alabel"
COUNTERS = "bishkekpost"
FLAKY = "stepnoy"


@dataclass(frozen=True)
class EditPlan:
    outlet_id: str
    nth_story: int  # the outlet's nth article on the mine story (0: its first)
    at: datetime
    fact: str  # the fact whose sentence the edit removes


@dataclass(frozen=True)
class DeletionPlan:
    outlet_id: str
    nth_story: int
    at: datetime
    kind: str  # "http_410" | "redirect_home"
    rule: str  # the finding rule untold should name


EDIT = EditPlan("saryarqa", 0, _t("2026-10-04T03:00:00"), "violations")
DELETIONS = (
    DeletionPlan("saryarqa", 1, _t("2026-10-04T09:00:00"), "http_410", "deletion.http_gone"),
    DeletionPlan("kaspiy", 0, _t("2026-10-05T11:00:00"), "redirect_home",
                 "deletion.redirect_home"),
)


# -- the study's stories and events ---------------------------------------------------

@dataclass(frozen=True)
class StoryPlan:
    id: str
    title: str
    query: str
    start: datetime
    end: datetime
    facts: dict[str, str]


MINE = StoryPlan(
    "mine", "The Besoba mine explosion",
    "(шахт* OR mine OR miners) AND (взрыв* OR explosion OR blast OR жарылыс* OR жарылуу*)",
    _t("2026-10-01T00:00:00"), END,
    {
        # the owner had been fined for safety violations at the same mine (planted omission)
        "violations": ("((штраф* OR оштрафова*) NEAR/6 нарушени*) OR (айыппұл* NEAR/8 бұз*) "
                       "OR (айыппул* NEAR/8 буз*) OR (fined NEAR/6 violations)"),
        # miners trapped underground: every outlet states it at TRAPPED_SHARE
        "trapped": ("((завал* OR заблокирован*) NEAR/5 горняк*) OR "
                    "((үйінді* OR қамалып) NEAR/5 кенші*) OR ((урандын* OR камалып) NEAR/5 "
                    "кенчи*) OR (trapped NEAR/4 miners)"),
    })
HYDRO = StoryPlan(
    "hydro", "The Kokzhar hydropower plant",
    "Кокжар* OR Көкжар* OR Kokzhar*", START, END,
    {},  # no facts: untold proposes its own candidates from the coverage
)
EVENTS = (
    ("warning", WARNING, "The information ministry warns domestic media about 'unverified "
     "reports' on the mine", ("domestic",), ("KZ",)),
    ("signing", SIGNING, "Kyrgyzstan's cabinet approves the Kokzhar plant's financing",
     (), ("KG",)),
)
