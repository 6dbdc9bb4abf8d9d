"""``untold collect``: discover and fetch new articles of a study's outlets.

Stages, per run:

1. Sync the study's outlets into the archive.
2. Recover: pages fetched (and archived) by a run that was killed before they
   were extracted are extracted now from their WARC records, not re-fetched.
3. Discover, per outlet and concurrently: feeds (conditional requests), then
   sitemaps (the study's, else those robots.txt lists; conditional requests at
   the roots), else bounded link discovery from the home page. New URLs enter
   the frontier (a table: the resume point). Each listing fetch, answered or
   failed, is recorded with the span of time it lists (``collect.listings``):
   the days of each outlet untold observed.
4. Fetch the frontier's new URLs politely (the fetcher archives every response
   and failure to WARC before returning); each capture is recorded and the URL
   marked ``fetched`` in one transaction.
5. Extract in worker processes and store articles in batches (dedupe, index,
   near-duplicate links); the URL is then ``done``.

Nothing is fetched twice: a URL leaves ``new`` only with its capture stored.
A failure is recorded as a capture with its failure string; failed URLs are
tried again by a later run, at most ``store.sqlite.store.MAX_FETCH_ATTEMPTS`` times.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from untold.collect.aio import all_or_first_error, cleanup
from untold.collect.extractjob import ExtractJob, run_extract_job, worker_pool
from untold.collect.fetcher import Fetcher, site_matcher
from untold.collect.listings import FEED_UNREADABLE, listing_time, observe, sitemap_walk_state
from untold.collect.runlock import RunLock
from untold.collect.warcwriter import WarcWriter, read_record
from untold.config import Study
from untold.errors import FeedError, SitemapError, UntoldError
from untold.extract.dates import with_listing
from untold.extract.titles import refresh_outlet_titles
from untold.models import (
    FetchResult,
    FrontierEntry,
    ListingObservation,
    NewArticle,
    Outlet,
    capture_record,
)
from untold.store.base import Store
from untold.timeutil import TIME, Stamp, from_iso, listing_stamp, outlet_timezone, zone

__all__ = ["CollectStats", "collect"]

STORE_BATCH = 50  # articles per write transaction: short locks, few commits


@dataclass
class CollectStats:
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    articles_new: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    source_errors: list[str] = field(default_factory=list)
    queued: int = 0

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


Progress = Callable[[CollectStats, str], None]



class _Collector:
    def __init__(self, study: Study, store: Store, fetcher: Fetcher, pool: ProcessPoolExecutor,
                 stats: CollectStats, progress: Progress | None) -> None:
        self.study = study
        self.store = store
        self.fetcher = fetcher
        self.pool = pool
        self.stats = stats
        self.progress = progress
        self.pending_store: list[tuple[str, NewArticle]] = []  # (frontier url, article)
        # listings with undated items (home page links): (observation id, their URLs),
        # their span widened from the articles' times once those are fetched
        self.undated: list[tuple[int, list[str]]] = []

    def _tick(self, what: str) -> None:
        if self.progress:
            self.progress(self.stats, what)

    def _fail(self, failure: str) -> None:
        self.stats.failures[failure] = self.stats.failures.get(failure, 0) + 1

    async def _fetch(self, url: str, outlet: Outlet, kind: str, **kw: object) -> FetchResult:
        """Fetch ``url`` (over http too when the study allows and https fails at the
        TLS layer). Attempts before the last are stored here as captures, so the failed
        https attempt is kept as evidence; the last is returned for the caller to store."""
        *before, last = await self.fetcher.fetch_with_fallback(url, **kw)
        for res in before:
            self.store.add_capture(capture_record(res, outlet.id, kind))
            self._fail(res.failure or f"http_{res.status}")
        return last

    async def _fetch_source(self, url: str, outlet: Outlet, kind: str) -> FetchResult:
        """Fetch a feed/sitemap with a conditional request; its body is to be read only
        when ``_readable`` (not unchanged, not failed)."""
        etag, last_mod = self.store.source_state(url)
        res = await self._fetch(url, outlet, kind, etag=etag, last_modified=last_mod)
        self.store.add_capture(capture_record(res, outlet.id, kind))
        self.store.set_source_state(
            url, outlet.id, kind, etag=res.headers.get("etag"),
            last_modified=res.headers.get("last-modified"), status=res.status,
            failure=res.failure,
        )
        if res.failure:
            self._fail(res.failure)
            self.stats.source_errors.append(f"{url}: {res.failure}")
        elif res.not_modified:
            self.stats.not_modified += 1
        elif not res.ok:
            self._fail(f"http_{res.status}")
            self.stats.source_errors.append(f"{url}: HTTP {res.status}")
        return res

    def _observed(self, obs: ListingObservation, undated: list[str] | None = None) -> None:
        oid = self.store.add_listing_observation(obs)
        if undated:
            self.undated.append((oid, undated))

    def resolve_listings(self) -> None:
        """Date the spans of listings with undated items from their fetched articles."""
        for oid, urls in self.undated:
            self.store.resolve_listing_span(oid, urls)
        self.undated = []

    def _belongs(self, url: str, outlet: Outlet) -> bool:
        host = urlsplit(url).hostname or ""
        owner = self.study.outlet_for_host(host)
        return owner is not None and owner.id == outlet.id

    async def discover(self, outlet: Outlet) -> None:
        from untold.collect import feeds, links, sitemaps

        found: list[FrontierEntry] = []
        for feed_url in outlet.feeds:
            res = await self._fetch_source(feed_url, outlet, "feed")
            if not _readable(res):
                self._observed(observe(res, outlet.id, "feed", url=feed_url))
                continue
            try:
                entries = feeds.parse_feed(res.body, source=feed_url, headers=res.headers)
            except FeedError as exc:
                self.stats.source_errors.append(str(exc))
                self._observed(observe(res, outlet.id, "feed", url=feed_url,
                                       failure=FEED_UNREADABLE))
                continue
            self._observed(observe(res, outlet.id, "feed", url=feed_url,
                                   times=[e.published for e in entries]),
                           [e.url for e in entries if e.published is None])
            found += [_listed(e.url, outlet, "feed", e.published, e.published_text, e.title)
                      for e in entries]

        roots = list(outlet.sitemaps)
        if not roots and not outlet.feeds:
            try:
                roots = await self.fetcher.robots_sitemaps(outlet.home_url)
            except UntoldError as exc:
                self.stats.source_errors.append(str(exc))
        if roots:
            first = set(roots)
            told: set[str] = set()  # roots _fetch_source has accounted for already
            walk: list[tuple[str, FetchResult]] = []  # each file's fetch: the observation

            async def fetch_map(url: str) -> bytes | None:
                if url in first:
                    res = await self._fetch_source(url, outlet, "sitemap")
                    walk.append((url, res))
                    if not _readable(res):  # unchanged since the last run (304), or its
                        told.add(url)  # failure was reported there: not "fetch failed" again
                        return None
                    return res.body
                res = await self._fetch(url, outlet, "sitemap")
                walk.append((url, res))
                self.store.add_capture(capture_record(res, outlet.id, "sitemap"))
                if not res.ok:
                    self._fail(res.failure or f"http_{res.status}")
                    return None
                return res.body

            try:
                entries_sm, errors = await sitemaps.walk_sitemaps(
                    roots, fetch_map, max_depth=self.study.collect.sitemap_max_depth,
                    max_urls=self.study.collect.sitemap_max_urls)
            except SitemapError as exc:
                entries_sm, errors = [], [(roots[0], str(exc))]
            self.stats.source_errors += [f"{u}: {m}" for u, m in errors if u not in told]
            found += [_listed(e.url, outlet, "sitemap", *((e.news_published, e.news_published_text)
                                                          if e.news_published else
                                                          (e.lastmod, e.lastmod_text)),
                              e.news_title) for e in entries_sm]
            if walk:
                failure, truncated = sitemap_walk_state(walk, errors)
                times = [e.news_published or e.lastmod for e in entries_sm]
                at = min(listing_time(r.fetched_at, r.headers) for _, r in walk)
                dated = [t for t in times if t is not None]
                if truncated and dated:  # the unread rest may be newer: up to what was read
                    at = min(at, max(dated))
                self._observed(observe(walk[0][1], outlet.id, "sitemap", url=roots[0],
                                       times=times, failure=failure, listed_at=at),
                               [e.url for e in entries_sm
                                if e.news_published is None and e.lastmod is None])

        if not outlet.feeds and not roots and self.study.collect.link_discovery_pages > 0:
            # off-site redirects are not followed: their links are not the outlet's
            res = await self._fetch(outlet.home_url, outlet, "home",
                                    site=site_matcher(outlet.domains))
            self.store.add_capture(capture_record(res, outlet.id, "home"))
            if res.ok:
                urls = links.article_links(res.body, base_url=res.final_url,
                                           domains=outlet.domains)
                found += [FrontierEntry(u, outlet.id, "links") for u in urls]
                # links carry no time: the span comes from their articles once fetched
                self._observed(observe(res, outlet.id, "home", url=outlet.home_url,
                                       times=[None] * len(urls)), list(urls))
            else:
                self._fail(res.failure or f"http_{res.status}")
                self._observed(observe(res, outlet.id, "home", url=outlet.home_url))

        found = [f for f in found if self._belongs(f.url, outlet)]
        known = self.store.known_article_urls(f.url for f in found)
        new = self.store.add_to_frontier(f for f in found if f.url not in known)
        self.stats.discovered += new
        self._tick(f"discovered {outlet.id}")

    async def fetch_pending(self, outlet: Outlet) -> None:
        todo = self.store.pending(outlet.id, self.study.collect.max_articles_per_outlet)
        self.stats.queued += len(todo)
        await all_or_first_error(self._fetch_article(outlet, e) for e in todo)

    async def _fetch_article(self, outlet: Outlet, entry: FrontierEntry) -> None:
        # a redirect off the outlet's domains is recorded (redirect_off_site), its
        # target never fetched nor stored as this outlet's article
        res = await self._fetch(entry.url, outlet, "article", site=site_matcher(outlet.domains))
        # the capture and the URL's new state in one transaction: nothing fetched twice
        cap_id = self.store.add_capture(capture_record(res, outlet.id, "article"),
                                        frontier=(entry.url, "fetched" if res.ok else "failed"))
        self.stats.fetched += 1
        if not res.ok:
            self._fail(res.failure or f"http_{res.status}")
            self._tick("fetch")
            return
        job = ExtractJob(url=res.final_url, body=res.body, headers=res.headers,
                         languages=outlet.languages, timezone=outlet_timezone(outlet))
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.pool, run_extract_job, job)
        self._handle_extracted(entry, outlet, cap_id, res, result)

    def _handle_extracted(self, entry: FrontierEntry, outlet: Outlet, cap_id: int,
                          res: FetchResult, result: object) -> None:
        article = getattr(result, "article", None)
        if article is None:
            reason = getattr(result, "skipped", None) or "no_article"
            self.stats.skipped[reason] = self.stats.skipped.get(reason, 0) + 1
            self.store.mark_frontier(entry.url, "skipped", cap_id)
        else:
            if entry.source in ("feed", "sitemap") and entry.published_hint is not None:
                # the page's date and the listing's, by precision (a bare day never
                # replaces the listing's time of day)
                hint = Stamp(entry.published_hint, entry.hint_precision or TIME)
                article = with_listing(article, hint, entry.source,
                                       zone(outlet_timezone(outlet)))
            self.pending_store.append((entry.url, NewArticle(
                article=article, outlet_id=outlet.id, capture_id=cap_id,
                fetched_at=res.fetched_at, sha256=res.sha256,
                published_hint=entry.published_hint)))
            if len(self.pending_store) >= STORE_BATCH:
                self.flush()
        self._tick("fetch")

    def flush(self) -> None:
        if not self.pending_store:
            return
        batch, self.pending_store = self.pending_store, []
        outcomes = self.store.add_articles([a for _, a in batch])
        for (url, item), out in zip(batch, outcomes, strict=True):
            if out.outcome == "new":
                self.stats.articles_new += 1
                if out.near_duplicate_of is not None:
                    self.stats.near_duplicates += 1
            else:
                self.stats.duplicates += 1
            self.store.mark_frontier(url, "done", item.capture_id)

    async def recover(self) -> None:
        """Extract pages a killed run fetched but never stored (no re-fetch)."""
        rows = self.store.fetched_unstored()
        loop = asyncio.get_running_loop()
        for url, outlet_id, cap in rows:
            try:
                headers, body = read_record(self.study.warc_dir, cap)
            except UntoldError as exc:
                self.stats.source_errors.append(f"{url}: cannot re-read capture: {exc}")
                self.store.mark_frontier(url, "new", None)
                continue
            outlet = next((o for o in self.study.outlets if o.id == outlet_id), None)
            langs = outlet.languages if outlet else ()
            job = ExtractJob(url=url, body=body, headers=headers, languages=langs,
                             timezone=outlet_timezone(outlet))
            result = await loop.run_in_executor(self.pool, run_extract_job, job)
            res = FetchResult(url=url, final_url=url, status=200, headers=headers, body=b"",
                              fetched_at=from_iso(cap["fetched_at"]) or cap["fetched_at"],
                              sha256=cap["sha256"])
            # as found (feed, sitemap...), with the listing's date
            entry = self.store.frontier_entry(url) or FrontierEntry(url, outlet_id, "recover")
            if outlet is not None:
                self._handle_extracted(entry, outlet, cap["id"], res, result)
        self.flush()


async def collect_async(study: Study, store: Store, *, outlets: Sequence[str] = (),
                        progress: Progress | None = None,
                        transport: httpx.AsyncBaseTransport | None = None,
                        workers: int | None = None,
                        clock: Callable[[], datetime] | None = None) -> CollectStats:
    """One collection pass, holding the study's collect lock (``runlock``).
    ``clock`` dates the fetches (a simulated clock; default the wall clock)."""
    with RunLock(study.archive_dir, "collect"):
        return await _collect_locked(study, store, outlets=outlets, progress=progress,
                                     transport=transport, workers=workers, clock=clock)


async def _collect_locked(study: Study, store: Store, *, outlets: Sequence[str],
                          progress: Progress | None,
                          transport: httpx.AsyncBaseTransport | None,
                          workers: int | None,
                          clock: Callable[[], datetime] | None = None) -> CollectStats:
    stats = CollectStats()
    store.sync_outlets(study.outlets)
    chosen = [o for o in study.outlets if not outlets or o.id in outlets]
    run_id = store.start_run("collect")
    warc = WarcWriter(study.warc_dir)
    workers = workers or min(2, os.cpu_count() or 1)
    try:
        with worker_pool(workers) as pool:
            async with Fetcher(study.fetch, warc, transport=transport,
                               clock=clock) as fetcher:
                col = _Collector(study, store, fetcher, pool, stats, progress)
                await col.recover()
                await all_or_first_error(col.discover(o) for o in chosen)
                await all_or_first_error(col.fetch_pending(o) for o in chosen)
                col.flush()
                col.resolve_listings()
                # each outlet's title template, learned from its titles, off its titles
                refresh_outlet_titles(store, [o.id for o in chosen])
    finally:
        failing = sys.exc_info()[1] is not None
        with cleanup(failing):
            warc.close()
        with cleanup(failing):
            store.finish_run(run_id, stats.as_dict())
    return stats


def _listed(url: str, outlet: Outlet, source: str, at: datetime | None, text: str,
            title: str | None) -> FrontierEntry:
    """A URL a feed or sitemap lists, with its date read by precision and zone (a time
    written without a zone is the outlet's wall clock, not UTC)."""
    hint = listing_stamp(at, text, zone(outlet_timezone(outlet)))
    return FrontierEntry(url, outlet.id, source, hint.at if hint else None, title,
                         hint.precision if hint else "")


def _readable(res: FetchResult) -> bool:
    """A listing answered with a body to read (not failed, not an unchanged 304)."""
    return res.failure is None and res.ok and not res.not_modified


def collect(study: Study, store: Store, **kw: object) -> CollectStats:
    """Run one collection pass (see the module docstring for the stages)."""
    return asyncio.run(collect_async(study, store, **kw))  # type: ignore[arg-type]
