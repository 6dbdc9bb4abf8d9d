"""Findings-reads conformance: a story's articles, fact matches, texts, counts per language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.store_rows import T0, iso, story_archive
from untold.errors import QueryError
from untold.query import parse
from untold.store.base import Store

DAY = timedelta(days=1)


def test_story_articles_are_the_dated_matches(store: Store) -> None:
    ids = story_archive(store)
    rows = store.story_articles(parse("казахстан"), None, None)
    assert sorted(rows) == sorted([
        (ids["wire"], "foreign", iso(T0 - timedelta(hours=4)), "ru"),
        (ids["reprint"], "state", iso(T0 - timedelta(hours=2)), "ru"),
        (ids["dayonly"], "indep", "2026-10-05T00:00:00Z", "ru"),
    ])  # the undated one is left out
    window = store.story_articles(parse("казахстан"), T0 - 3 * timedelta(hours=1), T0)
    assert [r[0] for r in window] == [ids["reprint"]]
    assert store.story_articles(parse("землетрясение"), None, None) == []


def test_matches_among_only_the_given_articles(store: Store) -> None:
    ids = story_archive(store)
    asked = [ids["wire"], ids["kazakh"], ids["weather"]]
    got = store.matches_among({"evac": "эвакуир*", "kz": parse("қазақстан"),
                               "snow": "снег", "none": "землетрясение"}, asked)
    assert got == {"evac": {ids["wire"]}, "kz": {ids["kazakh"]}, "snow": {ids["weather"]},
                   "none": set()}
    assert store.matches_among({"evac": "эвакуир*"}, []) == {"evac": set()}
    assert store.matches_among({}, asked) == {}


def test_matches_among_refuses_a_malformed_query(store: Store) -> None:
    ids = story_archive(store)
    with pytest.raises(QueryError):
        store.matches_among({"bad": "граждан AND ("}, [ids["wire"]])


def test_article_texts_of_existing_ids(store: Store) -> None:
    ids = story_archive(store)
    # asked newest first: answered in id order, whatever order the backend reads them in
    asked = sorted([ids["kazakh"], 99999, ids["weather"]], reverse=True)
    rows = store.article_texts(asked)
    assert rows == sorted([
        (ids["kazakh"], "indep", "kk", "Азаматтар оралды",
         "Қазақстан азаматтары эвакуацияланды, деп хабарлайды агенттік."),
        (ids["weather"], "state", "ru", "Погода", "В Астане ожидается снег и сильный ветер."),
    ])
    assert store.article_texts([]) == []
    many = store.article_texts([*range(1200, 0, -1)])  # more than one chunk, backwards
    assert [r[0] for r in many] == sorted(ids.values())


def test_latest_article_ids_newest_first(store: Store) -> None:
    ids = story_archive(store)
    assert store.latest_article_ids("foreign", 10) == sorted(
        [ids["wire"], ids["sport"], ids["undated"], ids["english"]], reverse=True)
    assert store.latest_article_ids("foreign", 2) == sorted(
        [ids["sport"], ids["undated"], ids["english"]], reverse=True)[:2]
    assert store.latest_article_ids("nobody", 5) == []


def test_articles_and_matches_per_language(store: Store) -> None:
    story_archive(store)
    start, end = "2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z"
    assert store.articles_per_language(["foreign", "indep"], start, end) == {
        "ru": 3, "kk": 1, "en": 1}  # the undated one has no publication time
    assert store.articles_per_language([], start, end) == {}
    assert store.articles_per_language(["state"], "2026-10-06T09:00:00Z", end) == {"ru": 1}
    since, until = T0 - 10 * DAY, T0 + 10 * DAY
    assert store.matches_per_language(parse("эвакуир* OR эвакуацияланды OR evacuated"),
                                      since, until, ["foreign", "indep", "state"]) == {
        "ru": 2, "kk": 1, "en": 1}
    assert store.matches_per_language(parse("эвакуир*"), since, until, ["indep"]) == {}


def test_output_split_at_a_cut(store: Store) -> None:
    story_archive(store)
    got = store.output_split(["state", "indep", "foreign", "nobody"], "2026-10-01T00:00:00Z",
                             "2026-10-20T00:00:00Z", iso(T0))
    # (at or after the cut, before it): undated articles are in neither
    assert got == {"state": (1, 1), "indep": (1, 1), "foreign": (2, 1)}
    assert store.output_split([], "2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z",
                              iso(T0)) == {}
