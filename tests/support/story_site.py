"""Five outlets covering one story alike, served on 127.0.0.1 with a settable clock.

Nothing is planted: every outlet publishes ``STORY_PER_DAY`` story articles a day
while the story runs (days 0 to ``STORY_DAYS`` - 1) and ``ORDINARY_PER_DAY`` other
articles every day of the ``DAYS``-day window. An event on day ``EVENT_DAY`` names
the group "home" (``feedonly`` and ``mapped``); the others are "away".
``feedonly`` is discovered through its RSS feed only, which lists its last
``FEED_DAYS`` days; the others through a sitemap of everything. Every response's
``Date`` is ``site.now``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.support.clock_server import ClockServer
from tests.support.outlet_site import PARAS

__all__ = ["DAY0", "DAYS", "EVENT_DAY", "OUTLETS", "StorySite", "study_toml"]

DAY0 = datetime(2026, 5, 1, tzinfo=UTC)
DAYS = 14
EVENT_DAY = 3
STORY_DAYS = 9
STORY_PER_DAY = 4
ORDINARY_PER_DAY = 3
FEED_DAYS = 5
OUTLETS = {"feedonly": "home", "mapped": "home", "away1": "away", "away2": "away",
           "away3": "away"}


def _articles(oid: str) -> list[tuple[datetime, bool]]:
    """(published, is a story article), oldest first."""
    out = []
    for d in range(DAYS):
        n_story = STORY_PER_DAY if d < STORY_DAYS else 0
        for k in range(n_story + ORDINARY_PER_DAY):
            out.append((DAY0 + timedelta(days=d, hours=7 + k, minutes=len(oid)), k < n_story))
    return out


def _page(oid: str, i: int, when: datetime, story: bool) -> str:
    if story:
        title = f"Видео с места событий, выпуск {i}"
        lead = (f"В сети появилось новое видео с места событий. Погибшие — граждане "
                f"Казахстана, сообщают источники ({oid} {i}).")
    else:
        title = f"Новости региона {i}"
        lead = f"Обычный день в регионе ({oid} {i})."
    paras = "\n".join(f"<p>{PARAS['ru'][(i + k) % 5]} ({oid} {i}-{k})</p>" for k in range(6))
    return (f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{when.isoformat()}"></head>'
            f"<body><article><h1>{title}</h1><p>{lead}</p>{paras}</article></body></html>")


class StorySite(ClockServer):
    def __init__(self) -> None:
        super().__init__(DAY0)
        self.items = {o: _articles(o) for o in OUTLETS}

    def story_articles(self, oid: str) -> int:
        return sum(1 for _, s in self.items[oid] if s)

    def respond(self, host: str, path: str) -> tuple[int, str, str]:
        oid = host.removesuffix(".example")
        live = [(i, t, s) for i, (t, s) in enumerate(self.items.get(oid, [])) if t <= self.now]
        base = f"http://{oid}.example"
        if path == "/robots.txt":
            return 200, "User-agent: *\n", "text/plain"
        if path == "/rss.xml" and oid == "feedonly":
            items = "".join(
                f"<item><title>{i}</title><link>{base}/a/{i}.html</link>"
                f"<pubDate>{format_datetime(t, usegmt=True)}</pubDate></item>"
                for i, t, _ in reversed(live) if t > self.now - timedelta(days=FEED_DAYS))
            return 200, (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                         f"<title>{oid}</title><link>{base}/</link>{items}</channel></rss>"), \
                "application/rss+xml"
        if path == "/sitemap.xml" and oid != "feedonly":
            urls = "".join(f"<url><loc>{base}/a/{i}.html</loc><lastmod>{t.isoformat()}"
                           "</lastmod></url>" for i, t, _ in live)
            return 200, ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.'
                         f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'), "application/xml"
        if path.startswith("/a/") and path.endswith(".html"):
            i = int(path[3:-5])
            for j, t, s in live:
                if j == i:
                    return 200, _page(oid, i, t, s), "text/html; charset=utf-8"
        return 404, "not found", "text/plain"


def study_toml(port: int, *, refused_port: int | None = None) -> str:
    """The study; with ``refused_port``, ``feedonly`` is sent there (nothing listens)."""
    resolve = ", ".join(f'"{o}.example" = "127.0.0.1:'
                        f'{refused_port if refused_port and o == "feedonly" else port}"'
                        for o in OUTLETS)
    parts = [f"""[study]
name = "a feed-only outlet that could not be reached"
archive = "archive"

[fetch]
delay = 0.0
timeout = 5.0
retries = 0
resolve = {{ {resolve} }}
allow_private = true  # served on loopback

[collect]
max_articles_per_outlet = 10000

[[stories]]
id = "video"
title = "The video"
query = "видео"
start = {DAY0.strftime("%Y-%m-%dT%H:%M:%SZ")}
end = {(DAY0 + timedelta(days=DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")}
facts = {{ citizens = "граждан*" }}

[[events]]
id = "warning"
time = {(DAY0 + timedelta(days=EVENT_DAY)).strftime("%Y-%m-%dT%H:%M:%SZ")}
description = "a warning to the home media"
groups = ["home"]
"""]
    for oid, group in OUTLETS.items():
        src = (f'feeds = ["http://{oid}.example/rss.xml"]' if oid == "feedonly" else
               f'sitemaps = ["http://{oid}.example/sitemap.xml"]')
        parts.append(f'[[outlets]]\nid = "{oid}"\nname = "Outlet {oid}"\n'
                     f'domains = ["{oid}.example"]\ncountry = "KZ"\nlanguages = ["ru"]\n'
                     f'groups = ["{group}"]\nhomepage = "http://{oid}.example/"\n{src}\n')
    return "\n".join(parts)
