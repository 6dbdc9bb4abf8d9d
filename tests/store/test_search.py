"""Search conformance: a query's article ids through the public search functions
(``untold.query.search`` / ``count_matches``), which compile the query and hand it to
the store, so every backend answers the language the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.support.store_rows import (
    STORY_OUTLETS,
    T0,
    add_article,
    capture,
    check,
    story_archive,
)
from untold.errors import QueryError
from untold.models import EditEvent
from untold.query import compile_query, count_matches, parse, search
from untold.store.base import Store

# query -> the story archive's articles it matches, in search order: oldest first,
# undated last (see tests.support.store_rows.story_archive)
CASES = {
    "казахстан": ["dayonly", "wire", "reprint", "undated"],
    "Казахстану": ["dayonly", "wire", "reprint", "undated"],  # another case form
    "граждан*": ["dayonly", "wire", "reprint", "undated"],
    '"граждане казахстана"': ["dayonly", "wire", "reprint"],
    "граждане NEAR/3 казахстана": ["dayonly", "wire", "reprint"],
    "эвакуир* NEAR/0 зоны": [],  # "из" stands between them
    "эвакуир* NEAR/1 зоны": ["wire", "reprint"],
    "эвакуир* NEAR/5 (казахстана OR конфликта)": ["wire", "reprint"],
    "қазақстан": ["kazakh"],  # Kazakh letters are their own
    "citizens": ["english"],
    "kazakhstan": ["english"],
    "title:эвакуация": ["wire"],
    "body:эвакуация": ["kazakh"],  # эвакуацияланды: the stem as a prefix
    "lang:kk": ["kazakh"],
    "lang:en": ["english"],
    "outlet:state": ["reprint", "weather"],
    "country:RU": ["wire", "sport", "english", "undated"],
    "group:domestic": ["dayonly", "reprint", "weather", "kazakh"],
    "(group:state OR group:independent) AND граждан*": ["dayonly", "reprint"],
    "NOT казахстан": ["weather", "kazakh", "sport", "english"],
    "-казахстан": ["weather", "kazakh", "sport", "english"],
    "казахстан -title:договор": ["dayonly", "wire", "reprint"],
    "казахстан OR снег": ["dayonly", "wire", "reprint", "weather", "undated"],
    "«Кайрат»": ["sport"],
    "and": [],  # lower case: a word, not an operator
    "землетрясение": [],
}


@pytest.mark.parametrize("query", sorted(CASES))
def test_query_matches(store: Store, query: str) -> None:
    ids = story_archive(store)
    names = {v: k for k, v in ids.items()}
    hits = search(store, query)
    assert [names[h.id] for h in hits] == CASES[query]
    assert count_matches(store, query) == len(CASES[query])


def test_hits_carry_the_article(store: Store) -> None:
    ids = story_archive(store)
    (hit,) = search(store, "lang:kk")
    assert (hit.id, hit.outlet_id, hit.title, hit.url, hit.language) == (
        ids["kazakh"], "indep", "Азаматтар оралды", "https://indep.example/kazakh", "kk")
    assert hit.published == T0 + timedelta(days=1)
    assert hit.published is not None and hit.published.utcoffset() == timedelta(0)
    (undated,) = search(store, "договор")
    assert undated.published is None


def test_a_window_on_publication_time(store: Store) -> None:
    ids = story_archive(store)
    almaty = timezone(timedelta(hours=5))
    since = (T0 - timedelta(hours=4)).astimezone(almaty)  # the wire's time: included
    until = (T0 - timedelta(hours=2)).astimezone(almaty)  # the reprint's: excluded
    assert [h.id for h in search(store, "казахстан", since=since, until=until)] == [ids["wire"]]
    assert count_matches(store, "казахстан", since=since, until=until) == 1
    # an undated article lies outside any window
    assert [h.id for h in search(store, "договор", since=datetime(2000, 1, 1, tzinfo=UTC))] == []


def test_outlets_groups_and_limit(store: Store) -> None:
    ids = story_archive(store)
    assert [h.id for h in search(store, "казахстан", outlets=["state", "indep"])] == [
        ids["dayonly"], ids["reprint"]]
    assert [h.id for h in search(store, "казахстан", groups=["foreign"])] == [
        ids["wire"], ids["undated"]]
    assert search(store, "казахстан", groups=["nobody"]) == []
    assert count_matches(store, "казахстан", outlets=["foreign"], groups=["foreign"]) == 2
    assert [h.id for h in search(store, "казахстан", limit=2)] == [ids["dayonly"], ids["wire"]]
    assert search(store, "казахстан", limit=0) == []


def test_articles_of_the_same_time_in_storage_order(store: Store) -> None:
    store.sync_outlets(STORY_OUTLETS)
    ids = [add_article(store, oid, f"https://{oid}.example/{n}", "Снег в Астане.")
           for n, oid in enumerate(["indep", "state", "foreign"])]
    undated = [add_article(store, "state", f"https://state.example/u{n}", "Снег в Алматы.",
                           published=None) for n in range(2)]
    assert [h.id for h in search(store, "снег")] == [*ids, *undated]


def test_outlets_given_as_one_name(store: Store) -> None:
    ids = story_archive(store)
    # a lone string is one outlet, not a sequence of one-letter names
    assert [h.id for h in search(store, "казахстан", outlets="state")] == [ids["reprint"]]


def test_search_in_an_empty_archive(store: Store) -> None:
    assert search(store, "казахстан") == []
    assert count_matches(store, "NOT казахстан") == 0


def test_a_malformed_query_is_a_query_error(store: Store) -> None:
    story_archive(store)
    for bad in ("граждан AND (", "title:", "a NEAR/500 b", "lang:xx1"):
        with pytest.raises(QueryError):
            search(store, bad)


def test_a_parsed_query_is_accepted_too(store: Store) -> None:
    ids = story_archive(store)
    assert [h.id for h in search(store, parse("lang:kk"))] == [ids["kazakh"]]


def test_outlet_groups_follow_the_outlets_table(store: Store) -> None:
    ids = story_archive(store)
    store.sync_outlets([replace(o, groups=("state",)) if o.id == "indep" else o
                        for o in STORY_OUTLETS])
    assert [h.id for h in search(store, "group:state")] == [ids["dayonly"], ids["reprint"],
                                                           ids["weather"], ids["kazakh"]]


# -- what the stealth-edit analysis reads -----------------------------------------

def test_edited_article_ids_of_a_story(store: Store) -> None:
    ids = story_archive(store)
    store.enroll_revisits(0, T0)
    for name in ("reprint", "weather"):
        t = store.tracked(ids[name])
        assert t is not None
        rec = check(t, T0 + timedelta(days=2), outcome="changed",
                    capture_rec=capture(t.url, t.outlet_id, kind="revisit"),
                    new_version=("Новое", "Новый текст.", "h"))
        rec.events.append(EditEvent(t.article_id, t.outlet_id, "edit", "text",
                                    rec.checked_at, "edit-rule", "edits-1"))
        store.record_check(rec)
    assert store.edited_article_ids("казахстан", None, None) == [ids["reprint"]]
    assert store.edited_article_ids(parse("казахстан OR снег"), None, None) == sorted(
        [ids["reprint"], ids["weather"]])
    assert store.edited_article_ids("казахстан", T0, None) == []
    assert store.edited_article_ids("землетрясение", None, None) == []


def test_facts_in_texts_as_if_they_were_articles(store: Store) -> None:
    story_archive(store)
    items = [("state", "ru", "Заголовок", "Граждане Казахстана эвакуированы.",
              "2026-10-06T10:00:00Z"),
             ("indep", "kk", "", "Қазақстан азаматтары оралды.", "2026-10-07T10:00:00Z"),
             ("foreign", "ru", "Спорт", "Футбол.", "2026-10-08T10:00:00Z")]
    queries = {"kz": compile_query("казахстан OR қазақстан"),
               "evac": compile_query("эвакуир*"),
               "state": compile_query("group:state AND казахстан"),
               "title": compile_query("title:спорт")}
    assert store.facts_in_texts(STORY_OUTLETS, items, queries) == [
        {"kz", "evac", "state"}, {"kz"}, {"title"}]
    assert store.facts_in_texts(STORY_OUTLETS, [], queries) == []
    # the archive itself is not touched: its articles are not among the answers
    assert store.facts_in_texts(STORY_OUTLETS, items[2:], {"kz": queries["kz"]}) == [set()]


def test_the_stores_search_rows(store: Store) -> None:
    # what search() is built on: plain rows, times as ISO 8601 UTC strings
    ids = story_archive(store)
    assert store.search_articles(compile_query("lang:kk OR договор")) == [
        (ids["kazakh"], "indep", "Азаматтар оралды", "https://indep.example/kazakh",
         "2026-10-07T10:00:00Z", "kk"),
        (ids["undated"], "foreign", "Договор", "https://foreign.example/undated", None, "ru")]
    assert store.search_articles(compile_query("казахстан"), outlets=["state"], limit=5,
                                 since=T0 - timedelta(days=1)) == [
        (ids["reprint"], "state", "Граждан эвакуировали", "https://state.example/reprint",
         "2026-10-06T08:00:00Z", "ru")]
    assert store.count_query(compile_query("казахстан"), groups=["domestic"]) == 2
    assert store.count_query(compile_query("казахстан"), until=T0) == 3
