"""``untold import``: load WARC files (own crawls, Common Crawl CC-NEWS) into the archive.

Stages, streaming through each file in turn:

1. Read (``warcimport_read``): FastWARC streams the records (gzip or plain;
   warcio takes over what FastWARC cannot read). Response and resource records
   of HTML pages go on; request, metadata, non-HTML and non-2xx records are
   counted and dropped.
2. Resume: each page is keyed by ``record_digest`` (SHA-256 over the target
   URI and the payload digest); pages ``store.imported()`` already knows are
   skipped, so an interrupted import is simply run again.
3. Outlet (``warcimport_outlets``): the host maps to the study's outlet, or to
   an uncurated outlet named after its registrable domain; with
   ``only_study_outlets`` such pages are skipped instead.
4. Extract (``warcimport_work``) in ``workers`` processes, pages sent in chunks;
   at most ``CHUNKS_PER_WORKER`` chunks per worker and ``MAX_BYTES_IN_FLIGHT``
   payload bytes are in flight, so memory does not grow with the file. The
   extraction models are loaded once here before the workers are forked.
5. Store from this process in batches of ``batch_size`` with
   ``store.store_import_batch``: the capture (pointing at the source WARC
   file, offset and length, SHA-256 of the decoded payload, WARC-Record-ID,
   WARC-Date), the article (dedupe, full-text index, near-duplicate links)
   and the resume mark, in one transaction per batch.
6. Progress: the callback gets an ``ImportProgress`` (counts and rates) every
   ``PROGRESS_INTERVAL_S`` and once at the end.

A damaged record (a corrupt or cut gzip member, a wrong Content-Length) or junk
between records costs only those bytes: the reader skips them and goes on at the
next whole record. They are counted (``skipped_bytes``, ``skipped_records``,
``files_damaged``), and one line per gap (file@offset, how many bytes, why) goes
into ``ImportStats.errors``. A file that cannot be read at all (empty, not a
WARC) is one error line and ``files_failed``; the next file is read either way.
``ImportStats.damage()`` sums it up in one line (the CLI then exits 1).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from untold.collect.aio import cleanup
from untold.collect.extractjob import worker_pool
from untold.collect.warcimport_outlets import OutletMapper
from untold.collect.warcimport_read import OTHER_RECORD, Gap, PageRecord, iter_records
from untold.collect.warcimport_work import (
    PageJob,
    PageResult,
    extract_chunk,
    extract_one,
    warm_up,
)
from untold.collect.warcregistry import register_source
from untold.config import Study
from untold.errors import ConstraintError, StoreError, WarcError
from untold.extract.titles import refresh_outlet_titles
from untold.models import CaptureRecord, NewArticle, Outlet
from untold.store.base import Store
from untold.timeutil import outlet_timezone

__all__ = ["ImportProgress", "ImportStats", "import_warcs", "record_digest"]

STORE_BATCH = 1000  # pages per write transaction: the index flushes once per commit, so
# bigger batches index faster (1,000: ~1.2x of 200); a kill loses one batch of work
CHUNK_RECORDS = 8  # pages per worker round trip: amortises the IPC, keeps workers even
CHUNK_BYTES = 4 << 20  # a chunk is sent early once its payloads reach this many bytes
CHUNKS_PER_WORKER = 4  # chunks queued per worker, so workers never wait for the reader
MAX_BYTES_IN_FLIGHT = 64 << 20  # payload bytes read but not yet stored: the memory bound
PROGRESS_INTERVAL_S = 0.5  # callbacks at most this often (and once at the end)
MAX_ERROR_LINES = 100  # error messages kept in the stats; more are only counted
NOT_STUDY_OUTLET = "not_study_outlet"
WORKER_CRASHED = "extraction worker died (killed, or out of memory)"


@dataclass
class ImportStats:
    """What an import did; ``as_dict()`` is stored with the run and printed by the CLI."""

    files: int = 0
    records_read: int = 0  # every WARC record, of any type
    pages: int = 0  # HTML response/resource records
    already_imported: int = 0  # pages a previous run stored (resume)
    articles_new: int = 0
    duplicates: int = 0  # same canonical URL and text as a stored article
    near_duplicates: int = 0  # new, but linked as a reprint of a stored article
    other_records: int = 0  # request, metadata, warcinfo, revisit, ...
    uncurated_outlets: int = 0  # outlets made up from domains in this import
    skipped_bytes: int = 0  # bytes of damaged records or junk no record was read from
    skipped_records: int = 0  # records lost in those bytes
    files_damaged: int = 0  # files read only in part: the rest of each was read
    files_failed: int = 0  # files not read at all: empty, not a WARC, unreadable, changed
    error_count: int = 0
    elapsed_s: float = 0.0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pages
    errors: list[str] = field(default_factory=list)  # one line each: file@offset: what

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "skipped": dict(self.skipped), "errors": list(self.errors)}

    def damage(self) -> str | None:
        """One line on what could not be read (None when every file was read whole)."""
        if not (self.files_failed or self.files_damaged or self.skipped_bytes):
            return None
        parts = []
        if self.files_failed:
            parts.append(f"{self.files_failed} of {self.files} file"
                         f"{'s' if self.files != 1 else ''} could not be read")
        if self.files_damaged or self.skipped_bytes:
            parts.append(f"{self.skipped_bytes} bytes ({self.skipped_records} record"
                         f"{'s' if self.skipped_records != 1 else ''}) skipped in "
                         f"{self.files_damaged} damaged file"
                         f"{'s' if self.files_damaged != 1 else ''}")
        return ("; ".join(parts) + f"; everything else was imported ({self.articles_new} "
                "new articles; the warnings above say where and why)")


@dataclass
class ImportProgress:
    """A snapshot for progress displays."""

    file: str
    files_done: int
    files_total: int
    records_read: int
    pages: int
    articles_new: int
    duplicates: int
    already_imported: int
    errors: int
    elapsed_s: float
    records_per_s: float
    articles_per_s: float
    skipped: dict[str, int]
    done: bool = False


def record_digest(url: str, payload_digest: str) -> str:
    """The resume key of a WARC page: same URI and same payload, same key."""
    return hashlib.sha256(f"{url}\n{payload_digest}".encode()).hexdigest()


@dataclass
class _Page:
    """What this process keeps of a page while a worker extracts it."""

    digest: str
    record: PageRecord
    outlet: Outlet
    warc_file: str


@dataclass
class _Chunk:
    pages: list[_Page]
    jobs: list[PageJob]
    nbytes: int
    future: Future[list[PageResult]] | None = None
    results: list[PageResult] | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    # forked: workers start in milliseconds with the extraction models warm_up() loaded
    return worker_pool(workers, fork=True)


def _isolated(jobs: Sequence[PageJob]) -> list[PageResult]:
    """Each job in a process of its own: after a worker died, find the page that kills it."""
    out = []
    for job in jobs:
        with _pool(1) as pool:
            try:
                out.append(pool.submit(extract_one, job).result())
            except BrokenProcessPool:
                out.append(PageResult(None, None, None, error=WORKER_CRASHED))
    return out


class _Importer:
    def __init__(self, study: Study, store: Store, *, only_study_outlets: bool, workers: int,
                 progress: Callable[[ImportProgress], None] | None, batch_size: int) -> None:
        self.store = store
        self.mapper = OutletMapper(study, only_study_outlets=only_study_outlets)
        self.workers = workers
        self.progress = progress
        self.batch_size = max(1, batch_size)
        self.stats = ImportStats()
        self.pool: ProcessPoolExecutor | None = None
        self.window: deque[_Chunk] = deque()
        self.in_flight = 0  # payload bytes in the window
        self.open_digests: set[str] = set()  # submitted, not yet stored
        self.batch: list[tuple[str, CaptureRecord, NewArticle | None, str]] = []
        self.ensured: set[str] = set()
        self.t0 = time.monotonic()
        self.last_tick = 0.0
        self.file = ""
        self.files_total = 0

    # -- stages 1-3: read, resume, outlet --------------------------------------
    def import_file(self, path: Path) -> None:
        self.file = str(path)
        warc_file = str(path.resolve())
        source = register_source(self.store, path, self._error)  # before any capture of it
        if source is None:
            self.stats.files += 1
            self.stats.files_failed += 1
            return  # changed since an earlier import (reported): not read again
        chunk = _Chunk([], [], 0)
        damaged = False
        try:
            for item in iter_records(path):
                if isinstance(item, Gap):
                    damaged = True
                    self._gap(path, item)
                    continue
                self.stats.records_read += 1
                if isinstance(item, str):
                    self._count_other(item)
                else:
                    self.stats.pages += 1
                    page = self._page(item, warc_file)
                    if page is not None:
                        chunk.pages.append(page)
                        chunk.jobs.append(PageJob(item.url, item.headers, item.payload,
                                                  page.outlet.languages,
                                                  outlet_timezone(page.outlet)))
                        chunk.nbytes += len(item.payload)
                        if len(chunk.pages) >= CHUNK_RECORDS or chunk.nbytes >= CHUNK_BYTES:
                            self._submit(chunk)
                            chunk = _Chunk([], [], 0)
                self._tick()
        except WarcError as exc:  # the file as a whole: empty, not a WARC, unreadable
            self.stats.files_failed += 1
            self._error(str(exc))
        self._submit(chunk)
        self.stats.files += 1
        self.stats.files_damaged += damaged
        source.finish(self.store, self._error)  # the file's digest, or that it changed

    def _gap(self, path: Path, gap: Gap) -> None:
        """Bytes of the file the reader skipped: counted, and one line says where and why."""
        self.stats.skipped_bytes += gap.length
        self.stats.skipped_records += gap.records
        lost = f", {gap.records} record{'s' if gap.records != 1 else ''} lost" \
            if gap.records else ""
        self._error(f"{path}@{gap.offset}: skipped {gap.length} bytes{lost}: {gap.why}")

    def _count_other(self, reason: str) -> None:
        if reason == OTHER_RECORD:
            self.stats.other_records += 1
        else:
            self._skip(reason)

    def _skip(self, reason: str) -> None:
        self.stats.skipped[reason] = self.stats.skipped.get(reason, 0) + 1

    def _error(self, line: str) -> None:
        self.stats.error_count += 1
        if len(self.stats.errors) < MAX_ERROR_LINES:
            self.stats.errors.append(line)

    def _page(self, rec: PageRecord, warc_file: str) -> _Page | None:
        outlet = self.mapper.outlet_for(urlsplit(rec.url).hostname or "")
        if outlet is None:
            self._skip(NOT_STUDY_OUTLET)
            return None
        digest = record_digest(rec.url, rec.payload_digest)
        if digest in self.open_digests:  # the same capture twice in this import
            self.stats.already_imported += 1
            return None
        if outlet.id not in self.ensured:
            self.store.ensure_outlet(outlet)
            self.ensured.add(outlet.id)
            if not outlet.curated:
                self.stats.uncurated_outlets += 1
        self.open_digests.add(digest)
        return _Page(digest, replace(rec, payload=b""), outlet, warc_file)

    # -- stage 4: extract ----------------------------------------------------------
    def _submit(self, chunk: _Chunk) -> None:
        if not chunk.pages:
            return
        done = self.store.imported([p.digest for p in chunk.pages])
        if done:
            keep = [i for i, p in enumerate(chunk.pages) if p.digest not in done]
            self.stats.already_imported += len(chunk.pages) - len(keep)
            self.open_digests.difference_update(done)
            chunk = _Chunk([chunk.pages[i] for i in keep], [chunk.jobs[i] for i in keep],
                           sum(len(chunk.jobs[i].payload) for i in keep))
            if not chunk.pages:
                return
        while self.window and (len(self.window) >= CHUNKS_PER_WORKER * self.workers
                               or self.in_flight + chunk.nbytes > MAX_BYTES_IN_FLIGHT):
            self._complete_oldest()
        if self.workers <= 1:
            chunk.results = extract_chunk(chunk.jobs)  # one worker: no process to feed
        else:
            if self.pool is None:
                warm_up()  # forked workers inherit the loaded models
                self.pool = _pool(self.workers)
            try:
                chunk.future = self.pool.submit(extract_chunk, chunk.jobs)
            except BrokenProcessPool:  # a worker died before any result told us
                self._pool_died()
                self.pool = _pool(self.workers)
                chunk.future = self.pool.submit(extract_chunk, chunk.jobs)
        self.window.append(chunk)
        self.in_flight += chunk.nbytes

    def _complete_oldest(self) -> None:
        chunk = self.window.popleft()
        self.in_flight -= chunk.nbytes
        results = chunk.results
        if results is None and chunk.future is not None:
            try:
                results = chunk.future.result()
            except BrokenProcessPool:
                self._pool_died()
        if results is None:
            results = _isolated(chunk.jobs)
        for page, res in zip(chunk.pages, results, strict=True):
            self._handle(page, res)

    def _pool_died(self) -> None:
        """A worker died: chunks in flight without a result are redone page by page
        (``_isolated``); new chunks go to a new pool."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        for ch in self.window:
            fut, ch.future = ch.future, None
            if fut is not None and fut.done() and not fut.cancelled() \
                    and fut.exception() is None:
                ch.results = fut.result()

    # -- stage 5: store --------------------------------------------------------------
    def _handle(self, page: _Page, res: PageResult) -> None:
        rec = page.record
        if res.error is not None:
            self.open_digests.discard(page.digest)  # not marked: a later run tries again
            self._error(f"{rec.url}: extraction failed: {res.error}")
            return
        cap = CaptureRecord(
            url=rec.url, outlet_id=page.outlet.id, kind="import", fetched_at=rec.fetched_at,
            status=rec.status, failure=None, warc_file=page.warc_file,
            warc_offset=rec.offset, warc_length=rec.length, sha256=res.sha256,
            content_type=rec.content_type, record_id=rec.record_id,
        )
        art = None
        outcome = "article"
        if res.article is not None:
            art = NewArticle(article=res.article, outlet_id=page.outlet.id, capture_id=0,
                             fetched_at=rec.fetched_at, sha256=res.sha256)
        else:
            outcome = f"skipped:{res.skipped}"
            self._skip(res.skipped or "no_article")
        self.batch.append((page.digest, cap, art, outcome))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        try:
            outs = self.store.store_import_batch(batch)
        except ConstraintError:
            outs = self._store_one_by_one(batch)
        for (digest, _, art, _), out in zip(batch, outs, strict=True):
            self.open_digests.discard(digest)
            if art is None:
                continue
            if out is None:
                self.stats.already_imported += 1  # another process stored it meanwhile
            elif out.outcome == "new":
                self.stats.articles_new += 1
                if out.near_duplicate_of is not None:
                    self.stats.near_duplicates += 1
            else:
                self.stats.duplicates += 1

    def _store_one_by_one(self, batch: list[tuple[str, CaptureRecord, NewArticle | None, str]]
                          ) -> list[Any]:
        """A WARC-Record-ID the archive already holds (a copied or rewritten WARC):
        store that record without the id rather than lose the batch."""
        outs: list[Any] = []
        for digest, cap, art, outcome in batch:
            try:
                outs += self.store.store_import_batch([(digest, cap, art, outcome)])
            except ConstraintError as exc:
                if cap.record_id is None:
                    raise StoreError(f"cannot store imported record: {exc}",
                                     source=f"{cap.warc_file}@{cap.warc_offset}") from exc
                outs += self.store.store_import_batch(
                    [(digest, replace(cap, record_id=None), art, outcome)])
        return outs

    # -- stage 6: progress ------------------------------------------------------------
    def _tick(self, *, force: bool = False, done: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not force and now - self.last_tick < PROGRESS_INTERVAL_S):
            return
        self.last_tick = now
        s = self.stats
        el = max(now - self.t0, 1e-9)
        self.progress(ImportProgress(
            file=self.file, files_done=s.files, files_total=self.files_total,
            records_read=s.records_read, pages=s.pages, articles_new=s.articles_new,
            duplicates=s.duplicates, already_imported=s.already_imported,
            errors=s.error_count, elapsed_s=el, records_per_s=s.records_read / el,
            articles_per_s=s.articles_new / el, skipped=dict(s.skipped), done=done))

    def run(self, paths: Sequence[Path]) -> ImportStats:
        self.files_total = len(paths)
        finished = False
        try:
            for path in paths:
                self.import_file(Path(path))
                while self.window:
                    self._complete_oldest()
                self.flush()
                self._tick(force=True)
            finished = True
        finally:
            if self.pool is not None:
                # on an error or Ctrl-C: queued chunks are dropped, a later run redoes them
                self.pool.shutdown(wait=True, cancel_futures=not finished)
                self.pool = None
        self.stats.elapsed_s = round(time.monotonic() - self.t0, 3)
        self._tick(force=True, done=True)
        return self.stats


def import_warcs(study: Study, store: Store, paths: Sequence[Path], *,
                 only_study_outlets: bool = False, workers: int | None = None,
                 progress: Callable[[ImportProgress], None] | None = None,
                 batch_size: int = STORE_BATCH) -> ImportStats:
    """Import WARC files into ``store`` (see the module docstring for the stages).

    Resumable: pages already imported are skipped. ``workers`` extraction
    processes (default: one per CPU; 1 extracts in this process). Problems
    with a file or a page are in ``ImportStats.errors``; only a failing
    archive raises (``StoreError``).
    """
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    imp = _Importer(study, store, only_study_outlets=only_study_outlets, workers=workers,
                    progress=progress, batch_size=batch_size)
    run_id = store.start_run("import")
    try:
        stats = imp.run(paths)
        # each outlet's title template, learned from its titles, off its titles
        refresh_outlet_titles(store, sorted(imp.ensured))
        return stats
    finally:
        imp.stats.elapsed_s = round(time.monotonic() - imp.t0, 3)
        with cleanup(sys.exc_info()[1] is not None):
            store.finish_run(run_id, imp.stats.as_dict())
