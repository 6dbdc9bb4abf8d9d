"""When a page was published and last modified: structured metadata first.

Pipeline of :func:`page_dates` (one lxml tree, read, never changed):

1. JSON-LD: ``datePublished`` (else ``dateCreated``) and ``dateModified`` of the
   page's article node (``NewsArticle``, ``Article``, ``BlogPosting``... in a
   list or an ``@graph`` too; the shallowest, first one), else of a ``WebPage``
   node; dates of other nodes (an image, a print issue, a related item list
   deeper down) are not the article's;
2. ``<meta>``: ``article:published_time``, ``itemprop=datePublished``,
   ``og:published_time``, ``parsely-pub-date``, ``sailthru.date``, Dublin Core,
   ``pubdate`` ... and their ``modified`` counterparts, kept apart;
3. ``<time datetime>`` (and other microdata ``datePublished``) in the article:
   marked ones first (``itemprop``, ``pubdate``, a "published" or "updated"
   class, on it or its wrapper), then the first one; never one in a
   related-story list, an aside, a caption, a footer or the site's header
   (today's date); skipped when 1-2 gave a timed Open Graph or JSON-LD date,
   which nothing here outranks;
4. only when 1-3 state no publication date: the article's visible date line
   (``<span class="date">1 октября 2026 г., 09:15</span>``, source ``text``);
   then htmldate's answer (original date) on a copy of the page without
   related stories, asides, captions, navigation and the site header, so its
   "oldest date anywhere on the page" pass cannot pick them; rejected when it
   is just the modified time; then a date in the URL.

The best-ranked candidate wins, except that a day-only one gives way to a
candidate with a time of day on the same day: a bare date never replaces a
time. Each date keeps its source (``jsonld``, ``meta``, ``time``, ``text``,
``htmldate``, ``url``) and precision (``time`` or ``day``); a time without a
zone is read in the outlet's zone (:mod:`untold.timeutil`).

:func:`combine` (:func:`with_listing` for an extracted article) then combines the
page's date with the time the feed or sitemap gave for the URL, by precision.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from untold.models import ExtractedArticle
from untold.timeutil import DAY, TIME, Stamp, local_day, parse_stamp, to_iso

__all__ = [
    "STRUCTURED_SOURCES",
    "DateValue",
    "ListingDate",
    "PageDates",
    "combine",
    "page_dates",
    "url_date",
    "with_listing",
]

# What the page states as data about itself, as opposed to what a heuristic read off it.
STRUCTURED_SOURCES = frozenset({"jsonld", "meta", "time"})

# Nodes beyond this many in one page's JSON-LD are not read: a real article has dozens.
MAX_JSONLD_NODES = 2000
# JSON-LD blocks larger than this are data dumps (product catalogues), not page metadata.
MAX_JSONLD_CHARS = 500_000
# What htmldate is asked for: time and zone, not just the day.
HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# A date line longer than this is a sentence or a block, not "01.10.2026, 09:15".
MAX_DATE_TEXT = 80
# Two stated times this close are the same statement (rounding, seconds dropped).
MAX_SAME_SECONDS = 120
# Feed and page that disagree by more than this many days: one of them is not the
# publication (a print issue, an update, a re-listing); the page's own metadata wins.
MAX_AGREEING_DAYS = 1

# Candidate tiers (lower wins): how directly each kind of metadata states *publication*.
_T_JSONLD_ARTICLE = 0
_T_META_OG = 1  # article:published_time: the Open Graph article property
_T_MICRODATA = 2  # itemprop=datePublished, <time pubdate>
_T_META_NAMED = 3  # parsely, sailthru, pubdate and friends
_T_TEXT = 4  # the article's visible date line, when it states a time of day
_T_JSONLD_PAGE = 5  # a WebPage node's dates: often the page's, sometimes the site's
_T_TIME_CLASS = 6  # <time class="published">
_T_META_LOOSE = 7  # Dublin Core, citation_*, a bare "date"
_T_TIME_FIRST = 8  # the first <time> in the article, or in a date/byline box

_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle",
    "askpublicnewsarticle", "satiricalarticle", "liveblogposting", "socialmediaposting",
    "techarticle", "scholarlyarticle", "report", "advertisercontentarticle",
    "discussionforumposting", "posting", "claimreview"})
# A page node, or a bare creative work (a video page's VideoObject): below the article.
_PAGE_TYPES = frozenset({"webpage", "itempage", "mediapage", "qapage", "faqpage",
                         "creativework", "videoobject", "review"})
# Keys under which a node holds the page's own nodes (others hold other things).
_ENTITY_KEYS = ("@graph", "mainEntity", "mainEntityOfPage")
_JSONLD_PUBLISHED = ("datePublished", "dateCreated")
_JSONLD_MODIFIED = ("dateModified",)

_META_PUBLISHED: dict[str, int] = {
    **dict.fromkeys(("article:published_time", "og:article:published_time",
                     "article:published", "og:article:published"), _T_META_OG),
    **dict.fromkeys(("datepublished",), _T_MICRODATA),
    **dict.fromkeys((
        "og:published_time", "og:pubdate", "og:publish_date", "og:datepublished",
        "parsely-pub-date", "sailthru.date", "published_time", "publish_time", "publish-date",
        "publish_date", "publishdate", "published-date", "published_date", "publisheddate",
        "publication_date", "date_published", "pubdate", "rnews:datepublished", "bt:pubdate",
        "cxenseparse:recs:publishtime", "mediator_published_time", "article.published",
        "article_date_original", "originalpublicationdate", "dcsext.articlefirstpublished",
        "shareaholic:article_published_time", "twt-published-at", "vr:published_time",
        "article:post_date", "article:published_date", "article:publicationdate",
        "analyticsattributes.articledate", "dateposted", "displaydate", "ptime", "pdate",
        "og:question:published_time"), _T_META_NAMED),
    **dict.fromkeys((
        "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc:date",
        "dc.date.created", "dcterms.created", "dc.created", "dc:created", "date",
        "citation_publication_date", "citation_online_date", "citation_date", "created",
        "datecreated", "date_created", "article.created", "content_create_date"),
        _T_META_LOOSE),
}
_META_MODIFIED: dict[str, int] = {
    **dict.fromkeys(("article:modified_time", "og:article:modified_time", "article:modified",
                     "og:updated_time", "og:modified_time"), _T_META_OG),
    **dict.fromkeys(("datemodified", "dateupdate"), _T_MICRODATA),
    **dict.fromkeys((
        "modified_time", "updated_time", "article:modified_date", "article:post_modified",
        "bt:moddate", "revision_date", "modificationdate", "lastmodified", "last-modified",
        "lastmod", "modified", "utime", "parsely-updated", "sailthru.lastmodified",
        "dc.modified", "dcterms.modified", "dc.date.modified"), _T_META_NAMED),
}
_META_KEYS = ("property", "name", "itemprop", "http-equiv")

# Containers whose dates are not the article's: other stories, pictures, page furniture.
_OFF_TAGS = frozenset({"aside", "nav", "footer", "figure", "figcaption", "blockquote"})
# Class or id words (split at anything not a letter or digit) of such containers.
_OFF_WORDS = frozenset({
    "more", "also", "latest", "next", "other", "others", "promo", "teaser", "teasers",
    "credit", "credits", "readmore", "readnext", "lenta", "newsfeed", "newsline", "today",
    "clock", "weather", "сегодня"})
_OFF_PREFIXES = ("relat", "recommend", "similar", "popular", "sidebar", "widget", "comment",
                 "caption", "trending", "gallery", "похож", "читайте", "популяр", "последн")
_WORD_SPLIT = re.compile(r"[^\w]+|_")
# A <header> alone may be the site's (with today's date in it): only inside these.
_IN_ARTICLE_TAGS = frozenset({"article", "main"})
# Whose class lists describe the page or the post (WordPress: "offcanvas-sidebar-mobile",
# "category-popular"), not a part of it: never read as a related box.
_LAYOUT_TAGS = frozenset({"html", "body", "article", "main"})
# The site's header (logo, menu, today's date), not the article's.
_SITE_HEADER = re.compile(r"site|masthead|top|global|main-header|page-header|navbar")
# A box whose dates are the article's: its byline, dateline, "meta" or "info" line.
_DATE_CONTEXT = re.compile(r"date|time|byline|publi|posted|meta|info|stamp", re.I)
# How many wrappers up a <time>'s class hints are read ("published" > "date" > <time>).
CONTEXT_LEVELS = 3
_MODIFIED_HINT = re.compile(r"modif|updat|edited|changed|обновл|изменен|жаңартыл", re.I)
_PUBLISHED_HINT = re.compile(r"publi|pubdate|posted|created|опублик|жарияла", re.I)
# Elements whose text may be the article's date line (class or id says so, or a
# <time> without a machine-readable datetime).
_TEXT_XPATH = (
    "//*[contains(@class,'date') or contains(@class,'Date') or contains(@class,'time') "
    "or contains(@class,'publ') or contains(@class,'posted') or contains(@class,'byline') "
    "or contains(@id,'date') or contains(@id,'time')][not(self::meta or self::script)]"
    " | //time[not(@datetime)]")
_MICRODATA_XPATH = ("//*[@itemprop='datePublished' or @itemprop='dateModified' or "
                    "@itemprop='dateCreated'][not(self::meta or self::time)]")
# Where a label or a byline ends and the date begins: " - ", " | ", "Published: ".
_LINE_SEPARATOR = re.compile(r"\s+[-–—|·•]\s+|\s*\|\s*|(?<=\D):\s*")
_URL_MONTH_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})/(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"/(?P<d>0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)", re.I)
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/_-]?(?P<m>0[1-9]|1[0-2])[/_-]?(?P<d>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)", re.I)
_JSON_DATE_FALLBACK = re.compile(
    r'"(datePublished|dateModified|dateCreated)"\s*:\s*"([^"]{4,40})"')


@dataclass(frozen=True)
class DateValue:
    """A date the page (or a listing) states, read, with where it came from."""

    at: datetime  # aware UTC; for precision "day", 00:00 UTC of the stated day
    precision: str  # "time" | "day"
    source: str  # jsonld | meta | time | htmldate | url | feed | sitemap
    zoned: bool = True  # the value named its zone; False: read in the outlet's zone

    @classmethod
    def of(cls, stamp: Stamp, source: str) -> DateValue:
        return cls(stamp.at, stamp.precision, source, stamp.zoned)

    def describe(self) -> str:
        when = to_iso(self.at) or ""
        return f"{self.source} {when[:10] if self.precision == DAY else when}"


@dataclass(frozen=True)
class PageDates:
    published: DateValue | None = None
    modified: DateValue | None = None


@dataclass(frozen=True)
class ListingDate:
    """The outcome of combining the page's date with a listing's (``combine``)."""

    published: DateValue | None
    disagreement: str = ""  # "page meta 2026-10-01 vs feed 2026-10-05T08:00:00Z", or ""


@dataclass(frozen=True)
class _Candidate:
    tier: int
    order: int
    value: DateValue


# -- collecting candidates ---------------------------------------------------


@lru_cache(maxsize=8)
def _xpath(expr: str) -> Any:
    """``expr`` compiled once per process (not at import)."""
    from lxml import etree

    return etree.XPath(expr)



def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return {_SCHEMA_PREFIX.sub("", t).lower() for t in items if isinstance(t, str)}


def _first_text(value: Any, depth: int = 0) -> str | None:
    """A date field's text: a string, the first of a list, an ``@value`` object."""
    if isinstance(value, str):
        return value
    if depth > 3:
        return None
    if isinstance(value, list):
        for v in value[:10]:
            got = _first_text(v, depth + 1)
            if got:
                return got
    if isinstance(value, dict):
        return _first_text(value.get("@value"), depth + 1)
    return None


