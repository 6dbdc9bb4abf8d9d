"""What ecosystem 2's outlets serve: article pages, home pages, feeds, sitemaps.

Pure functions of the ecosystem, an article and the clock. Every generated
string is escaped before it enters markup. Seven page layouts (``style``)
share nothing but the text: an agency site with a date-only ``<time>``, a
JSON-LD site, an old table layout with only a visible dateline, a local
paper with zone-less local times, a WordPress-like blog, a portal with a view
counter inside the article body, a magazine with a subscription line. How a
page states its date is the outlet's ``dates`` (``DATE_KINDS``); its
``<title>`` carries the site name as the outlet's ``title_format`` says.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2.generator import Article, Ecosystem, local_time
from tests.support.ecosystem2.scenario import EcoOutlet

__all__ = ["DATE_KINDS", "article_page", "feed_xml", "gone_page", "home_page",
           "not_found_page", "outage_page", "sitemap_index_xml", "sitemap_xml", "views"]

DATE_KINDS = ("day_only", "jsonld", "dateline", "meta_local", "meta_utc", "meta_offset",
              "time_offset")
HOME_ITEMS = 30  # headlines on a home page (link discovery reads these)
VIEWS_PER_HOUR = 7  # the counter outlet's views grow this fast, so every revisit differs

_MONTHS = {
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
           "қыркүйек", "қазан", "қараша", "желтоқсан"),
    "ky": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
           "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "en": ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec."),
}
_LABELS = {  # home, latest, not found, gone, unavailable, views
    "ru": ("Главная", "Последние новости", "Страница не найдена", "Материал удален",
           "Сервис временно недоступен", "Просмотров"),
    "kk": ("Басты бет", "Соңғы жаңалықтар", "Бет табылмады", "Материал жойылды",
           "Қызмет уақытша қолжетімсіз", "Қаралым"),
    "ky": ("Башкы бет", "Акыркы жаңылыктар", "Барак табылган жок", "Материал өчүрүлдү",
           "Кызмат убактылуу жеткиликсиз", "Көрүлдү"),
    "en": ("Home", "Latest news", "Page not found", "This article has been removed",
           "Service temporarily unavailable", "Views"),
}


def _iso(t: datetime) -> str:
    """ISO 8601 with the zone as ``t`` carries it (``Z`` for UTC)."""
    s = t.replace(microsecond=0).isoformat()
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def _words_date(lang: str, t: datetime) -> str:
    m = _MONTHS[lang][t.month - 1]
    if lang == "en":
        return f"{m} {t.day}, {t.year}"
    if lang == "ky":
        return f"{t.day}-{m}, {t.year}"
    return f"{t.day} {m} {t.year}"


def views(a: Article, now: datetime) -> int:
    """The counter outlet's view count of ``a`` at ``now``: grows every hour."""
    hours = max(0, int((now - a.published).total_seconds() // 3600))
    base = int(hashlib.sha1(a.id.encode()).hexdigest()[:4], 16) % 400 + 50
    return base + hours * VIEWS_PER_HOUR


def _date_markup(o: EcoOutlet, a: Article) -> tuple[str, str]:
    """(markup in <head>, markup in the article header) stating the publication time."""
    loc = local_time(o, a.published)
    lang = a.language
    if o.dates == "day_only":
        return "", (f'<time itemprop="datePublished" datetime="{loc:%Y-%m-%d}">'
                    f"{_words_date(lang, loc)}</time>")
    if o.dates == "jsonld":
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
              "datePublished": _iso(loc), "inLanguage": lang,
              "author": {"@type": "Person", "name": a.author},
              "publisher": {"@type": "Organization", "name": o.name}}
        head = ('<script type="application/ld+json">'
                + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/") + "</script>")
        shown = (f"{_words_date(lang, loc)}" if lang == "en" else f"{loc:%d.%m.%Y} | {loc:%H:%M}")
        return head, f'<span class="date">{escape(shown)}</span>'
    if o.dates == "dateline":
        return "", f'<p class="date">Опубликовано: {loc:%d.%m.%Y, %H:%M}</p>'
    if o.dates == "meta_local":
        return (f'<meta property="article:published_time" content="{loc:%Y-%m-%dT%H:%M:%S}">',
                f'<div class="dateline">{loc:%d.%m.%Y, %H:%M}</div>')
    if o.dates == "meta_offset":
        return (f'<meta property="article:published_time" content="{_iso(loc)}">',
                f'<div class="material__date">{_words_date(lang, loc)}, {loc:%H:%M}</div>')
    if o.dates == "time_offset":
        return "", f'<time datetime="{_iso(loc)}">{loc:%d.%m.%Y %H:%M}</time>'
    utc = _iso(a.published)  # meta_utc
    return (f'<meta property="article:published_time" content="{utc}">',
            f'<span class="posted-on">{_words_date(lang, loc)}, {loc:%H:%M}</span>')


def _paragraphs(a: Article, now: datetime) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in a.text(now).split("\n\n"))


def _related(eco: Ecosystem, a: Article) -> str:
    links = [eco.by_id[r] for r in a.related]
    return "".join(f'<li><a href="{escape(b.path)}">{escape(b.title)}</a></li>' for b in links)


def article_page(eco: Ecosystem, a: Article, now: datetime) -> tuple[str, datetime | None]:
    """(HTML, Last-Modified or None) of ``a`` as served at ``now``."""
    o = eco.outlet(a.outlet_id)
    url = o.base + a.path
    edited = a.edited_at is not None and now >= a.edited_at
    head_date, shown_date = _date_markup(o, a)
    title = escape(o.title_format.format(title=a.title))
    h1 = escape(a.title)
    body = _paragraphs(a, now)
    if o.boilerplate:
        body += f'\n<p class="subscribe">{escape(o.boilerplate)}</p>'
    home, latest = _LABELS[a.language][:2]
    head = (f'<!DOCTYPE html>\n<html lang="{a.language}"><head><meta charset="utf-8">\n'
            f"<title>{title}</title>\n"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<link rel="canonical" href="{escape(url)}">\n{head_date}\n')
    byline = escape(a.author)
    style = o.style
    if style == "agency":
        page = (f'{head}<meta property="og:title" content="{h1}"></head><body>'
                f'<div class="page"><div class="topbar"><a href="/">{escape(o.name)}</a></div>'
                f'<div class="content"><article class="news-item">'
                f'<h1 class="news-title">{h1}</h1><div class="news-meta">{shown_date} '
                f'<span class="author">{byline}</span></div>'
                f'<div class="news-body" itemprop="articleBody">{body}</div></article>'
                f'<aside class="latest"><h3>{latest}</h3><ul>{_related(eco, a)}</ul></aside>'
                f'</div><footer>© 2026 {escape(o.name)}</footer></div></body></html>')
    elif style == "jsonld":
        page = (f'{head}</head><body><header class="site"><a href="/">{escape(o.name)}</a>'
                f'</header><main><article><header><h1>{h1}</h1>{shown_date} '
                f'<span class="byline">{byline}</span></header>'
                f'<div class="entry-content">{body}</div></article></main>'
                f'<footer><a href="/">{home}</a></footer></body></html>')
    elif style == "table":
        page = (f'{head}</head><body><table width="100%"><tr><td class="logo">'
                f'<a href="/">{escape(o.name)}</a></td></tr><tr><td class="content">'
                f'<h2>{h1}</h2>{shown_date}{body}<p class="author">Автор: {byline}</p>'
                f'</td></tr><tr><td class="footer">© {escape(o.name)}</td></tr></table>'
                f"</body></html>")
    elif style == "local":
        page = (f'{head}</head><body><main><div class="post"><h1>{h1}</h1>{shown_date}'
                f'<div class="text">{body}</div><div class="signature">{byline}</div>'
                f'</div></main><nav><a href="/">{home}</a></nav></body></html>')
    elif style == "blog":
        page = (f'{head}</head><body class="single-post"><div id="page"><div id="primary">'
                f'<article class="post type-post"><header class="entry-header">'
                f'<h1 class="entry-title">{h1}</h1><div class="entry-meta">{shown_date} '
                f'<span class="author vcard">{byline}</span></div></header>'
                f'<div class="entry-content">{body}</div></article></div>'
                f'<div id="secondary"><a href="/">{home}</a></div></div></body></html>')
    elif style == "counter":
        label = _LABELS[a.language][5]
        counter = f'<p class="article__views">{label}: {views(a, now)}</p>'
        page = (f'{head}</head><body><div class="layout"><div class="article">'
                f'<h1 class="article__title">{h1}</h1><div class="article__meta">{shown_date}'
                f' {byline}</div><div class="article__text">{counter}{body}</div></div>'
                f'</div></body></html>')
    else:  # magazine
        page = (f'{head}</head><body><div class="wrap"><article class="material">'
                f'<div class="material__head"><h1>{h1}</h1>{shown_date}</div>'
                f'<div class="material__body">{body}</div>'
                f'<div class="material__author">{byline}</div></article>'
                f'<aside class="more"><ul>{_related(eco, a)}</ul></aside></div></body></html>')
    if o.style == "counter":
        return page, None  # a dynamic page: the portal sends no Last-Modified
    return page, (a.edited_at if edited and a.edited_at else a.published)


def _page(o: EcoOutlet, heading: str) -> str:
    lang = o.languages[0][0]
    home = _LABELS[lang][0]
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(heading)} | {escape(o.name)}</title></head><body>"
            f'<header><a href="/">{escape(o.name)}</a></header><main><h1>{escape(heading)}'
            f'</h1><p><a href="/">{home}</a></p></main></body></html>')


