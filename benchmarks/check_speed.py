"""`untold check` speed: a full evidence check against reading and hashing the files.

Run from the repository root::

    .venv/bin/python benchmarks/check_speed.py                 # 100,000 captures
    .venv/bin/python benchmarks/check_speed.py --captures 5000 # a quick run

Builds once (cached under ``--workdir``) an archive of N captures as the
collector would leave it: WARC records written with untold's own WarcWriter
(request, response, metadata per page; 10-40 kB HTML bodies, one in four
gzip content-encoded as servers send them) and their capture rows written
with the store directly, with what the writer returned: the payload's SHA-256,
the record id and the SHA-256 of the record's stored bytes. Then, on warm
files (one untimed read first):

(a) the machine's sequential read + SHA-256 of the same WARC files: one pass,
    hashlib, 1 MiB reads, one process;
(b) ``untold check`` in full mode, the captures' evidence
    (``collect.evidence.check_evidence``, on all cores): every capture's stored
    bytes hashed and compared with the digest the writer took, the files read
    front to back in large blocks;
(c) for information, the same with ``--deep``: every record inflated, its
    payload decoded and its SHA-256 compared (what full mode did before the
    digests of the stored bytes existed); once, it is slow;
(d) for information, the database's own checks alone (SQLite's quick_check as full mode runs it,
    FTS5's, cross-table): they read the database, not the WARC files, so their
    cost follows its size and is not part of (b);
(e) for information, all of ``untold check`` (``api.archive_check``): (d) in a
    thread beside (b).

(a) to (e) are measured ``--repeat`` times, interleaved, each one's best kept.
Prints each one's time, MB/s of WARC file bytes and captures/s, and (b)/(a) as
a rate (time of (a) / time of (b)), whose target is >= 0.80.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from untold import api  # noqa: E402
from untold.collect.evidence import DEEP, FULL, check_evidence  # noqa: E402
from untold.collect.warcwriter import WarcWriter  # noqa: E402
from untold.models import CaptureRecord  # noqa: E402
from untold.store import open_store  # noqa: E402

TARGET = 0.80  # (b)/(a): the target for a full check
READ = 1 << 20  # the baseline's read size
N_OUTLETS = 20
PART = 10_000  # pages per WARC file (and per building task)
ENCODED_SHARE = 4  # one body in this many is gzip content-encoded
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ["government", "minister", "budget", "region", "city", "council", "school",
         "hospital", "economy", "report", "press", "freedom", "court", "election",
         "parliament", "tax", "price", "winter", "road", "bank", "energy", "water",
         "farmers", "students", "teachers", "doctors", "police", "border", "trade"]


def _paragraphs(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) + ("," if rng.random() < 0.1 else "")
                     for _ in range(rng.randint(40, 110))).capitalize() + "."
            for _ in range(n)]


def _page(rng: random.Random, paras: list[str], i: int) -> bytes:
    """A news page of 10-40 kB: boilerplate, a title, paragraphs, a unique line."""
    target = rng.randint(10_000, 40_000)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>News {i}"
             "</title><link rel='stylesheet' href='/static/site.css'><script>window.dl=[];"
             "</script></head><body><nav class='menu'><a href='/'>Home</a> <a href='/politics'>"
             "Politics</a> <a href='/economy'>Economy</a> <a href='/world'>World</a></nav>"
             f"<article class='story'><h1>News {i}</h1>"]
    size = sum(map(len, parts))
    while size < target:
        p = f"<p class='para'>{rng.choice(paras)}</p>\n"
        parts.append(p)
        size += len(p)
    parts.append(f"<p>Story {i} ({rng.random():.12f}).</p></article><footer>&copy; 2026 "
                 "<a href='/about'>About</a> <a href='/privacy'>Privacy</a></footer>"
                 "</body></html>")
    return "".join(parts).encode()


def _study_text(archive: Path) -> str:
    out = [f'[study]\nname = "check benchmark"\narchive = "{archive}"\n']
    for k in range(N_OUTLETS):
        out.append(f'[[outlets]]\nid = "o{k}"\nname = "Outlet {k}"\n'
                   f'domains = ["o{k}.example"]\n')
    return "\n".join(out)


_PARAS: list[str] = []  # the paragraph pool, made before the build's processes fork


def _write_part(job: tuple[Path, int, int, int]) -> list[CaptureRecord]:
    """Pages ``start``..``end`` into a WARC file of their own; their capture rows."""
    warc_dir, start, end, seed = job
    rng = random.Random(f"{seed}-{start}")
    rows = []
    with WarcWriter(warc_dir) as w:
        for i in range(start, end):
            oid = f"o{i % N_OUTLETS}"
            url = f"https://{oid}.example/news/{i}.html"
            body = _page(rng, _PARAS, i)
            headers = [("Content-Type", "text/html; charset=utf-8")]
            sha = hashlib.sha256(body).hexdigest()
            if i % ENCODED_SHARE == 0:
                body = gzip.compress(body, 6, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            when = T0 + timedelta(seconds=30 * i)
            loc = w.write_exchange(url=url, method="GET", request_headers={"Host": f"{oid}.x"},
                                   status=200, reason="OK", response_headers=headers,
                                   body=body, fetched_at=when, ip="192.0.2.1",
                                   payload_sha256=sha)
            rows.append(CaptureRecord(url=url, outlet_id=oid, kind="article", fetched_at=when,
                                      status=200, failure=None, warc_file=loc.warc_file,
                                      warc_offset=loc.offset, warc_length=loc.length,
                                      sha256=loc.sha256, content_type="text/html",
                                      record_id=loc.record_id, warc_sha256=loc.member_sha256))
    return rows


def build(workdir: Path, n: int, seed: int) -> Path:
    """The study of an archive of ``n`` captures (built once, then reused).

    The records are written by one process per CPU, each into WARC files of its
    own (as several collector runs leave them); the rows by this process.
    """
    root = workdir / f"check-covering-{n}-{seed}"  # stored bytes digests, covering index
    study = root / "study.toml"
    done = root / "built.json"
    if done.exists():
        return study
    if root.exists():
        shutil.rmtree(root)  # a build that did not finish
    root.mkdir(parents=True)
    study.write_text(_study_text(root / "archive"), "utf-8")
    st = api.load(study)
    store = open_store(st.db_path)
    store.sync_outlets(st.outlets)
    _PARAS[:] = _paragraphs(random.Random(seed), 3000)
    st.warc_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    jobs = [(st.warc_dir, k, min(k + PART, n), seed) for k in range(0, n, PART)]
    built = 0
    with ProcessPoolExecutor(os.cpu_count() or 1,
                             mp_context=multiprocessing.get_context("fork")) as pool:
        for rows in pool.map(_write_part, jobs):
            with store.transaction() as c:  # type: ignore[attr-defined]
                for r in rows:
                    store._insert_capture(c, r)  # type: ignore[attr-defined]
            built += len(rows)
            print(f"  built {built:,} captures in {time.perf_counter() - t0:.0f} s", flush=True)
    store.close()
    done.write_text(json.dumps({"captures": n, "seed": seed}), "utf-8")
    return study


def read_and_hash(files: list[Path]) -> float:
    """(a): one sequential pass of read + SHA-256 over the files; seconds."""
    t0 = time.perf_counter()
    for p in files:
        h = hashlib.sha256()
        with open(p, "rb", buffering=0) as f:
            while data := f.read(READ):
                h.update(data)
    return time.perf_counter() - t0


def timed_evidence(study: Path, workers: int | None, mode: str) -> tuple[float, Any]:
    """(b) or (c): the captures' evidence checked as ``untold check`` does it; (s, report)."""
    st = api.load(study)
    t0 = time.perf_counter()
    store = open_store(st.db_path)
    try:
        report = check_evidence(store, st.warc_dir, mode=mode, workers=workers)
    finally:
        store.close()
    return time.perf_counter() - t0, report


