"""Extraction stage entry point: one fetched HTML page to one ``ExtractedArticle``.

Pipeline (each stage is its own module):

1. gate: bodies that are not HTML (by Content-Type, or by sniffing when the
   type is missing or generic) or are too large are skipped;
2. decode: bytes to text, mislabelled charsets and mojibake repaired
   (``decoding``);
3. extract: main text, title, author with trafilatura, the publication and
   modification dates from the page's metadata first (``dates``; zone-less
   times read in the outlet's zone); pages without article text, too little
   of it, or only a list of headlines are skipped (``article``);
4. canonical URL, same-site only, tracking parameters stripped (``canonical``);
5. exact and near-duplicate keys of the text (``untold.text.minhash``);
6. language from letters, detector and the outlet's declared languages
   (``language``).

``extract_page`` is a module-level function of picklable arguments, so
worker processes can run it; the only state is the lazily built, per-process
langid model and MinHash permutations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from untold.extract.article import NO_TEXT, NOT_ARTICLE, TOO_SHORT, ArticleParts, extract_article
from untold.extract.canonical import find_canonical
from untold.extract.decoding import decode_html, header_value
from untold.extract.language import detect_language
from untold.models import ExtractedArticle
from untold.text.minhash import lsh_keys, minhash_signature, normalize_text
from untold.text.textindex import index_text

__all__ = [
    "MAX_HTML_BYTES",
    "NOT_ARTICLE",
    "NOT_HTML",
    "NO_TEXT",
    "SKIP_REASONS",
    "TOO_LARGE",
    "TOO_SHORT",
    "ExtractResult",
    "PageInput",
    "extract_many",
    "extract_page",
    "is_html",
]

MAX_HTML_BYTES = 20_000_000  # trafilatura's own ceiling; a larger "page" is a dump, not an article
SNIFF_HTML_BYTES = 2048  # where an HTML document shows its first tag

NOT_HTML = "not_html"
TOO_LARGE = "too_large"
SKIP_REASONS = (NOT_HTML, TOO_LARGE, NO_TEXT, TOO_SHORT, NOT_ARTICLE)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers put on HTML by mistake (or on anything): decide by the bytes.
_SNIFF_TYPES = frozenset({"", "text/plain", "application/octet-stream", "application/xml",
                          "text/xml", "application/x-httpd-php", "unknown/unknown"})
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"\x00\x00\x00", b"OggS", b"ID3", b"BZh", b"\xfd7zXZ")
_HTML_MARKERS = (b"<html", b"<!doctype html", b"<head", b"<body", b"<meta", b"<title", b"<div",
                 b"<p>", b"<article")


@dataclass(frozen=True)
class ExtractResult:
    """An article, or the reason (one of ``SKIP_REASONS``) there is none."""

    article: ExtractedArticle | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class PageInput:
    """One page for ``extract_many``."""

    url: str
    body: bytes
    headers: Mapping[str, str] | None = None
    outlet_languages: Sequence[str] = ()
    outlet_timezone: str = ""


def is_html(body: bytes, headers: Mapping[str, str] | None) -> bool:
    """Whether the body is an HTML document (declared type, else sniffed)."""
    if body[:64].lstrip().startswith(_BINARY_MAGIC):
        return False
    media = header_value(headers, "content-type").split(";", 1)[0].strip().lower()
    if media in _HTML_TYPES:
        return True
    if media not in _SNIFF_TYPES:
        return False
    head = body[:SNIFF_HTML_BYTES].lower()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True  # a BOM on text; decoding and extraction will tell
    return any(marker in head for marker in _HTML_MARKERS)


def _article(url: str, parts: ArticleParts, page: str, extra: dict[str, str],
             outlet_languages: Sequence[str]) -> ExtractedArticle:
    canonical = find_canonical(page, url)
    extra["canonical_source"] = canonical.source
    if canonical.rejected:
        extra["canonical_rejected"] = canonical.rejected
    if canonical.claimed:
        extra["canonical_claimed"] = canonical.claimed  # untrusted: another site's URL
    if parts.sitename:
        extra["sitename"] = parts.sitename
    normalized = normalize_text(parts.text)
    lang = detect_language(parts.text, outlet_languages)
    extra["language_method"] = lang.method
    if parts.published_precision:
        extra["published_precision"] = parts.published_precision
        extra["published_source"] = parts.published_source
    return ExtractedArticle(
        url=url,
        canonical_url=canonical.url,
        title=parts.title,
        text=parts.text,
        author=parts.author,
        published=parts.published,
        language=lang.code,
        language_confidence=round(lang.confidence, 4),
        text_hash=hashlib.sha256(normalized.encode("utf-8")).hexdigest(),
        minhash=(sig := minhash_signature(normalized, normalized=True)),
        extra=extra,
        lsh=tuple(lsh_keys(sig)),
        index_title=index_text(parts.title),
        index_body=index_text(parts.text),
        published_precision=parts.published_precision,
        published_source=parts.published_source,
        modified=parts.modified,
        modified_precision=parts.modified_precision,
    )


def extract_page(*, url: str, body: bytes, headers: Mapping[str, str] | None = None,
                 outlet_languages: Sequence[str] = (), outlet_timezone: str = "") -> ExtractResult:
    """Extract one page (stages 1-6 above).

    ``body`` is the payload with transfer and content codings removed;
    ``headers`` are the HTTP response headers (any case); ``outlet_languages``
    are the outlet's declared ISO 639-1 languages, a hint for detection;
    ``outlet_timezone`` is the IANA zone the outlet's zone-less times are read in
    ("": UTC; see ``untold.timeutil.outlet_timezone``).
    """
    if not body or body.isspace():
        return ExtractResult(skipped=NO_TEXT)
    if len(body) > MAX_HTML_BYTES:
        return ExtractResult(skipped=TOO_LARGE)
    if not is_html(body, headers):
        return ExtractResult(skipped=NOT_HTML)
    decoded = decode_html(body, headers)
    parts = extract_article(decoded.text, url, timezone=outlet_timezone)
    if isinstance(parts, str):
        return ExtractResult(skipped=parts)
    return ExtractResult(article=_article(url, parts, decoded.text, decoded.as_extra(),
                                          outlet_languages))


def extract_many(items: Iterable[PageInput]) -> list[ExtractResult]:
    """``extract_page`` over several pages, in order (one worker round trip)."""
    return [extract_page(url=it.url, body=it.body, headers=it.headers,
                         outlet_languages=it.outlet_languages,
                         outlet_timezone=it.outlet_timezone) for it in items]
