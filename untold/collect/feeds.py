"""Parse an RSS 0.9x/1.0/2.0 or Atom feed into article entries.

A pure function over fetched bytes: no network, no file access (the body is
handed to feedparser as a stream, never as a string it might take for a URL
or a path).

Pipeline of :func:`parse_feed`:

1. Decode: BOM, then strict UTF-8, then the declared charset (HTTP header or
   XML declaration), then charset detection. A feed whose declaration is wrong
   (cp1251 bytes labelled utf-8, UTF-8 bytes labelled windows-1251) is read
   as what it really is, and re-encoded as UTF-8 with a matching declaration.
   The DOCTYPE is dropped, so no entity is declared (billion laughs, XXE).
2. Parse with feedparser; relative links resolve against the feed URL (or its
   ``Content-Location``) and any ``xml:base``.
3. Build :class:`FeedEntry` records: absolute http(s) URL without fragment,
   plain-text title and summary, publication time in UTC; entries without a
   usable link are dropped and repeated URLs are kept once.
4. Judge: entries built -> accepted, even when feedparser flags the feed as
   malformed ("bozo": undefined entity, mislabelled encoding, truncation after
   some items); a well-formed feed with no items -> ``[]``; anything else ->
   :class:`FeedError` saying what the body looks like instead (HTML page,
   JSON, sitemap, binary, truncated XML...).
"""

from __future__ import annotations

import calendar
import html
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
from charset_normalizer import from_bytes

from untold.errors import FeedError

__all__ = ["FeedEntry", "parse_feed"]

