"""WARC import speed: untold's import against bare trafilatura and news-please.

Run from the repository root::

    .venv/bin/python benchmarks/warc_import.py            # N = 5,000 pages (long)
    .venv/bin/python benchmarks/warc_import.py --quick    # N = 800, a smoke run

One script, one process tree, the same records for every contender, so the
ratios hold on a noisy machine. It builds a gzip WARC of N article pages from
../shared/data/extraction-benchmark (181 real pages, each repeated with a
unique number in its text and a unique URL, so deduplication does not cut the
work short) and measures:

(a) bare trafilatura (the call untold's extraction makes) in a process pool on
    all cores, payloads already in memory: pages/s; and in one process (a1),
    which shows how far this machine's cores scale at all;
(b) untold's import end to end (read, decode, extract, detect language, hash,
    dedupe, index) into a fresh SQLite archive, all cores: pages/s (the one-time
    model loading, a few seconds, is timed apart, as (a)'s pool warm-up is);
(c) the same with ``workers=1``;
(d) peak memory of the import's process tree (PSS, and RSS) for a WARC of N/4
    pages (1x) and of N pages (4x, that is run (b));
(e) news-please's rate on the first ``--np-limit`` records of the same file
    (``NewsPlease.from_warc`` per record, as its Common Crawl extractor does,
    spread over a pool of all cores), from a separate virtualenv
    (``--np-python``, made with ``pip install news-please`` if missing).

Each measurement runs in a child process (this script with ``--child``) that
prints one JSON line; CPU seconds include the child's workers. ``--repeat R``
runs (a), (a1), (b) and (c) R times, interleaved, and keeps each one's best.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / ".." / "shared" / "data" / "extraction-benchmark"
FULL_N = 5000  # pages in the full run: long enough that start-up costs vanish
QUICK_N = 800
NP_LIMIT = 300  # news-please is slow: its rate is taken on the file's first records
NP_VENV = Path("/tmp/np-venv")  # never the project's .venv
POLL_S = 0.2  # memory sampling interval
TARGET_VS_BARE = 0.85
TARGET_SCALING = 1.7
TARGET_MEMORY_MB = 500
_LONG_P = re.compile(rb"<p(?:\s[^>]*)?>(?=[^<]{200,})", re.IGNORECASE)
_ANY_P = re.compile(rb"<p(?:\s[^>]*)?>(?=[^<]{40,})", re.IGNORECASE)


# -- the WARC ---------------------------------------------------------------------
def load_pages() -> list[tuple[str, bytes]]:
    truth_file = BENCH / "ground-truth.json"
    if not truth_file.is_file():
        sys.exit(f"{truth_file}: not found: this benchmark needs ../shared beside the repo")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    return [(v["url"], gzip.decompress((BENCH / "html" / f"{k}.html.gz").read_bytes()))
            for k, v in sorted(truth.items())]


def variant(url: str, body: bytes, copy: int) -> tuple[str, bytes]:
    """Copy ``copy`` of a page: a unique URL and a unique number inside its text."""
    mark = f"[report {copy}-{zlib.crc32(url.encode()) % 100000}] ".encode()
    m = _LONG_P.search(body) or _ANY_P.search(body)
    if m:
        body = body[:m.end()] + mark + body[m.end():]
    else:
        at = body.lower().rfind(b"</body>")
        at = at if at >= 0 else len(body)
        body = body[:at] + b"<p>" + mark + b"</p>" + body[at:]
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}copy={copy}", body


def _member(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def response_record(url: str, body: bytes, serial: int) -> bytes:
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body
    digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:"
            f"{uuid.UUID(int=serial)}>\r\nWARC-Date: 2025-03-01T09:00:00Z\r\n"
            f"WARC-Target-URI: {url}\r\nWARC-Payload-Digest: {digest}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return _member(head + http + b"\r\n\r\n")


def build_warc(path: Path, pages: list[tuple[str, bytes]], n: int) -> Path:
    """N records, copy-major: every prefix holds every kind of page."""
    with open(path, "wb") as f:
        for i in range(n):
            url, body = pages[i % len(pages)]
            f.write(response_record(*variant(url, body, i // len(pages)), serial=i + 1))
    return path


# -- children -----------------------------------------------------------------------
def _cpu() -> dict[str, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_main_s": me.ru_utime + me.ru_stime,
            "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}


def bare_extract(url: str, body: bytes) -> Any:
    """What (a) measures: trafilatura alone, with the options and date search
    untold.extract.article uses (untold decodes the bytes first; here trafilatura does)."""
    import trafilatura

    from untold.extract.article import TRAFILATURA_OPTIONS, _date_params

    return trafilatura.bare_extraction(body, url=url, date_extraction_params=_date_params(),
                                       **TRAFILATURA_OPTIONS)


def _bare_one(item: tuple[str, bytes]) -> int:
    return 1 if bare_extract(*item) else 0


def child_bare(warc: Path, workers: int) -> dict[str, Any]:
    from multiprocessing import get_context

    from untold.collect.warcimport_read import PageRecord, iter_records
    from untold.collect.warcimport_work import decode_payload

    items = [(r.url, decode_payload(r.headers, r.payload)) for r in iter_records(warc)
             if isinstance(r, PageRecord)]
    with get_context("fork").Pool(workers) as pool:
        pool.map(_bare_one, items[:workers])  # warm the workers' imports, not timed
        before = _cpu()
        t0 = time.perf_counter()
        found = sum(pool.imap_unordered(_bare_one, items, chunksize=4))
        wall = time.perf_counter() - t0
        pool.close()
        pool.join()
    after = _cpu()
    return {"pages": len(items), "articles": found, "wall_s": wall,
            "cpu_s": after["cpu_s"] - before["cpu_s"], "cpu_total_s": after["cpu_s"]}


def child_import(warc: Path, workers: int, archive: Path) -> dict[str, Any]:
    from untold.collect.warcimport import import_warcs
    from untold.config import load_study
    from untold.store import open_store

    toml = archive.with_suffix(".toml")
    toml.write_text(f'[study]\nname = "bench"\narchive = "{archive.name}"\n', encoding="utf-8")
    study = load_study(toml)  # no outlets: every domain becomes an uncurated outlet
    store = open_store(study.db_path)
    from untold.collect.warcimport_work import warm_up

    t0 = time.perf_counter()
    warm_up()  # model loading, once per import: kept out of the rate, as for (a)
    startup = time.perf_counter() - t0
    before = _cpu()
    t0 = time.perf_counter()
    stats = import_warcs(study, store, [warc], workers=workers)
    wall = time.perf_counter() - t0
    after = _cpu()
    problems = store.integrity_check()
    store.close()
    return {"pages": stats.pages, "articles": stats.articles_new + stats.duplicates,
            "new": stats.articles_new, "near_duplicates": stats.near_duplicates,
            "skipped": stats.skipped, "errors": stats.errors[:3], "wall_s": wall,
            "cpu_s": after["cpu_s"] - before["cpu_s"],
            "cpu_main_s": after["cpu_main_s"] - before["cpu_main_s"],
            "startup_s": startup, "integrity": problems, "cpu_total_s": _cpu()["cpu_s"]}


NP_CHILD = r"""
import json, sys, time, resource
from multiprocessing import get_context
from warcio.archiveiterator import ArchiveIterator

