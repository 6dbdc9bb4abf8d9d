from __future__ import annotations

import multiprocessing as mp
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from untold.models import CaptureRecord, ExtractedArticle, Outlet
from untold.store import FrontierEntry, NewArticle, open_store
from untold.store.sqlite.store import MAX_FETCH_ATTEMPTS

T0 = datetime(2026, 10, 6, 10, 0, tzinfo=UTC)


def art(url: str, text: str, title: str = "t") -> ExtractedArticle:
    import hashlib

    return ExtractedArticle(url=url, canonical_url=url, title=title, text=text, author=None,
                            published=T0, language="ru", language_confidence=0.9,
                            text_hash=hashlib.sha256(text.encode()).hexdigest())


def cap(url: str, record_id: str | None = None) -> CaptureRecord:
    return CaptureRecord(url=url, outlet_id="a", kind="article", fetched_at=T0, status=200,
                         failure=None, warc_file="x.warc.gz", warc_offset=0, warc_length=10,
                         sha256="00", record_id=record_id)


def test_migrations_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    s = open_store(db)
    assert s.schema_version() >= 1
    s.close()
    s = open_store(db)
    assert s.migrate() == []
    n = s.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]  # type: ignore[attr-defined]
    assert n == s.schema_version()
    assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # type: ignore[attr-defined]


def test_articles_stored_once_and_searchable(tmp_path: Path) -> None:
    s = open_store(tmp_path / "a.sqlite")
    s.sync_outlets([Outlet(id="a", name="A", domains=("a.example",))])
    c1 = s.add_capture(cap("http://a.example/1"))
    items = [NewArticle(art("http://a.example/1", "Граждане Казахстана погибли"), "a", c1, T0,
                        "00")]
    assert [o.outcome for o in s.add_articles(items)] == ["new"]
    assert [o.outcome for o in s.add_articles(items)] == ["duplicate"]
    assert s.count_articles() == 1
    from untold.text.textindex import query_forms

    for word in ("Казахстан", "Казахстану", "казахстаном", "граждан", "гражданами"):
        match = " OR ".join(f'"{f}"' + ("*" if p else "") for f, p in query_forms(word))
        rows = s.conn.execute(  # type: ignore[attr-defined]
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [match]).fetchall()
        assert rows == [(1,)], word
    assert s.integrity_check() == []


def test_frontier_failures_retry_until_limit(tmp_path: Path) -> None:
    s = open_store(tmp_path / "a.sqlite")
    s.sync_outlets([Outlet(id="a", name="A", domains=("a.example",))])
    assert s.add_to_frontier([FrontierEntry("http://a.example/1", "a", "feed")]) == 1
    assert s.add_to_frontier([FrontierEntry("http://a.example/1", "a", "feed")]) == 0
    for _ in range(MAX_FETCH_ATTEMPTS - 1):
        s.mark_frontier("http://a.example/1", "failed", None)
        assert [e.url for e in s.pending("a", 10)] == ["http://a.example/1"]
    s.mark_frontier("http://a.example/1", "failed", None)
    assert s.pending("a", 10) == []


def _writer(db: str, start: int, n: int) -> None:
    s = open_store(db)
    for i in range(start, start + n):
        cid = s.add_capture(cap(f"http://a.example/{i}"))
        s.add_articles([NewArticle(art(f"http://a.example/{i}", f"текст номер {i}"), "a", cid,
                                   T0, "00")])
    s.close()


def test_concurrent_writers_and_reader(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    s = open_store(db)
    s.sync_outlets([Outlet(id="a", name="A", domains=("a.example",))])
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(db), k * 1000, 60)) for k in range(3)]
    for p in procs:
        p.start()
    reader = open_store(db, readonly=True)
    seen = 0
    while any(p.is_alive() for p in procs):
        seen = max(seen, reader.count_articles())  # reads while others write
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert reader.count_articles() == 180 >= seen
    assert s.integrity_check() == []


def test_readonly_store_refuses_writes(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    open_store(db).close()
    r = open_store(db, readonly=True)
    try:
        r.sync_outlets([Outlet(id="a", name="A", domains=("a.example",))])
    except Exception as exc:
        assert isinstance(exc, sqlite3.OperationalError | Exception)
    else:
        raise AssertionError("a read-only archive accepted a write")
