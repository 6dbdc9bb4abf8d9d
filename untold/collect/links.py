"""Find article links on an outlet's home page (for outlets with no feed or sitemap).

Pure over the page's bytes: the caller fetched it; nothing here follows links.

Pipeline of :func:`article_links`:

1. Decode (UTF-8, else the page's ``<meta charset>``, else detection) and
   parse leniently with lxml; ``<base href>`` is honoured.
2. Resolve every ``<a href>``/``<area href>`` against the page, drop the
   fragment, keep http(s) links to the outlet itself: the host is one of
   ``domains`` or a subdomain of one (``www.`` ignored on both sides).
3. Reject what is clearly not an article (see :func:`looks_like_article`).
4. Accept what looks like an article, keep the first occurrence of each URL
   in page order, stop at ``limit``.

The heuristic (stages 3-4), on the percent-decoded path, so Cyrillic and
Kazakh slugs count like Latin ones; a leading language segment (``/ru/``,
``/kk/``, ``/en-us/``) does not count towards the path's depth:

* reject: the home page; a date archive (``/2025/10/06/``, ``/news/2025/``);
  a path segment naming a non-article page (tag,
  category, rubric, author, search, login, page, feed, rss, amp, about,
  contacts, privacy, ... in English, Russian (also transliterated) and
  Kazakh), or starting
  with ``wp-``; a static-file extension (images, css, js, pdf, xml, media...);
  a pagination query (``page=``, ``PAGEN_1=``, ``offset=``...);
* accept when any of:
  a. a date in the path followed by more path (``/2025/10/06/slug``,
     ``/news/2025-10-06/slug``, ``/2025-10-06-slug``), not a bare date archive;
  b. a numeric id of at least 4 digits that is not a year (``/a/33012345.html``,
     ``/news/612345-slug``), or an id query parameter (``?id=123``, ``?p=123``);
  c. a last segment that is a slug of at least 3 hyphen/underscore-separated
     words (4 when it is the only segment: one-segment section names are
     often 3 words long);
  d. depth of at least 2 with a long last segment (25+ characters);
  e. depth of at least 2, or a page extension (.html, .php...), with link text
     that reads like a headline (4+ words): menus use one or two words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

import lxml.html
from charset_normalizer import from_bytes
from lxml import etree

__all__ = ["article_links", "looks_like_article"]

# Default cap on links returned from one page: a home page lists far fewer articles.
DEFAULT_LIMIT = 500
# Slug words that make a last path segment an article slug (c); one fewer than a lead sentence.
SLUG_MIN_WORDS = 3
# ... when the slug is the whole path: section names like /arts-and-culture/ have 3 words.
SLUG_MIN_WORDS_TOP = 4
# Characters of a last segment that no section name reaches (d).
LONG_SEGMENT_CHARS = 25
# Words of link text that read as a headline rather than a menu item (e).
HEADLINE_MIN_WORDS = 4
# Digits of a numeric id (b); 4-digit runs that are years (1900-2099) do not count.
MIN_ID_DIGITS = 4
# Bytes handed to charset detection for a page that is not UTF-8: reliable, bounded time.
DETECT_BYTES = 200_000

# Whole path segments that name listing, account, service or static pages, never articles.
NON_ARTICLE_SEGMENTS = frozenset({
    "tag", "tags", "teg", "tegi", "tema", "temy", "topic", "topics", "category", "categories",
    "cat", "rubric", "rubrics", "rubrika", "rubriki", "section", "sections", "razdel", "author",
    "authors", "avtor", "avtory", "search", "poisk", "find", "login", "logout", "signin",
    "sign-in", "signup", "sign-up", "register", "registration", "auth", "account", "profile",
    "user", "users", "cabinet", "lk", "subscribe", "subscription", "podpiska", "feed", "feeds",
    "rss", "atom", "amp", "page", "pages", "print", "share", "about", "about-us", "contact",
    "contacts", "kontakty", "o-nas", "reklama", "advertising", "ads", "privacy", "policy",
    "terms", "agreement", "cookies", "archive", "arhiv", "calendar", "sitemap", "static",
    "assets", "media-kit", "cdn-cgi", "comments", "тег", "теги", "тема", "темы", "рубрика",
    "рубрики", "раздел", "категория", "автор", "авторы", "поиск", "вход", "регистрация",
    "подписка", "архив", "контакты", "реклама", "тақырып", "санат", "іздеу", "мұрағат",
    "байланыс"
})
# File types that are assets or documents, not article pages.
STATIC_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "avif", "css",
    "js", "mjs", "json", "xml", "rss", "atom", "txt", "pdf", "zip", "rar", "7z", "gz", "tgz",
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "mp3", "mp4", "m4a", "ogg", "wav",
    "webm", "avi", "mov", "woff", "woff2", "ttf", "eot", "apk", "exe", "dmg"
})
# Extensions of server-generated pages: with a headline they make a short path an article (e).
PAGE_EXTENSIONS = frozenset({"html", "htm", "shtml", "php", "asp", "aspx", "jsp"})
# Query keys of listing pages (Bitrix adds PAGEN_1, PAGEN_2...: matched by prefix).
PAGINATION_PARAMS = frozenset({"page", "paged", "pg", "offset", "start"})
# Query keys whose numeric value names one item (WordPress ?p=, Bitrix ?ELEMENT_ID=).
ID_PARAMS = frozenset({"id", "p", "nid", "aid", "news_id", "newsid", "article_id",
                       "articleid", "element_id", "story_id", "storyid", "item_id"})

_YEAR = r"(?:19|20)\d\d"
_DATE_SEGMENT = re.compile(  # 2025-10-06, 20251006, 06-10-2025, 06.10.2025 (+ -slug)
    rf"(?:{_YEAR}[-_.]?[01]\d[-_.]?[0-3]\d|[0-3]\d[-_.][01]\d[-_.]{_YEAR})(?![0-9])")
_YEAR_SEGMENT = re.compile(rf"{_YEAR}\Z")
_MONTH_SEGMENT = re.compile(r"(?:0?[1-9]|1[0-2])\Z")
_DIGITS = re.compile(r"(?<!\d)\d+(?!\d)")
_WORD_SPLIT = re.compile(r"[-_+]+")
# A first segment like /ru/, /kk/, /kz/, /en-us/ selects a language, not a section.
_LANG_PREFIX = re.compile(r"[a-z]{2}(?:-[a-z]{2,4})?\Z")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "whatsapp:", "tg:")


def article_links(
    html: bytes | str, *, base_url: str, domains: Sequence[str], limit: int = DEFAULT_LIMIT
) -> list[str]:
    """Same-outlet links on ``html`` (fetched from ``base_url``) that look like articles."""
    doc = _parse(html) if limit > 0 else None
    if doc is None:
        return []
    base = base_url
    for el in doc.iter("base"):
        if el.get("href"):
            base = urljoin(base_url, el.get("href", "").strip())
            break
    own = {_bare_host(d) for d in domains if d.strip()}
    out: list[str] = []
    seen: set[str] = set()
    for a in doc.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(_SKIP_SCHEMES):
            continue
        try:
            url = urldefrag(urljoin(base, href))[0]
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:  # a malformed href (bad port, bad IPv6): not a link we can use
            continue
        if url in seen or parts.scheme not in ("http", "https") or not _owned(host, own):
            continue
        if looks_like_article(url, anchor_text=a.text_content() if a.tag == "a" else ""):
            seen.add(url)
            out.append(url)
            if len(out) >= limit:
                break
    return out


def looks_like_article(url: str, *, anchor_text: str = "") -> bool:
    """The module's heuristic for one absolute URL (host not checked)."""
    parts = urlsplit(url)
    path = unquote(parts.path, errors="replace")
    segments = [s for s in path.split("/") if s]
    query = [(k.lower(), v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    lowered = [s.lower() for s in segments]
    if any(s in NON_ARTICLE_SEGMENTS or s.startswith("wp-") for s in lowered):
        return False
    if any(k in PAGINATION_PARAMS or k.startswith("pagen_") for k, _ in query):
        return False
    last, ext = _split_ext(lowered[-1]) if lowered else ("", "")
    if ext in STATIC_EXTENSIONS:
        return False
    if any(k in ID_PARAMS and v.isdigit() for k, v in query):
        return True  # (b) ?id=123, ?p=123 (WordPress), ?ELEMENT_ID=123 (Bitrix)
    if not segments or _is_date_archive(lowered):
        return False  # the home page, or a day's/month's/year's listing
    depth = len(segments) - (1 if _LANG_PREFIX.match(lowered[0]) else 0)
    return (
        _has_date_then_more(lowered)  # (a)
        or _has_numeric_id(lowered)  # (b)
        or _slug_words(last) >= (SLUG_MIN_WORDS if depth > 1 else SLUG_MIN_WORDS_TOP)  # (c)
        or (depth >= 2 and len(last) >= LONG_SEGMENT_CHARS)  # (d)
        or ((depth >= 2 or ext in PAGE_EXTENSIONS)  # (e)
            and _words(anchor_text) >= HEADLINE_MIN_WORDS)
    )


def _parse(html: bytes | str) -> etree._Element | None:
    text = html if isinstance(html, str) else _decode(html)
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return None  # libxml2 found no document at all in the bytes


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(body[:4096])
    if m:
        try:
            return body.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    best = from_bytes(body[:DETECT_BYTES]).best()
    return body.decode(best.encoding if best else "cp1251", "replace")


def _bare_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if "://" in host:
        host = urlsplit(host).hostname or ""
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _owned(host: str, own: set[str]) -> bool:
    bare = _bare_host(host)
    return any(bare == d or bare.endswith("." + d) for d in own)


def _split_ext(segment: str) -> tuple[str, str]:
    stem, dot, ext = segment.rpartition(".")
    if dot and stem and ext.isalnum() and len(ext) <= 5:
        return stem, ext
    return segment, ""


def _has_date_then_more(segments: list[str]) -> bool:
    for i, seg in enumerate(segments):
        m = _DATE_SEGMENT.match(seg)
        if m:
            rest = seg[m.end():].strip("-_.")
            if rest or i + 1 < len(segments):
                return True  # a slug follows the date (in the segment or after it)
        if (_YEAR_SEGMENT.match(seg) and i + 1 < len(segments)
                and _MONTH_SEGMENT.match(segments[i + 1])):
            j = i + 2  # /YYYY/MM/ or /YYYY/MM/DD/: is there anything after the date?
            if j < len(segments) and re.fullmatch(r"[0-3]?\d", segments[j]):
                j += 1
            if j < len(segments):
                return True
    return False


def _has_numeric_id(segments: list[str]) -> bool:
    for seg in segments:
        for run in _DIGITS.findall(seg):
            is_year = len(run) == 4 and _YEAR_SEGMENT.match(run)
            is_date = _DATE_SEGMENT.fullmatch(run)  # 20251006 is a date, not an id
            if len(run) >= MIN_ID_DIGITS and not is_year and not is_date:
                return True
    return False


def _slug_words(segment: str) -> int:
    return sum(1 for w in _WORD_SPLIT.split(segment) if w)


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def _is_date_archive(segments: list[str]) -> bool:
    """/2025/, /news/2025/10/, /2025/10/06/, /news/2025-10-06/: a listing of a period."""
    rest = list(segments)
    while rest and len(rest[-1]) <= 2 and rest[-1].isdigit():
        rest.pop()  # day and month parts
    return bool(rest) and (_YEAR_SEGMENT.match(rest[-1]) is not None
                           or (len(rest) == len(segments)
                               and _DATE_SEGMENT.fullmatch(rest[-1]) is not None))
