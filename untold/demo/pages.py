"""What the example's outlets serve: article pages, feeds, sitemaps, home pages.

Pure functions of the ecosystem and a clock time. Every piece of generated
text is escaped (``html.escape`` / XML escaping) before it enters markup.
Article pages carry two kinds of noise a change tracker must ignore: an
"updated"/view-counter line that moves once a day, and a "read also" block
that rotates daily. Both change only with the day, so a revisit on the same
day gets a 304.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from untold.demo import scenario as sc
from untold.demo.generator import DemoArticle, Ecosystem
from untold.demo.scenario import DemoOutlet
from untold.timeutil import to_iso

__all__ = ["article_page", "feed_xml", "home_page", "not_found_page", "recent",
           "sitemap_index_xml", "sitemap_xml"]

_LABELS = {  # updated, views, read also, not found, home
    "ru": ("Обновлено", "Просмотров", "Читайте также:", "Страница не найдена", "Главная"),
    "kk": ("Жаңартылды", "Қаралым", "Оқи отырыңыз:", "Бет табылмады", "Басты бет"),
    "ky": ("Жаңыланды", "Көрүүлөр", "Окуңуз:", "Барак табылган жок", "Башкы бет"),
    "en": ("Updated", "Views", "Related articles:", "Page not found", "Home"),
}
RELATED_ITEMS = 3


def _day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _views(a: DemoArticle, now: datetime) -> int:
    days = max(0, (_day(now) - _day(a.published)).days)
    base = int(hashlib.sha1(a.id.encode()).hexdigest()[:4], 16) % 900 + 100
    return base * (days + 1) + days * 37


def _related(eco: Ecosystem, live: list[DemoArticle], a: DemoArticle,
             now: datetime) -> list[DemoArticle]:
    """Three other recent articles, rotating with the day (page furniture)."""
    day = _day(now)
    pool = [b for b in live[-60:] if b.id != a.id and b.language == a.language]
    if not pool:
        return []
    start = int(hashlib.sha1(f"{a.id}{day:%Y%m%d}".encode()).hexdigest()[:6], 16)
    return [pool[(start + k * 7) % len(pool)] for k in range(min(RELATED_ITEMS, len(pool)))]


def article_page(eco: Ecosystem, a: DemoArticle, live: list[DemoArticle],
                 now: datetime) -> tuple[str, datetime]:
    """(HTML, last-modified) of ``a`` as served at ``now``."""
    o = eco.outlet(a.outlet_id)
    url = o.base + a.path
    edited = a.edited_at is not None and now >= a.edited_at
    body = a.text(now)
    modified = a.edited_at if edited and a.edited_at else a.published
    upd, views, read, _, home = _LABELS[a.language]
    day = _day(now)
    counter = f'<p class="stats">{views}: {_views(a, now)}</p>' if o.counter else ""
    paras = "\n".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    related = "".join(f'<li><a href="{escape(b.path)}">{escape(b.title)}</a></li>'
                      for b in _related(eco, live, a, now))
    mod_meta = (f'<meta property="article:modified_time" content="{to_iso(modified)}">\n'
                if edited else "")
    page = f"""<!doctype html>
