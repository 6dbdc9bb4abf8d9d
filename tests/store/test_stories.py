"""Story conformance: the story snapshot, its matches, reprint links, samples and counts."""

from __future__ import annotations

from datetime import timedelta, timezone
from itertools import pairwise

import pytest

from tests.support.store_rows import T0, capture, iso, story_archive
from untold.errors import StoreError
from untold.models import CaptureRecord
from untold.query import compile_query
from untold.store.base import Store

WINDOW = ("2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z")
ALMATY = timezone(timedelta(hours=5))


def _matches(store: Store, query: str, zones: dict[str, timezone] | None = None,
             window: tuple[str, str] = WINDOW) -> tuple[list[tuple[str, int, str, int, str]],
                                                         list[tuple[int, str, int, str, float]],
                                                         dict[tuple[str, str], int], list]:
    with store.story_snapshot("story failed"):
        store.select_story_matches(compile_query(query), window[0], window[1], zones or {})
        return (sorted(store.story_outlet_matches()), store.story_reprint_links(),
                store.story_match_counts(10), store.story_samples(2))


def test_story_matches_per_outlet(store: Store) -> None:
    ids = story_archive(store)
    outlets, _, counts, _ = _matches(store, "казахстан")
    # the first article of each outlet; undated ones count at their fetch time
    assert outlets == [
        ("foreign", 2, iso(T0 - timedelta(hours=4)), ids["wire"], "time"),
        ("indep", 1, "2026-10-05T00:00:00Z", ids["dayonly"], "day"),
        ("state", 1, iso(T0 - timedelta(hours=2)), ids["reprint"], "time"),
    ]
    assert counts == {("foreign", "2026-10-06"): 1, ("foreign", "2026-10-11"): 1,
                      ("indep", "2026-10-05"): 1, ("state", "2026-10-06"): 1}


def test_a_window_excludes_what_lies_outside(store: Store) -> None:
    ids = story_archive(store)
    outlets, _, _, _ = _matches(store, "казахстан",
                                window=("2026-10-06T07:00:00Z", "2026-10-11T00:00:00Z"))
    assert outlets == [("state", 1, iso(T0 - timedelta(hours=2)), ids["reprint"], "time")]


def test_no_match_is_empty(store: Store) -> None:
    story_archive(store)
    assert _matches(store, "землетрясение") == ([], [], {}, [])


def test_reprints_link_to_the_earlier_outlet(store: Store) -> None:
    ids = story_archive(store)
    _, links, _, _ = _matches(store, "казахстан")
    assert links == [(ids["reprint"], "state", ids["wire"], "foreign", pytest.approx(1 - 8 / 128))]


def test_a_reprint_outside_the_story_still_counts_as_its_source(store: Store) -> None:
    ids = story_archive(store)
    # the wire article is earlier than the window: still the reprint's original
    _, links, _, _ = _matches(store, "казахстан",
                              window=("2026-10-06T07:00:00Z", "2026-10-07T00:00:00Z"))
    assert [(a, o) for a, _, o, _, _ in links] == [(ids["reprint"], ids["wire"])]


def test_samples_in_time_order_with_their_evidence(store: Store) -> None:
    ids = story_archive(store)
    _, _, _, samples = _matches(store, "казахстан")
    assert [s[0] for s in samples] == [ids["dayonly"], ids["wire"], ids["reprint"],
                                       ids["undated"]]
    wire = samples[1]
    assert wire[1:8] == ("foreign", "Эвакуация", "https://foreign.example/wire",
                         iso(T0 - timedelta(hours=4)), iso(T0 - timedelta(hours=3, minutes=50)),
                         "ru", wire[7])
    assert isinstance(wire[8], str) and len(wire[8]) == 64  # the capture's SHA-256
    assert [s[9] for s in samples] == ["day", "time", "time", "time"]
    assert samples[3][4] is None  # undated
    with store.story_snapshot("story failed"):
        store.select_story_matches(compile_query("казахстан"), *WINDOW, {})
        assert [s[0] for s in store.story_samples(1)] == [ids["dayonly"], ids["wire"],
                                                          ids["reprint"]]


def test_a_day_only_date_ends_at_its_outlets_midnight(store: Store) -> None:
    ids = story_archive(store)
    # 5 October ends before the wire (6 October, 06:00 UTC) in UTC and in Almaty (UTC+5)
    _, _, _, utc = _matches(store, "граждан*")
    _, _, _, almaty = _matches(store, "граждан*", zones={"indep": ALMATY})
    assert [s[0] for s in utc][:2] == [ids["dayonly"], ids["wire"]]
    assert [s[0] for s in almaty][:2] == [ids["dayonly"], ids["wire"]]
    west = timezone(timedelta(hours=-10))  # there it ends on 6 October, 09:59:59 UTC
    _, _, _, westward = _matches(store, "граждан*", zones={"indep": west})
    assert [s[0] for s in westward][:3] == [ids["wire"], ids["reprint"], ids["dayonly"]]