def timed_database(study: Path) -> float:
    """(d): the database's own checks alone, as full mode runs them (SQLite quick_check,
    FTS5, cross-table)."""
    t0 = time.perf_counter()
    store = open_store(api.load(study).db_path)
    try:
        assert store.integrity_check(thorough=False) == []
    finally:
        store.close()
    return time.perf_counter() - t0


def timed_command(study: Path, workers: int | None) -> tuple[float, Any]:
    """(e): all of ``untold check`` (``api.archive_check``): (d) beside (b)."""
    t0 = time.perf_counter()
    report = api.archive_check(study, workers=workers)
    return time.perf_counter() - t0, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--captures", type=int, default=100_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/untold-check-bench"))
    ap.add_argument("--workers", type=int, default=None, help="checking processes "
                    "(default: one per CPU)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="measure R times, keep each best")
    ap.add_argument("--no-deep", action="store_true", help="skip (c), the slow --deep run")
    args = ap.parse_args()

    print(f"building (or reusing) an archive of {args.captures:,} captures under "
          f"{args.workdir} ...", flush=True)
    study = build(args.workdir, args.captures, args.seed)
    st = api.load(study)
    files = sorted(st.warc_dir.glob("*.warc.gz"))
    size = sum(p.stat().st_size for p in files)
    print(f"archive: {args.captures:,} captures in {len(files)} WARC files, "
          f"{size / 1e6:,.0f} MB; {os.cpu_count()} CPUs")
    read_and_hash(files)  # warm the page cache: both runs read the same cached files

    best: dict[str, float] = {}
    reports: dict[str, Any] = {}

    def measure(key: str, took: float, report: Any = None) -> None:
        best[key] = min(best.get(key, 1e9), took)
        if report is not None:
            reports[key] = report

    for i in range(args.repeat):  # interleaved, each one's best: a busy machine skews less
        measure("a", read_and_hash(files))
        measure("b", *timed_evidence(study, args.workers, FULL))
        if i == 0 and not args.no_deep:  # information only, and slow: once
            measure("c", *timed_evidence(study, args.workers, DEEP))
        measure("d", timed_database(study))
        measure("e", *timed_command(study, args.workers))
    for key, report in reports.items():
        assert report.ok and report.captures == args.captures, (key, report.lines())
    assert reports["b"].fixity == reports["e"].fixity == args.captures, reports["b"].summary()

    def line(key: str, what: str) -> str:
        t = best[key]
        return (f"({key}) {what}: {t:.2f} s, {size / 1e6 / t:,.0f} MB/s, "
                f"{args.captures / t:,.0f} captures/s")

    print(line("a", "sequential read + SHA-256"))
    print(line("b", "untold check (full), the captures' evidence") +
          f" [{reports['b'].fixity:,} stored-bytes digests matched]")
    if "c" in best:
        print(line("c", "for information, the same with --deep") +
              f" [{reports['c'].verified:,} payloads verified]; (a)/(c) = "
              f"{best['a'] / best['c']:.2f}")
    print(f"(d) for information, the database's own checks alone: {best['d']:.2f} s "
          f"({st.db_path.stat().st_size / 1e6:,.0f} MB database)")
    print(line("e", "for information, all of untold check (full; (d) beside (b))") +
          f"; (a)/(e) = {best['a'] / best['e']:.2f}")
    ratio = best["a"] / best["b"]
    print(f"(b)/(a) = {ratio:.2f} (time of (a) / time of (b)); target >= {TARGET:.2f}: "
          f"{'OK' if ratio >= TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