def _walk(data: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(depth, node) of the page's own nodes: top-level objects (in a list or an
    ``@graph`` too) and what they name as their ``mainEntity``. Nodes further down
    (``itemListElement``, ``relatedLink``, ``isPartOf``, ``image``...) describe other
    things: a related story, a print issue, a photo."""
    queue: deque[tuple[int, Any]] = deque([(0, data)])
    seen = 0
    while queue and seen < MAX_JSONLD_NODES:
        depth, item = queue.popleft()
        seen += 1
        if isinstance(item, list):
            queue.extend((depth, v) for v in item)
        elif isinstance(item, dict):
            yield depth, item
            for key in _ENTITY_KEYS:
                v = item.get(key)
                if isinstance(v, list | dict):
                    queue.append((depth if key == "@graph" else depth + 1, v))


def _jsonld(tree: Any, tz: tzinfo, out_pub: list[_Candidate],
            out_mod: list[_Candidate]) -> None:
    order = 0
    for script in tree.iterfind(".//script[@type]"):
        if script.get("type", "").split(";")[0].strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        if not text or len(text) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(text.removeprefix("<!--").removesuffix("-->"), strict=False)
        except (ValueError, RecursionError):  # RecursionError: [[[[... nested on purpose
            # broken JSON (trailing commas, raw newlines): its date fields are still data
            for m in _JSON_DATE_FALLBACK.finditer(text):
                stamp = parse_stamp(m[2], tz)
                if stamp is not None:
                    order += 1
                    cand = _Candidate(_T_JSONLD_PAGE, order, DateValue.of(stamp, "jsonld"))
                    (out_mod if m[1] == "dateModified" else out_pub).append(cand)
            continue
        for depth, node in _walk(data):
            types = _types(node)
            if types & _ARTICLE_TYPES:
                tier = _T_JSONLD_ARTICLE
            elif types & _PAGE_TYPES:
                tier = _T_JSONLD_PAGE
            else:
                continue  # an image, a person, a print issue, an event: not the article's
            for keys, out in ((_JSONLD_PUBLISHED, out_pub), (_JSONLD_MODIFIED, out_mod)):
                for key in keys:
                    stamp = parse_stamp(_first_text(node.get(key)), tz)
                    if stamp is not None:
                        order += 1
                        # shallower nodes first: a related article sits deeper
                        out.append(_Candidate(tier, depth * 10_000 + order,
                                              DateValue.of(stamp, "jsonld")))
                        break


def _off_article(el: Any) -> bool:
    """Inside a related-story list, an aside, a caption, a footer...?"""
    for anc in el.iterancestors():
        tag = anc.tag if isinstance(anc.tag, str) else ""
        if tag in _OFF_TAGS:
            return True
        if tag == "li" and anc.find(".//a[@href]") is not None:
            return True  # a teaser in a list of links
        if tag == "header" and _site_header(anc):
            return True
        if tag in _LAYOUT_TAGS:
            continue  # their classes describe the page or post ("offcanvas-sidebar", tags)
        label = f"{anc.get('class', '')} {anc.get('id', '')}".strip().lower()
        if label and _off_label(label):
            return True
    return False


def _site_header(el: Any) -> bool:
    """The site's <header> (logo, menu, today's date), not the article's."""
    label = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return not _in_article(el) and (el.find(".//nav") is not None
                                    or _SITE_HEADER.search(label) is not None)


