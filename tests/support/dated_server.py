"""Three outlets on loopback whose dates are written as real sites write them, for the
end-to-end date tests (issue 10, case 4):

- ``dayfeed.example`` (Kyrgyzstan, UTC+6): its pages give only the day
  (``<time itemprop="datePublished" datetime="2026-10-01">``); its RSS feed gives
  the exact time, one of them 02:30 local (the previous day in UTC);
- ``kz.example`` (Kazakhstan, UTC+5): a sitemap and pages with zone-less local
  times (``2026-10-02T02:00:00``: 21:00 UTC the day before);
- ``dayonly.example`` (no country): a sitemap of bare days and pages of bare days.

Each outlet's first article is on the same story (a flood in Osh, in Russian) on the
same day, so the story's first report must go to the timed article, not the day.
Pages are built by ``tests.support.date_pages``; the server binds 127.0.0.1 only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.date_pages import dated_page

__all__ = ["ARTICLES", "STORY_WORD", "serve", "study_toml"]

STORY_WORD = "наводнение"
_STORY_PARA = ("В Оше из-за сильных ливней произошло наводнение: вода затопила несколько "
               "улиц в центре города, жителей прибрежных домов эвакуировали, спасатели "
               "работают всю ночь, а власти обещают выплатить компенсации пострадавшим семьям.")

# (host, path) -> (what the page says in its head/byline, what the listing says)
ARTICLES: dict[tuple[str, str], tuple[str, str, str]] = {
    # head, byline, listing date
    ("dayfeed.example", "/news/1.html"): (
        "", '<time itemprop="datePublished" datetime="2026-10-01">1 октября 2026</time>',
        "Thu, 01 Oct 2026 03:40:00 +0000"),  # 09:40 in Bishkek
    ("dayfeed.example", "/news/2.html"): (
        "", '<time itemprop="datePublished" datetime="2026-10-01">1 октября 2026</time>',
        "Wed, 30 Sep 2026 20:30:00 +0000"),  # 02:30 on 1 October in Bishkek
    ("dayfeed.example", "/news/3.html"): (
        # the feed re-lists an old piece as new: the page's own metadata stands
        '<meta property="article:published_time" content="2026-09-20">', "",
        "Mon, 05 Oct 2026 08:00:00 +0000"),
    ("kz.example", "/news/1.html"): (
        '<meta property="article:published_time" content="2026-10-01T08:30:00">', "",
        "2026-10-01T08:30:00"),  # 03:30 UTC
    ("kz.example", "/news/2.html"): (
        '<meta property="article:published_time" content="2026-10-02T02:00:00">', "",
        "2026-10-02T02:00:00"),  # 21:00 UTC on 1 October
    ("dayonly.example", "/news/1.html"): (
        "", '<time itemprop="datePublished" datetime="2026-10-01">01.10.2026</time>',
        "2026-10-01"),
}
STORY_PAGES = {("dayfeed.example", "/news/1.html"), ("kz.example", "/news/1.html"),
               ("dayonly.example", "/news/1.html")}


# Each outlet's own text around the story paragraph: no outlet reprints another.
_LANG = {"dayfeed.example": "ru", "kz.example": "kk", "dayonly.example": "ky"}


def _page(host: str, path: str) -> bytes:
    head, byline, _ = ARTICLES[(host, path)]
    page = dated_page(head=head, byline=byline, lang=_LANG[host])
    if (host, path) in STORY_PAGES:
        page = page.replace('<div class="article-body">',
                            f'<div class="article-body">\n<p>{_STORY_PARA}</p>', 1)
    return page.encode("utf-8")


def _feed(host: str) -> bytes:
    items = "".join(
        f"<item><title>Новость {path}</title><link>http://{host}{path}</link>"
        f"<pubDate>{when}</pubDate></item>"
        for (h, path), (_, _, when) in ARTICLES.items() if h == host)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{host}</title><link>http://{host}/</link>{items}</channel></rss>"
            ).encode()


def _sitemap(host: str) -> bytes:
    urls = "".join(f"<url><loc>http://{host}{path}</loc><lastmod>{when}</lastmod></url>"
                   for (h, path), (_, _, when) in ARTICLES.items() if h == host)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/rss.xml" and host == "dayfeed.example":
            return self._send(200, _feed(host), "application/rss+xml")
        if self.path == "/sitemap.xml" and host in ("kz.example", "dayonly.example"):
            return self._send(200, _sitemap(host), "application/xml")
        if (host, self.path) in ARTICLES:
            return self._send(200, _page(host, self.path), "text/html; charset=utf-8")
        return self._send(404, b"not found", "text/plain")


@contextmanager
def serve() -> Iterator[int]:
    """The three outlets on 127.0.0.1; yields the port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def study_toml(port: int) -> str:
    hosts = ("dayfeed.example", "kz.example", "dayonly.example")
    resolve = ", ".join(f'"{h}" = "127.0.0.1:{port}"' for h in hosts)
    return f"""[study]
name = "dates"
archive = "archive"

[fetch]
delay = 0.0
timeout = 10
retries = 0
resolve = {{ {resolve} }}
allow_private = true  # the outlets are served on loopback

[[outlets]]
id = "dayfeed"
name = "Day Feed"
domains = ["dayfeed.example"]
country = "KG"
languages = ["ru"]
feeds = ["http://dayfeed.example/rss.xml"]

[[outlets]]
id = "kz"
name = "KZ Local"
domains = ["kz.example"]
country = "KZ"
languages = ["kk", "ru"]
sitemaps = ["http://kz.example/sitemap.xml"]

[[outlets]]
id = "dayonly"
name = "Day Only"
domains = ["dayonly.example"]
languages = ["ky", "ru"]
sitemaps = ["http://dayonly.example/sitemap.xml"]

[[stories]]
id = "flood"
title = "Flood in Osh"
query = "{STORY_WORD}"
start = 2026-09-30T00:00:00Z
end = 2026-10-03T00:00:00Z
"""
