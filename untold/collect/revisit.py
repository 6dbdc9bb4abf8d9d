"""``untold revisit``: fetch stored articles again, on a decaying schedule.

Stages of one pass (``revisit_async``):

1. Enroll articles of the study's outlets stored since the last pass (one per
   URL); each is first due ``schedule[0]`` after it was first fetched. Pages
   imported under uncurated outlets are not revisited.
2. Plan: the articles whose ``next_due`` has come (an indexed column, so a
   million tracked articles plan in well under a second).
3. Fetch each with a conditional request (the ETag/Last-Modified its last
   200 gave), through the same polite fetcher, which archives every attempt
   to WARC before anything is derived. A 304 costs a few hundred bytes.
4. Judge (``revisit_classify``): unreachable (network failure, 5xx,
   refusal, a redirect off the outlet's domains: never a deletion, retried
   sooner), gone (404/410/451, a redirect to the home or a section page, a
   soft 404 or the home page shown instead), unchanged, noise
   (``text.noise``), or changed: a new version.
5. Store the capture, the check, any version and events, and the schedule
   update in one transaction (``store.record_check``): a pass killed at any
   point resumes with nothing duplicated.
6. Listings (``revisit_listings``): an article dropped from its outlet's
   feed or sitemap while its URL still answers.

Time comes from ``clock`` (default: the wall clock), so tests and the demo
can run the schedule on simulated time; captures keep real fetch times. An
article's schedule starts at its first fetch, or at the clock's time when it
is enrolled if that is earlier (a simulated clock behind the collector's).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from untold.collect import revisit_classify as R
from untold.collect import revisit_sites
from untold.collect.aio import all_or_first_error, cleanup
from untold.collect.extractjob import ExtractJob, run_extract_job, worker_pool
from untold.collect.fetcher import Fetcher, SiteCheck, site_matcher
from untold.collect.revisit_listings import check_listings
from untold.collect.revisit_pass import Clock, RevisitStats
from untold.collect.runlock import RunLock
from untold.collect.warcwriter import WarcWriter
from untold.config import Study, parse_duration
from untold.extract.decoding import decode_html
from untold.extract.titles import outlet_title_stripper
from untold.models import CheckRecord, EditEvent, FetchResult, Outlet, Tracked, capture_record
from untold.store.base import Store
from untold.text.noise import mask_text, masked_hash, shingles
from untold.timeutil import from_iso, now_utc, to_iso

__all__ = ["Clock", "RevisitStats", "revisit", "revisit_async"]

CONCURRENCY = 64  # checks in flight; the fetcher's per-host limits still apply
PLAN_BATCH = 5000  # due articles loaded at a time
POOL_MIN_DUE = 200  # fewer due articles: extract in a thread, as starting worker
# processes (each loads the extractor and language models, ~2-3 s) costs more than it saves

def advance(t: Tracked, now: datetime, offsets: Sequence[float]) -> None:
    """Move ``t`` to the first schedule offset after ``now`` (missed ones are skipped)."""
    first = from_iso(t.first_seen) or now
    for i in range(t.step, len(offsets)):
        due = first + timedelta(seconds=offsets[i])
        if due > now:
            t.step, t.next_due = i, to_iso(due)
            return
    t.step, t.next_due = len(offsets), None


class Reviser:
    """One revisit pass over the due articles (the ``RevisitPass`` that
    ``revisit_listings`` and ``revisit_sites`` work in)."""

    def __init__(self, study: Study, store: Store, fetcher: Fetcher, clock: Clock,
                 stats: RevisitStats) -> None:
        self.study = study
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.stats = stats
        self.offsets = study.revisit.offsets()
        self.retry = timedelta(seconds=parse_duration(study.revisit.failure_retry))
        self.outlets = {o.id: o for o in study.outlets}
        self._pool: ProcessPoolExecutor | ThreadPoolExecutor | None = None
        self.use_processes = True
        self.site_locks: dict[str, asyncio.Lock] = {}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()

    def site(self, outlet_id: str) -> SiteCheck:
        """The hosts a revisit of ``outlet_id``'s pages may be redirected to.

        Only the study's outlets are revisited (``due_revisits``); an unknown id
        gets a test no host passes, so nothing is ever followed for it.
        """
        o = self.outlets.get(outlet_id)
        return site_matcher(o.domains if o is not None else ())

    def home_url(self, outlet_id: str, url: str) -> str:
        o: Outlet | None = self.outlets.get(outlet_id)
        if o is not None:
            return o.home_url
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/"

    def _count(self, outcome: str) -> None:
        self.stats.outcomes[outcome] = self.stats.outcomes.get(outcome, 0) + 1

    async def _extract(self, res: FetchResult, outlet_id: str) -> Any:
        if self._pool is None:
            self._pool = (worker_pool(min(4, os.cpu_count() or 1))
                          if self.use_processes else ThreadPoolExecutor(max_workers=1))
        o = self.outlets.get(outlet_id)
        job = ExtractJob(url=res.final_url, body=res.body, headers=res.headers,
                         languages=o.languages if o else ())
        return await asyncio.get_running_loop().run_in_executor(self._pool, run_extract_job,
                                                                job)

    async def site_pages(self, outlet_id: str, url: str) -> tuple[set[str] | None,
                                                                  set[str] | None]:
        """The site's not-found page and home page, as shingles (``revisit_sites``)."""
        return await revisit_sites.site_pages(self, outlet_id, url)

    async def check(self, t: Tracked) -> None:
        """Revisit one article and store everything it showed (one transaction)."""
        # an off-site redirect is a failure (redirect_off_site), never a deletion or a
        # version: the target is not fetched
        res = await self.fetcher.fetch(t.url, etag=t.etag, last_modified=t.last_modified,
                                       site=self.site(t.outlet_id))
        now = self.clock()
        now_s = to_iso(now) or ""
        cls = R.http_class(res.status, res.failure)
        rec = CheckRecord(tracked=t, capture=capture_record(res, t.outlet_id, "revisit"),
                          checked_at=now_s, outcome=cls, status=res.status,
                          failure=res.failure, final_url=res.final_url, bytes=len(res.body))
        self.stats.checked += 1
        self.stats.bytes += len(res.body)
        prev_checked, t.last_checked = t.last_checked, now_s
        if cls in ("failure", "server_error", "refused", "client_error", "redirect"):
            key = res.failure or f"http_{res.status}"
            self.stats.failures[key] = self.stats.failures.get(key, 0) + 1
            t.fail_streak += 1
            if t.fail_streak <= self.study.revisit.max_failure_retries:
                t.next_due = to_iso(now + self.retry)
            else:
                t.fail_streak = 0
                advance(t, now, self.offsets)
            self._count(cls)
            self.store.record_check(rec)
            return
        t.fail_streak = 0
        deletion: str | None = None
        if cls == "gone":
            deletion = R.GONE_STATUSES[res.status or 404]
        elif cls == "ok":
            deletion = await self._judge_page(t, res, rec)
        else:
            rec.outcome = "not_modified"
        if deletion is not None:
            rec.outcome = deletion
            if t.state != "deleted":
                after = self.store.last_check_time(t.article_id, R.LIVE_OUTCOMES) or t.first_seen
                rec.events.append(EditEvent(
                    t.article_id, t.outlet_id, "deletion", deletion, now_s,
                    R.DELETION_RULES[deletion], R.RULES_VERSION, after=after,
                    from_version=t.version,
                    detail={"status": res.status, "final_url": res.final_url,
                            "redirects": list(res.redirects)}))
                t.state, t.state_since, t.deletion_kind = "deleted", now_s, deletion
                self.stats.deletions += 1
        elif rec.outcome in R.LIVE_OUTCOMES and t.state == "deleted":
            rec.events.append(EditEvent(
                t.article_id, t.outlet_id, "restoration", "live_again", now_s,
                R.RESTORE_RULE, R.RULES_VERSION, after=prev_checked,
                detail={"deleted_since": t.state_since, "deletion_kind": t.deletion_kind}))
            t.state, t.state_since, t.deletion_kind = "live", now_s, None
            self.stats.restorations += 1
        advance(t, now, self.offsets)
        self._count(rec.outcome)
        self.store.record_check(rec)

    async def _judge_page(self, t: Tracked, res: FetchResult, rec: CheckRecord) -> str | None:
        """A 200: the deletion kind it shows, or None (then ``rec`` says what changed)."""
        deletion = await self._page_verdict(t, res, rec)
        if deletion is None and rec.outcome in R.LIVE_OUTCOMES:
            # validators and digest of the article itself: a 304 or equal bytes later
            # mean "still this article", never "still the not-found page"
            t.etag = res.headers.get("etag") or None
            t.last_modified = res.headers.get("last-modified") or None
            t.last_sha256 = res.sha256
        elif deletion is not None:
            t.etag = t.last_modified = None
        return deletion

    async def _page_verdict(self, t: Tracked, res: FetchResult,
                            rec: CheckRecord) -> str | None:
        same_bytes = res.sha256 is not None and res.sha256 == t.last_sha256
        home = self.home_url(t.outlet_id, t.url)
        moved = R.redirect_kind(t.url, res.final_url, home) if res.redirects else None
        if moved is not None:
            return moved
        if same_bytes and not res.redirects:
            rec.outcome = "unchanged"
            return None
        result = await self._extract(res, t.outlet_id)
        art = getattr(result, "article", None)
        cur = self.store.versions(t.article_id)[-1]
        if art is not None:  # both titles without the outlet's learned template, as stored
            strip = outlet_title_stripper(self.store, t.outlet_id)
            art, cur = replace(art, title=strip(art.title)), replace(cur, title=strip(cur.title))
        new_sh = shingles(art.text) if art is not None else set()
        alike = art is not None and R.jaccard(new_sh, shingles(cur.text)) >= R.MOVED_LIKENESS
        if not alike:
            not_found, home_sig = await self.site_pages(t.outlet_id, t.url)
            page = R.page_shingles(decode_html(res.body, res.headers).text)
            soft = R.page_likeness(page, not_found, home_sig)
            if soft is not None:
                return soft
            if res.redirects:
                return "redirect_other"
        if art is None:
            rec.outcome = "not_article"
            return None
        if masked_hash(art.title, art.text) == masked_hash(cur.title, cur.text):
            if art.title == cur.title and art.text == cur.text:
                rec.outcome = "unchanged"
            else:
                rec.outcome = "noise"
                noise = dict(mask_text(art.text).noise)
                for k, v in mask_text(art.title, title=True).noise.items():
                    noise[k] = noise.get(k, 0) + v
                rec.noise = noise or {"whitespace": 1}
            return None
        rec.outcome = "changed"
        rec.new_version = (art.title, art.text, masked_hash(art.title, art.text))
        rec.events.append(EditEvent(
            t.article_id, t.outlet_id, "edit",
            "title" if mask_text(art.text).text == mask_text(cur.text).text else "text",
            rec.checked_at, R.EDIT_RULE, R.RULES_VERSION,
            # first_seen, not the version's fetch time: on a simulated clock (tests, the
            # demo) the real fetch time lies after the simulated check times
            after=self.store.last_check_time(t.article_id, R.LIVE_OUTCOMES) or t.first_seen,
            from_version=t.version))
        self.stats.versions += 1
        return None