def _off_label(label: str) -> bool:
    for word in _WORD_SPLIT.split(label):
        if word in _OFF_WORDS or word.startswith(_OFF_PREFIXES):
            return True
    return False


def _in_article(el: Any) -> bool:
    return any(isinstance(a.tag, str) and a.tag in _IN_ARTICLE_TAGS for a in el.iterancestors())


def _in_head(el: Any) -> bool:
    parent = el.getparent()
    return parent is not None and parent.tag == "head"


def _meta(tree: Any, tz: tzinfo, out_pub: list[_Candidate], out_mod: list[_Candidate]) -> None:
    for order, el in enumerate(tree.iterfind(".//meta")):
        value = el.get("content") or el.get("datetime")
        if not value:
            continue
        for attr in _META_KEYS:
            key = el.get(attr)
            if not key:
                continue
            key = key.strip().lower()
            pub, mod = _META_PUBLISHED.get(key), _META_MODIFIED.get(key)
            if pub is None and mod is None:
                continue
            if attr == "itemprop" and not _in_head(el) and _off_article(el):
                break  # microdata of a related item
            stamp = parse_stamp(value, tz)
            if stamp is None:
                break
            dv = DateValue.of(stamp, "meta")
            if pub is not None:
                out_pub.append(_Candidate(pub, order, dv))
            else:
                out_mod.append(_Candidate(mod or 0, order, dv))
            break


