"""Real archives for the evidence tests, and ways to damage them.

``collect_archive`` collects the demo outlets plus the hostile one from loopback
with ``untold collect`` (so the WARC files hold truncated records too: a flood
cut at max_body, a gzip bomb). ``source_warcs`` writes WARC files outside any
archive, as another crawler would leave them: one with untold's WarcWriter
(plain and gzip content-encoded bodies), one uncompressed with chunked bodies.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.support.outlet_server import OutletServer, study_toml
from tests.support.warcs import BASE_DATE, Rec, chunked, gzipped, news_page, write_warc
from untold.collect.warcwriter import WarcWriter

UNTOLD = [sys.executable, "-m", "untold"]

IMPORT_STUDY = """[study]
name = "imported"
archive = "archive"

[[outlets]]
id = "free"
name = "Free Press"
domains = ["free.example"]
languages = ["en"]

[[stories]]
id = "economy"
title = "Economy"
query = "government OR minister"
start = 2025-02-01T00:00:00Z
end = 2025-04-01T00:00:00Z
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def collect_archive(root: Path) -> Path:
    """A study collected from the loopback outlets; its study file."""
    root.mkdir(parents=True, exist_ok=True)
    study = root / "study.toml"
    with OutletServer() as site:
        study.write_text(study_toml(site.port, "archive", broken=True), "utf-8")
        r = run_cli("collect", str(study), cwd=root)
        assert r.returncode == 0, r.stderr
    return study


def source_warcs(folder: Path) -> list[Path]:
    """WARC files of free.example pages, outside any archive (see the module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    with WarcWriter(folder) as w:
        for i in range(6):
            body = news_page("en", i, site="Free Press")
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if i % 2:
                body = gzipped(body)
                headers.append(("Content-Encoding", "gzip"))
            w.write_exchange(url=f"https://free.example/news/{i}.html", method="GET",
                             request_headers={"Host": "free.example"}, status=200,
                             reason="OK", response_headers=headers, body=body,
                             fetched_at=BASE_DATE + timedelta(hours=i), ip="192.0.2.1")
    own = sorted(folder.glob("*.warc.gz"))
    plain = write_warc(folder / "crawl.warc", [
        Rec("https://free.example/c/1.html", chunked(news_page("en", 50)),
            headers=[("Transfer-Encoding", "chunked")]),
        Rec("https://free.example/c/2.html", chunked(gzipped(news_page("en", 51))),
            headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
        Rec("https://free.example/c/3.html", news_page("en", 52)),
    ], gzip=False)
    return [*own, plain]


def db(study: Path) -> sqlite3.Connection:
    return sqlite3.connect(study.parent / "archive" / "archive.sqlite")


def flip(path: Path, at: int, n: int = 64) -> None:
    """Invert ``n`` bytes of ``path`` from offset ``at`` (same size, other content)."""
    with open(path, "r+b") as f:
        f.seek(at)
        data = f.read(n)
        f.seek(at)
        f.write(bytes(b ^ 0xFF for b in data))
