"""Three outlets on 127.0.0.1 with a settable clock, for what listing fetches observe.

Each outlet publishes one article a day at 08:00 UTC from ``DAY0`` on; what exists
is what was published at or before ``site.now``, and every response's ``Date`` is
``site.now`` (a pass of the collector at a simulated time). ``feedy`` lists its
articles of the last ``FEED_DAYS`` days in an RSS feed only, ``mapped`` all of
them in a sitemap, ``homey`` its latest ``HOME_ITEMS`` as links on its home page.
``site.fail[host] = 503`` makes that outlet's listings answer 503.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from tests.support.clock_server import ClockServer
from tests.support.outlet_site import PARAS

__all__ = ["DAY0", "FEED_DAYS", "HOME_ITEMS", "HOSTS", "ClockSite", "day", "study_toml"]

DAY0 = datetime(2026, 3, 1, tzinfo=UTC)
FEED_DAYS = 5
HOME_ITEMS = 6
HOSTS = {"feedy.example": "feed", "mapped.example": "sitemap", "homey.example": "links"}
N_ARTICLES = 30


def day(n: int) -> str:
    """"YYYY-MM-DD" of day ``n`` after DAY0."""
    return (DAY0 + timedelta(days=n)).date().isoformat()


def published(i: int) -> datetime:
    return DAY0 + timedelta(days=i, hours=8)


def _article(host: str, i: int) -> str:
    paras = "\n".join(f"<p>{PARAS['ru'][(i + k) % 5]} ({host} {i}-{k})</p>" for k in range(8))
    return (f'<!doctype html><html lang="ru"><head><meta charset="utf-8">'
            f"<title>Новости {i}</title>"
            f'<meta property="article:published_time" content="{published(i).isoformat()}">'
            f"</head><body><article><h1>Новости {i}</h1>{paras}</article></body></html>")


class ClockSite(ClockServer):
    def __init__(self) -> None:
        super().__init__(DAY0)
        self.fail: dict[str, int] = {}

    def live(self) -> list[int]:
        return [i for i in range(N_ARTICLES) if published(i) <= self.now]

    def respond(self, host: str, path: str) -> tuple[int, str, str]:
        how = HOSTS.get(host)
        if how is None:
            return 404, "no such site", "text/plain"
        live = self.live()
        listing = path in ("/rss.xml", "/sitemap.xml") or (path == "/" and how == "links")
        if listing and host in self.fail:
            return self.fail[host], "unavailable", "text/plain"
        if path == "/robots.txt":
            return 200, "User-agent: *\n", "text/plain"
        if path == "/rss.xml" and how == "feed":
            items = "".join(
                f"<item><title>Новости {i}</title><link>http://{host}/news/{i}.html</link>"
                f"<pubDate>{format_datetime(published(i), usegmt=True)}</pubDate></item>"
                for i in reversed(live) if published(i) > self.now - timedelta(days=FEED_DAYS))
            return 200, (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                         f"<title>{host}</title><link>http://{host}/</link>{items}"
                         "</channel></rss>"), "application/rss+xml"
        if path == "/sitemap.xml" and how == "sitemap":
            urls = "".join(f"<url><loc>http://{host}/news/{i}.html</loc><lastmod>"
                           f"{published(i).isoformat()}</lastmod></url>" for i in live)
            return 200, ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.'
                         f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'), "application/xml"
        if path == "/":
            links = "".join(f'<li><a href="/news/{i}.html">Новости номер {i} сегодня</a></li>'
                            for i in live[-HOME_ITEMS:])
            return 200, f"<html><body><ul>{links}</ul></body></html>", "text/html"
        if path.startswith("/news/") and path.endswith(".html"):
            i = int(path[6:-5])
            if i in live:
                return 200, _article(host, i), "text/html; charset=utf-8"
        return 404, "not found", "text/plain"


def study_toml(port: int, *, refused: dict[str, int] | None = None,
               max_articles: int = 1000) -> str:
    """The study; hosts in ``refused`` are sent to that port instead (nothing listens);
    a run fetches at most ``max_articles`` new articles per outlet."""
    refused = refused or {}
    resolve = ", ".join(f'"{h}" = "127.0.0.1:{refused.get(h, port)}"' for h in HOSTS)
    parts = [f"""[study]
name = "observed days"
archive = "archive"

[fetch]
delay = 0.0
timeout = 5.0
retries = 0
resolve = {{ {resolve} }}
allow_private = true  # served on loopback

[collect]
link_discovery_pages = 1
max_articles_per_outlet = {max_articles}
"""]
    for host, how in HOSTS.items():
        src = (f'feeds = ["http://{host}/rss.xml"]' if how == "feed" else
               f'sitemaps = ["http://{host}/sitemap.xml"]' if how == "sitemap" else "")
        parts.append(f'[[outlets]]\nid = "{host.split(".")[0]}"\nname = "{host}"\n'
                     f'domains = ["{host}"]\ncountry = "KZ"\nlanguages = ["ru"]\n'
                     f'homepage = "http://{host}/"\n{src}\n')
    return "\n".join(parts)