def _context(el: Any) -> str:
    """Class and id of ``el`` and of its wrappers up to CONTEXT_LEVELS, nearest first."""
    parts = [f"{el.get('class', '')} {el.get('id', '')}"]
    for i, anc in enumerate(el.iterancestors()):
        if i >= CONTEXT_LEVELS or (isinstance(anc.tag, str) and anc.tag in _LAYOUT_TAGS):
            break
        parts.append(f"{anc.get('class', '')} {anc.get('id', '')}")
    return " ".join(parts)


def _times(tree: Any, tz: tzinfo, out_pub: list[_Candidate], out_mod: list[_Candidate]) -> None:
    first_taken = False
    # <time> elements in document order, then other microdata dates (a <span itemprop>)
    for order, el in enumerate((*tree.iter("time"), *_xpath(_MICRODATA_XPATH)(tree))):
        value = el.get("datetime") or el.get("content")
        if el.tag != "time" and not value:
            value = (el.text or "").strip()
        if not value:
            continue
        itemprop = (el.get("itemprop") or "").lower()
        # its own class, or its wrappers': <span class="updated"><time>
        label = _context(el)
        if itemprop in ("datepublished", "datecreated") or el.get("pubdate") is not None:
            kind, tier = "pub", _T_MICRODATA
        elif itemprop == "datemodified" or _MODIFIED_HINT.search(label):
            kind, tier = "mod", _T_MICRODATA if itemprop else _T_TIME_CLASS
        elif _PUBLISHED_HINT.search(label):
            kind, tier = "pub", _T_TIME_CLASS
        else:
            kind, tier = "pub", _T_TIME_FIRST
        if _off_article(el):
            continue
        if tier == _T_TIME_FIRST and (first_taken or not (_in_article(el)
                                                          or _DATE_CONTEXT.search(label))):
            continue  # only the first unmarked <time> of the article or of a date box
        stamp = parse_stamp(value, tz)
        if stamp is None:
            continue
        if tier == _T_TIME_FIRST:
            first_taken = True
        (out_pub if kind == "pub" else out_mod).append(
            _Candidate(tier, order, DateValue.of(stamp, "time")))


