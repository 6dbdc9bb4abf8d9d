"""Parse sitemaps (sitemaps.org, Google News, plain text) and walk index trees.

Pure over bytes: :func:`walk_sitemaps` gets its bodies from a ``fetch``
callable the caller supplies, so this module never opens a connection.

Pipeline of :func:`parse_sitemap`:

1. Unpack: gzip is recognised by its magic bytes (not the URL's ``.gz``) and
   inflated up to :data:`MAX_SITEMAP_BYTES`; a file that claims UTF-8 but is
   not (cp1251 news titles) is re-encoded from its detected charset.
2. Sniff: XML (``<``), plain text (one absolute URL per line), or something
   else (HTML page, JSON, binary: :class:`SitemapError` naming the URL).
3. Parse XML incrementally with a locked-down lxml parser: no network, no DTD
   loading, no entity expansion, libxml2's default size limits; billion-laughs
   and XXE documents therefore either fail fast or yield nothing.
4. Collect ``<url>`` entries (``loc``, ``lastmod``, Google News title,
   publication date and language) or ``<sitemap>`` children of an index,
   up to :data:`MAX_URLS_PER_SITEMAP`; an RSS/Atom feed listed as a sitemap (the
   protocol allows it) is read by :mod:`untold.collect.feeds`.
5. Report what was dropped or truncated in ``Sitemap.warnings`` instead of
   failing: a sitemap cut off mid-file still yields the URLs before the cut.

:func:`walk_sitemaps` fetches roots and children breadth-first, each URL once.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

from charset_normalizer import from_bytes
from lxml import etree

from untold.errors import FeedError, SitemapError, UntoldError

__all__ = [
    "MAX_CHILDREN_PER_INDEX",
    "MAX_SITEMAP_BYTES",
    "MAX_URLS_PER_SITEMAP",
    "Sitemap",
    "SitemapEntry",
    "parse_sitemap",
    "walk_sitemaps",
]

# sitemaps.org: a sitemap file may be at most 50 MB uncompressed; larger is refused, not read.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# sitemaps.org: at most 50,000 URLs per sitemap file; the rest is dropped with a warning.
MAX_URLS_PER_SITEMAP = 50_000
# sitemaps.org: an index lists at most 50,000 sitemaps.
MAX_CHILDREN_PER_INDEX = 50_000
# Bytes looked at to tell XML from text, HTML, JSON or binary data.
SNIFF_BYTES = 2048

_XML_KINDS = ("urlset", "sitemapindex")
_FEED_ROOTS = ("rss", "feed", "RDF")
# Bytes handed to charset detection for a mislabelled sitemap: a reliable guess in bounded time.
DETECT_BYTES = 200_000
_XML_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._:-]+)([\"'])")
_PLAIN_URL = re.compile(r"https?://[^/?#\s@]+(?:[/?][^\s#]*)?\Z", re.I)
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class SitemapEntry:
    """One page a sitemap lists. Times are UTC-aware, None when absent or unreadable."""

    url: str
    lastmod: datetime | None = None
    news_title: str | None = None  # <news:title> of a Google News sitemap
    news_published: datetime | None = None  # <news:publication_date>
    news_language: str | None = None  # <news:language>, e.g. "ru", "kk"
    # the dates as written: their precision (a bare day?) and zone (none: the outlet's
    # wall clock, taken as UTC above) are read from them downstream
    lastmod_text: str = field(default="", compare=False)
    news_published_text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap file: page entries, or child sitemaps of an index.

    ``children`` of an index are ordered newest ``lastmod`` first (undated ones
    after, in file order) so that a walk with a URL budget reads recent news.
    ``warnings`` say what was dropped: over-limit entries, bad ``loc`` values,
    a truncated file.
    """

    urls: list[SitemapEntry]
    children: list[str]
    warnings: list[str] = field(default_factory=list)


def parse_sitemap(body: bytes, *, source: str) -> Sitemap:
    """Parse one sitemap file fetched from ``source``; :class:`SitemapError` if unreadable."""
    data = _unpack(body, source)  # stage 1
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise SitemapError("is empty, not a sitemap", source=source,
                           hint="check the sitemap URL")
    if head.startswith(b"<"):
        return _parse_xml(_fix_encoding(data), source)  # stages 3-5
    if head.lower().startswith((b"http://", b"https://")):
        return _parse_text(data, source)
    raise SitemapError(f"{_looks_like(head)}, not a sitemap", source=source,
                       hint="check the sitemap URL")


