"""Revisit speed: planning over a million tracked articles, and a pass over 10,000.

Run from the repository root::

    .venv/bin/python benchmarks/revisit_speed.py [--tracked 1000000] [--pages 10000]

(a) Planning: a fresh archive with N tracked articles (``revisit_tracking``
    rows, next_due spread over 30 days) and the query ``untold revisit`` runs
    to find what is due now (~1% of them), through ``store.due_revisits``.
    Target < 1 s. Baseline: the same query with the index ignored
    (``NOT INDEXED``, a full scan), and the ratio.
(b) A revisit pass over P unchanged articles served by a local server on
    127.0.0.1 (~20 kB pages with ETags), once without conditional requests
    (validators cleared: every page comes back whole and is compared by its
    SHA-256) and once with them (every page a 304). Prints requests/s, body
    bytes and WARC bytes per article for both, and the ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.outlet_site import PARAS  # noqa: E402
from untold.collect.revisit import PLAN_BATCH, revisit  # noqa: E402
from untold.config import load_study  # noqa: E402
from untold.store import open_store  # noqa: E402
from untold.timeutil import to_iso  # noqa: E402

PLAN_TARGET_S = 1.0
HOST = "bench.example"


def plan_benchmark(n: int, tmp: Path) -> None:
    store: Any = open_store(tmp / "plan.sqlite")
    now = datetime(2026, 10, 20, tzinfo=UTC)
    rng = random.Random(1)
    t0 = time.perf_counter()
    rows = []
    for i in range(1, n + 1):
        first = now - timedelta(seconds=rng.randint(0, 30 * 86400))
        due = now + timedelta(seconds=rng.randint(-int(0.01 * 30 * 86400), 30 * 86400))
        rows.append((i, "o", f"https://x.example/{i}.html", to_iso(first), to_iso(due)))
        if len(rows) == 100_000:
            with store.transaction() as c:
                c.executemany("INSERT INTO revisit_tracking (article_id, outlet_id, url, "
                              "first_seen, next_due) VALUES (?,?,?,?,?)", rows)
            rows = []
    if rows:
        with store.transaction() as c:
            c.executemany("INSERT INTO revisit_tracking (article_id, outlet_id, url, "
                          "first_seen, next_due) VALUES (?,?,?,?,?)", rows)
    store.conn.execute("ANALYZE")
    print(f"(a) {n:,} tracked articles inserted in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    due = store.due_revisits(now)
    planned = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_due = store.count_due(now)
    first = store.due_revisits(now, limit=PLAN_BATCH)
    batch_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scan = store.conn.execute(
        "SELECT article_id, outlet_id, url, first_seen, step, next_due FROM revisit_tracking "
        "NOT INDEXED WHERE next_due <= ? ORDER BY next_due", (to_iso(now),)).fetchall()
    scanned = time.perf_counter() - t0
    assert len(scan) == len(due)
    print(f"    planning: {len(due):,} due of {n:,} in {planned * 1000:.0f} ms; target "
          f"< {PLAN_TARGET_S:.0f} s: {'OK' if planned < PLAN_TARGET_S else 'MISSED'} "
          f"({planned / PLAN_TARGET_S:.2f} of the target)")
    print(f"    as a pass plans (count, then the first {len(first):,} of {n_due:,}): "
          f"{batch_s * 1000:.0f} ms")
    print(f"    baseline full scan (NOT INDEXED): {scanned * 1000:.0f} ms; the index is "
          f"{scanned / planned:.1f}x faster")
    store.close()


def page(i: int) -> bytes:
    paras = "".join(f"<p>{PARAS['ru'][(i + k) % 5]} ({i}-{k})</p>" for k in range(150))
    return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>Новость {i}"
            f"</title></head><body><article><h1>Новость {i}</h1>{paras}</article></body>"
            "</html>").encode()


def _serve(port_out: Any, requests: Any) -> None:
    """The local outlet, in its own process: it must not share the client's GIL."""

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a: Any) -> None:
            pass

        def do_GET(self) -> None:
            with requests.get_lock():
                requests.value += 1
            if self.path == "/robots.txt":
                body, etag = b"User-agent: *\nAllow: /\n", None
            else:
                body = page(int(self.path.split("/")[-1].split(".")[0]))
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            status = 304 if etag and self.headers.get("If-None-Match") == etag else 200
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "0" if status == 304 else str(len(body)))
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # the default 5 drops a burst of connects (1 s SYN retry)

    httpd = Server(("127.0.0.1", 0), H)
    httpd.daemon_threads = True
    port_out.value = httpd.server_address[1]
    httpd.serve_forever()


