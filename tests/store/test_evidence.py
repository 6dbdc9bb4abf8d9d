"""Evidence conformance: where captures lie (``untold check``) and the WARC file registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.support.store_rows import T0, add_article, capture, extracted, outlet
from untold.models import CaptureLocation, CheckRecord, NewArticle, WarcFileEntry
from untold.store.base import Store


def _three_files(store: Store) -> list[int]:
    store.sync_outlets([outlet("a")])
    return [
        store.add_capture(capture("https://a.example/2", "a", warc_file="w1.warc.gz",
                                  offset=500, length=50, warc_sha256="02" * 32)),
        store.add_capture(capture("https://a.example/1", "a", warc_file="w1.warc.gz",
                                  offset=0, length=400, record_id="<urn:uuid:1>")),
        store.add_capture(capture("https://a.example/3", "a", warc_file="w0.warc.gz",
                                  offset=10, length=5)),
        store.add_capture(capture("https://a.example/4", "a", status=None,
                                  failure="connection_reset", warc_file=None, offset=None,
                                  length=None, sha256=None)),
    ]


def test_capture_files_by_name(store: Store) -> None:
    _three_files(store)
    # (file, captures, end of its last record): a capture without a file is in none
    assert store.capture_files() == [("w0.warc.gz", 1, 15), ("w1.warc.gz", 2, 550)]


def test_capture_ranges_in_offset_order(store: Store) -> None:
    ids = _three_files(store)
    batches = list(store.iter_capture_ranges("w1.warc.gz"))
    flat = [tuple(r) for b in batches for r in b]
    assert flat == [(ids[1], 0, 400, None), (ids[0], 500, 50, "02" * 32)]
    assert list(store.iter_capture_ranges("missing.warc.gz")) == []


def test_capture_locations_by_offset(store: Store) -> None:
    ids = _three_files(store)
    got = store.capture_locations([ids[0], ids[1], 99999])
    assert got == [
        CaptureLocation(ids[1], "a", "https://a.example/1", "article", 200, "w1.warc.gz", 0,
                        400, "ab" * 32, "<urn:uuid:1>", None, None),
        CaptureLocation(ids[0], "a", "https://a.example/2", "article", 200, "w1.warc.gz", 500,
                        50, "ab" * 32, None, None, "02" * 32),
    ]
    assert store.capture_locations([]) == []


def test_capture_articles_first_version_then_later_ones(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    aid = add_article(store, "a", "https://a.example/1", "Первая версия.")
    (rec,) = list(store.iter_articles())
    # a second article made from the same capture: the capture backs the first
    store.add_articles([NewArticle(extracted("https://a.example/1b", "Другой текст."), "a",
                                   rec.capture_id, T0, None)])
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    revisit = capture("https://a.example/1", "a", kind="revisit", offset=900)
    rid = store.record_check(CheckRecord(tracked=t, capture=revisit,
                                         checked_at="2026-10-07T10:00:00Z", outcome="edited",
                                         status=200,
                                         new_version=("Т", "Вторая версия.", "hash2")))
    stray = store.add_capture(capture("https://a.example/x", "a"))
    assert rid is not None
    assert store.capture_articles([rec.capture_id, rid, stray]) == {
        rec.capture_id: aid, rid: aid}
    assert store.capture_articles([]) == {}


def test_warc_file_registry(store: Store) -> None:
    almaty = timezone(timedelta(hours=5))
    mtime = datetime(2026, 10, 1, 17, 0, tzinfo=almaty)
    path = "/data/архив/CC-NEWS-20261001.warc.gz"
    assert store.warc_files() == []
    assert store.register_warc_file(path, 1000, mtime) is None  # new
    (entry,) = store.warc_files()
    assert (entry.path, entry.size, entry.sha256) == (path, 1000, None)
    assert entry.mtime == datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    assert entry.mtime.utcoffset() == timedelta(0)
    assert entry.first_imported == entry.last_imported
    # the file as first registered is what its captures rest on: kept on re-registration
    again = store.register_warc_file(path, 2000, mtime + timedelta(days=1))
    assert again == entry
    store.set_warc_file_digest(path, 999, "00" * 32)  # another size: not this file
    assert store.warc_files()[0].sha256 is None
    store.set_warc_file_digest(path, 1000, "aa" * 32)
    store.set_warc_file_digest(path, 1000, "bb" * 32)  # a digest is set once
    (now,) = store.warc_files()
    assert (now.size, now.sha256, now.mtime) == (1000, "aa" * 32, entry.mtime)
    assert now.last_imported >= entry.last_imported


def test_warc_files_sorted_by_path(store: Store) -> None:
    for name in ("/b.warc.gz", "/a.warc.gz", "/c.warc.gz"):
        store.register_warc_file(name, 1, T0)
    assert [e.path for e in store.warc_files()] == ["/a.warc.gz", "/b.warc.gz", "/c.warc.gz"]
    assert all(isinstance(e, WarcFileEntry) for e in store.warc_files())


def test_evidence_articles_with_their_capture_digest(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    one = add_article(store, "a", "https://a.example/1", "Первый.", title="Раз",
                      sha256="11" * 32)
    two = add_article(store, "a", "https://a.example/2", "Второй.", title="Два",
                      published=None, fetched_at=T0, sha256="22" * 32)
    (r1, r2) = store.evidence_articles([two, one, one, 12345])
    assert r1 == (one, "a", "Раз", "https://a.example/1", "2026-10-06T10:00:00Z",
                  "2026-10-06T10:05:00Z", r1[6], "11" * 32)
    assert r2[:6] == (two, "a", "Два", "https://a.example/2", None, "2026-10-06T10:00:00Z")
    assert store.evidence_articles([]) == []