# -- stage 1-2: bytes --------------------------------------------------------


def _unpack(body: bytes, source: str) -> bytes:
    if len(body) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"is larger than the {MAX_SITEMAP_BYTES // 2**20} MB sitemap limit",
                           source=source, hint="split it into files listed by a sitemap index")
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as gz:
            data = gz.read(MAX_SITEMAP_BYTES + 1)  # bounded: a gzip bomb stops here
    except (OSError, EOFError, zlib.error) as exc:
        raise SitemapError(f"is corrupt gzip data ({exc})", source=source,
                           hint="the file is damaged or truncated; fetch it again") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise SitemapError(
            f"inflates to more than the {MAX_SITEMAP_BYTES // 2**20} MB sitemap limit",
            source=source, hint="split it into files listed by a sitemap index")
    return data


def _fix_encoding(data: bytes) -> bytes:
    """Re-encode a sitemap that says (or defaults to) UTF-8 but is not, e.g. cp1251 titles."""
    decl = _XML_ENCODING.match(data[:SNIFF_BYTES])
    declared = decl.group(2).decode("ascii").lower().replace("_", "-") if decl else "utf-8"
    if declared not in ("utf-8", "utf8") or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data  # a real declaration of another encoding: libxml2 decodes it
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:DETECT_BYTES]).best()
    text = data.decode(best.encoding if best else "cp1251", "replace")
    fixed = text.encode("utf-8")
    return _XML_ENCODING.sub(rb"\g<1>utf-8\g<3>", fixed, count=1) if decl else fixed


def _looks_like(head: bytes) -> str:
    low = head.lower()
    if any(b < 32 and b not in (9, 10, 13) for b in head[:256]):
        return "is binary data"
    if head[:1] in (b"{", b"["):
        return "is JSON"
    if b"<html" in low or low.startswith(b"<!doctype html"):
        return "is an HTML page"
    return "is text that is not a list of URLs"


def _parse_text(data: bytes, source: str) -> Sitemap:
    """sitemaps.org text format: UTF-8, one absolute URL per line, nothing else."""
    urls: list[SitemapEntry] = []
    seen: set[str] = set()
    bad = over = 0
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        url = _clean_url(line, None)
        if url is None:
            bad += 1
        elif url in seen:
            continue
        elif len(urls) >= MAX_URLS_PER_SITEMAP:
            over += 1
        else:
            seen.add(url)
            urls.append(SitemapEntry(url))
    return Sitemap(urls, [], _warnings(bad, over, "URLs"))


# -- stages 3-5: XML ---------------------------------------------------------


def _parse_xml(data: bytes, source: str) -> Sitemap:
    urls: list[SitemapEntry] = []
    children: list[tuple[str, datetime | None]] = []
    seen: set[str] = set()
    kind: str | None = None
    depth = bad = over = 0
    limit = MAX_URLS_PER_SITEMAP
    warnings: list[str] = []
    events = etree.iterparse(
        io.BytesIO(data), events=("start", "end"), resolve_entities=False,
        no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False,
        remove_comments=True, remove_pis=True)
    try:
        for event, el in events:
            if event == "start":
                depth += 1
                if kind is None:
                    kind = etree.QName(el).localname
                    if kind in _FEED_ROOTS:
                        return _parse_feed_as_sitemap(data, source)
                    if kind not in _XML_KINDS:
                        raise SitemapError(_not_sitemap(kind), source=source,
                                           hint="check the sitemap URL")
                    if kind == "sitemapindex":
                        limit = MAX_CHILDREN_PER_INDEX
                continue
            depth -= 1
            if depth != 1:
                continue  # only direct children of the root are entries
            entry = _read_entry(el, source)
            el.clear()
            while el.getprevious() is not None:  # keep memory flat on 50 MB files
                del el.getparent()[0]
            if entry is None:
                bad += 1
            elif entry.url in seen:
                continue
            elif len(urls) + len(children) >= limit:
                over += 1
                break  # the protocol's limit: the rest of the file is not read
            else:
                seen.add(entry.url)
                if kind == "sitemapindex":
                    children.append((entry.url, entry.lastmod))
                else:
                    urls.append(entry)
    except etree.XMLSyntaxError as exc:
        if kind is None or not (urls or children):
            raise SitemapError(f"is not well-formed XML ({_xml_error(exc)})", source=source,
                               hint="check the sitemap URL; the server may have sent an "
                                    "error page or a truncated file") from exc
        warnings.append(f"XML breaks off ({_xml_error(exc)}); kept the "
                        f"{len(urls) + len(children)} entries before the break")
    warnings += _warnings(bad, over, "sitemaps" if kind == "sitemapindex" else "URLs", limit)
    return Sitemap(urls, _newest_first(children), warnings)


