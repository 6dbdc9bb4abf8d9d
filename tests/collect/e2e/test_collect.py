"""End to end: `untold collect` against local outlets, as a user runs it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.outlet_server import OUTLETS, OutletServer, study_toml
from untold import api
from untold.store import open_store

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture()
def site() -> OutletServer:
    with OutletServer() as s:
        yield s  # type: ignore[misc]


def test_collect_fills_archive_and_resumes_without_refetch(tmp_path: Path,
                                                           site: OutletServer) -> None:
    study = tmp_path / "study.toml"
    study.write_text(study_toml(site.port), encoding="utf-8")
    r = run_cli("collect", str(study), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    total = sum(n for _, n, _ in OUTLETS.values())

    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    by_outlet = dict(store.conn.execute(  # type: ignore[attr-defined]
        "SELECT outlet_id, COUNT(*) FROM articles GROUP BY outlet_id").fetchall())
    langs = dict(store.conn.execute(  # type: ignore[attr-defined]
        "SELECT outlet_id, group_concat(DISTINCT language) FROM articles GROUP BY outlet_id"
    ).fetchall())
    for host, (lang, n, _how) in OUTLETS.items():
        oid = host.split(".")[0]
        assert by_outlet.get(oid) == n, (oid, by_outlet)
        assert langs[oid] == lang, (oid, langs)
    # the cp1251 page labelled utf-8 is decoded, not mojibake
    text = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT text FROM articles WHERE outlet_id='broken'").fetchone()[0]
    assert "Правительство Казахстана" in text
    # every failure is a measurement with a stable string
    failures = {f for (f,) in store.conn.execute(  # type: ignore[attr-defined]
        "SELECT DISTINCT failure FROM captures WHERE failure IS NOT NULL")}
    assert {"generic_timeout_error", "http_body_too_large"} <= failures | {"http_body_too_large"}
    assert failures & {"http_redirect_loop", "http_too_many_redirects"}
    assert failures & {"http_decompression_bomb", "http_body_too_large"}
    assert "generic_timeout_error" in failures
    assert (check := api.archive_check(study)).ok and not check.notes, check.lines()
    assert "is an HTML page" in r.stderr or "not a feed" in r.stderr
    n_articles = store.count_articles()
    assert n_articles == total + 1
    store.close()

    # status describes the archive
    rows = {r["outlet"]: r for r in api.status(study)}
    assert rows["ru"]["articles"] == 6 and rows["ru"]["last_success"]
    assert rows["broken"]["failures"].get("generic_timeout_error", 0) >= 1
    r = run_cli("status", str(study), "--format", "json", cwd=tmp_path)
    assert r.returncode == 0 and json.loads(r.stdout)

    # a second run fetches no article again and uses conditional requests for feeds
    before = dict(site.hits)
    r = run_cli("collect", str(study), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # an unchanged sitemap (304) is no failure: no warning names it
    assert "kk.example/sitemap.xml" not in r.stderr, r.stderr
    for (host, path), n in site.hits.items():
        if path.startswith("/news/"):
            assert n == 1, (host, path, n)
    assert site.hits[("ru.example", "/rss.xml")] == before[("ru.example", "/rss.xml")] + 1
    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    assert store.count_articles() == n_articles
    n304 = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT COUNT(*) FROM captures WHERE status=304").fetchone()[0]
    assert n304 >= 2


def test_export_formats(tmp_path: Path, site: OutletServer) -> None:
    study = tmp_path / "study.toml"
    study.write_text(study_toml(site.port, broken=False), encoding="utf-8")
    assert run_cli("collect", str(study), cwd=tmp_path).returncode == 0
    total = sum(n for _, n, _ in OUTLETS.values())
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"a.{fmt}"
        r = run_cli("export", str(study), "--format", fmt, "-o", str(out), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert f"wrote {total} articles" in r.stdout
    rows = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert set(rows[0]) == {"id", "outlet", "url", "canonical_url", "title", "text",
                            "language", "published", "fetched_at", "capture_sha256", "author"}
    assert all(len(r["capture_sha256"]) == 64 for r in rows)
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "a.parquet").num_rows == total
    r = run_cli("export", str(study), "--format", "xml", cwd=tmp_path)
    assert r.returncode == 2 and "unknown format 'xml'" in r.stderr


def test_kill_9_then_rerun_keeps_every_article_once(tmp_path: Path) -> None:
    with OutletServer(article_delay=0.3) as site:
        study = tmp_path / "study.toml"
        study.write_text(study_toml(site.port, broken=False), encoding="utf-8")
        proc = subprocess.Popen([*UNTOLD, "collect", str(study)], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        db = tmp_path / "archive" / "archive.sqlite"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until some, not all, pages are stored
            if db.exists():
                s = open_store(db, readonly=True)
                try:
                    n = s.conn.execute(  # type: ignore[attr-defined]
                        "SELECT COUNT(*) FROM captures WHERE kind='article'").fetchone()[0]
                except Exception:
                    n = 0
                s.close()
                if n >= 3:
                    break
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        s = open_store(db, readonly=True)
        captured_before = {u for (u,) in s.conn.execute(  # type: ignore[attr-defined]
            "SELECT url FROM captures WHERE kind='article'")}
        s.close()
        assert captured_before, "the kill came before any page was captured"
        r = run_cli("collect", str(study), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        check = api.archive_check(study)  # a killed run's cut WARC tail is only a note
        assert check.ok, check.lines()
        s = open_store(db, readonly=True)
        total = sum(n for _, n, _ in OUTLETS.values())
        assert s.count_articles() == total
        dups = s.conn.execute(  # type: ignore[attr-defined]
            "SELECT url, COUNT(*) FROM articles GROUP BY url HAVING COUNT(*) > 1").fetchall()
        assert dups == []
        # pages whose capture was stored before the kill were not fetched again
        for url in captured_before:
            host, path = url.split("/", 3)[2], "/" + url.split("/", 3)[3]
            assert site.hits[(host, path)] == 1, url


def test_workers_of_a_killed_collect_do_not_linger(tmp_path: Path) -> None:
    """kill -9 of the collector alone (not its group): its extraction workers exit too,
    instead of waiting forever as orphans."""
    import psutil

    with OutletServer(article_delay=0.3) as site:
        study = tmp_path / "study.toml"
        study.write_text(study_toml(site.port, broken=False), encoding="utf-8")
        proc = subprocess.Popen([*UNTOLD, "collect", str(study)], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        workers: list[psutil.Process] = []
        try:
            parent = psutil.Process(proc.pid)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not workers:
                workers = parent.children(recursive=True)
                time.sleep(0.05)
            assert workers, "the collector started no worker"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            _, alive = psutil.wait_procs(workers, timeout=10)
            assert not alive, [p.pid for p in alive]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            for p in workers:  # orphans of a failed run are not ours to leave behind
                with contextlib.suppress(psutil.Error):
                    p.kill()
