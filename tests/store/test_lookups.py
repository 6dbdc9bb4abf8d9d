"""Lookup conformance: an article's URL and title, its head, an outlet's article URLs."""

from __future__ import annotations

from tests.support.store_rows import add_article, outlet
from untold.store.base import Store


def test_article_url_title_and_head(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    aid = add_article(store, "a", "https://a.example/қала", "Мәтін.", title="Қала жаңалығы",
                      language="kk")
    assert store.article_url_title(aid) == ("https://a.example/қала", "Қала жаңалығы")
    assert store.article_head(aid) == ("a", "https://a.example/қала", "Қала жаңалығы", "kk")
    assert store.article_url_title(aid + 1) is None
    assert store.article_head(aid + 1) is None


def test_outlet_article_urls_in_storage_order(store: Store) -> None:
    store.sync_outlets([outlet("a"), outlet("b")])
    for path in ("z", "a", "m"):
        add_article(store, "a", f"https://a.example/{path}", f"Текст {path}.")
    add_article(store, "b", "https://b.example/x", "Другой.")
    assert store.outlet_article_urls("a") == [
        "https://a.example/z", "https://a.example/a", "https://a.example/m"]
    assert store.outlet_article_urls("nobody") == []