def _read_entry(el: etree._Element, source: str) -> SitemapEntry | None:
    """A ``<url>`` or ``<sitemap>`` element; None when its ``loc`` is unusable."""
    loc = lastmod = title = published = language = None
    lastmod_text = published_text = ""
    for child in el:
        name = _local(child)
        if name == "loc":
            # An entity reference or markup inside <loc> is never a real URL.
            loc = child.text if len(child) == 0 else None
        elif name == "lastmod":
            lastmod = _w3c_time(child.text)
            lastmod_text = (child.text or "").strip()[:100]
        elif name == "news":
            for sub in child.iter():
                sub_name = _local(sub)
                if sub_name == "title":
                    title = _text(sub)
                elif sub_name == "publication_date":
                    published = _w3c_time(sub.text)
                    published_text = (sub.text or "").strip()[:100]
                elif sub_name == "language":
                    language = (_text(sub) or "").lower() or None
    url = _clean_url(loc or "", source)
    if url is None:
        return None
    return SitemapEntry(url, lastmod, title, published, language, lastmod_text, published_text)


def _parse_feed_as_sitemap(data: bytes, source: str) -> Sitemap:
    from untold.collect.feeds import parse_feed

    try:
        entries = parse_feed(data, source=source)
    except FeedError as exc:
        raise SitemapError(f"is a feed that cannot be read: {exc.message}",
                           source=source, hint="check the sitemap URL") from exc
    return Sitemap([SitemapEntry(e.url, e.published, lastmod_text=e.published_text)
                    for e in entries
                    ][:MAX_URLS_PER_SITEMAP], [])


def _not_sitemap(root: str) -> str:
    if root.lower() == "html":
        return "is an HTML page, not a sitemap"
    return f"is XML with root <{root}>, not a sitemap (<urlset> or <sitemapindex>)"


def _local(el: etree._Element) -> str:
    return etree.QName(el.tag).localname if isinstance(el.tag, str) else ""


def _text(el: etree._Element) -> str | None:
    return " ".join("".join(el.itertext()).split()) or None


def _xml_error(exc: etree.XMLSyntaxError) -> str:
    line = exc.position[0] if exc.position else None
    msg = str(exc.msg or exc).split(", line")[0].strip()
    return f"line {line}: {msg}" if line else msg


def _warnings(bad: int, over: int, what: str, limit: int = MAX_URLS_PER_SITEMAP) -> list[str]:
    out = []
    if bad:
        out.append(f"{bad} entries without a usable absolute http(s) loc were skipped")
    if over:
        out.append(f"lists more than {limit:,} {what}; kept the first "
                   f"{limit:,} (the sitemaps.org limit) and ignored the rest")
    return out


def _newest_first(children: list[tuple[str, datetime | None]]) -> list[str]:
    dated = sorted((c for c in children if c[1] is not None),
                   key=lambda c: c[1] or datetime.min, reverse=True)
    return [u for u, _ in dated] + [u for u, t in children if t is None]


