"""Archive conformance: outlets, frontier, listing state, captures, articles, imports, runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.support.store_rows import (
    T0,
    add_article,
    capture,
    extracted,
    iso,
    outlet,
    signature,
)
from untold.errors import ConstraintError, StoreError
from untold.models import FrontierEntry, NewArticle, Outlet
from untold.store.base import Store

ALMATY = timezone(timedelta(hours=5), "Asia/Almaty")


# -- schema -------------------------------------------------------------------

def test_migrations_are_recorded_once(store: Store, reopen: Callable[..., Store]) -> None:
    version = store.schema_version()
    assert version >= 1
    assert store.migrate() == []  # already current: nothing applied twice
    again = reopen()
    assert again.migrate() == [] and again.schema_version() == version


def test_data_outlives_the_connection(store: Store, reopen: Callable[..., Store]) -> None:
    store.sync_outlets([outlet("a")])
    add_article(store, "a", "https://a.example/1", "Сәлем, әлем")
    store.close()
    again = reopen(readonly=True)
    assert [o.id for o in again.outlets()] == ["a"]
    assert again.count_articles() == 1


def test_a_read_only_store_refuses_writes_with_a_store_error(
        store: Store, reopen: Callable[..., Store]) -> None:
    store.sync_outlets([outlet("a")])
    ro = reopen(readonly=True)
    with pytest.raises(StoreError):
        ro.sync_outlets([outlet("b")])
    assert [o.id for o in store.outlets()] == ["a"]


# -- outlets ------------------------------------------------------------------

def test_outlets_round_trip_sorted_by_id(store: Store) -> None:
    given = [
        outlet("tengri", name="Тенгри Ньюс", groups=("private", "domestic"),
               languages=("ru", "kk")),
        outlet("azattyq", name="Азаттық Радиосы", languages=("kk",), groups=("foreign",)),
        Outlet(id="ria", name="РИА", domains=("ria.example", "www.ria.example"), country="RU",
               languages=("ru",), groups=("state",), feeds=(), sitemaps=("https://ria.example/s.xml",),
               homepage="https://ria.example/ru/", curated=False),
    ]
    store.sync_outlets(given)
    assert store.outlets() == sorted(given, key=lambda o: o.id)


def test_sync_outlets_replaces_and_ensure_outlet_keeps(store: Store) -> None:
    store.sync_outlets([outlet("a", name="Old")])
    store.sync_outlets([outlet("a", name="New", groups=("state",))])
    assert [(o.name, o.groups) for o in store.outlets()] == [("New", ("state",))]
    store.ensure_outlet(outlet("a", name="Uncurated", curated=False))  # known: left alone
    store.ensure_outlet(outlet("b", curated=False))
    got = {o.id: o for o in store.outlets()}
    assert got["a"].name == "New" and got["a"].curated
    assert got["b"].curated is False


def test_no_outlets_is_an_empty_list(store: Store) -> None:
    assert store.outlets() == []
    assert store.outlet_status() == []
    assert store.frontier_counts() == {}
    assert store.count_articles() == 0
    assert list(store.iter_articles()) == []


# -- frontier -----------------------------------------------------------------

def test_frontier_counts_new_urls_once(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    e = FrontierEntry("https://a.example/1", "a", "feed", T0, "Заголовок", "time")
    assert store.add_to_frontier([e]) == 1
    assert store.add_to_frontier([e, FrontierEntry("https://a.example/2", "a", "links")]) == 1
    assert store.frontier_entry("https://a.example/1") == e
    assert store.frontier_entry("https://a.example/none") is None
    assert store.frontier_counts() == {"a": {"new": 2}}


def test_frontier_hint_precision_defaults_from_the_time(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    day = datetime(2026, 10, 6, tzinfo=UTC)
    store.add_to_frontier([FrontierEntry("https://a.example/d", "a", "sitemap", day),
                           FrontierEntry("https://a.example/t", "a", "feed", T0),
                           FrontierEntry("https://a.example/n", "a", "links")])
    precision = {u: store.frontier_entry(f"https://a.example/{u}") for u in "dtn"}
    assert {u: e.hint_precision for u, e in precision.items() if e} == {
        "d": "day", "t": "time", "n": ""}


def test_frontier_hint_times_are_utc(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    local = datetime(2026, 10, 6, 15, 0, tzinfo=ALMATY)
    store.add_to_frontier([FrontierEntry("https://a.example/1", "a", "feed", local)])
    got = store.frontier_entry("https://a.example/1")
    assert got is not None and got.published_hint == local
    assert got.published_hint.utcoffset() == timedelta(0)


def test_pending_newest_first_then_failed_ones_last(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    store.add_to_frontier([
        FrontierEntry("https://a.example/old", "a", "feed", T0 - timedelta(days=2)),
        FrontierEntry("https://a.example/new", "a", "feed", T0),
        FrontierEntry("https://a.example/undated", "a", "links"),
        FrontierEntry("https://a.example/failed", "a", "feed", T0 + timedelta(days=1)),
        FrontierEntry("https://b.example/1", "b", "feed", T0),
    ])
    store.mark_frontier("https://a.example/failed", "failed", None)
    assert [e.url.rsplit("/", 1)[1] for e in store.pending("a", 10)] == [
        "new", "old", "undated", "failed"]
    assert [e.url for e in store.pending("a", 2)] == ["https://a.example/new",
                                                      "https://a.example/old"]
    assert store.pending("nobody", 10) == []


def test_a_failing_url_is_retried_until_the_limit(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    url = "https://a.example/1"
    store.add_to_frontier([FrontierEntry(url, "a", "feed")])
    tries = 0
    while store.pending("a", 10):
        cid = store.add_capture(capture(url, "a", status=None, failure="connection_reset",
                                        warc_file=None, offset=None, length=None, sha256=None))
        store.mark_frontier(url, "failed", cid)
        tries += 1
        assert tries < 20, "a failing URL was never given up"
    assert tries >= 2  # a transient failure is retried at least once
    assert store.frontier_counts() == {"a": {"failed": 1}}


def test_a_capture_moves_its_frontier_url_in_the_same_call(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    url = "https://a.example/1"
    store.add_to_frontier([FrontierEntry(url, "a", "feed", T0)])
    cid = store.add_capture(capture(url, "a"), frontier=(url, "fetched"))
    assert store.pending("a", 10) == []
    assert store.frontier_counts() == {"a": {"fetched": 1}}
    unstored = store.fetched_unstored()
    assert [(u, o, c["id"]) for u, o, c in unstored] == [(url, "a", cid)]
    store.mark_frontier(url, "stored", cid)
    assert store.fetched_unstored() == []
    assert store.frontier_counts() == {"a": {"stored": 1}}
    store.mark_frontier("https://a.example/unknown", "stored", cid)  # not in the frontier
    assert store.frontier_entry("https://a.example/unknown") is None


def test_source_state_round_trip(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    assert store.source_state("https://a.example/rss") == (None, None)
    store.set_source_state("https://a.example/rss", "a", "feed", etag='W/"ё1"',
                           last_modified="Tue, 06 Oct 2026 10:00:00 GMT", status=200,
                           failure=None)
    assert store.source_state("https://a.example/rss") == (
        'W/"ё1"', "Tue, 06 Oct 2026 10:00:00 GMT")
    store.set_source_state("https://a.example/rss", "a", "feed", etag=None,
                           last_modified=None, status=None, failure="generic_timeout_error")
    # a failed fetch says nothing new about the listing: the validators are kept
    assert store.source_state("https://a.example/rss") == (
        'W/"ё1"', "Tue, 06 Oct 2026 10:00:00 GMT")
    store.set_source_state("https://a.example/rss", "a", "feed", etag='"2"',
                           last_modified=None, status=200, failure=None)
    assert store.source_state("https://a.example/rss") == (
        '"2"', "Tue, 06 Oct 2026 10:00:00 GMT")


# -- captures -----------------------------------------------------------------

def test_captures_round_trip(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    local = datetime(2026, 10, 6, 15, 30, 7, 123456, tzinfo=ALMATY)
    rec = capture("https://a.example/қазақ?q=ё", "a", fetched_at=local, status=451,
                  record_id="<urn:uuid:1>", warc_sha256="cd" * 32, offset=1234, length=567)
    cid = store.add_capture(rec)
    assert store.capture(cid) == {
        "id": cid, "url": "https://a.example/қазақ?q=ё", "outlet_id": "a", "kind": "article",
        # stored as UTC to the second: what every reader and the WARC time say
        "fetched_at": "2026-10-06T10:30:07Z", "status": 451, "failure": None,
        "warc_file": "a.warc.gz", "warc_offset": 1234, "warc_length": 567,
        "sha256": "ab" * 32, "record_id": "<urn:uuid:1>", "warc_sha256": "cd" * 32}
    assert store.capture(cid + 1000) is None


def test_the_same_fetch_twice_is_two_captures(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    first = store.add_capture(capture("https://a.example/1", "a"))
    second = store.add_capture(capture("https://a.example/1", "a"))
    assert second > first


def test_a_record_id_held_twice_is_a_constraint_error(store: Store) -> None:
    # the WARC-Record-ID is unique; a backend says so with untold's error, not its driver's
    store.sync_outlets([outlet("a")])
    first = store.add_capture(capture("https://a.example/1", "a", record_id="<urn:uuid:7>"))
    with pytest.raises(ConstraintError) as err:
        store.add_capture(capture("https://a.example/2", "a", record_id="<urn:uuid:7>"))
    assert isinstance(err.value, StoreError)
    assert store.capture(first) is not None
    # the refused write left nothing behind and the archive still takes writes
    assert store.add_capture(capture("https://a.example/2", "a", record_id="<urn:uuid:8>")) \
        > first


def test_many_captures_at_once_in_order(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    recs = [capture(f"https://a.example/{i}", "a", offset=100 * i) for i in range(5)]
    ids = store.add_captures(recs)
    assert len(ids) == 5 and ids == sorted(ids) and len(set(ids)) == 5
    assert [(c or {}).get("url") for c in map(store.capture, ids)] == [r.url for r in recs]
    assert store.add_captures([]) == []


def test_failed_fetches_keep_their_failure_string(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1", "a", status=None,
                                    failure="dns_nxdomain_error", warc_file=None, offset=None,
                                    length=None, sha256=None))
    got = store.capture(cid)
    assert got is not None
    assert (got["status"], got["failure"], got["warc_file"]) == (
        None, "dns_nxdomain_error", None)


# -- articles -----------------------------------------------------------------

def test_an_article_is_stored_once(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1", "a"))
    page = extracted("https://a.example/1", "Граждане Казахстана вернулись домой.",
                     title="Вернулись")
    item = NewArticle(page, "a", cid, T0, "ab" * 32)
    (first,) = store.add_articles([item])
    (again,) = store.add_articles([item])
    assert first.outcome == "new" and first.near_duplicate_of is None
    assert (again.outcome, again.article_id) == ("duplicate", first.article_id)
    assert store.count_articles() == 1


def test_same_url_with_new_text_is_a_new_article(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    one = add_article(store, "a", "https://a.example/1", "Первый текст статьи.")
    two = add_article(store, "a", "https://a.example/1", "Исправленный текст статьи.")
    assert two != one and store.count_articles() == 2


def test_a_batch_with_a_duplicate_inside_it(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1", "a"))
    item = NewArticle(extracted("https://a.example/1", "Текст."), "a", cid, T0, None)
    outs = store.add_articles([item, item])
    assert [o.outcome for o in outs] == ["new", "duplicate"]
    assert outs[0].article_id == outs[1].article_id


def test_articles_round_trip_with_utc_times_and_unicode(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    published = datetime(2026, 10, 6, 15, 0, tzinfo=ALMATY)  # 10:00 UTC
    fetched = datetime(2026, 10, 6, 16, 30, 59, 999999, tzinfo=ALMATY)
    cid = store.add_capture(capture("https://a.example/1", "a", fetched_at=fetched))
    page = extracted("https://a.example/1", "Қазақстан азаматтары үйге оралды.",
                     title="Азаматтар оралды", published=published, language="kk",
                     author="Әлия Сәрсенова", canonical="https://a.example/one")
    (out,) = store.add_articles([NewArticle(page, "a", cid, fetched, "ef" * 32)])
    (rec,) = list(store.iter_articles())
    assert (rec.id, rec.outlet_id, rec.url, rec.canonical_url, rec.title, rec.text,
            rec.author, rec.language, rec.capture_id, rec.sha256, rec.text_hash) == (
        out.article_id, "a", "https://a.example/1", "https://a.example/one",
        "Азаматтар оралды", "Қазақстан азаматтары үйге оралды.", "Әлия Сәрсенова", "kk",
        cid, "ef" * 32, page.text_hash)
    assert rec.published == datetime(2026, 10, 6, 10, 0, tzinfo=UTC)
    assert rec.published is not None and rec.published.utcoffset() == timedelta(0)
    assert rec.fetched_at == datetime(2026, 10, 6, 11, 30, 59, tzinfo=UTC)  # to the second


def test_the_listing_date_is_the_last_resort(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1", "a"))
    page = extracted("https://a.example/1", "Без даты.", published=None)
    hint = datetime(2026, 10, 5, tzinfo=UTC)
    (out,) = store.add_articles([NewArticle(page, "a", cid, T0, None, published_hint=hint)])
    (rec,) = list(store.iter_articles())
    assert rec.published == hint
    assert store.evidence_articles([out.article_id])[0][4] == "2026-10-05T00:00:00Z"


def test_undated_articles_stay_undated(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    add_article(store, "a", "https://a.example/1", "Без даты.", published=None,
                fetched_at=T0)
    (rec,) = list(store.iter_articles())
    assert rec.published is None and rec.fetched_at == T0


def test_iter_articles_in_id_order_by_outlet_and_batch(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    ids = [add_article(store, "ab"[i % 2], f"https://{'ab'[i % 2]}.example/{i}",
                       f"Текст номер {i}.") for i in range(7)]
    assert [r.id for r in store.iter_articles()] == ids
    assert [r.id for r in store.iter_articles(batch=2)] == ids
    assert [r.id for r in store.iter_articles(["b"], batch=2)] == ids[1::2]
    assert [r.id for r in store.iter_articles(["nobody"])] == []
    assert store.count_articles() == 7


def test_known_article_urls_by_url_or_canonical_url(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1?utm=x", "a"))
    page = extracted("https://a.example/1?utm=x", "Текст.", canonical="https://a.example/1")
    store.add_articles([NewArticle(page, "a", cid, T0, None)])
    asked = ["https://a.example/1?utm=x", "https://a.example/1", "https://a.example/2"]
    assert store.known_article_urls(asked) == {"https://a.example/1?utm=x",
                                               "https://a.example/1"}
    assert store.known_article_urls([]) == set()
    many = [f"https://a.example/x{i}" for i in range(1200)] + ["https://a.example/1"]
    assert store.known_article_urls(many) == {"https://a.example/1"}


def test_reprints_are_linked_to_the_earlier_text(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    wire = "Агентство сообщает, что граждане Казахстана вернулись домой."
    first = add_article(store, "a", "https://a.example/1", wire, minhash=signature(1))
    cid = store.add_capture(capture("https://b.example/1", "b"))
    page = extracted("https://b.example/1", wire + " Подробности позже.",
                     minhash=signature(1, changed=10))  # similarity 0.92
    (out,) = store.add_articles([NewArticle(page, "b", cid, T0, None)])
    assert out.outcome == "new" and out.near_duplicate_of == first
    other = extracted("https://b.example/2", "Совсем другой текст о погоде и спорте.",
                      minhash=signature(1, changed=40))  # 0.69: below the threshold
    cid2 = store.add_capture(capture("https://b.example/2", "b"))
    (out2,) = store.add_articles([NewArticle(other, "b", cid2, T0, None)])
    assert out2.near_duplicate_of is None


def test_an_equally_near_reprint_links_to_the_oldest_article(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b"), outlet("c")])
    first = add_article(store, "a", "https://a.example/1", "Первый.", minhash=signature(3))
    add_article(store, "b", "https://b.example/1", "Второй.", minhash=signature(3))
    cid = store.add_capture(capture("https://c.example/1", "c"))
    page = extracted("https://c.example/1", "Третий.", minhash=signature(3, changed=5))
    (out,) = store.add_articles([NewArticle(page, "c", cid, T0, None)])
    assert out.near_duplicate_of == first  # same similarity to both: the lower id


def test_empty_batches(store: Store) -> None:
    assert store.add_articles([]) == []
    assert store.store_import_batch([]) == []
    assert store.add_to_frontier([]) == 0
    assert store.imported([]) == set()


# -- WARC import resume -------------------------------------------------------

def test_an_imported_record_is_stored_once(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cap = capture("https://a.example/1", "a", kind="import", record_id="<urn:uuid:r1>")
    art = NewArticle(extracted("https://a.example/1", "Импортированный текст."), "a", 0, T0,
                     None)
    nothing = capture("https://a.example/robots.txt", "a", kind="import",
                      record_id="<urn:uuid:r2>")
    batch = [("d1", cap, art, "article"), ("d2", nothing, None, "not_html")]
    assert store.imported(["d1", "d2", "d3"]) == set()
    outs = store.store_import_batch(batch)
    assert outs[0] is not None and outs[0].outcome == "new" and outs[1] is None
    (rec,) = list(store.iter_articles())
    got = store.capture(rec.capture_id)
    assert got is not None and got["record_id"] == "<urn:uuid:r1>"  # its own capture
    assert store.imported(["d1", "d2", "d3"]) == {"d1", "d2"}
    assert store.store_import_batch(batch) == [None, None]  # a resumed import skips them
    assert store.count_articles() == 1


def test_an_imported_copy_of_a_stored_article_is_a_duplicate(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    aid = add_article(store, "a", "https://a.example/1", "Один и тот же текст.")
    cap = capture("https://a.example/1", "a", kind="import")
    art = NewArticle(extracted("https://a.example/1", "Один и тот же текст."), "a", 0, T0, None)
    (out,) = store.store_import_batch([("d1", cap, art, "article")])
    assert out is not None and (out.outcome, out.article_id) == ("duplicate", aid)
    assert store.imported(["d1"]) == {"d1"}


def test_imported_digest_lookup_in_chunks(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    batch = [(f"d{i}", capture(f"https://a.example/{i}", "a", kind="import"), None, "skip")
             for i in range(1100)]
    store.store_import_batch(batch)
    asked = [f"d{i}" for i in range(0, 2200, 2)]
    assert store.imported(asked) == {f"d{i}" for i in range(0, 1100, 2)}


# -- runs and status ------------------------------------------------------------

def test_runs_get_increasing_ids(store: Store) -> None:
    one = store.start_run("collect")
    two = store.start_run("import")
    assert two > one
    store.finish_run(one, {"fetched": 3, "note": "ёлка"})


def test_outlet_status_per_outlet(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b", name="Бэ")])
    add_article(store, "a", "https://a.example/1", "Первый.", published=T0)
    add_article(store, "a", "https://a.example/2", "Второй.",
                published=T0 + timedelta(days=1))
    store.add_capture(capture("https://a.example/3", "a", status=None,
                              failure="connection_reset", fetched_at=T0 + timedelta(days=2)))
    store.add_capture(capture("https://a.example/4", "a", status=503))
    store.add_capture(capture("https://a.example/5", "a", status=503))
    rows = {r["outlet"]: r for r in store.outlet_status()}
    assert rows["a"] == {
        "outlet": "a", "name": "A", "curated": True, "articles": 2,
        "first_published": iso(T0), "last_published": iso(T0 + timedelta(days=1)),
        "last_success": iso(T0 + timedelta(days=1, minutes=5)),
        "failures": {"connection_reset": 1, "http_503": 2}}
    assert rows["b"] == {"outlet": "b", "name": "Бэ", "curated": True, "articles": 0,
                         "first_published": None, "last_published": None,
                         "last_success": None, "failures": {}}
    assert [r["outlet"] for r in store.outlet_status()] == ["a", "b"]


def test_a_sound_archive_has_no_integrity_problems(store: Store) -> None:
    assert store.integrity_check() == []
    store.sync_outlets([outlet("a")])
    add_article(store, "a", "https://a.example/1", "Текст.")
    assert store.integrity_check() == []
    assert store.integrity_check(thorough=False) == []


def test_an_article_whose_capture_has_no_warc_record_is_reported(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    cid = store.add_capture(capture("https://a.example/1", "a", warc_file=None))
    store.add_articles([NewArticle(extracted("https://a.example/1", "Т."), "a", cid, T0,
                                   None)])
    assert store.integrity_check() == ["1 articles whose capture has no WARC record"]
