"""Day-counts conformance: articles per outlet and UTC day, kept current incrementally."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone

from tests.support.store_rows import T0, add_article, outlet, story_archive
from untold.store.base import Store

ALL_DAYS = ("2026-10-01", "2026-10-31")


def test_refresh_builds_then_adds_then_is_current(store: Store) -> None:
    assert store.has_day_counts()
    assert store.refresh_day_counts() in ("rebuilt", "current")  # an empty archive
    ids = story_archive(store)
    assert not store.day_counts_current()
    assert store.refresh_day_counts() in ("added", "rebuilt")
    assert store.day_counts_current()
    assert store.refresh_day_counts() == "current"
    # per UTC day of the publication time, or of the fetch time when undated
    assert store.day_counts(["state", "indep", "foreign"], *ALL_DAYS) == {
        ("state", "2026-10-06"): 2, ("indep", "2026-10-05"): 1, ("indep", "2026-10-07"): 1,
        ("foreign", "2026-10-06"): 1, ("foreign", "2026-10-08"): 1,
        ("foreign", "2026-10-09"): 1, ("foreign", "2026-10-11"): 1}
    add_article(store, "state", "https://state.example/new", "Новость.",
                published=T0 + timedelta(hours=1))
    assert not store.day_counts_current()
    assert store.refresh_day_counts() == "added"
    assert store.day_counts(["state"], "2026-10-06", "2026-10-06") == {
        ("state", "2026-10-06"): 3}
    assert len(ids) == 8


def test_days_are_utc_days(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    almaty = timezone(timedelta(hours=5))
    # 01:30 on 7 October in Almaty is still 6 October in UTC
    add_article(store, "a", "https://a.example/1", "Ночь.",
                published=T0.replace(hour=20, minute=30).astimezone(almaty))
    store.refresh_day_counts()
    assert store.day_counts(["a"], *ALL_DAYS) == {("a", "2026-10-06"): 1}


def test_day_counts_bounds_are_inclusive(store: Store) -> None:
    story_archive(store)
    store.refresh_day_counts()
    assert store.day_counts(["indep"], "2026-10-05", "2026-10-07") == {
        ("indep", "2026-10-05"): 1, ("indep", "2026-10-07"): 1}
    assert store.day_counts(["indep"], "2026-10-06", "2026-10-06") == {}
    assert store.day_counts([], *ALL_DAYS) == {}


def test_a_read_only_store_reads_but_does_not_refresh(
        store: Store, reopen: Callable[..., Store]) -> None:
    story_archive(store)
    store.refresh_day_counts()
    add_article(store, "state", "https://state.example/new", "Новость.")
    ro = reopen(readonly=True)
    assert ro.refresh_day_counts() == "unavailable"
    assert not ro.day_counts_current()
    assert ro.day_counts(["state"], "2026-10-06", "2026-10-06") == {("state", "2026-10-06"): 2}