def _clean_url(text: str, source: str | None) -> str | None:
    """Absolute http(s) URL without fragment, or None.

    A relative ``loc`` resolves against the sitemap's URL ``source``; with
    ``source=None`` (text sitemaps) only absolute URLs are accepted.
    """
    text = text.strip()
    if _PLAIN_URL.match(text):
        return text  # the common case, without urllib's cost (50,000 per file)
    if not text or _SPACE.search(text):
        return None
    relative = not urlsplit(text).scheme
    url, _ = urldefrag(urljoin(source, text) if source and relative else text)
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _w3c_time(text: str | None) -> datetime | None:
    """W3C Datetime (YYYY, YYYY-MM, YYYY-MM-DD, full ISO 8601) or RFC 822, as UTC."""
    value = (text or "").strip()
    parsers: tuple[Callable[[str], datetime], ...] = (
        lambda v: datetime.fromisoformat(v.replace("Z", "+00:00").replace("z", "+00:00")),
        lambda v: datetime.strptime(v, "%Y-%m"),
        lambda v: datetime.strptime(v, "%Y"),
        parsedate_to_datetime,
    )
    for parse in parsers if value else ():
        try:
            dt = parse(value)
        except (TypeError, ValueError, IndexError):
            continue
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return None


# -- walking an index tree ---------------------------------------------------


async def walk_sitemaps(
    roots: list[str],
    fetch: Callable[[str], Awaitable[bytes | None]],
    *,
    max_depth: int,
    max_urls: int,
) -> tuple[list[SitemapEntry], list[tuple[str, str]]]:
    """Page entries of the sitemap trees under ``roots``, and (url, message) errors.

    Breadth-first: roots are depth 1, their children depth 2, ...; a sitemap
    deeper than ``max_depth`` is not fetched. Each URL is fetched once, so a
    self-listing index or a cycle (A -> B -> A) ends, and is reported. The walk
    stops once ``max_urls`` distinct page URLs are collected. ``fetch`` returns
    the body or None when it failed; an :class:`UntoldError` it raises, or one
    sitemap that does not parse, becomes an error entry and the walk goes on.
    """
    entries: list[SitemapEntry] = []
    errors: list[tuple[str, str]] = []
    seen_urls: set[str] = set()
    parent: dict[str, str | None] = {}
    queue: deque[tuple[str, int]] = deque()
    for root in roots:
        key = urldefrag(root)[0]
        if key not in parent:
            parent[key] = None
            queue.append((key, 1))
    while queue:
        url, depth = queue.popleft()
        if len(entries) >= max_urls:
            errors.append((url, f"stopped at max_urls={max_urls}; this and "
                                f"{len(queue)} more queued sitemaps were not read"))
            break
        try:
            body = await fetch(url)
        except UntoldError as exc:
            errors.append((url, str(exc)))
            continue
        if body is None:
            errors.append((url, "fetch failed"))
            continue
        try:
            sitemap = parse_sitemap(body, source=url)
        except SitemapError as exc:
            errors.append((url, exc.message))
            continue
        errors += [(url, w) for w in sitemap.warnings]
        for entry in sitemap.urls:
            if entry.url in seen_urls:
                continue
            if len(entries) >= max_urls:
                errors.append((url, f"stopped at max_urls={max_urls}; the rest of this "
                                    f"sitemap and {len(queue)} queued sitemaps were not read"))
                return entries, errors
            seen_urls.add(entry.url)
            entries.append(entry)
        _enqueue_children(url, depth, sitemap.children, parent, queue, errors,
                          max_depth=max_depth)
    return entries, errors


def _enqueue_children(
    url: str, depth: int, children: list[str], parent: dict[str, str | None],
    queue: deque[tuple[str, int]], errors: list[tuple[str, str]], *, max_depth: int,
) -> None:
    too_deep = 0
    for child in children:
        if child in parent:
            if _is_ancestor(child, url, parent):
                errors.append((url, f"sitemap index loop: lists {child}, which is itself or "
                                    f"an index above it; each sitemap is read once"))
            continue  # a sitemap listed by two indexes is read once, silently
        if depth + 1 > max_depth:
            too_deep += 1
            continue
        parent[child] = url
        queue.append((child, depth + 1))
    if too_deep:
        errors.append((url, f"{too_deep} child sitemaps not read: deeper than "
                            f"max_depth={max_depth}"))


def _is_ancestor(candidate: str, url: str, parent: dict[str, str | None]) -> bool:
    node: str | None = url
    while node is not None:
        if node == candidate:
            return True
        node = parent.get(node)
    return False
