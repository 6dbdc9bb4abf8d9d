"""The canonical URL of a page, normalised, and never another outlet's.

Pipeline:

1. find candidates in the markup: ``<link rel="canonical">``, then
   ``<meta property="og:url">`` (a cheap tag scan, no second HTML parse);
2. resolve relative values against ``<base href>`` or the fetched URL;
3. accept a candidate only when it is http(s), on the same site (registrable
   domain) as the fetched URL, and not the site's home page standing in for
   an article (a common CMS bug); otherwise keep the fetched URL;
4. normalise with courlan: lower-case scheme and host, default port, ``//``
   and ``..`` in the path, sorted query without tracking parameters
   (utm_*, fbclid, gclid, yclid, ...), and no fragment.

A hostile page can thus not file itself under another outlet's URL; the URL
it claimed is kept apart (``claimed``), as evidence of syndication.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from untold.net.domains import registrable_domain

__all__ = [
    "CANONICAL_SCAN_CHARS",
    "CanonicalUrl",
    "find_canonical",
    "normalize_url",
    "same_site",
]

CANONICAL_SCAN_CHARS = 400_000  # canonical/og tags live in <head>; stop scanning huge bodies here
MAX_URL_CHARS = 2048  # longer "URLs" are junk or an attack on storage, not an address

# Tracking parameters courlan does not already strip (it covers utm_*, fbclid,
# gclid, yclid, mc_*, ...): Yandex/Openstat and common share markers.
_EXTRA_TRACKERS = frozenset({"_openstat", "ysclid", "from_rss", "rss_ref", "share_id"})

# Case spelled out instead of re.I so the search can skip ahead to "<" (2x faster).
_TAG_RE = re.compile(r"<([lL][iI][nN][kK]|[mM][eE][tT][aA]|[bB][aA][sS][eE])\b([^>]{0,2000})>")
_ATTR_RE = re.compile(r"""([^\s=/>"']+)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_HEAD_END_RE = re.compile(r"</[hH][eE][aA][dD]\s*>")


@dataclass(frozen=True)
class CanonicalUrl:
    url: str  # normalised
    source: str  # link | og:url | fetched
    rejected: str = ""  # why a declared canonical was not used: other_site | home_page | invalid
    claimed: str = ""  # the other site's URL a rejected canonical named (a syndication trace)


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _ATTR_RE.findall(raw):
        key = name.lower()
        if key not in out:
            out[key] = html.unescape(value.strip("\"'")) if value else ""
    return out


def _declared(page: str) -> tuple[list[tuple[str, str]], str | None]:
    """Declared canonical candidates in order of trust, and the <base href>."""
    end = _HEAD_END_RE.search(page, 0, CANONICAL_SCAN_CHARS)
    region = page[:end.end()] if end else page[:CANONICAL_SCAN_CHARS]
    links: list[tuple[str, str]] = []
    ogs: list[tuple[str, str]] = []
    base: str | None = None
    for tag, raw in _TAG_RE.findall(region):
        attrs = _attrs(raw)
        kind = tag.lower()
        if kind == "link" and "canonical" in attrs.get("rel", "").lower().split():
            if attrs.get("href"):
                links.append(("link", attrs["href"]))
        elif kind == "meta" and (attrs.get("property") or attrs.get("name", "")).lower() == "og:url":
            if attrs.get("content"):
                ogs.append(("og:url", attrs["content"]))
        elif kind == "base" and base is None and attrs.get("href"):
            base = attrs["href"]
    return links[:1] + ogs[:1], base


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def same_site(url: str, reference: str) -> bool:
    """Whether two URLs are on the same site: same registrable domain, or the
    same host where there is none (IPs, localhost; ``net.domains``)."""
    a, b = _host(url), _host(reference)
    return bool(a) and bool(b) and registrable_domain(a) == registrable_domain(b)


def normalize_url(url: str) -> str:
    """courlan's normalisation, no fragment, extra trackers dropped.

    Input that courlan cannot normalise is returned stripped but otherwise as is.
    """
    from courlan import normalize_url as courlan_normalize

    url = url.strip()
    try:
        parts = urlsplit(url)
        query = parts.query
        if query:
            kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                    if k.lower() not in _EXTRA_TRACKERS]
            query = urlencode(kept)
        return str(courlan_normalize(urlunsplit((parts.scheme, parts.netloc, parts.path,
                                                 query, ""))))
    except ValueError:
        return url


def _is_home(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def find_canonical(page: str, fetched_url: str) -> CanonicalUrl:
    """The page's canonical URL (stages 1-4 above), or the fetched URL."""
    fetched = normalize_url(fetched_url)
    candidates, base = _declared(page)
    base_url = urljoin(fetched_url, base) if base else fetched_url
    rejected = claimed = ""
    for source, value in candidates:
        try:
            absolute = urljoin(base_url, value.strip())
            scheme = urlsplit(absolute).scheme.lower()
        except ValueError:
            rejected = rejected or "invalid"
            continue
        if scheme not in ("http", "https") or len(absolute) > MAX_URL_CHARS:
            rejected = rejected or "invalid"
            continue
        if not same_site(absolute, fetched_url):
            rejected = rejected or "other_site"
            claimed = claimed or normalize_url(absolute)
            continue
        if _is_home(absolute) and not _is_home(fetched):
            rejected = rejected or "home_page"
            continue
        return CanonicalUrl(normalize_url(absolute), source, rejected, claimed)
    return CanonicalUrl(fetched, "fetched", rejected, claimed)
