"""``untold check``: prove that the evidence the archive references is there, unaltered.

Every capture row points at its WARC record (file, offset, length). Three modes:

- quick (``--quick``): each file exists and the capture's record starts at its
  offset (its WARC header: record id, type); nothing is hashed;
- full (default): fixity of the stored bytes. When the collector wrote a
  record it took the SHA-256 of the record's bytes exactly as written (its gzip
  member, ``captures.warc_sha256``); the check reads each of the collector's
  files front to back in large blocks and hashes each capture's byte range
  again. Equal digests prove the bytes are the ones written at capture time,
  and with them everything the record says (its id, type, payload and the
  payload's digest), at the speed of reading and hashing the file: nothing is
  inflated. A range that differs (or lies past the end of the file) is then
  read as a record (``--deep`` below, for that capture only) to say what is
  wrong: record missing, payload SHA-256 mismatch, broken gzip; if its payload
  still verifies, its stored bytes changed all the same and it is reported as
  altered. Captures without such a digest (collected before untold took it)
  are read as records. An imported file is proved as a whole: it is hashed
  and its size and SHA-256 compared with the registry its import made
  (:mod:`untold.collect.warcregistry`); equal, its captures are as imported;
  different (or of unknown digest), it is reported as changed and its captures
  are read as records, which names the affected ones;
- deep (``--deep``): every capture's record is read, inflated and its decoded
  payload's SHA-256 compared with the capture's (or the record's WARC digests),
  as :mod:`untold.collect.evidence_record` describes; several times the work
  of full, for whoever wants the payloads themselves re-derived.

What full mode does not re-prove is that the digests in the database agree with
each other: the payload digest and the stored-bytes digest were taken from the
same bytes by the writer, and ``--deep`` checks the payloads themselves.

Streaming: this process reads each file's capture ranges from the store in
offset order (four narrow columns) and cuts them into chunks of consecutive
captures (``CHUNK_BYTES``); a pool of one process per core checks the chunks,
each reading its part of the file front to back, so a file is read once,
sequentially, in bounded memory (at most ``WINDOW_PER_WORKER`` chunks per
worker are queued). The fuller rows a record check needs are fetched by id for
the captures that need one. The checking processes never touch the database
(SQLite's state must not cross a fork); they are started before anything else
runs, and the database's own checks, when asked for, then run in a thread here.

Files: a file of the collector (a plain name under the study's WARC folder)
that is absent loses every capture in it. An imported file absent at its path
(moved), of another size, or of another SHA-256 (hashed in full and deep mode,
and in quick mode when its modification time moved) is a problem, never
silently trusted. After the last capture of a collector's file its remaining
records are walked: a truncated tail that no capture references (left by a
killed run) is a note, not a problem.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from io import FileIO
from operator import itemgetter
from pathlib import Path
from typing import Any

from untold.collect.evidence_record import (
    ALTERED,
    MISSING_FILE,
    MISSING_RECORD,
    Problem,
    check_record,
)
from untold.collect.extractjob import worker_pool
from untold.collect.warcregistry import file_sha256
from untold.collect.warcwriter import verify_warc_file, warc_path
from untold.errors import WarcError
from untold.models import CaptureLocation, CaptureRange, WarcFileEntry
from untold.store.base import Store
from untold.timeutil import to_iso

__all__ = ["DEEP", "FULL", "KIND_LABELS", "MODES", "QUICK", "CheckReport", "OutletProblems",
           "ProblemCapture", "check_evidence"]

QUICK, FULL, DEEP = "quick", "full", "deep"  # check modes (module docstring)
MODES = (QUICK, FULL, DEEP)

CHUNK_BYTES = 32 << 20  # file bytes per unit of work: both cores busy even on one file
CHUNK_CAPTURES = 20_000  # and at most this many captures (tiny failure records)
WINDOW_PER_WORKER = 3  # chunks queued per worker: none idles, memory stays bounded
READ_BUFFER = 1 << 20  # a record check reads its file through a buffer this large
FIXITY_BLOCK = 1 << 20  # a fixity check reads this many bytes per system call
LISTED_PER_OUTLET = 5  # problem captures listed per outlet; the rest are counted
LISTED_OUTLETS = 30  # outlets listed with their problems; the rest are summed up

KIND_LABELS = {MISSING_FILE: "WARC file missing", MISSING_RECORD: "record missing",
               ALTERED: "record altered"}
# a range whose bytes changed although its record still reads and verifies (a gzip
# header field rewritten, say): not what the collector wrote, so not trusted
BYTES_CHANGED = ("its stored bytes differ from those the collector wrote (SHA-256 of the "
                 "record as stored), though its payload still matches its digest")


@dataclass(frozen=True)
class ProblemCapture:
    """One capture whose evidence is lost or altered."""

    kind: str  # missing_file | missing_record | altered
    capture_id: int
    article_id: int | None
    url: str
    warc_file: str
    offset: int | None
    detail: str


@dataclass
class OutletProblems:
    """An outlet's problems: counts by kind and the first few captures."""

    counts: Counter[str] = field(default_factory=Counter)
    listed: list[ProblemCapture] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class CheckReport:
    """What ``untold check`` found (``ok``: nothing lost or altered, database sound)."""

    mode: str  # quick | full | deep
    captures: int = 0  # captures whose evidence was looked at
    files: int = 0  # WARC files read
    bytes: int = 0  # their size
    fixity: int = 0  # full: records whose stored bytes match the collector's digest
    as_imported: int = 0  # full: captures in imported files whose SHA-256 is as registered
    verified: int = 0  # payloads read and compared with a digest (deep, and full's rest)
    elapsed_s: float = 0.0
    database: list[str] = field(default_factory=list)  # integrity problems of the SQLite file
    file_problems: list[str] = field(default_factory=list)  # imported files moved or changed
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing lost
    by_outlet: dict[str, OutletProblems] = field(default_factory=dict)

    @property
    def quick(self) -> bool:
        return self.mode == QUICK

    @property
    def capture_problems(self) -> int:
        return sum(o.total for o in self.by_outlet.values())

    @property
    def problems(self) -> int:
        return self.capture_problems + len(self.file_problems) + len(self.database)

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def add(self, loc: CaptureLocation, kind: str, detail: str) -> None:
        tally = self.by_outlet.setdefault(loc.outlet_id, OutletProblems())
        tally.counts[kind] += 1
        if len(tally.listed) < LISTED_PER_OUTLET:
            tally.listed.append(ProblemCapture(kind, loc.capture_id, loc.article_id, loc.url,
                                               loc.warc_file, loc.offset, detail))

    def proved(self) -> str:
        """The mode that ran and what it proves."""
        if self.mode == QUICK:
            return "quick: files and record headers only, payloads not verified"
        parts = []
        if self.fixity:
            parts.append(f"stored bytes of {self.fixity:,} records match their digests "
                         "taken at capture time")
        if self.as_imported:
            parts.append(f"{self.as_imported:,} imported records rest on WARC files whose "
                         "SHA-256 matches their import")
        if self.verified or not parts:
            parts.append(f"{self.verified:,} payload digests verified")
        return f"{self.mode}: {'; '.join(parts)}"

    def summary(self) -> str:
        found = [f"{n:,} {what}" for n, what in (
            (self.capture_problems, "captures lost or altered"),
            (len(self.file_problems), "WARC file problems"),
            (len(self.database), "database problems")) if n]
        return (f"checked {self.captures:,} captures in {self.files:,} WARC files "
                f"({self.bytes / 1e6:,.1f} MB) in {self.elapsed_s:.1f} s ({self.proved()}): "
                f"{', '.join(found) or 'no problems'}")

    def lines(self) -> list[str]:
        """The report as text lines (problems by outlet, notes, the summary)."""
        out = [f"problem: database: {p}" for p in self.database]
        out += [f"problem: {p}" for p in self.file_problems]
        if self.by_outlet:
            out.append(f"lost or altered evidence: {self.capture_problems:,} captures "
                       f"of {len(self.by_outlet):,} outlets")
        ranked = sorted(self.by_outlet.items(), key=lambda kv: (-kv[1].total, kv[0]))
        for oid, tally in ranked[:LISTED_OUTLETS]:
            kinds = ", ".join(f"{KIND_LABELS[k]} {n:,}" for k, n in sorted(tally.counts.items()))
            out.append(f"  {oid}: {tally.total:,} ({kinds})")
            for p in tally.listed:
                what = f"article {p.article_id}" if p.article_id is not None \
                    else f"capture {p.capture_id}"
                where = Path(p.warc_file).name + (f"@{p.offset}" if p.offset is not None else "")
                out.append(f"    {what} {p.url}: {KIND_LABELS[p.kind]}: {p.detail} ({where})")
            if tally.total > len(tally.listed):
                out.append(f"    ... and {tally.total - len(tally.listed):,} more")
        if len(ranked) > LISTED_OUTLETS:
            rest = ranked[LISTED_OUTLETS:]
            out.append(f"  ... and {len(rest):,} more outlets "
                       f"({sum(t.total for _, t in rest):,} captures)")
        out += [f"note: {n}" for n in self.notes]
        out.append(self.summary())
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "mode": self.mode, "quick": self.quick,
                "captures": self.captures, "files": self.files, "bytes": self.bytes,
                "fixity": self.fixity, "as_imported": self.as_imported,
                "verified": self.verified, "elapsed_s": self.elapsed_s,
                "problems": self.problems, "database": self.database,
                "file_problems": self.file_problems, "notes": self.notes,
                "by_outlet": {oid: {"counts": dict(t.counts),
                                    "listed": [p.__dict__ for p in t.listed]}
                              for oid, t in self.by_outlet.items()}}


