"""The example's story and fact queries find exactly the intended articles.

A small real archive is filled by ``bulk.fill_archive`` (the real store path)
and searched with the real query engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from untold.config import load_study
from untold.demo import scenario as sc
from untold.demo.bulk import fill_archive
from untold.query import search
from untold.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("bulk") / "archive.sqlite"
    result = fill_archive(path, n_articles=3000, n_outlets=13, days=61, seed=7)
    store = open_store(path)
    yield store, result
    store.close()


def _ids(store: Any, query: str) -> set[int]:
    return {h.id for h in search(store, query)}


@pytest.mark.timeout(120)
def test_story_query_matches_story_articles_only(archive: Any) -> None:
    store, result = archive
    truth = result["truth"]
    story = set(truth["story_article_ids"])
    assert len(story) >= 100
    assert _ids(store, sc.STORY_QUERY) == story
    # every language's story articles are reached, not just Russian ones
    langs = {h.language for h in search(store, sc.STORY_QUERY)}
    assert langs == {"ru", "kk", "ky", "en"}


@pytest.mark.timeout(120)
def test_fact_query_within_the_story_matches_fact_articles(archive: Any) -> None:
    store, result = archive
    truth = result["truth"]
    both = _ids(store, f"({sc.STORY_QUERY}) AND ({sc.FACTS['nationality']})")
    assert both == set(truth["fact_article_ids"])
    assert both, "some story articles state the fact"


@pytest.mark.timeout(120)
def test_omitting_outlets_never_state_the_fact_and_controls_mostly_do(archive: Any) -> None:
    store, result = archive
    truth = result["truth"]
    q = f"({sc.STORY_QUERY}) AND ({sc.FACTS['nationality']})"
    for oid in truth["omission"]:
        assert not search(store, q, outlets=[oid]), oid
    for oid in truth["controls"]:
        n = len(search(store, sc.STORY_QUERY, outlets=[oid]))
        k = len(search(store, q, outlets=[oid]))
        assert n >= 8 and k / n >= 0.7, (oid, k, n)


@pytest.mark.timeout(120)
def test_unverified_fact_is_stated_everywhere(archive: Any) -> None:
    store, _ = archive
    q = f"({sc.STORY_QUERY}) AND ({sc.FACTS['unverified']})"
    for o in sc.OUTLETS:
        n = len(search(store, sc.STORY_QUERY, outlets=[o.id]))
        k = len(search(store, q, outlets=[o.id]))
        assert 0 < k < n, (o.id, k, n)


@pytest.mark.timeout(120)
def test_planted_reprints_are_linked_as_near_duplicates(archive: Any) -> None:
    store, result = archive
    planted = {(r["article_id"], r["of_article_id"]) for r in result["truth"]["reprints"]}
    assert planted
    linked = set(store.conn.execute(
        "SELECT article_id, of_article_id FROM near_duplicates").fetchall())
    assert planted <= linked
    # reprints are the only near-duplicates: sources are the only other signed texts
    assert {a for a, _ in linked} == {a for a, _ in planted}


@pytest.mark.timeout(120)
def test_without_patterns_nothing_is_planted(tmp_path: Path) -> None:
    result = fill_archive(tmp_path / "a.sqlite", n_articles=600, n_outlets=13, days=61,
                          seed=7, patterns=False)
    truth = result["truth"]
    assert truth["omission"] == [] and truth["silent"] == [] and truth["reprints"] == []
    store = open_store(tmp_path / "a.sqlite")
    try:
        q = f"({sc.STORY_QUERY}) AND ({sc.FACTS['nationality']})"
        for o in sc.OUTLETS:  # every outlet, domestic ones too, states the fact
            assert search(store, q, outlets=[o.id]), o.id
        assert store.conn.execute("SELECT COUNT(*) FROM near_duplicates").fetchone()[0] == 0
        # the fact query reaches every language (Kazakh only here: domestic outlets omit it)
        assert {h.language for h in search(store, q)} == {"ru", "kk", "ky", "en"}
        assert {h.id for h in search(store, q)} == set(truth["fact_article_ids"])
    finally:
        store.close()


def test_bulk_study_toml_loads(archive: Any, tmp_path: Path) -> None:
    _, result = archive
    path = tmp_path / "study.toml"
    path.write_text(result["study_toml"], encoding="utf-8")
    study = load_study(path)
    assert [o.id for o in study.outlets] == result["outlets"]
    (story,) = study.stories
    assert story.query == sc.STORY_QUERY and dict(story.facts) == sc.FACTS
    (event,) = study.events
    assert event.time == result["warning"] and event.groups == ["domestic"]


@pytest.mark.timeout(120)
def test_copied_outlets_carry_their_archetype_patterns(tmp_path: Path) -> None:
    result = fill_archive(tmp_path / "a.sqlite", n_articles=800, n_outlets=26, days=30, seed=3)
    truth = result["truth"]
    assert len(result["outlets"]) == 26 and "dalapress1" in result["outlets"]
    assert "dalapress1" in truth["omission"] and "baiterek1" in truth["silent"]
    for oid in truth["silent"]:
        assert truth["outlets"][oid]["story_after_warning"] == 0
        assert truth["outlets"][oid]["story_articles"] > 0
    assert {r["of_outlet"] for r in truth["reprints"]} <= {"dalapress", "dalapress1",
                                                         "globalwire", "globalwire1"}
