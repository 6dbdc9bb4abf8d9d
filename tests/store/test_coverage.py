"""Coverage conformance: listing observations and their spans, output and gaps per day."""

from __future__ import annotations

from datetime import timedelta, timezone

from tests.support.store_rows import T0, add_article, capture, iso, outlet, story_archive
from untold.models import FrontierEntry, ListingObservation, ListingSpan
from untold.store.base import Store

HOUR = timedelta(hours=1)
FEED = "https://a.example/rss"


def _obs(**kw: object) -> ListingObservation:
    base: dict[str, object] = {"outlet_id": "a", "url": FEED, "kind": "feed", "fetched_at": T0,
                               "listed_at": T0, "ok": True}
    base.update(kw)
    return ListingObservation(**base)  # type: ignore[arg-type]


def test_listing_spans_oldest_first(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    almaty = timezone(timedelta(hours=5))
    first = store.add_listing_observation(_obs(
        listed_at=(T0 + HOUR).astimezone(almaty), fetched_at=T0 + HOUR, items=3,
        oldest=T0 - 5 * HOUR, newest=T0))
    second = store.add_listing_observation(_obs(
        listed_at=T0, ok=False, failure="connection_reset"))
    store.add_listing_observation(_obs(outlet_id="b", url="https://b.example/", kind="home",
                                       undated=4))
    assert second > first
    assert store.listing_spans(["a"]) == [
        ListingSpan("a", "feed", FEED, False, "connection_reset", None, iso(T0)),
        ListingSpan("a", "feed", FEED, True, None, iso(T0 - 5 * HOUR), iso(T0 + HOUR)),
    ]
    assert [s.outlet_id for s in store.listing_spans(["b", "a"])] == ["a", "a", "b"]
    assert store.listing_spans([]) == [] and store.listing_spans(["nobody"]) == []


def test_a_304_lists_what_the_last_answered_listing_listed(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    store.add_listing_observation(_obs(items=2, oldest=T0 - 3 * HOUR, newest=T0))
    store.add_listing_observation(_obs(listed_at=T0 + HOUR, ok=False, failure="dns_server_failure"))
    store.add_listing_observation(_obs(listed_at=T0 + 2 * HOUR, not_modified=True))
    spans = store.listing_spans(["a"])
    assert [(s.ok, s.oldest, s.listed_at) for s in spans] == [
        (True, iso(T0 - 3 * HOUR), iso(T0)), (False, None, iso(T0 + HOUR)),
        (True, iso(T0 - 3 * HOUR), iso(T0 + 2 * HOUR))]


def test_a_304_with_nothing_before_lists_nothing(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    store.add_listing_observation(_obs(not_modified=True))
    assert [s.oldest for s in store.listing_spans(["a"])] == [None]


def test_undated_items_are_resolved_from_their_articles(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    home = store.add_listing_observation(_obs(url="https://a.example/", kind="home",
                                              undated=3))
    add_article(store, "a", "https://a.example/1", "Один.", published=T0 - 30 * HOUR)
    add_article(store, "a", "https://a.example/2", "Два.", published=T0 - 2 * HOUR)
    add_article(store, "a", "https://a.example/3", "Три.", published=None)
    store.resolve_listing_span(home, ["https://a.example/1", "https://a.example/2",
                                      "https://a.example/3", "https://a.example/404"])
    (span,) = store.listing_spans(["a"])
    assert span.oldest == iso(T0 - 30 * HOUR)
    store.resolve_listing_span(home, [])  # nothing to widen it by
    store.resolve_listing_span(home, ["https://a.example/404"])
    assert store.listing_spans(["a"])[0].oldest == iso(T0 - 30 * HOUR)


def test_output_by_day(store: Store) -> None:
    story_archive(store)
    got = store.output_by_day(["state", "indep", "nobody"], "2026-10-01T00:00:00Z",
                              "2026-10-20T00:00:00Z")
    assert got == {"state": {"2026-10-06": 2}, "indep": {"2026-10-05": 1, "2026-10-07": 1},
                   "nobody": {}}
    assert store.output_by_day([], "2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z") == {}


def test_unfetched_listed_articles_by_day(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    day = timedelta(days=1)
    store.add_to_frontier([
        FrontierEntry("https://a.example/never", "a", "feed", T0),
        FrontierEntry("https://a.example/down", "a", "feed", T0 + HOUR),
        FrontierEntry("https://a.example/gone", "a", "feed", T0 + day),
        FrontierEntry("https://a.example/got", "a", "feed", T0 + day),
        FrontierEntry("https://a.example/undated", "a", "links"),
        FrontierEntry("https://a.example/late", "a", "feed", T0 + 30 * day),
    ])
    down = store.add_capture(capture("https://a.example/down", "a", status=503))
    store.mark_frontier("https://a.example/down", "failed", down)
    gone = store.add_capture(capture("https://a.example/gone", "a", status=404))
    store.mark_frontier("https://a.example/gone", "failed", gone)  # an answer: not a gap
    got = store.add_capture(capture("https://a.example/got", "a"))
    store.mark_frontier("https://a.example/got", "stored", got)
    assert store.unfetched_by_day(["a", "b"], "2026-10-01T00:00:00Z",
                                  "2026-10-20T00:00:00Z") == {("a", "2026-10-06"): 2}
    assert store.unfetched_by_day([], "2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z") == {}