<html lang="{a.language}"><head><meta charset="utf-8">
<title>{escape(a.title)} | {escape(o.name)}</title>
<meta property="og:title" content="{escape(a.title)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="{escape(o.name)}">
<meta property="og:url" content="{escape(url)}">
<meta property="article:published_time" content="{to_iso(a.published)}">
{mod_meta}<meta name="author" content="{escape(a.author)}">
<link rel="canonical" href="{escape(url)}">
</head><body>
<header><a href="/">{escape(o.name)}</a> <nav><a href="/">{home}</a></nav></header>
<main><article>
<h1>{escape(a.title)}</h1>
<p class="byline">{escape(a.author)}, <time datetime="{to_iso(a.published)}">{a.published:%d.%m.%Y %H:%M}</time> · {upd}: {day:%d.%m.%Y} {(a.published.hour + 1) % 24:02d}:{a.published.minute:02d}</p>
{counter}
{paras}
<p>{read}</p>
<ul>{related}</ul>
</article></main>
<footer><p>© {escape(o.name)} 2026</p></footer>
</body></html>
"""
    return page, modified


def not_found_page(o: DemoOutlet) -> str:
    lang = o.languages[0][0]
    title, home = _LABELS[lang][3], _LABELS[lang][4]
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{title} | {escape(o.name)}</title></head><body>"
            f'<header><a href="/">{escape(o.name)}</a></header><main><h1>{title}</h1>'
            f'<p><a href="/">{home}</a></p></main></body></html>')


def home_page(o: DemoOutlet, live: list[DemoArticle]) -> str:
    lang = o.languages[0][0]
    items = "".join(
        f'<li><a href="{escape(a.path)}">{escape(a.title)}</a> '
        f'<time datetime="{to_iso(a.published)}">{a.published:%d.%m %H:%M}</time></li>'
        for a in reversed(live[-sc.HOME_ITEMS:]))
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(o.name)}</title></head><body><header><h1>{escape(o.name)}</h1>"
            f'</header><main><ul class="latest">{items}</ul></main>'
            f'<footer><a href="/search?q=">search</a></footer></body></html>')


def recent(live: list[DemoArticle], now: datetime) -> list[DemoArticle]:
    """What a feed lists: the last FEED_DAYS days, newest first, at most FEED_MAX_ITEMS."""
    lo = now - timedelta(days=sc.FEED_DAYS)
    return [a for a in reversed(live) if a.published >= lo][:sc.FEED_MAX_ITEMS]


def feed_xml(o: DemoOutlet, live: list[DemoArticle], now: datetime) -> tuple[str, datetime]:
    """RSS 2.0 or Atom of the last FEED_DAYS days (newest first), and its last change."""
    items = recent(live, now)
    last = items[0].published if items else sc.START
    if o.feed == "atom":
        entries = "".join(
            f"<entry><title>{xml_escape(a.title)}</title>"
            f'<link rel="alternate" href="{xml_escape(o.base + a.path)}"/>'
            f"<id>{xml_escape(o.base + a.path)}</id><published>{to_iso(a.published)}</published>"
            f"<updated>{to_iso(a.published)}</updated>"
            f"<summary>{xml_escape(a.paragraphs[0][0])}</summary></entry>" for a in items)
        return ('<?xml version="1.0" encoding="utf-8"?>'
                f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{xml_escape(o.name)}</title>'
                f'<id>{o.base}/</id><link href="{o.base}/"/><updated>{to_iso(last)}</updated>'
                f"{entries}</feed>"), last
    entries = "".join(
        f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(o.base + a.path)}</link>"
        f'<guid isPermaLink="true">{xml_escape(o.base + a.path)}</guid>'
        f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
        f"<description>{xml_escape(a.paragraphs[0][0])}</description></item>" for a in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{xml_escape(o.name)}</title><link>{o.base}/</link>"
            f"<description>{xml_escape(o.name)}</description>"
            f"<lastBuildDate>{format_datetime(last, usegmt=True)}</lastBuildDate>"
            f"{entries}</channel></rss>"), last


def sitemap_xml(o: DemoOutlet, live: list[DemoArticle]) -> tuple[str, datetime]:
    """A urlset of ``live`` articles; lastmod is the publication time (edits are stealthy)."""
    urls = "".join(f"<url><loc>{xml_escape(o.base + a.path)}</loc>"
                   f"<lastmod>{to_iso(a.published)}</lastmod></url>" for a in live)
    last = live[-1].published if live else sc.START
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'), last


def sitemap_index_xml(o: DemoOutlet, months: list[tuple[str, datetime]]) -> tuple[str, datetime]:
    """An index of monthly sitemaps: (``YYYY-MM``, last change) per month."""
    maps = "".join(f"<sitemap><loc>{o.base}/sitemaps/{m}.xml</loc>"
                   f"<lastmod>{to_iso(t)}</lastmod></sitemap>" for m, t in months)
    last = max((t for _, t in months), default=sc.START)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}'
            "</sitemapindex>"), last