def _pick(cands: list[_Candidate], tz: tzinfo) -> DateValue | None:
    """The best-ranked candidate; a day-only one gives way to a timed one of its day."""
    if not cands:
        return None
    ranked = sorted(cands, key=lambda c: (c.tier, c.order))
    best = ranked[0].value
    if best.precision == DAY:
        for c in ranked[1:]:
            v = c.value
            if v.precision == TIME and local_day(v.at, TIME, tz) == best.at.date():
                return v
    return best


def url_date(url: str | None) -> DateValue | None:
    """A /2026/10/01/ (or 2026-10-01, 20261001) date in the URL's path: a day."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    scheme_end = path.find("://")
    path = path[path.find("/", scheme_end + 3):] if scheme_end >= 0 else path
    m = _URL_DATE.search(path)
    if m:
        stamp = parse_stamp(f"{m['y']}-{m['m']}-{m['d']}")
    else:
        m = _URL_MONTH_DATE.search(path)
        if not m:
            return None
        stamp = parse_stamp(f"{m['d']} {m['mon']} {m['y']}")
    return DateValue.of(stamp, "url") if stamp is not None else None


def _line_variants(text: str) -> Iterator[str]:
    """A date line and what may follow its label: "By X | <date>", "Published: <date>",
    "Published <date>"."""
    text = text.strip(" -–—|·•,;:")
    yield text
    for m in _LINE_SEPARATOR.finditer(text):
        yield text[m.end():]
    words = text.split()
    for i in range(1, min(4, len(words))):
        if any(c.isdigit() for c in words[i - 1]):
            break
        yield " ".join(words[i:])


def _read_line(text: str, tz: tzinfo) -> Stamp | None:
    for variant in _line_variants(text):
        stamp = parse_stamp(variant, tz)
        if stamp is not None:
            return stamp
    return None


def _texts(tree: Any, tz: tzinfo) -> tuple[DateValue | None, DateValue | None]:
    """The article's visible date line (``<span class="date">01.10.2026, 09:15</span>``,
    ``<time>1 октября 2026</time>`` without ``datetime``, "November 18, 2019 at 2:26 PM
    HST - Updated ..."): the first that reads as a date; publication and update apart."""
    published = modified = None
    for el in _xpath(_TEXT_XPATH)(tree):
        if published is not None and modified is not None:
            break
        text = " ".join("".join(el.itertext()).split())
        if not text or len(text) > MAX_DATE_TEXT or not any(c.isdigit() for c in text):
            continue
        if _off_article(el):
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}"
        if _MODIFIED_HINT.search(label):
            pub_part, mod_part = "", text
        else:  # "<published> - Updated <modified>" in one line
            m = _MODIFIED_HINT.search(text)
            pub_part, mod_part = (text[:m.start()], text[m.start():]) if m else (text, "")
        if published is None and pub_part:
            stamp = _read_line(pub_part, tz)
            published = DateValue.of(stamp, "text") if stamp else None
        if modified is None and mod_part:
            stamp = _read_line(mod_part, tz)
            modified = DateValue.of(stamp, "text") if stamp else None
    return published, modified