def one(item):
    from newsplease import NewsPlease
    import io
    from warcio.archiveiterator import ArchiveIterator
    rec = next(iter(ArchiveIterator(io.BytesIO(item))))
    try:
        art = NewsPlease.from_warc(rec, fetch_images=False)
    except Exception:
        return 0
    return 1 if art is not None and getattr(art, "maintext", None) else 0

def main():
    path, workers, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    items = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            if rec.rec_type != "response":
                continue
            rec.raw_stream.read()
            off, length = it.get_record_offset(), it.get_record_length()
            items.append((off, length))
            if len(items) >= limit:
                break
    data = open(path, "rb").read()
    raws = [data[o:o + n] for o, n in items]
    with get_context("fork").Pool(workers) as pool:
        pool.map(one, raws[:workers])
        t0 = time.perf_counter()
        found = sum(pool.imap_unordered(one, raws, chunksize=2))
        wall = time.perf_counter() - t0
    print(json.dumps({"pages": len(raws), "articles": found, "wall_s": wall}))

if __name__ == "__main__":
    main()
"""


# -- the parent -------------------------------------------------------------------------
@dataclass
class Peak:
    pss: int = 0
    rss: int = 0
    main_rss: int = 0


def _watch(pid: int, peak: Peak, stop: threading.Event) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            rss = pss = 0
            for p in procs:
                try:
                    info = p.memory_full_info()
                    rss += info.rss
                    pss += getattr(info, "pss", info.rss)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            peak.rss, peak.pss = max(peak.rss, rss), max(peak.pss, pss)
            peak.main_rss = max(peak.main_rss, root.memory_info().rss)
        except psutil.NoSuchProcess:
            return
        stop.wait(POLL_S)


def _busy_s() -> float:
    """CPU seconds the whole machine has been busy (all processes, all cores)."""
    import psutil

    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def run_child(args: list[str], python: str = sys.executable) -> tuple[dict[str, Any], Peak]:
    """Run one measurement; adds ``others``: cores other processes used meanwhile."""
    cmd = [python, *args] if args[0].endswith(".py") or args[0] == "-c" else \
        [python, str(Path(__file__).resolve()), "--child", *args]
    busy0, mine0, t0 = _busy_s(), _cpu()["cpu_main_s"], time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                                [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])})
    peak, stop = Peak(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(proc.pid, peak, stop), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    stop.set()
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed ({proc.returncode}): {err[-1500:]}")
    res: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if "cpu_total_s" in res:
        others = _busy_s() - busy0 - res["cpu_total_s"] - (_cpu()["cpu_main_s"] - mine0)
        res["others"] = max(others, 0.0) / (time.perf_counter() - t0)
    return res, peak


def peer_python(path: Path, install: bool) -> tuple[str | None, str]:
    """news-please's interpreter, installing it into its own venv if asked."""
    py = path / "bin" / "python"
    if py.exists():
        return str(py), ""
    if not install:
        return None, f"{py} not found (make it: python -m venv {path} && " \
                     f"{path}/bin/pip install news-please)"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True,
                       capture_output=True, timeout=300)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "news-please"], check=True,
                       capture_output=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        tail = detail.decode(errors="replace")[-300:] if isinstance(detail, bytes) else detail
        return None, f"cannot install news-please into {path}: {exc} {tail}".strip()
    return str(py), ""


