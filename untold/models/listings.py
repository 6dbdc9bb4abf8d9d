"""Listings: URLs discovered in feeds, sitemaps and home pages, and what each listing
fetch observed (the span of publication time it covers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["FrontierEntry", "ListingObservation", "ListingSpan"]


@dataclass(frozen=True)
class FrontierEntry:
    """A discovered URL waiting to be (or already) fetched."""

    url: str
    outlet_id: str
    source: str  # feed | sitemap | links | manual
    published_hint: datetime | None = None
    title_hint: str | None = None
    hint_precision: str = ""  # "time" | "day" (a bare day: 00:00 UTC of it) | "" when none


@dataclass(frozen=True)
class ListingObservation:
    """One fetch of a listing (a feed, one walk of an outlet's sitemaps, a home page):
    whether it answered, and the span of publication time it lists, from its oldest
    item to the listing's own time. A failed one observes nothing."""

    outlet_id: str
    url: str
    kind: str  # feed | sitemap | home
    fetched_at: datetime
    listed_at: datetime  # the listing's time: fetched_at, or the server's earlier Date
    ok: bool
    failure: str | None = None  # stable failure string when not ok
    not_modified: bool = False  # a 304: the same listing as the last one read
    items: int = 0
    undated: int = 0  # items without a time (home page links): resolved from their articles
    oldest: datetime | None = None
    newest: datetime | None = None


@dataclass(frozen=True)
class ListingSpan:
    """A listing fetch as the analyses read it: ISO 8601 UTC strings."""

    outlet_id: str
    kind: str
    url: str
    ok: bool
    failure: str | None
    oldest: str | None  # None: the listing's items have no known time
    listed_at: str