def _pruned(tree: Any) -> Any:
    """A copy of the page without what is not the article's: related lists, asides,
    captions, navigation, footers, the site header (with today's date)."""
    from copy import deepcopy

    root = deepcopy(tree)
    drop = []
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:
            continue
        if tag in _LAYOUT_TAGS or tag == "head":
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}".strip().lower()
        if (tag in _OFF_TAGS or (label and _off_label(label))
                or (tag == "header" and _site_header(el))
                or (tag == "li" and el.find(".//a[@href]") is not None)):
            drop.append(el)
    for el in drop:
        if el.getparent() is not None and hasattr(el, "drop_tree"):
            el.drop_tree()
    return root


def _htmldate(tree: Any, url: str | None) -> str | None:
    """htmldate's answer (original date) on the page without its related stories,
    captions and furniture, so its "oldest date anywhere" pass cannot pick them."""
    from htmldate import find_date

    try:
        answer: str | None = find_date(_pruned(tree), extensive_search=True,
                                       original_date=True, outputformat=HTMLDATE_FORMAT,
                                       url=url or None, deferred_url_extractor=True)
    except Exception:  # a third-party heuristic failing on a hostile page: no date
        return None
    return answer


def _conflict(cands: list[_Candidate]) -> bool:
    """Do the page's timed metadata disagree (JSON-LD against Open Graph, say)? One of
    them is then wrong, often a local time labelled UTC."""
    times = [c.value.at for c in cands if c.tier <= _T_META_NAMED and c.value.precision == TIME]
    return len(times) > 1 and (max(times) - min(times)).total_seconds() > MAX_SAME_SECONDS


