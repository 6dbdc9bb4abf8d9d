"""Bad input and interruptions: truncated WARCs, non-WARCs, ``kill -9`` mid-import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support.warcs import make_study, news_page, page_records, write_warc
from untold.collect.warcimport import import_warcs
from untold.store import open_store

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


def ru_pages(n: int, start: int = 0) -> list[tuple[str, bytes]]:
    return [(f"https://vlast.kz/novosti/{i}.html", news_page("ru", i))
            for i in range(start, start + n)]


def response_offsets(path: Path) -> list[tuple[int, int]]:
    out = []
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for rec in it:
            if rec.rec_type == "response":
                rec.content_stream().read()
                out.append((it.get_record_offset(), it.get_record_length()))
    return out


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
def test_truncated_warc_keeps_what_came_before_and_goes_on(tmp_path: Path, gzip: bool) -> None:
    study = make_study(tmp_path)
    suffix = ".warc.gz" if gzip else ".warc"
    full = write_warc(tmp_path / f"full{suffix}", page_records(ru_pages(10)), gzip=gzip)
    off, length = response_offsets(full)[6]
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(full.read_bytes()[:off + length // 2])  # mid-way through page 6
    other = write_warc(tmp_path / "other.warc.gz", page_records(ru_pages(3, start=50)))
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [cut, other], workers=2)
        assert stats.files == 2
        assert len(stats.errors) == 1, stats.errors
        msg = stats.errors[0]
        assert msg.startswith(f"{cut}@{off}:") and "cut" in msg, msg
        # the tail from the cut record on is skipped, counted, and the file marked damaged
        assert stats.skipped_bytes == cut.stat().st_size - off and stats.skipped_records == 1
        assert stats.files_damaged == 1 and stats.files_failed == 0
        assert stats.articles_new == 6 + 3  # pages 0-5 and the next file
        urls = {u for (u,) in store.conn.execute("SELECT url FROM articles")}  # type: ignore[attr-defined]
        assert urls == {u for u, _ in ru_pages(6) + ru_pages(3, start=50)}
        assert store.integrity_check() == []
        # the whole file, fetched again, adds only what was missing
        again = import_warcs(study, store, [full], workers=2)
        assert again.errors == [] and again.articles_new == 4 and again.already_imported == 6


def test_not_a_warc_and_missing_file_are_reported_not_raised(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    junk = tmp_path / "notes.warc"
    junk.write_text("these are my notes, not a web archive\r\n\r\n", encoding="utf-8")
    good = write_warc(tmp_path / "good.warc.gz", page_records(ru_pages(2)))
    missing = tmp_path / "missing.warc.gz"
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [junk, missing, good], workers=1)
        assert stats.articles_new == 2
        assert len(stats.errors) == 2
        assert stats.errors[0].startswith(f"{junk}: not a WARC file"), stats.errors
        assert stats.errors[1].startswith(f"{missing}:") and "cannot open" in stats.errors[1]
        assert stats.files_failed == 2 and stats.files_damaged == 0
        assert "2 of 3 files could not be read" in (stats.damage() or "")


KILL_SCRIPT = """
import sys
from pathlib import Path
from untold.collect.warcimport import import_warcs
from untold.config import load_study
from untold.store import open_store
study = load_study(sys.argv[1])
store = open_store(study.db_path)
import_warcs(study, store, [Path(sys.argv[2])], workers=2, batch_size=10)
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_kill_9_mid_import_then_rerun_holds_every_article_once(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    total = 300
    warc = write_warc(tmp_path / "big.warc.gz", page_records(ru_pages(total)))
    with closing(open_store(study.db_path)):
        pass  # create the archive, so the watcher below can read it from the start
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(study.path), str(warc)],
                            cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: list[int] = []
    try:
        db = sqlite3.connect(study.db_path, timeout=30)
        done = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid) or workers
            done = db.execute("SELECT COUNT(*) FROM imported_records").fetchone()[0]
            if done >= 20:
                break
            time.sleep(0.02)
        db.close()
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert 20 <= done < total
        os.kill(proc.pid, signal.SIGKILL)  # the importer only, as a user's kill -9 does
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert workers, "the import ran no worker processes"
        # the workers notice their importer is gone and exit on their own
        deadline = time.monotonic() + 15
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "workers outlived the killed importer"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()

    with closing(open_store(study.db_path)) as store:
        assert store.integrity_check() == []
        stats = import_warcs(study, store, [warc], workers=2)
        assert stats.errors == []
        assert stats.already_imported >= 20
        assert stats.already_imported + stats.articles_new == total
        assert store.count_articles() == total
        assert store.integrity_check() == []
        dup = store.conn.execute(  # type: ignore[attr-defined]
            "SELECT url FROM articles GROUP BY url HAVING COUNT(*) > 1").fetchall()
        assert dup == []
        caps = store.conn.execute(  # type: ignore[attr-defined]
            "SELECT COUNT(*), COUNT(DISTINCT record_id) FROM captures").fetchone()
        assert caps == (total, total)



def test_a_worker_killed_mid_import_costs_nothing(tmp_path: Path) -> None:
    """The OOM killer takes a worker: its pages are redone, the import completes."""
    study = make_study(tmp_path)
    total = 300  # enough work that the pool is still busy when the killer strikes
    warc = write_warc(tmp_path / "w.warc.gz", page_records(ru_pages(total)))
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 60
        first_seen: float | None = None
        while time.monotonic() < deadline and not killed:
            kids = [k for k in _children(os.getpid()) if _alive(k)]
            if kids and first_seen is None:
                first_seen = time.monotonic()
            # let the workers take work first; a worker may exit between listing and
            # killing (pool replaced, import done), so look again rather than fail
            if kids and first_seen is not None and time.monotonic() - first_seen > 0.5:
                try:
                    os.kill(kids[0], signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed.append(kids[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_worker, daemon=True)
    with closing(open_store(study.db_path)) as store:
        killer.start()
        stats = import_warcs(study, store, [warc], workers=2, batch_size=10)
        killer.join(timeout=60)
        assert killed, "no worker was found to kill"
        assert stats.errors == [] and stats.articles_new == total
        assert store.count_articles() == total
        assert store.integrity_check() == []