def not_found_page(o: EcoOutlet) -> str:
    return _page(o, _LABELS[o.languages[0][0]][2])


def gone_page(o: EcoOutlet) -> str:
    return _page(o, _LABELS[o.languages[0][0]][3])


def outage_page(o: EcoOutlet) -> str:
    return _page(o, _LABELS[o.languages[0][0]][4])


def home_page(o: EcoOutlet, live: list[Article]) -> str:
    lang = o.languages[0][0]
    items = "".join(
        f'<li><a href="{escape(a.path)}">{escape(a.title)}</a> '
        f'<span class="time">{local_time(o, a.published):%d.%m %H:%M}</span></li>'
        for a in reversed(live[-HOME_ITEMS:]))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(o.name)}</title></head><body><header><h1>{escape(o.name)}</h1>"
            f'</header><main><h2>{_LABELS[lang][1]}</h2><ul class="latest">{items}</ul></main>'
            f'<footer><a href="/search?q=">search</a></footer></body></html>')


def feed_xml(o: EcoOutlet, live: list[Article]) -> tuple[str, datetime]:
    """The outlet's RSS 2.0 or Atom feed (its ``feed_items`` newest), and its last change.
    Times carry the newsroom's own offset (``+0500``, ``+06:00`` ...)."""
    items = list(reversed(live))[:o.feed_items]
    last = items[0].published if items else sc.START
    if o.feed == "atom":
        entries = "".join(
            f"<entry><title>{xml_escape(a.title)}</title>"
            f'<link rel="alternate" href="{xml_escape(o.base + a.path)}"/>'
            f"<id>{xml_escape(o.base + a.path)}</id>"
            f"<published>{_iso(local_time(o, a.published))}</published>"
            f"<updated>{_iso(local_time(o, a.published))}</updated>"
            f"<author><name>{xml_escape(a.author)}</name></author>"
            f"<summary>{xml_escape(a.paragraphs[0][0])}</summary></entry>" for a in items)
        return ('<?xml version="1.0" encoding="utf-8"?>'
                f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{xml_escape(o.name)}</title>'
                f'<id>{o.base}/</id><link href="{o.base}/"/>'
                f"<updated>{_iso(local_time(o, last))}</updated>{entries}</feed>"), last
    entries = "".join(
        f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(o.base + a.path)}</link>"
        f'<guid isPermaLink="true">{xml_escape(o.base + a.path)}</guid>'
        f"<pubDate>{format_datetime(local_time(o, a.published))}</pubDate>"
        f"<description>{xml_escape(a.paragraphs[0][0])}</description></item>" for a in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{xml_escape(o.name)}</title><link>{o.base}/</link>"
            f"<description>{xml_escape(o.name)}</description>"
            f"<lastBuildDate>{format_datetime(local_time(o, last))}</lastBuildDate>"
            f"{entries}</channel></rss>"), last


def _lastmod(o: EcoOutlet, a: Article) -> str:
    loc = local_time(o, a.published)
    if o.lastmod == "day":
        return f"{loc:%Y-%m-%d}"
    if o.lastmod == "local":
        return f"{loc:%Y-%m-%dT%H:%M:%S}"
    return _iso(loc)


def sitemap_xml(o: EcoOutlet, live: list[Article]) -> tuple[str, datetime]:
    """A urlset of ``live``; lastmod is the publication time (the edit is stealthy)."""
    urls = "".join(f"<url><loc>{xml_escape(o.base + a.path)}</loc>"
                   f"<lastmod>{_lastmod(o, a)}</lastmod></url>" for a in live)
    last = live[-1].published if live else sc.START
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'), last


def sitemap_index_xml(o: EcoOutlet, months: list[tuple[str, datetime]]) -> tuple[str, datetime]:
    """An index of monthly sitemaps: (``YYYY-MM``, last change) per month."""
    maps = "".join(f"<sitemap><loc>{o.base}/sitemap-{m}.xml</loc>"
                   f"<lastmod>{_iso(local_time(o, t))}</lastmod></sitemap>" for m, t in months)
    last = max((t for _, t in months), default=sc.START)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}'
            "</sitemapindex>"), last