# Bytes of the body looked at to guess what a non-feed is (HTML, JSON...).
SNIFF_BYTES = 4096
# Share of control bytes above which a body is "binary", not text: text has none but \t\r\n.
BINARY_CONTROL_RATIO = 0.05
# Bytes handed to charset detection: enough for a reliable guess, bounded time on big feeds.
DETECT_BYTES = 200_000

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]+)([\"'])")
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_TAG = re.compile(r"<[^<>]*>")  # [^<>]: a run of "<" without ">" costs linear time
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_SUBSET_END = re.compile(r"\]\s*>")
_SPACE = re.compile(r"\s+")
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_FEED_LINK = re.compile(
    rb"<link\b[^<>]{0,1000}?type\s*=\s*[\"']application/(?:rss|atom)\+xml[\"'][^<>]{0,1000}>",
    re.I)  # bounded repeats: an HTML error page must not cost quadratic time
_HREF = re.compile(rb"href\s*=\s*[\"']([^\"']+)[\"']", re.I)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: where the article is and what the feed says of it."""

    url: str  # absolute http(s) URL, fragment removed
    title: str  # plain text ("" when the feed gives none)
    published: datetime | None  # UTC-aware; published, else updated, else None
    summary: str  # plain text, tags removed, whitespace collapsed
    # the date as the feed wrote it: its precision (a bare day?) and zone (none: the
    # outlet's wall clock, which feedparser took as UTC) are read from it downstream
    published_text: str = field(default="", compare=False)


def parse_feed(
    body: bytes, *, source: str, headers: Mapping[str, str] | None = None
) -> list[FeedEntry]:
    """Entries of the feed in ``body`` fetched from ``source``.

    ``headers`` are the HTTP response headers (any case); ``Content-Type``'s
    charset and ``Content-Location`` are used. Raises :class:`FeedError` when
    the body is not a feed.
    """
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    if not body.strip():
        raise FeedError("is empty, not a feed", source=source, hint="check the feed URL")
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    obvious = head[:1] in (b"{", b"[") or _root_name(head) == "html"  # skip feedparser's work
    utf8 = None if obvious else _to_utf8(body, hdrs.get("content-type", ""))
    if utf8 is None:
        raise FeedError(_looks_like(body, source), source=source, hint=_hint(body, source))
    base = urljoin(source, hdrs.get("content-location", ""))
    parsed_headers = {
        # Sniffing, not the server's label, decided this is XML: feedparser flags a feed
        # served as text/html or text/plain as broken and would turn an empty feed into an error.
        "content-type": "application/xml; charset=utf-8",
        "content-location": base,
    }
    if "content-language" in hdrs:
        parsed_headers["content-language"] = hdrs["content-language"]
    result = feedparser.parse(io.BytesIO(utf8), response_headers=parsed_headers)
    out: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in result.get("entries") or []:
        url = _entry_url(entry, base)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append(FeedEntry(
            url=url,
            title=_plain(entry.get("title", "")),
            published=_entry_time(entry),
            summary=_plain(entry.get("summary", "")),
            published_text=_entry_time_text(entry),
        ))
    if not out and (result.get("bozo") or not result.get("version")):
        # Malformed, or well-formed but not a feed: nothing usable was salvaged.
        raise FeedError(_looks_like(body, source, result), source=source,
                        hint=_hint(body, source))
    return out  # may be [] for a well-formed feed with no items right now


# -- stage 1: decoding -------------------------------------------------------


def _to_utf8(body: bytes, content_type: str) -> bytes | None:
    """``body`` as UTF-8 with its XML declaration saying so; None for binary data."""
    text = _decode(body, content_type)
    if text is None:
        return None
    data = _strip_doctype(text.lstrip("\ufeff")).encode("utf-8")
    # The declaration must agree with the bytes feedparser sees, or it re-guesses.
    return _XML_DECL.sub(rb"\g<1>utf-8\g<3>", data, count=1)


def _strip_doctype(text: str) -> str:
    """Drop the DOCTYPE and its internal subset: feeds need none, and entity
    declarations there are how billion-laughs and XXE documents attack."""
    first = _FIRST_ELEMENT.search(text)
    prologue_end = first.start() if first else len(text)
    start = text.upper().find("<!DOCTYPE", 0, prologue_end)
    if start < 0:
        return text
    close = text.find(">", start)
    bracket = text.find("[", start, close if close >= 0 else prologue_end)
    if bracket >= 0:  # an internal subset: it ends at "]" then ">" (found in linear time)
        m = _SUBSET_END.search(text, bracket)
        close = m.end() - 1 if m else -1
    if close < 0:
        return text  # unterminated: the XML parser will reject it on its own
    return text[:start] + text[close + 1:]


def _decode(body: bytes, content_type: str) -> str | None:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
                       (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if body.startswith(bom):
            return body.decode(codec, "replace")
    if body.startswith(b"<\x00?\x00"):
        return body.decode("utf-16-le", "replace")
    if body.startswith(b"\x00<\x00?"):
        return body.decode("utf-16-be", "replace")
    if _is_binary(body):
        return None
    # Valid UTF-8 with non-ASCII bytes is almost never a legacy encoding by
    # chance, so it wins over a declaration (servers often label UTF-8 cp1251).
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for name in _declared(body, content_type):
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(body[:DETECT_BYTES]).best()
    return body.decode(best.encoding if best else "cp1251", "replace")


def _declared(body: bytes, content_type: str) -> list[str]:
    names = []
    m = _HTTP_CHARSET.search(content_type)
    if m:
        names.append(m.group(1))
    d = _XML_DECL.match(body[:SNIFF_BYTES])
    if d:
        names.append(d.group(2).decode("ascii"))
    return [n for n in names if n.lower().replace("_", "-") not in ("utf-8", "utf8")]


def _is_binary(body: bytes) -> bool:
    head = body[:SNIFF_BYTES]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return controls > len(head) * BINARY_CONTROL_RATIO


# -- stage 4: what a non-feed looks like -----------------------------------


def _looks_like(body: bytes, source: str, result: Any = None) -> str:
    head = body[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    low = head.lower()
    if body.startswith(b"\x1f\x8b"):
        return "is gzip-compressed data, not a feed"
    if _is_binary(body):
        return "is binary data, not a feed"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low[:1024] \
            or b"<body" in low or b"<head" in low:
        return "is an HTML page, not a feed"
    if head[:1] in (b"{", b"["):
        try:
            json.loads(body)
        except ValueError:
            return "looks like truncated or malformed JSON, not a feed"
        return "is JSON, not an RSS or Atom feed"
    if head[:1] == b"<":
        root = _root_name(head)
        if root in ("urlset", "sitemapindex"):
            return f"is a sitemap (<{root}>), not a feed"
        if root and root not in ("rss", "feed", "rdf", "channel"):
            return f"is an XML document with root <{root}>, not an RSS or Atom feed"
        problem = _bozo_text(result)
        return f"is malformed or truncated XML{': ' + problem if problem else ''}"
    return "is plain text, not a feed"


def _hint(body: bytes, source: str) -> str:
    if _root_name(body[:SNIFF_BYTES].lstrip()) in ("urlset", "sitemapindex"):
        return "list it under sitemaps, not feeds"
    advertised = _advertised_feed(body, source)
    if advertised:
        return f"the page names its feed {advertised}; use that URL"
    return "check the feed URL"


def _root_name(head: bytes) -> str | None:
    """Local name of the first element, skipping the declaration, comments, doctype."""
    pos = 0
    while True:
        m = _ROOT.search(head, pos)
        if m is None:
            return None
        before = head[:m.start()]
        if before.count(b"<!--") > before.count(b"-->"):
            pos = m.end()
            continue
        return m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()


def _advertised_feed(body: bytes, source: str) -> str | None:
    m = _FEED_LINK.search(body[:200_000])
    if not m:
        return None
    href = _HREF.search(m.group(0))
    if not href:
        return None
    url = urljoin(source, html.unescape(href.group(1).decode("utf-8", "replace")))
    return url if urlsplit(url).scheme in ("http", "https") else None


def _bozo_text(result: Any) -> str:
    exc = result.get("bozo_exception") if result is not None else None
    if exc is None:
        return ""
    line = getattr(exc, "getLineNumber", None)
    text = _SPACE.sub(" ", str(getattr(exc, "getMessage", lambda: exc)())).strip()
    return f"line {line()}: {text}" if callable(line) else text


# -- stage 3: entries --------------------------------------------------------


def _entry_url(entry: Any, base: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [ln.get("href") for ln in entry.get("links", [])
                   if ln.get("rel", "alternate") == "alternate"]
    if entry.get("guidislink"):
        candidates.append(entry.get("id"))
    for raw in candidates:
        if not raw or not isinstance(raw, str):
            continue
        url, _ = urldefrag(urljoin(base, raw.strip()))
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return url
    return None


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t is None:
            continue
        try:
            # feedparser normalises to UTC struct_time; timegm keeps it UTC.
            return datetime.fromtimestamp(calendar.timegm(t), tz=UTC)
        except (OverflowError, ValueError, OSError):
            continue
    return None


def _entry_time_text(entry: Any) -> str:
    for key in ("published", "updated", "created"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:100]
    return ""


def _plain(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()