# -- work done in the checking processes ---------------------------------------------------
@dataclass(frozen=True)
class _FixityJob:
    """Consecutive captures of one collector's file, as the store gives them (the
    checking processes never touch the database: SQLite state must not cross a fork)."""

    path: str
    ranges: list[CaptureRange]


@dataclass
class _Fixed:
    checked: int = 0
    matched: int = 0
    suspects: list[int] = field(default_factory=list)  # bytes differ: read them as records
    undigested: list[int] = field(default_factory=list)  # no digest: read them as records


def _run_fixity(job: _FixityJob) -> _Fixed:
    """Hash each capture's byte range, reading the file forward in FIXITY_BLOCK blocks.

    Gaps between ranges (the request and metadata records) are read through
    when they end within the next block, else skipped with a seek.
    """
    ranges = job.ranges
    done = _Fixed(checked=len(ranges))
    try:
        f = open(job.path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError:  # gone since the plan was made: the record checks will say so
        done.suspects = [r[0] for r in ranges]
        return done
    buf = bytearray(FIXITY_BLOCK)
    view = memoryview(buf)
    base = n = 0  # buf holds the file's bytes [base, base + n)
    sha256 = hashlib.sha256
    with f:
        for cid, offset, length, want in ranges:
            if want is None:
                done.undigested.append(cid)
                continue
            if offset is None or length is None or offset < 0 or length <= 0:
                done.suspects.append(cid)
                continue
            end = offset + length
            found: str | None
            if base <= offset and end <= base + n:  # the common case: within the block
                found = sha256(view[offset - base:end - base]).hexdigest()
            else:
                found, base, n = _hash_across(f, buf, base, n, offset, end)
            if found == want:
                done.matched += 1
            else:
                done.suspects.append(cid)
    return done


def _hash_across(f: FileIO, buf: bytearray, base: int, n: int, offset: int,
                 end: int) -> tuple[str | None, int, int]:
    """Hash [offset, end) reading blocks into ``buf`` (which holds [base, base + n));
    (hex digest or None if the file ends first, the new base, the new n)."""
    view = memoryview(buf)
    h = hashlib.sha256()
    pos = offset
    while pos < end:
        if not base <= pos < base + n:
            if n and base + n <= pos < base + n + FIXITY_BLOCK:
                base += n  # the next block holds it: read on, no seek
            else:
                f.seek(pos)
                base = pos
            n = f.readinto(buf)
            if not n:
                return None, base, 0  # the file ends before the range does
            continue
        stop = min(end, base + n)
        h.update(view[pos - base:stop - base])
        pos = stop
    return h.hexdigest(), base, n


@dataclass(frozen=True)
class _Job:
    """Consecutive captures of one file to read as records, and whether to walk the
    file's tail after them."""

    path: str
    imported: bool
    quick: bool
    captures: tuple[CaptureLocation, ...]
    tail_from: int | None = None  # collector files: walk the members from here to the end


@dataclass
class _Done:
    checked: int = 0
    verified: int = 0
    problems: list[tuple[CaptureLocation, str, str]] = field(default_factory=list)
    sound: list[CaptureLocation] = field(default_factory=list)  # no problem found
    tail: int | None = None  # offset of a cut or corrupt member after the last capture


def _run_job(job: _Job) -> _Done:
    done = _Done()
    try:
        f = open(job.path, "rb", buffering=READ_BUFFER)  # noqa: SIM115 - closed below
    except OSError as exc:  # gone since the plan was made
        done.checked = len(job.captures)
        done.problems = [(c, MISSING_FILE, exc.strerror or str(exc)) for c in job.captures]
        return done
    with f:
        size = os.fstat(f.fileno()).st_size
        for loc in job.captures:
            done.checked += 1
            try:
                done.verified += check_record(f, size, loc, quick=job.quick,
                                              imported=job.imported)
                done.sound.append(loc)
            except Problem as p:
                done.problems.append((loc, p.kind, p.detail))
            except OSError as exc:
                done.problems.append((loc, MISSING_RECORD, f"cannot read: {exc.strerror}"))
        if job.tail_from is not None:
            try:
                done.tail = verify_warc_file(job.path, job.tail_from)[1]
            except (OSError, WarcError):
                done.tail = job.tail_from
    return done


def _hash_job(path: str) -> tuple[str, int] | str:
    try:
        return file_sha256(path)
    except OSError as exc:
        return exc.strerror or str(exc)


class _Runner:
    """Runs jobs in a pool (or here, with one worker); results are taken in order."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.window: deque[tuple[Future[Any], Callable[[Any], None]]] = deque()

    def start(self) -> None:
        """Start the checking processes now, while this process runs no other thread."""
        if self.workers <= 1 or self.pool is not None:
            return
        self.pool = worker_pool(self.workers, fork=True)  # workers start at once
        self.pool.submit(int).result()  # a fork context starts every process on the first

    def submit(self, fn: Callable[[Any], Any], arg: Any, then: Callable[[Any], None]) -> None:
        if self.workers <= 1:
            then(fn(arg))
            return
        self.start()
        assert self.pool is not None
        while len(self.window) >= WINDOW_PER_WORKER * self.workers:
            self._take()
        self.window.append((self.pool.submit(fn, arg), then))

    def _take(self) -> None:
        fut, then = self.window.popleft()
        then(fut.result())

    def finish(self) -> None:
        while self.window:
            self._take()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


# -- planning -----------------------------------------------------------------------------
def _chunks(captures: Iterable[CaptureLocation]) -> Iterator[list[CaptureLocation]]:
    """Consecutive captures cut where a chunk reaches CHUNK_BYTES or CHUNK_CAPTURES."""
    chunk: list[CaptureLocation] = []
    for c in captures:
        if chunk and (len(chunk) >= CHUNK_CAPTURES or
                      (c.offset or 0) - (chunk[0].offset or 0) >= CHUNK_BYTES):
            yield chunk
            chunk = []
        chunk.append(c)
    if chunk:
        yield chunk


_OFFSET: Callable[[CaptureRange], Any] = itemgetter(1)


def _cut(rows: list[CaptureRange]) -> Iterator[list[CaptureRange]]:
    """The same cut for rows of one file with offsets, found by bisection: the plan
    does no work per capture, so this process keeps the checking ones busy."""
    i = 0
    while i < len(rows):
        lo, hi = i + 1, min(len(rows), i + CHUNK_CAPTURES)
        j = bisect_left(rows, _OFFSET(rows[i]) + CHUNK_BYTES, lo, hi, key=_OFFSET)
        yield rows[i:j]
        i = j


LOST, WHOLE, FIXITY, RECORDS = "lost", "whole", "fixity", "records"  # how a file is checked


@dataclass
class _File:
    """A file captures point into, as the plan treats it."""

    name: str  # as the captures name it
    path: Path
    imported: bool
    how: str  # LOST: missing | WHOLE: an import, proved by its registered digest |
    #           FIXITY: a collector's, ranges hashed | RECORDS: read record by record
    entry: WarcFileEntry | None = None  # the registry's entry of an imported file
    detail: str = ""  # LOST: why
    unregistered: bool = False  # an absolute path the registry does not know
    size: int = -1
    count: int = 0  # captures in it
    end: int = 0  # where its last capture ends (a collector file's tail is walked from it)


class _Check:
    """One check run: plans jobs file by file and folds their results into the report.

    Results arrive while jobs are still being planned; a result that needs more
    work (a fixity mismatch, a changed imported file) queues it in ``later``,
    which the planning drains, so no job is submitted from inside a result.
    """

    def __init__(self, store: Store, warc_dir: Path, *, mode: str, workers: int,
                 progress: Callable[[int, int], None] | None,
                 database: Callable[[], list[str]] | None) -> None:
        self.store = store
        self.database = database
        self.warc_dir = warc_dir
        self.mode = mode
        self.report = CheckReport(mode=mode)
        self.runner = _Runner(workers)
        self.progress = progress
        self.total = 0
        self.registry = {e.path: e for e in store.warc_files()}
        self.proved_files: set[str] = set()  # registered files full mode hashed already
        self.unregistered: Counter[str] = Counter()
        self.unlocated = 0
        self.tails: list[str] = []
        self.ticked = 0
        self.later: deque[Callable[[], None]] = deque()

    def run(self) -> CheckReport:
        t0 = time.monotonic()
        files = self.store.capture_files()
        self.total = sum(n for _, n, _ in files)
        beside: Future[list[str]] | None = None
        try:
            self.runner.start()
            if self.database is not None:  # SQLite releases the GIL: this thread runs
                pool = ThreadPoolExecutor(1, "untold-db-check")  # beside the planning
                beside = pool.submit(self.database)
                pool.shutdown(wait=False)  # its thread ends with its one task
            for name, count, end in files:
                self._file(self._start_file(name, count, end))
                self._drain()
            seen = {name for name, _, _ in files}
            for f in sorted(self.warc_dir.glob("*.warc.gz")) if self.warc_dir.is_dir() else []:
                if f.name not in seen:  # no capture in it: only a killed run's tail matters
                    self._size(f)
                    self.runner.submit(_run_job, _Job(str(f), False, True, (), 0),
                                       self._tail_done(f.name))
            self._registry(seen)
            while self.runner.window or self.later:
                self.runner.finish()
                self._drain()
            if beside is not None:
                self.report.database = beside.result()
        finally:
            self.runner.close()
            if beside is not None:
                futures_wait([beside])  # an error above: let the thread end first
        self._articles()
        self._notes()
        self.report.elapsed_s = round(time.monotonic() - t0, 3)
        return self.report

    def _drain(self) -> None:
        while self.later:
            self.later.popleft()()

    def _size(self, path: Path) -> int:
        self.report.files += 1
        with contextlib.suppress(OSError):  # gone meanwhile: its captures will say so
            size = path.stat().st_size
            self.report.bytes += size
            return size
        return -1

    def _start_file(self, name: str, count: int, end: int) -> _File:
        unregistered = False
        try:
            path, imported = warc_path(self.warc_dir, name, self.registry)
        except WarcError:
            if not Path(name).is_absolute():
                return _File(name, Path(name), False, LOST, count=count, detail="not a file "
                             "name under the WARC folder nor an imported file")
            path, imported, unregistered = Path(name), True, True  # imported before registry
        entry = self.registry.get(name) if imported else None
        if not path.is_file():
            why = "the imported WARC file is not at its path (moved or deleted)" if imported \
                else "the WARC file is not in the archive's WARC folder (deleted?)"
            return _File(name, path, imported, LOST, entry=entry, detail=why,
                         unregistered=unregistered, count=count)
        how = RECORDS if self.mode != FULL else WHOLE if entry is not None else \
            RECORDS if imported else FIXITY
        return _File(name, path, imported, how, entry=entry, unregistered=unregistered,
                     size=self._size(path), count=count, end=end)

    def _file(self, f: _File) -> None:
        """Plan the checks of one file's captures."""
        if f.unregistered:
            self.unregistered[f.name] += f.count
        if f.how == FIXITY:
            for rows in self.store.iter_capture_ranges(f.name):
                if rows[0][1] is None:  # no offset (never written so): read as records
                    self._records(f.path, False, [r[0] for r in rows if r[1] is None])
                    rows = [r for r in rows if r[1] is not None]
                for chunk in _cut(rows):
                    self.runner.submit(_run_fixity, _FixityJob(str(f.path), chunk),
                                       self._fixed(f.path))
                self._drain()
        else:
            ids: list[int] = []  # WHOLE: held until the file's digest answers
            for rows in self.store.iter_capture_ranges(f.name):
                if f.how == LOST:
                    self._lost([r[0] for r in rows], f.detail)
                    continue
                if rows[0][1] is None:  # a page of a one-stream gzip file: only the file
                    located = [r for r in rows if r[1] is not None]  # is known
                    self.unlocated += len(rows) - len(located)
                    self._tick(len(rows) - len(located))
                    rows = located
                if f.how == WHOLE:
                    ids += [r[0] for r in rows]
                elif rows:
                    self._records(f.path, f.imported, [r[0] for r in rows])
                self._drain()
            if f.how == LOST:
                self.report.file_problems.append(self._lost_line(f))
                return
            if f.how == WHOLE:
                assert f.entry is not None
                self._imported_file(f.entry, f.path, f.size, ids)
        if not f.imported:  # what follows the last capture: a killed run's cut record?
            self.runner.submit(_run_job, _Job(str(f.path), False, True, (), f.end),
                               self._tail_done(f.name))

    def _lost_line(self, f: _File) -> str:
        if f.entry is not None:
            return _moved(f.entry, f.count)
        if f.imported:
            return (f"{f.name}: imported WARC file not found: {f.count:,} captures point "
                    "into it at that path (put it back there)")
        return (f"{f.name}: WARC file missing from {self.warc_dir}: {f.count:,} captures "
                "point into it (restore it from a backup)")

    def _records(self, path: Path, imported: bool, ids: Sequence[int], *,
                 suspect: bool = False) -> None:
        """Read the captures ``ids`` of one file as records (quick mode: their headers).

        ``suspect``: their stored bytes failed the fixity check, and were counted.
        """
        quick = self.mode == QUICK and not suspect
        for k in range(0, len(ids), CHUNK_CAPTURES):
            locs = self.store.capture_locations(ids[k:k + CHUNK_CAPTURES])
            for chunk in _chunks(locs):
                self.runner.submit(_run_job, _Job(str(path), imported, quick, tuple(chunk)),
                                   self._suspect_done if suspect else self._done)

    def _imported_file(self, entry: WarcFileEntry, path: Path, size: int,
                       ids: list[int]) -> None:
        """Full mode: a registered imported file is proved whole, by its SHA-256."""
        self.proved_files.add(entry.path)
        if size != entry.size:
            self.report.file_problems.append(_changed(
                entry, f"{entry.size:,} bytes when imported, {size:,} now"))
            self._records(path, True, ids)
        elif entry.sha256 is None:
            self.report.notes.append(_unknown(entry))
            self._records(path, True, ids)
        else:
            self.runner.submit(_hash_job, str(path), self._imported_hashed(entry, path, ids))

    def _imported_hashed(self, entry: WarcFileEntry, path: Path,
                         ids: list[int]) -> Callable[[Any], None]:
        def then(res: tuple[str, int] | str) -> None:
            if not isinstance(res, str) and (res[0], res[1]) == (entry.sha256, entry.size):
                self.report.captures += len(ids)
                self.report.as_imported += len(ids)
                self._tick(len(ids))
                return
            self.report.file_problems.append(_changed(entry, _hash_differs(entry, res)))
            self.later.append(lambda: self._records(path, True, ids))
        return then

    def _lost(self, ids: list[int], detail: str) -> None:
        for k in range(0, len(ids), CHUNK_CAPTURES):
            for loc in self.store.capture_locations(ids[k:k + CHUNK_CAPTURES]):
                self.report.add(loc, MISSING_FILE, detail)
        self.report.captures += len(ids)
        self._tick(len(ids))

    def _fixed(self, path: Path) -> Callable[[_Fixed], None]:
        def then(done: _Fixed) -> None:
            n = done.checked - len(done.undigested)  # the others are counted when read
            self.report.captures += n
            self.report.fixity += done.matched
            self._tick(n)
            if done.suspects:  # what is wrong with them: read them as records
                self.later.append(lambda: self._records(path, False, done.suspects,
                                                        suspect=True))
            if done.undigested:
                self.later.append(lambda: self._records(path, False, done.undigested))
        return then

    def _done(self, done: _Done) -> None:
        self.report.captures += done.checked
        self.report.verified += done.verified
        for loc, kind, detail in done.problems:
            self.report.add(loc, kind, detail)
        self._tick(done.checked)

    def _suspect_done(self, done: _Done) -> None:
        """Records whose stored bytes failed the fixity check (already counted)."""
        for loc, kind, detail in done.problems:
            self.report.add(loc, kind, detail)
        for loc in done.sound:
            self.report.add(loc, ALTERED, BYTES_CHANGED)

    def _tail_done(self, name: str) -> Callable[[_Done], None]:
        def then(done: _Done) -> None:
            if done.tail is not None:
                self.tails.append(f"{name}: truncated record at byte {done.tail} (left by a "
                                  "killed run; no capture references it)")
        return then

    def _tick(self, n: int) -> None:
        self.ticked += n
        if self.progress is not None:
            self.progress(self.ticked, self.total)

    def _registry(self, referenced: set[str]) -> None:
        """Registered imported files not proved above: moved or changed since their import?"""
        for entry in self.registry.values():
            if entry.path in self.proved_files:
                continue
            path = Path(entry.path)
            try:
                size = path.stat().st_size
            except OSError:
                if entry.path not in referenced:  # no capture rests on it
                    self.report.notes.append(f"{entry.path}: an imported WARC file no "
                                             "capture points into is gone")
                continue  # a referenced one was reported with its captures
            # a file no capture rests on (an import that found no page in it) is no
            # evidence: that it changed is worth a note, not a failure
            used = entry.path in referenced
            if size != entry.size:
                self._file_changed(entry, f"{entry.size:,} bytes when imported, {size:,} now",
                                   used)
            elif entry.sha256 is None:
                self.report.notes.append(_unknown(entry))
            elif self.mode != QUICK or _mtime_moved(path, entry):  # quick: touched files only
                self.runner.submit(_hash_job, entry.path, self._hashed(entry, used))

    def _file_changed(self, entry: WarcFileEntry, how: str, used: bool) -> None:
        (self.report.file_problems if used else self.report.notes).append(_changed(entry, how))

    def _hashed(self, entry: WarcFileEntry, used: bool) -> Callable[[Any], None]:
        def then(res: tuple[str, int] | str) -> None:
            if isinstance(res, str) or res[0] != entry.sha256:
                self._file_changed(entry, _hash_differs(entry, res), used)
        return then

    def _articles(self) -> None:
        """Name the article each listed problem capture backs (a few, found at the end)."""
        listed = [p.capture_id for t in self.report.by_outlet.values() for p in t.listed]
        if not listed:
            return
        articles = self.store.capture_articles(listed)
        for tally in self.report.by_outlet.values():
            tally.listed = [replace(p, article_id=articles.get(p.capture_id))
                            for p in tally.listed]

    def _notes(self) -> None:
        r = self.report
        r.notes += self.tails
        listed = list(self.unregistered)
        if listed:
            r.notes.append(f"{sum(self.unregistered.values()):,} captures point into "
                           f"{len(listed):,} WARC files imported before untold registered "
                           f"imported files (e.g. {listed[0]}); they were checked, but the "
                           "report cannot show their copies: import those files again to "
                           "register them (nothing is imported twice)")
        if self.unlocated:
            r.notes.append(f"{self.unlocated:,} imported captures have no record offset (their "
                           "WARC file is one gzip stream): only their file was checked")


def _mtime_moved(path: Path, entry: WarcFileEntry) -> bool:
    """Whether the file was modified since its registration (by its modification time)."""
    try:
        mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return True
    return to_iso(mtime) != to_iso(entry.mtime)


def _moved(entry: WarcFileEntry, captures: int) -> str:
    return (f"{entry.path}: imported WARC file moved or deleted: {captures:,} captures "
            f"point into it at that path (put it back there; its SHA-256 was "
            f"{entry.sha256 or 'not yet known'} when imported on "
            f"{(to_iso(entry.first_imported) or '')[:10]})")


def _changed(entry: WarcFileEntry, what: str) -> str:
    return (f"{entry.path}: imported WARC file changed since its import on "
            f"{(to_iso(entry.first_imported) or '')[:10]} ({what}); its captures rest on the "
            "file as it was (restore the original from a backup or its source)")


def _hash_differs(entry: WarcFileEntry, res: tuple[str, int] | str) -> str:
    if isinstance(res, str):
        return f"cannot read it: {res}"
    if res[1] != entry.size:
        return f"{entry.size:,} bytes when imported, {res[1]:,} now"
    return (f"SHA-256 {res[0][:16]}… now, {entry.sha256[:16]}… when imported"
            if entry.sha256 else "its SHA-256 differs")


def _unknown(entry: WarcFileEntry) -> str:
    return (f"{entry.path}: its SHA-256 is unknown (its import did not finish); run the "
            "import again to complete it (nothing is imported twice)")


def check_evidence(store: Store, warc_dir: Path, *, mode: str = FULL,
                   workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   database: Callable[[], list[str]] | None = None) -> CheckReport:
    """Check every capture's evidence, and the imported files (module docstring).

    ``mode`` is one of ``MODES``; ``workers`` checking processes (default: one
    per CPU); ``progress(done, total)`` is told of the captures checked.
    ``database``, the database's own checks (problems found), runs in a thread
    beside the planning, started after the checking processes (a fork must not
    copy a thread's half-held locks); its problems go to ``report.database``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown check mode {mode!r}")
    n = max(1, workers if workers is not None else (os.cpu_count() or 1))
    return _Check(store, Path(warc_dir), mode=mode, workers=n, progress=progress,
                  database=database).run()
