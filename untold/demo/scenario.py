"""The example ecosystem: outlets, dates and the planted patterns (no text here).

Thirteen fictional outlets of two neighbouring countries (KZ, KG), regional
Russian-language outlets and international ones publish ordinary news from
``START`` to ``END``. At ``STORY_BREAK`` an armed group publishes a video that
appears to show the execution of two men from Kazakhstan; at ``WARNING`` the
Kazakh government warns domestic media. The patterns planted around it (see
``generator``) are what untold's analyses should find, and nothing else.
The default seed is ``DEFAULT_SEED``; ``ground_truth.json`` records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "BLOCKS", "BLOCK_PAGE_MARK", "DEFAULT_SEED", "DELETIONS", "EARLY_PASS", "EDIT", "END", "FACTS", "OONI_NETWORK",
    "OONI_PLAN", "OUTLETS", "PROBE_NETWORK", "START", "STORY_BREAK", "STORY_QUERY", "UNREACHABLE",
    "WARNING", "BlockPlan", "DeletionPlan", "DemoOutlet", "EditPlan", "Network", "OoniPlan",
    "collect_passes", "probe_times",
]

DEFAULT_SEED = 20260901  # the example's documented seed: same seed, same ecosystem


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


START = _t("2026-09-01T00:00:00")
END = _t("2026-11-01T00:00:00")  # exclusive
STORY_BREAK = _t("2026-10-01T06:00:00")
WARNING = _t("2026-10-03T09:00:00")  # government warning to domestic (KZ) media
EARLY_PASS = _t("2026-10-02T12:00:00")  # a collection between the break and the warning
STORY_DECAY_DAYS = 5.0  # attention to the story halves in ~3.5 days ...
STORY_FLOOR = 0.15  # ... but never quite ends (follow-ups, anniversaries, court news)
FEED_DAYS = 10  # feeds list the last ten days' items (passes must come at least this often)
FEED_MAX_ITEMS = 60
HOME_ITEMS = 40  # links on a home page (link discovery finds these)


@dataclass(frozen=True)
class DemoOutlet:
    id: str
    name: str
    domain: str
    country: str
    languages: tuple[tuple[str, float], ...]  # (language, share of output)
    groups: tuple[str, ...]
    per_day: float  # ordinary articles per weekday (weekends: WEEKEND_FACTOR of it)
    story_articles: int  # story articles over the whole story period
    feed: str | None = None  # "rss" | "atom" | None
    sitemap: str | None = None  # "urlset" | "index" | None
    sitemap_in_study: bool = True  # False: found through robots.txt only
    soft_404: bool = False  # answers 200 with a not-found page for missing paths
    # shows a view counter in the article text (noise for the edit tracker); the
    # reprinting outlets and their sources do not, so reprints stay near-duplicates
    counter: bool = True
    https: bool = False  # served over TLS (a certificate from the example's own CA)

    @property
    def base(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.domain}"


WEEKEND_FACTOR = 0.6  # fewer articles on Saturdays and Sundays, like real newsrooms

OUTLETS: tuple[DemoOutlet, ...] = (
    DemoOutlet("dalapress", "Dala Press Agency", "dalapress.example", "KZ",
               (("ru", 0.7), ("kk", 0.3)), ("state", "domestic", "agency"), 7.0, 14,
               feed="rss", sitemap="index", counter=False),
    DemoOutlet("ulttyq", "Ulttyq Habar", "ulttyq.example", "KZ", (("kk", 1.0),),
               ("state", "domestic"), 3.0, 10, feed="atom", sitemap="urlset", soft_404=True),
    DemoOutlet("steppetimes", "Steppe Times", "steppetimes.example", "KZ", (("ru", 1.0),),
               ("private", "domestic"), 4.5, 12, feed="rss", sitemap="urlset"),
    DemoOutlet("baiterek", "Baiterek News", "baiterek.example", "KZ", (("ru", 1.0),),
               ("private", "domestic"), 3.0, 22, sitemap="urlset", sitemap_in_study=False),
    DemoOutlet("irtysh", "Irtysh Vesti", "irtysh.example", "KZ", (("ru", 1.0),),
               ("private", "domestic", "regional"), 1.5, 9, counter=False),
    DemoOutlet("alatoo", "Ala-Too Press", "alatoo.example", "KG", (("ru", 0.5), ("ky", 0.5)),
               ("state", "foreign"), 4.5, 12, feed="rss", sitemap="urlset"),
    DemoOutlet("tunduk", "Tunduk Kabar", "tunduk.example", "KG", (("ky", 1.0),),
               ("private", "foreign"), 2.5, 10, sitemap="urlset"),
    DemoOutlet("ordo", "Ordo Media", "ordo.example", "KG", (("ru", 0.6), ("ky", 0.4)),
               ("independent", "foreign"), 1.0, 9, feed="atom"),
    DemoOutlet("meridian", "Asia Meridian", "meridian.example", "RU", (("ru", 1.0),),
               ("private", "foreign", "regional"), 3.0, 12, feed="rss", sitemap="urlset"),
    DemoOutlet("silkroad", "Silk Road Courier", "silkroad.example", "UZ", (("ru", 1.0),),
               ("private", "foreign", "regional"), 2.0, 10, sitemap="index"),
    DemoOutlet("globalwire", "Global Wire", "globalwire.example", "GB", (("en", 1.0),),
               ("international", "foreign", "agency"), 8.0, 16, feed="rss", sitemap="urlset",
               counter=False),
    DemoOutlet("eurasia", "Eurasia Service", "eurasia.example", "CZ",
               (("ru", 0.7), ("kk", 0.15), ("ky", 0.15)), ("international", "foreign"),
               3.5, 12, feed="rss", sitemap="urlset", https=True),
    DemoOutlet("camonitor", "Central Asia Monitor", "camonitor.example", "US", (("en", 1.0),),
               ("international", "foreign"), 2.0, 9, feed="rss", counter=False),
)

# -- planted patterns (patterns=True only) -------------------------------------

OMITTING = ("dalapress", "ulttyq", "steppetimes", "irtysh")  # leave the fact out
FACT_SHARE = 0.875  # share of story articles that state the fact, everywhere else
SILENT = "baiterek"  # covers the story until WARNING, then nothing on it
# reprints: (reprinting outlet, source outlet, share of the reprinter's slots)
REPRINTS = (("irtysh", "dalapress", 0.3), ("camonitor", "globalwire", 0.3))
REPRINT_MAX_LAG_H = 12.0  # a reprint follows its source within this many hours
NEAR_SHARE = 0.4  # of reprints: a "Source: ..." credit line added (the rest verbatim)


@dataclass(frozen=True)
class EditPlan:
    outlet_id: str
    nth_story: int  # the outlet's nth story article (0: its first)
    at: datetime
    fact: str  # fact id the edit removes


@dataclass(frozen=True)
class DeletionPlan:
    outlet_id: str
    nth_story: int
    at: datetime
    kind: str  # http_404 | redirect_home | soft_404


EDIT = EditPlan("steppetimes", 0, _t("2026-10-03T15:00:00"), "nationality")
DELETIONS = (
    DeletionPlan("baiterek", 1, _t("2026-10-04T08:00:00"), "http_404"),
    DeletionPlan("irtysh", 0, _t("2026-10-05T10:00:00"), "redirect_home"),
    DeletionPlan("ulttyq", 0, _t("2026-10-06T12:00:00"), "soft_404"),
)
UNREACHABLE = ("eurasia", _t("2026-10-18T12:00:00"), "connection_reset")

# -- blocking and an outage (patterns=True only), measured by untold's probe --------


@dataclass(frozen=True)
class Network:
    """A network a measurement was made from (OONI's probe_cc / probe_asn / name)."""

    cc: str
    asn: str  # from the private-use range (RFC 6996): no real network is named
    name: str
    vantage: str


@dataclass(frozen=True)
class BlockPlan:
    """What the simulated censor (or the site itself) does to one outlet, in
    ``[since, until)`` of the example's clock, on the probe's network."""

    outlet_id: str
    kind: str  # tls_reset | dns_blockpage | outage
    since: datetime
    until: datetime  # exclusive
    blocking: bool  # False: the site itself is down (an outage), not blocking
    expect_class: str  # untold's verdict class for a measurement inside the period


# untold's probe in the demo measures from here: the collector's network, behind a censor
PROBE_NETWORK = Network("KG", "AS65001", "Example ISP (simulated censor)", "example-isp")
BLOCKS = (
    # reset at the TLS handshake when the Client Hello names the outlet (as kloop.kg was);
    # the collector meets it too: the same block as UNREACHABLE, now measured
    # (still blocked when the example ends: its last collection, at END, fails too)
    BlockPlan(UNREACHABLE[0], "tls_reset", UNREACHABLE[1], END + timedelta(days=1), True,
              "sni_filtering_reset"),
    # the network's resolver answers with the address of a block page
    BlockPlan("ordo", "dns_blockpage", _t("2026-10-08T12:00:00"), _t("2026-10-12T12:00:00"),
              True, "dns_blockpage"),
    # the site itself is down for a day: every connection closes unanswered, from anywhere
    BlockPlan("silkroad", "outage", _t("2026-10-12T15:00:00"), _t("2026-10-13T15:00:00"),
              False, "site_down"),
)
# the block page the censor's resolver points to carries this registry address; the
# example's fingerprint for it (installed in the demo's archive) matches on it
BLOCK_PAGE_MARK = "reestr.blocked.example"
PROBE_HOURS = (6, 18)  # untold's probe measures every outlet's home page at these UTC hours


def probe_times() -> list[datetime]:
    """The example clock's probe runs: twice a day from START to END (exclusive)."""
    out = []
    day = START
    while day < END:
        out += [day + timedelta(hours=h) for h in PROBE_HOURS]
        day += timedelta(days=1)
    return out


# synthetic OONI Web Connectivity measurements from another network, bundled with the
# example (untold.demo.ooni) and imported with `untold ooni import`
OONI_NETWORK = Network("KZ", "AS65002", "Another ISP (synthetic OONI data)", "ooni-another-isp")


@dataclass(frozen=True)
class OoniPlan:
    """OONI measurements of one outlet's home page, daily at ``hour`` UTC in
    ``[first, last]``; inside ``[block_since, block_until)`` they show ``kind``."""

    outlet_id: str
    first: datetime
    last: datetime
    kind: str | None = None  # tls_reset | outage | None (reachable throughout)
    block_since: datetime | None = None
    block_until: datetime | None = None
    hour: int = 9


OONI_PLAN = (
    # blocked in the other network too, from two days later (TLS interference, as OONI
    # found for news sites in Kazakhstan)
    OoniPlan("eurasia", _t("2026-10-12T00:00:00"), _t("2026-10-31T00:00:00"), "tls_reset",
             _t("2026-10-20T00:00:00"), END),
    # reachable there while the probe's network answered a block page: a local block
    OoniPlan("ordo", _t("2026-10-06T00:00:00"), _t("2026-10-14T00:00:00")),
    # down there too: an outage is seen from everywhere
    OoniPlan("silkroad", _t("2026-10-11T00:00:00"), _t("2026-10-14T00:00:00"), "outage",
             _t("2026-10-12T15:00:00"), _t("2026-10-13T15:00:00")),
)


def collect_passes(every_days: float = 7.0) -> list[datetime]:
    """Clock times at which the demo collects: weekly, plus one between the story's
    break and the warning (so the edited and deleted articles are seen before
    they change), and one at the end. Feeds hold ``FEED_DAYS``, so passes must
    not be further apart than that."""
    if every_days > FEED_DAYS:
        raise ValueError(f"passes must be at most {FEED_DAYS} days apart (feeds hold that much)")
    out: list[datetime] = []
    t = START + timedelta(days=every_days)
    while t < END:
        out.append(t)
        t += timedelta(days=every_days)
    out += [EARLY_PASS, END]
    return sorted(set(out))

# -- the study's story: its query and facts match every language's templates ----

STORY_ID = "video"
STORY_TITLE = "The execution video"
STORY_QUERY = ("(видео OR video OR бейнежазба*) AND "
               "(казн* OR execution OR өлтір* OR өлтүр*)")
FACTS = {
    # the victims were citizens of Kazakhstan: nationality words near country/victim words
    "nationality": ("(граждан* NEAR/3 казахстан*) OR (азамат* NEAR/3 қазақстан*) OR "
                    "(жаран* NEAR/3 казакстан*) OR (citizens NEAR/3 Kazakhstan) OR "
                    "(Kazakh NEAR/2 nationals)"),
    # the video's authenticity is unconfirmed: stated at the same rate everywhere
    "unverified": ("(подлинность NEAR/4 подтвердить) OR (түпнұсқалығын NEAR/4 растау) OR "
                   "(аныктыгын NEAR/4 тастыктоо) OR (authenticity NEAR/8 verified)"),
}
UNVERIFIED_SHARE = 0.6  # every outlet states the "unverified" fact in this share of stories
EVENT_ID = "warning"
EVENT_DESCRIPTION = "The government warns domestic media about reporting on the video"
