"""The per-day article summary: kept current, never used stale, same numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.archives.stories import build
from untold.analyze import stories
from untold.analyze.daycounts import refresh, summary_is_current
from untold.analyze.stories import compute_story
from untold.config import Study, load_study
from untold.models import CaptureRecord, ExtractedArticle
from untold.store import NewArticle, Store, open_store
from untold.text.minhash import text_hash


def day_counts(store: Store) -> dict[tuple[str, str], int]:
    rows = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT outlet_id, day, n FROM article_day_counts").fetchall()
    return {(o, d): n for o, d, n in rows}


def add(store: Store, n: int, outlet: str, when: datetime | None, text: str) -> int:
    fetched = datetime(2026, 3, 11, 20, tzinfo=UTC)
    url = f"https://{outlet}/extra/{n}"
    cid = store.add_capture(CaptureRecord(url=url, outlet_id=outlet, kind="article",
                                          fetched_at=fetched, status=200, failure=None,
                                          warc_file=None, warc_offset=None, warc_length=None,
                                          sha256=None))
    [out] = store.add_articles([NewArticle(ExtractedArticle(
        url=url, canonical_url=url, title="Новость", text=text, author=None, published=when,
        language="ru", language_confidence=1.0, text_hash=text_hash(text)), outlet, cid,
        fetched, None)])
    return out.article_id


@pytest.fixture()
def study(tmp_path: Path) -> Study:
    return load_study(build(tmp_path))


def test_refresh_builds_adds_and_rebuilds(study: Study) -> None:
    store = open_store(study.db_path)
    try:
        assert not summary_is_current(store)
        assert refresh(store) == "rebuilt"
        counts = day_counts(store)
        assert counts[("state1", "2026-03-10")] == 2
        assert counts[("state2", "2026-03-11")] == 1  # the undated article, by fetch time
        assert sum(counts.values()) == 13
        assert refresh(store) == "current"
        new = add(store, 1, "state1", datetime(2026, 3, 10, 23, tzinfo=UTC), "Казахстан и мир.")
        assert not summary_is_current(store)
        assert refresh(store) == "added"
        assert day_counts(store)[("state1", "2026-03-10")] == 3
        with store.transaction() as c:  # type: ignore[attr-defined]
            c.execute("DELETE FROM articles WHERE id = 2")  # not the newest: a count mismatch
        assert refresh(store) == "rebuilt"
        assert day_counts(store)[("state1", "2026-03-10")] == 2
        assert sum(day_counts(store).values()) == 13
        assert new == 14
    finally:
        store.close()


def test_summary_and_index_give_the_same_story(study: Study,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(study.db_path)
    try:
        refresh(store)
        clipped = study.stories[0].model_copy(update={
            "id": "clip", "start": datetime(2026, 3, 10, 9, 30, tzinfo=UTC)})
        for story in (study.stories[0], study.stories[1], clipped):
            with_summary = compute_story(store, study, story, bucket="day")
            monkeypatch.setattr(stories, "summary_is_current", lambda conn: False)
            counted = compute_story(store, study, story, bucket="day")
            monkeypatch.undo()
            assert with_summary == counted
    finally:
        store.close()


def test_a_stale_summary_is_not_used(study: Study) -> None:
    store = open_store(study.db_path)
    try:
        refresh(store)
        add(store, 2, "indep2", datetime(2026, 3, 11, 12, tzinfo=UTC), "Казахстан ответил.")
        r = compute_story(store, study, "kz", bucket="day")  # no refresh: counts instead
        indep2 = next(c for c in r.coverage if c.outlet_id == "indep2")
        assert (indep2.matching, indep2.total_in_window, indep2.status) == (1, 3, "covered")
    finally:
        store.close()
    ro = open_store(study.db_path, readonly=True)
    try:
        assert refresh(ro) == "unavailable"  # a read-only store is never written
        assert compute_story(ro, study, "kz", bucket="day") == r
    finally:
        ro.close()