class _Server:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self._port = ctx.Value("i", 0)
        self._requests = ctx.Value("q", 0)
        self.proc = ctx.Process(target=_serve, args=(self._port, self._requests), daemon=True)
        self.proc.start()
        while self._port.value == 0:
            time.sleep(0.01)
        self.port = int(self._port.value)

    @property
    def requests(self) -> int:
        return int(self._requests.value)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join()


def _study(tmp: Path, port: int) -> Path:
    p = tmp / "pass.toml"
    p.write_text(f"""[study]
archive = "pass-archive"
[fetch]
delay = 0.0
per_host = 8
concurrency = 8
retries = 0
resolve = {{ "{HOST}" = "127.0.0.1:{port}" }}
allow_private = true
[revisit]
check_listings = false
[[outlets]]
id = "bench"
name = "Bench"
domains = ["{HOST}"]
""", encoding="utf-8")
    return p


def _warc_bytes(d: Path) -> int:
    return sum(f.stat().st_size for f in d.glob("*.warc.gz")) if d.exists() else 0


def pass_benchmark(n: int, tmp: Path) -> None:
    srv = _Server()
    study = load_study(_study(tmp, srv.port))
    store: Any = open_store(study.db_path)
    first = datetime(2026, 10, 5, tzinfo=UTC)
    with store.transaction() as c:
        for i in range(n):
            body = page(i)
            sha = hashlib.sha256(body).hexdigest()
            cur = c.execute("INSERT INTO captures (url, outlet_id, kind, fetched_at, status, "
                            "sha256) VALUES (?,?,?,?,?,?)",
                            (f"http://{HOST}/news/{i}.html", "bench", "article",
                             to_iso(first), 200, sha))
            c.execute("INSERT INTO articles (outlet_id, url, canonical_url, title, text, "
                      "fetched_at, capture_id, sha256, text_hash) VALUES (?,?,?,?,?,?,?,?,?)",
                      ("bench", f"http://{HOST}/news/{i}.html", f"http://{HOST}/news/{i}.html",
                       f"Новость {i}", "text", to_iso(first), cur.lastrowid, sha, sha))
    results = {}
    for label, conditional, hours in (("without", False, 2), ("with", True, 8)):
        now = first + timedelta(hours=hours)
        with store.transaction() as c:
            if not conditional:
                c.execute("UPDATE revisit_tracking SET etag=NULL, last_modified=NULL")
        before_req, before_warc = srv.requests, _warc_bytes(study.warc_dir)
        t0 = time.perf_counter()
        stats = revisit(study, store, clock=lambda now=now: now)
        dt = time.perf_counter() - t0
        reqs = srv.requests - before_req
        results[label] = (stats.checked / dt, stats.bytes / max(1, stats.checked),
                          (_warc_bytes(study.warc_dir) - before_warc) / max(1, stats.checked))
        print(f"(b) {label} conditional requests: {stats.checked:,} articles, {reqs:,} "
              f"requests in {dt:.1f} s = {stats.checked / dt:,.0f} articles/s; "
              f"{results[label][1]:,.0f} body bytes and {results[label][2]:,.0f} WARC bytes "
              f"per article; outcomes {stats.outcomes}")
    w, c = results["without"], results["with"]
    print(f"    with/without: {c[0] / w[0]:.2f}x the rate, body bytes "
          f"{c[1] / max(w[1], 1):.4f}x, WARC bytes {c[2] / max(w[2], 1):.2f}x")
    store.close()
    srv.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracked", type=int, default=1_000_000)
    ap.add_argument("--pages", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="untold-revisit-bench-") as d:
        plan_benchmark(args.tracked, Path(d))
        pass_benchmark(args.pages, Path(d))


if __name__ == "__main__":
    main()