def test_match_span(store: Store) -> None:
    story_archive(store)
    q = compile_query("казахстан")
    assert store.match_span(q, None, None) == ("2026-10-05T00:00:00Z",
                                               "2026-10-11T10:10:00Z")
    assert store.match_span(q, "2026-10-06T07:00:00Z", "2026-10-07T00:00:00Z") == (
        iso(T0 - timedelta(hours=2)), iso(T0 - timedelta(hours=2)))
    # nothing matches: the whole archive's span
    assert store.match_span(compile_query("землетрясение"), None, None) == (
        "2026-10-05T00:00:00Z", "2026-10-11T10:10:00Z")
    assert store.match_span(q, "2026-10-12T00:00:00Z", None) == (
        "2026-10-05T00:00:00Z", "2026-10-11T10:10:00Z")


def test_match_span_of_an_empty_archive(store: Store) -> None:
    assert store.match_span(compile_query("казахстан"), None, None) == (None, None)


def test_output_rows_grouped_or_not_agree(store: Store) -> None:
    story_archive(store)
    days = [f"2026-10-{d:02d}" for d in range(4, 13)]
    bounds = [(d, f"{d}T00:00:00Z", f"{n}T00:00:00Z") for d, n in pairwise(days)]
    outlets = ["state", "indep", "foreign", "nobody"]
    for grouped in (True, False):
        dated, undated = store.output_rows(outlets, bounds, 10, grouped=grouped)
        assert sorted(dated) == [("foreign", "2026-10-06", 1), ("foreign", "2026-10-08", 1),
                                 ("foreign", "2026-10-09", 1), ("indep", "2026-10-05", 1),
                                 ("indep", "2026-10-07", 1), ("state", "2026-10-06", 2)], grouped
        assert sorted(undated) == [("foreign", "2026-10-11", 1)]


def test_output_rows_by_hour(store: Store) -> None:
    story_archive(store)
    bounds = [("2026-10-06T08", "2026-10-06T08:00:00Z", "2026-10-06T09:00:00Z"),
              ("2026-10-06T09", "2026-10-06T09:00:00Z", "2026-10-06T10:00:00Z"),
              ("2026-10-06T10", "2026-10-06T10:00:00Z", "2026-10-06T11:00:00Z")]
    for grouped in (True, False):
        dated, undated = store.output_rows(["state"], bounds, 13, grouped=grouped)
        assert sorted(dated) == [("state", "2026-10-06T08", 1), ("state", "2026-10-06T10", 1)]
        assert undated == []


def _fetch(store: Store, outlet_id: str, hours: float, status: int | None,
           failure: str | None = None) -> None:
    store.add_capture(CaptureRecord(
        url=f"https://{outlet_id}.example/f{hours}", outlet_id=outlet_id, kind="feed",
        fetched_at=T0 + timedelta(hours=hours), status=status, failure=failure,
        warc_file=None, warc_offset=None, warc_length=None, sha256=None))


def test_fetch_attempts_and_failures(store: Store) -> None:
    story_archive(store)  # its article captures count as attempts too
    _fetch(store, "state", 30, None, "connection_reset")
    _fetch(store, "state", 31, 503)
    _fetch(store, "state", 32, 404)  # an answer: the site was reachable
    _fetch(store, "state", 33, 451)
    _fetch(store, "indep", 30, 200)
    _fetch(store, "state", 500, None, "generic_timeout_error")  # outside the window
    attempts, failed = store.fetch_attempts(["state", "indep", "nobody"],
                                            iso(T0 + timedelta(hours=24)),
                                            iso(T0 + timedelta(hours=48)))
    assert sorted(attempts) == [("indep", 2), ("nobody", 0), ("state", 4)]
    assert sorted(failed) == [("state", "connection_reset", 1), ("state", "http_451", 1),
                              ("state", "http_503", 1)]


def test_a_snapshot_turns_database_errors_into_one_store_error(store: Store) -> None:
    story_archive(store)
    with pytest.raises(StoreError, match="story failed"), store.story_snapshot("story failed"):
        store.story_outlet_matches()  # no matches selected: the backend's own error
    # the store is usable afterwards
    assert _matches(store, "казахстан")[0] != []


def test_reading_turns_database_errors_into_one_store_error(store: Store) -> None:
    with pytest.raises(StoreError) as caught, store.reading("reading failed"):
        store.story_match_counts(10)  # outside a story snapshot: no matches to count
    err = caught.value
    assert err.message.startswith("reading failed: ") and err.source and err.hint
    with pytest.raises(StoreError) as quiet, store.reading("x", hint="do this", source=False):
        store.story_match_counts(10)
    assert (quiet.value.source, quiet.value.hint) == (None, "do this")
    with store.reading("reading failed"):
        assert store.count_articles() == 0


def test_a_capture_for_coverage(store: Store) -> None:
    # output and attempts ignore other outlets' rows
    story_archive(store)
    store.add_capture(capture("https://x.example/", "x"))
    attempts, failed = store.fetch_attempts(["x"], WINDOW[0], WINDOW[1])
    assert (attempts, failed) == ([("x", 1)], [])
