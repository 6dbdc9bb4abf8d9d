"""What one listing fetch observed: the span of publication time it lists.

A feed holds its last N items, a sitemap (or an index of them) an archive
going further back, a home page its latest links. A listing that answered
observes the span from its oldest listed item to the listing's own time: an
article published in that span would have been listed. A listing that failed
(refused, reset, timed out, a server error, a body that is not a listing)
observes nothing. The analyses count an outlet's day as observed only when
some answered listing covered it (``untold.analyze.observed``), so a day the
outlet could not be reached is never read as a day it was silent.

The listing's time is when untold fetched it, unless the server's ``Date``
says it was made earlier (a cache's copy; the example's simulated clock): a
listing cannot show what was published after it was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from untold.models import FetchResult, ListingObservation

__all__ = ["FEED_UNREADABLE", "SITEMAP_UNREADABLE", "failure_of", "listing_time", "observe",
           "sitemap_walk_state"]

# A listing that answered with a body untold cannot read as one (an HTML page where the
# feed should be, broken XML): it lists nothing, so it observes nothing. Stable strings,
# beside the fetch failures of ``collect.failures``.
FEED_UNREADABLE = "feed_unreadable"
SITEMAP_UNREADABLE = "sitemap_unreadable"

# A Date this far ahead of untold's clock is the server's clock running fast: the
# listing was made no later than it was fetched, so the fetch time stands.
MAX_CLOCK_AHEAD = timedelta(minutes=5)

# What a sitemap walk's messages (``sitemaps.walk_sitemaps``) say of its span. Harmless:
# an index listing itself, entries without a usable loc. Truncating: the walk read the
# newest part only (budget, depth, the protocol's limit, a file that breaks off). Any
# other message is a file that could not be fetched or read: the walk observed nothing,
# since the days that file lists are unknown.
_WALK_HARMLESS = ("sitemap index loop", "entries without a usable")
_WALK_TRUNCATING = ("stopped at max_urls", "child sitemaps not read", "lists more than",
                    "XML breaks off")


def listing_time(fetched_at: datetime, headers: dict[str, str],
                 newest: datetime | None = None) -> datetime:
    """When the listing was made: the fetch time, bounded by an earlier ``Date``.

    A ``Date`` is used only when it is sane: readable, with a zone, not after the
    fetch (beyond clock skew). A listing shows items up to the time it was made,
    so a ``Date`` older than its newest item is raised to that item's time.
    """
    raw = headers.get("date") or headers.get("Date")
    if not raw:
        return fetched_at
    try:
        date = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return fetched_at
    if date.tzinfo is None or date > fetched_at + MAX_CLOCK_AHEAD:
        return fetched_at
    if newest is not None and newest <= fetched_at:
        date = max(date, newest)
    return min(date, fetched_at)


def sitemap_walk_state(fetches: Sequence[tuple[str, FetchResult]],
                       errors: Sequence[tuple[str, str]]) -> tuple[str | None, bool]:
    """(failure, truncated) of one walk of an outlet's sitemaps, from each file's
    (URL, fetch) and the walk's messages. A root unchanged since the last walk (304)
    is no failure."""
    for _, res in fetches:
        if (failure := failure_of(res)) is not None:
            return failure, False
    unchanged = {url for url, r in fetches if r.not_modified}
    truncated = False
    for url, message in errors:
        if any(m in message for m in _WALK_HARMLESS):
            continue
        if any(m in message for m in _WALK_TRUNCATING):
            truncated = True
        elif not (url in unchanged and message == "fetch failed"):
            return SITEMAP_UNREADABLE, False
    return None, truncated


def failure_of(res: FetchResult) -> str | None:
    """The stable failure string of a listing fetch that observed nothing, else None
    (an answer with content, or a 304 that stands for the last one read)."""
    if res.failure:
        return res.failure
    if res.not_modified or res.ok:
        return None
    return f"http_{res.status}"


def observe(res: FetchResult, outlet_id: str, kind: str, *, url: str | None = None,
            times: Iterable[datetime | None] = (), failure: str | None = None,
            listed_at: datetime | None = None) -> ListingObservation:
    """The observation of one listing fetch, from its result and its items' times
    (``None`` for an item without one). ``failure`` overrides an answered fetch
    whose body could not be read as a listing."""
    failure = failure or failure_of(res)
    items = list(times)
    dated = [t for t in items if t is not None]
    newest = max(dated) if dated else None
    at = listed_at or listing_time(res.fetched_at, res.headers, newest)
    if failure:
        return ListingObservation(outlet_id, url or res.url, kind, res.fetched_at, at,
                                  ok=False, failure=failure)
    return ListingObservation(outlet_id, url or res.url, kind, res.fetched_at, at, ok=True,
                              not_modified=res.not_modified, items=len(items),
                              undated=len(items) - len(dated),
                              oldest=min(dated) if dated else None, newest=newest)
