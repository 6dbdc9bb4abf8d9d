"""Articles dropped from their outlet's feed or sitemap while the URL still answers.

Each revisit pass fetches the feeds and sitemaps of the outlets it tracks
(with its own conditional-request state, so ``untold collect`` still sees
every change) and records which URLs each listing names, and when.

Feeds roll over: a new item pushes the oldest out, and that is not hiding
anything. So an article counts as *delisted* from a feed only when the feed
still names an older item; from a sitemap (which lists an archive, not a
window), dropping is enough. A tracked article that is ``live`` and delisted
gets a deletion event of kind ``delisted``; named again, a ``relisted``
restoration. An article already known deleted (404 ...) is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from untold.collect import feeds, sitemaps
from untold.collect import revisit_classify as R
from untold.collect.revisit_pass import RevisitPass
from untold.errors import UntoldError
from untold.models import EditEvent, Outlet, capture_record
from untold.timeutil import to_iso

__all__ = ["check_listings"]


async def _fetch_listing(rev: RevisitPass, outlet: Outlet, url: str,
                         kind: str) -> list[tuple[str, str | None]] | None:
    """The (url, published) entries a listing names now; None when unknown this pass."""
    store = rev.store
    etag, last_mod = store.listing_fetch_state(url)
    res = await rev.fetcher.fetch(url, etag=etag, last_modified=last_mod)
    when = to_iso(rev.clock()) or ""
    cap = capture_record(res, outlet.id, f"revisit_{kind}")
    if res.not_modified:
        store.add_capture(cap)
        store.touch_listing(url, when)
        return None  # unchanged: nothing dropped
    if not res.ok:
        store.add_capture(cap)
        return None  # a listing we could not read says nothing about its articles
    try:
        if kind == "feed":
            got = [(e.url, to_iso(e.published)) for e in
                   feeds.parse_feed(res.body, source=url, headers=res.headers)]
        else:
            root = res.body

            async def fetch_map(u: str) -> bytes | None:
                if u == url:
                    return root
                r = await rev.fetcher.fetch(u)
                store.add_capture(capture_record(r, outlet.id, "revisit_sitemap"))
                return r.body if r.ok else None

            entries, errors = await sitemaps.walk_sitemaps(
                [url], fetch_map, max_depth=rev.study.collect.sitemap_max_depth,
                max_urls=rev.study.collect.sitemap_max_urls)
            if errors:
                store.add_capture(cap)
                return None  # part of the tree unread: absence would prove nothing
            got = [(e.url, to_iso(e.news_published or e.lastmod)) for e in entries]
    except UntoldError:
        store.add_capture(cap)
        return None  # an unparsable listing proves nothing either way
    store.record_listing(url, kind, when, got, etag=res.headers.get("etag"),
                         last_modified=res.headers.get("last-modified"), capture=cap)
    return got


def _older_still_listed(entry: tuple[str, str | None, str, str], current: set[str],
                        rows: list[tuple[str, str | None, str, str]]) -> bool:
    """Whether a feed still names an item older than the dropped ``entry`` (no rollover)."""
    _, pub, first, _ = entry
    for u, p, f, _last in rows:
        if u not in current:
            continue
        if pub and p and p < pub:
            return True
        if not (pub and p) and f < first:
            return True
    return False


async def _one_listing(rev: RevisitPass, outlet: Outlet, url: str, kind: str) -> None:
    got = await _fetch_listing(rev, outlet, url, kind)
    if got is None:
        return
    store = rev.store
    now_s = to_iso(rev.clock()) or ""
    current = {u for u, _ in got}
    rows = store.listing_entries(url)
    tracked = store.tracked_by_urls(r[0] for r in rows)
    for row in rows:
        t = tracked.get(row[0])
        if t is None or t.outlet_id != outlet.id:
            continue  # not tracked, or another outlet's page (uncurated: never judged)
        listed = row[0] in current
        if listed and t.state == "delisted":
            ev = EditEvent(t.article_id, t.outlet_id, "restoration", "relisted", now_s,
                           R.RELIST_RULE, R.RULES_VERSION, after=t.state_since,
                           detail={"listing": url, "listing_kind": kind})
            t.state, t.state_since, t.deletion_kind = "live", now_s, None
            store.set_listing_state(t, [ev])
            rev.stats.restorations += 1
        elif not listed and t.state == "live" and (
                kind == "sitemap" or _older_still_listed(row, current, rows)):
            ev = EditEvent(t.article_id, t.outlet_id, "deletion", "delisted", now_s,
                           R.DELETION_RULES["delisted"], R.RULES_VERSION, after=row[3],
                           from_version=t.version,
                           detail={"listing": url, "listing_kind": kind,
                                   "url_last_answered": t.last_checked or t.first_seen})
            t.state, t.state_since, t.deletion_kind = "delisted", now_s, "delisted"
            store.set_listing_state(t, [ev])
            rev.stats.deletions += 1


async def check_listings(rev: RevisitPass, outlets: Sequence[str] = ()) -> None:
    """Fetch every listing of the tracked outlets and judge what was dropped."""
    for o in rev.study.outlets:
        if outlets and o.id not in outlets:
            continue
        for url in o.feeds:
            await _one_listing(rev, o, url, "feed")
        for url in o.sitemaps:
            await _one_listing(rev, o, url, "sitemap")
