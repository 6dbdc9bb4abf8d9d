"""Titles conformance: recent titles, learned affixes, and titles rewritten without them."""

from __future__ import annotations

from tests.support.store_rows import T0, add_article, capture, check, outlet
from untold.query import count_matches
from untold.store.base import Store

SUFFIX = " | Тенгри_Ньюс 100%"


def _strip(title: str) -> str:
    return title.removesuffix(SUFFIX).removeprefix("Видео: ")


def test_recent_titles_newest_first_without_empty_ones(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    for i, title in enumerate(["Первый", "", "Третий", "Четвёртый"]):
        add_article(store, "a", f"https://a.example/{i}", f"Текст {i}.", title=title)
    add_article(store, "b", "https://b.example/1", "Другой.", title="Чужой")
    assert store.recent_titles("a", 10) == ["Четвёртый", "Третий", "Первый"]
    assert store.recent_titles("a", 2) == ["Четвёртый", "Третий"]
    assert store.recent_titles("nobody", 5) == []


def test_affixes_are_kept_once_and_sorted(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    assert store.title_affixes("a") == ([], [])
    store.add_title_affixes("a", ["Видео: "], [SUFFIX, " — Азаттық"], 40)
    store.add_title_affixes("a", ["Видео: "], [SUFFIX], 80)  # known: kept as it was
    # sorted by code point (SQLite's binary collation), not by a locale
    assert store.title_affixes("a") == (["Видео: "], sorted([" — Азаттық", SUFFIX]))
    assert store.title_affixes("a")[1][0] == SUFFIX
    assert store.title_affixes("b") == ([], [])
    store.add_title_affixes("a", [], [], 10)


def test_rewrite_titles_of_articles_and_versions(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    one = add_article(store, "a", "https://a.example/1", "Текст один.",
                      title="Видео: Снег в Астане" + SUFFIX)
    add_article(store, "a", "https://a.example/2", "Текст два.", title="Ветер в Алматы")
    # an affix's % and _ are literal characters, not patterns
    add_article(store, "a", "https://a.example/3", "Текст три.",
                title="Дождь | ТенгриXНьюс 100 процентов")
    other = add_article(store, "b", "https://b.example/1", "Текст.", title="Снег" + SUFFIX)
    store.enroll_revisits(0, T0)
    t = store.tracked(one)
    assert t is not None
    store.record_check(check(t, T0, outcome="changed",
                             capture_rec=capture("https://a.example/1", "a", kind="revisit"),
                             new_version=("Снег в Астане" + SUFFIX, "Текст один, новый.", "h")))
    changed = store.rewrite_titles("a", ["Видео: "], [SUFFIX], _strip)
    assert changed == 2  # the article and its second version
    assert store.article_url_title(one) == ("https://a.example/1", "Снег в Астане")
    assert [v.title for v in store.versions(one)] == ["Снег в Астане", "Снег в Астане"]
    assert store.article_url_title(other) == ("https://b.example/1", "Снег" + SUFFIX)
    assert sorted(store.recent_titles("a", 5)) == sorted(
        ["Снег в Астане", "Ветер в Алматы", "Дождь | ТенгриXНьюс 100 процентов"])
    # the search index follows: the title words are found, the removed ones are not
    assert count_matches(store, "title:снег", outlets=["a"]) == 1
    assert count_matches(store, 'title:"видео"', outlets=["a"]) == 0
    assert store.rewrite_titles("a", [], [], _strip) == 0
    assert store.rewrite_titles("a", ["Видео: "], [SUFFIX], _strip) == 0  # idempotent