async def revisit_async(study: Study, store: Store, *, clock: Clock | None = None,
                        outlets: Sequence[str] = (), limit: int | None = None,
                        transport: httpx.AsyncBaseTransport | None = None,
                        stop: asyncio.Event | None = None,
                        progress: Callable[[RevisitStats, str], None] | None = None,
                        date_captures: bool = False) -> RevisitStats:
    """One pass: enroll, plan what is due at ``clock()``, check it, then the listings.
    ``date_captures``: the fetches are dated at ``clock()`` too (a simulation, such as
    the demo; otherwise captures keep their real fetch times).

    Holds the study's revisit lock (``runlock``): two passes at once would check
    every due article twice.
    """
    with RunLock(study.archive_dir, "revisit"):
        return await _revisit_locked(study, store, clock=clock, outlets=outlets, limit=limit,
                                     transport=transport, stop=stop, progress=progress,
                                     date_captures=date_captures)


async def _revisit_locked(study: Study, store: Store, *, clock: Clock | None,
                          outlets: Sequence[str], limit: int | None,
                          transport: httpx.AsyncBaseTransport | None,
                          stop: asyncio.Event | None,
                          progress: Callable[[RevisitStats, str], None] | None,
                          date_captures: bool = False) -> RevisitStats:
    clock = clock or now_utc
    stats = RevisitStats()
    store.sync_outlets(study.outlets)
    offsets = study.revisit.offsets()
    # only the study's outlets: pages imported from domains it does not name (uncurated
    # outlets) are archived, never revisited; ``outlets`` narrows that further
    mine = [o.id for o in study.outlets]
    chosen = [oid for oid in mine if not outlets or oid in outlets]
    stats.enrolled = store.enroll_revisits(offsets[0] if offsets else 0, clock(), outlets=mine)
    planned_at = clock()
    stats.due = store.count_due(planned_at, chosen) if offsets else 0
    if limit is not None:
        stats.due = min(stats.due, limit)
    run_id = store.start_run("revisit")
    warc = WarcWriter(study.warc_dir)
    try:
        async with Fetcher(study.fetch, warc, transport=transport,
                           clock=clock if date_captures else None) as fetcher:
            rev = Reviser(study, store, fetcher, clock, stats)
            rev.use_processes = stats.due >= POOL_MIN_DUE
            try:
                slots = asyncio.Semaphore(CONCURRENCY)

                async def one(t: Tracked) -> None:
                    async with slots:
                        if stop is not None and stop.is_set():
                            stats.stopped = True
                            return
                        await rev.check(t)
                        if progress:
                            progress(stats, "check")

                # in batches: a backlog of a million due articles is never all in memory;
                # a checked article is due later than planned_at, so it is not picked again
                while stats.checked < stats.due and not (stop and stop.is_set()):
                    batch = store.due_revisits(planned_at, outlets=chosen,
                                               limit=min(PLAN_BATCH, stats.due - stats.checked))
                    if not batch:
                        break
                    await all_or_first_error(one(t) for t in batch)
                if study.revisit.check_listings and not (stop and stop.is_set()):
                    await check_listings(rev, outlets)
            finally:
                rev.close()
    finally:
        failing = sys.exc_info()[1] is not None
        with cleanup(failing):
            warc.close()
        with cleanup(failing):
            store.finish_run(run_id, stats.as_dict())
    return stats


def revisit(study: Study, store: Store, **kw: Any) -> RevisitStats:
    """Run one revisit pass (see the module docstring)."""
    return asyncio.run(revisit_async(study, store, **kw))