def page_dates(tree: Any, *, url: str | None, tz: tzinfo, search: bool = True) -> PageDates:
    """Publication and modification dates of the page ``tree`` (see the module doc);
    ``search=False``: no htmldate (faster; a page without any date stays without)."""
    pub: list[_Candidate] = []
    mod: list[_Candidate] = []
    _jsonld(tree, tz, pub, mod)
    _meta(tree, tz, pub, mod)
    best = min(pub, key=lambda c: (c.tier, c.order), default=None)
    if best is None or best.tier > _T_META_OG or best.value.precision != TIME:
        _times(tree, tz, pub, mod)  # nothing in the article can outrank a timed og/JSON-LD
        best = min(pub, key=lambda c: (c.tier, c.order), default=None)
    conflict = _conflict(pub)
    if best is None or best.tier > _T_TEXT or best.value.precision != TIME or conflict:
        # weak or conflicting metadata: what the reader sees decides
        text_pub, text_mod = _texts(tree, tz)
        if conflict and text_pub is not None and text_pub.precision == TIME and text_pub.zoned:
            # (a zone-less line is a wall clock: it would side with a mislabelled value)
            agreeing = [c for c in pub if abs((c.value.at - text_pub.at).total_seconds())
                        <= MAX_SAME_SECONDS]
            if agreeing:
                pub = agreeing
        elif text_pub is not None:
            pub.append(_Candidate(_T_TEXT, 0, text_pub))
        if text_mod is not None:
            mod.append(_Candidate(_T_TEXT, 0, text_mod))
    published, modified = _pick(pub, tz), _pick(mod, tz)
    if published is None and search:
        from_url = url_date(url)
        published = _heuristic(_htmldate(tree, url), tz, modified)
        if from_url is not None and (published is None or local_day(
                published.at, published.precision, tz) != from_url.at.date()):
            published = from_url  # the URL's day over a guess of another day (or none)
        elif (published is not None and from_url is not None and published.precision == DAY):
            published = from_url  # htmldate read the URL: say so
    elif published is None:
        published = url_date(url)
    return PageDates(published, modified)


def _heuristic(answer: str | None, tz: tzinfo, modified: DateValue | None) -> DateValue | None:
    """htmldate's answer, unless it is the modified time again (its fallback)."""
    stamp = parse_stamp(answer, tz)
    if stamp is None or (modified is not None and modified.precision == stamp.precision
                         and modified.at == stamp.at):
        return None
    return DateValue.of(stamp, "htmldate")


# -- page and listing together -----------------------------------------------


def _days_apart(a: DateValue, b: DateValue, tz: tzinfo) -> float:
    if a.precision == TIME and b.precision == TIME:
        return abs((a.at - b.at).total_seconds()) / 86400
    return abs((local_day(a.at, a.precision, tz) - local_day(b.at, b.precision, tz)).days)


def combine(page: DateValue | None, listing: DateValue | None, tz: tzinfo) -> ListingDate:
    """The publication date from the page's and the feed's or sitemap's, by precision.

    A time is never replaced by a bare date. A page stating only the day takes the
    listing's time when it falls on that day in the outlet's zone (``tz``), or within
    a day of it (zones and midnight); farther apart, the page's own metadata wins and
    the disagreement is recorded. A date htmldate or the URL gave (not metadata)
    gives way to the listing's when they disagree by more than a day, and to its time
    on the same day.
    """
    if page is None or listing is None:
        return ListingDate(page or listing)
    apart = _days_apart(page, listing, tz)
    note = f"page {page.describe()} vs {listing.describe()}" if (
        apart > MAX_AGREEING_DAYS or (page.precision == DAY and apart >= 1)) else ""
    structured = page.source in STRUCTURED_SOURCES
    if apart > MAX_AGREEING_DAYS:
        return ListingDate(page if structured else listing, note)
    if page.precision == DAY and listing.precision == TIME:
        return ListingDate(listing, note)
    if page.precision == TIME and listing.precision == TIME and not structured:
        return ListingDate(listing, note)
    return ListingDate(page, note)


def with_listing(article: ExtractedArticle, hint: Stamp | None, source: str,
                 tz: tzinfo) -> ExtractedArticle:
    """``article`` with its publication date combined with the listing's (``combine``):
    ``hint`` is the date the feed or sitemap (``source``) gave for the URL."""
    if hint is None:
        return article
    page = None
    if article.published is not None:
        page = DateValue(article.published, article.published_precision or TIME,
                         article.published_source or "htmldate")
    got = combine(page, DateValue.of(hint, source), tz)
    if got.published is page and not got.disagreement:
        return article
    chosen = got.published
    assert chosen is not None  # one of the two was given
    extra = {**article.extra, "published_precision": chosen.precision,
             "published_source": chosen.source}
    return replace(article, published=chosen.at, published_precision=chosen.precision,
                   published_source=chosen.source, published_disagreement=got.disagreement,
                   extra=extra)