def rate(r: dict[str, Any]) -> float:
    return float(r["pages"]) / max(float(r["wall_s"]), 1e-9)


def cpu_ms(r: dict[str, Any]) -> str:
    return f"{1000 * r['cpu_s'] / max(r['pages'], 1):8.1f}" if "cpu_s" in r else "       -"


def others(r: dict[str, Any]) -> str:
    return f"{r['others']:5.2f}" if "others" in r else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"N = {QUICK_N}: a smoke run")
    ap.add_argument("--n", type=int, help=f"pages in the WARC (default {FULL_N})")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=1, help="rounds; the best of each is kept")
    ap.add_argument("--np-limit", type=int, default=NP_LIMIT)
    ap.add_argument("--np-python", type=Path, default=NP_VENV)
    ap.add_argument("--no-peer", action="store_true", help="skip news-please")
    ap.add_argument("--no-install", action="store_true", help="do not pip install news-please")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, rest = a.child[0], a.child[1:]
        if kind == "bare":
            out = child_bare(Path(rest[0]), int(rest[1]))
        else:
            out = child_import(Path(rest[0]), int(rest[1]), Path(rest[2]))
        print(json.dumps(out))
        return

    n = a.n or (QUICK_N if a.quick else FULL_N)
    w = a.workers
    pages = load_pages()
    with tempfile.TemporaryDirectory(prefix="untold-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        warc = build_warc(work / "bench.warc.gz", pages, n)
        small = build_warc(work / "bench-quarter.warc.gz", pages, max(n // 4, 1))
        print(f"WARC: {n} pages, {warc.stat().st_size / 1e6:.0f} MB gzip "
              f"({sum(len(b) for _, b in pages) / len(pages) / 1e3:.0f} kB average page), "
              f"built in {time.perf_counter() - t0:.0f} s; {w} workers on "
              f"{os.cpu_count()} CPUs", flush=True)
        res: dict[str, dict[str, Any]] = {}
        peaks: dict[str, Peak] = {}
        runs = [("a", ["bare", str(warc), str(w)], "bare trafilatura, all workers"),
                ("b", ["import", str(warc), str(w)], "untold import, all workers"),
                ("c", ["import", str(warc), "1"], "untold import, workers=1"),
                ("a1", ["bare", str(warc), "1"], "bare trafilatura, one process")]
        for rnd in range(a.repeat):
            for key, args, label in runs:
                print(f"({key}) {label}, round {rnd + 1} ...", flush=True)
                if args[0] == "import":
                    args = [*args, str(work / f"{key}{rnd}")]
                r, peak = run_child(args)
                if key not in res or rate(r) > rate(res[key]):
                    res[key] = r
                    if key == "b":
                        peaks["4x"] = peak
        print("(d) untold import of the quarter-size WARC, for memory ...", flush=True)
        res["d"], peaks["1x"] = run_child(["import", str(small), str(w), str(work / "d")])
        peer_note = ""
        if not a.no_peer:
            py, peer_note = peer_python(a.np_python, install=not a.no_install)
            if py:
                print(f"(e) news-please, first {a.np_limit} records ...", flush=True)
                script = work / "np_child.py"
                script.write_text(NP_CHILD, encoding="utf-8")
                try:
                    res["e"], _ = run_child([str(script), str(warc), str(w), str(a.np_limit)],
                                            python=py)
                except RuntimeError as exc:
                    peer_note = f"news-please failed: {exc}"
        report(res, peaks, n, w, peer_note, a.np_limit)


def report(res: dict[str, dict[str, Any]], peaks: dict[str, Peak], n: int, w: int,
           peer_note: str, np_limit: int) -> None:
    mb = 1 / 1e6
    rows = [("a", f"bare trafilatura, {w} processes"),
            ("a1", "bare trafilatura, 1 process"),
            ("b", f"untold import, {w} workers"),
            ("c", "untold import, workers=1"),
            ("e", f"news-please from_warc, {w} processes")]
    print()
    print(f"{'':40} {'pages':>6} {'articles':>8} {'pages/s':>8} {'CPU ms/page':>11} "
          f"{'wall s':>7} {'others':>7}")
    for key, label in rows:
        r = res.get(key)
        if r is None:
            continue
        print(f"({key:>2}) {label:35} {r['pages']:6d} {r['articles']:8d} {rate(r):8.1f} "
              f"{cpu_ms(r):>11} {r['wall_s']:7.1f} {others(r):>7}")
    b, a_, c = res["b"], res["a"], res["c"]
    print("    others: cores busy with other processes during that run (a busy machine "
          "slows the wall-clock rates; CPU ms/page is steadier)")
    print()
    print(f"(b)/(a) untold vs bare trafilatura: {rate(b) / rate(a_):.2f} "
          f"(target >= {TARGET_VS_BARE}); by CPU per page: "
          f"{a_['cpu_s'] / a_['pages'] / (b['cpu_s'] / b['pages']):.2f}")
    print(f"(b)/(c) {w} workers vs 1: {rate(b) / rate(c):.2f} "
          f"(target >= {TARGET_SCALING} on 2 cores); this machine's own ceiling, "
          f"bare (a)/(a1): {rate(a_) / rate(res['a1']):.2f}")
    print(f"    from CPU per page (what {w} idle cores would give if kept busy): "
          f"(b)/(c) {w * c['cpu_s'] / c['pages'] / (b['cpu_s'] / b['pages']):.2f}, "
          f"bare (a)/(a1) {w * res['a1']['cpu_s'] / res['a1']['pages'] / (a_['cpu_s'] / a_['pages']):.2f}")
    print(f"    import main process CPU: {1000 * b['cpu_main_s'] / b['pages']:.1f} ms/page "
          f"(reading, digests, SQLite, FTS, LSH); start-up (model loading, once per "
          f"import, not in the rates): {b['startup_s']:.1f} s")
    if "e" in res:
        print(f"(b)/(e) untold vs news-please: {rate(b) / rate(res['e']):.1f}x "
              f"(news-please on the first {res['e']['pages']} records)")
    else:
        print(f"(e) news-please: no figure: {peer_note or 'skipped (--no-peer)'}")
    p1, p4 = peaks["1x"], peaks["4x"]
    print(f"(d) peak memory, import process tree: 1x ({res['d']['pages']} pages) "
          f"PSS {p1.pss * mb:.0f} MB, RSS {p1.rss * mb:.0f} MB, main {p1.main_rss * mb:.0f} MB;"
          f" 4x ({n} pages) PSS {p4.pss * mb:.0f} MB, RSS {p4.rss * mb:.0f} MB, "
          f"main {p4.main_rss * mb:.0f} MB (target < {TARGET_MEMORY_MB} MB, not growing: "
          f"4x/1x PSS {p4.pss / max(p1.pss, 1):.2f})")
    for key in ("b", "c", "d"):
        r = res[key]
        if r.get("integrity") or r.get("errors"):
            print(f"    ({key}) problems: {r.get('integrity')} {r.get('errors')}")
    print(f"    (b) stored {b['new']} new articles, {b['near_duplicates']} linked as "
          f"near-duplicates; skipped {b['skipped']}")


if __name__ == "__main__":
    main()
