"""Revisit conformance: tracking, due revisits, versions, edit events, checks, listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.support.store_rows import T0, add_article, capture, check, iso, outlet
from untold.errors import StoreError
from untold.models import EditEvent, Tracked, Version
from untold.store.base import Store

HOUR = timedelta(hours=1)


def _tracked(store: Store, n: int = 3, outlets: str = "ab") -> list[int]:
    """``n`` articles per outlet, fetched an hour apart, enrolled with a one-hour offset."""
    store.sync_outlets([outlet(o) for o in outlets])
    ids = []
    for i in range(n):
        for o in outlets:
            ids.append(add_article(store, o, f"https://{o}.example/{i}", f"Текст {o} {i}.",
                                   published=T0 + i * HOUR, fetched_at=T0 + i * HOUR))
    return ids


def test_enrolment_tracks_each_article_once(store: Store) -> None:
    ids = _tracked(store)
    assert store.enroll_revisits(3600, T0 + 10 * HOUR) == 6
    assert store.enroll_revisits(3600, T0 + 10 * HOUR) == 0  # nothing new since
    (first,) = store.evidence_articles([ids[0]])
    assert store.tracked(ids[0]) == Tracked(
        article_id=ids[0], outlet_id="a", url="https://a.example/0", first_seen=iso(T0),
        step=0, next_due=iso(T0 + HOUR), etag=None, last_modified=None, last_checked=None,
        last_sha256=first[7], state="live", state_since=None, deletion_kind=None,
        fail_streak=0, version=1)
    assert store.tracked(99999) is None


def test_enrolment_starts_no_later_than_now(store: Store) -> None:
    # a simulated clock behind the wall clock the collector used: the schedule starts then
    ids = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(60, T0 - 2 * HOUR)
    t = store.tracked(ids[0])
    assert t is not None
    start = T0 - 2 * HOUR
    assert (t.first_seen, t.next_due) == (iso(start), iso(start + timedelta(seconds=60)))


def test_enrolment_by_outlet_has_a_mark_per_outlet(store: Store) -> None:
    ids = _tracked(store, n=2)
    assert store.enroll_revisits(0, T0, outlets=["a"]) == 2
    assert store.tracked(ids[1]) is None  # b's: not enrolled
    later = add_article(store, "a", "https://a.example/9", "Позже.", fetched_at=T0)
    assert store.enroll_revisits(0, T0, outlets=["b", "a", "b"]) == 3  # b's two, a's new one
    assert store.tracked(later) is not None
    assert store.enroll_revisits(0, T0, outlets=[]) == 0


def test_due_revisits_most_overdue_first(store: Store) -> None:
    ids = _tracked(store)
    store.enroll_revisits(3600, T0 + 10 * HOUR)
    now = T0 + 2 * HOUR  # due: the articles fetched at T0 and T0+1h, both outlets
    due = store.due_revisits(now)
    assert [t.article_id for t in due][:2] in ([ids[0], ids[1]], [ids[1], ids[0]])
    assert sorted(t.article_id for t in due) == sorted(ids[:4])
    assert [t.next_due for t in due] == sorted(t.next_due or "" for t in due)
    assert store.count_due(now) == 4
    assert len(store.due_revisits(now, limit=1)) == 1
    assert store.due_revisits(T0) == [] and store.count_due(T0) == 0


def test_due_revisits_of_some_outlets(store: Store) -> None:
    ids = _tracked(store)
    store.enroll_revisits(3600, T0 + 10 * HOUR)
    now = T0 + 10 * HOUR
    assert [t.outlet_id for t in store.due_revisits(now, outlets=["b"])] == ["b"] * 3
    assert store.count_due(now, outlets=["b"]) == 3
    assert store.due_revisits(now, outlets=[]) == [] and store.count_due(now, outlets=[]) == 0
    assert store.count_due(now, outlets=None) == len(ids)


def test_due_times_compare_as_instants(store: Store) -> None:
    ids = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(3600, T0 + 10 * HOUR)
    almaty = timezone(timedelta(hours=5))
    just_before = (T0 + HOUR - timedelta(seconds=1)).astimezone(almaty)
    assert store.due_revisits(just_before) == []
    assert [t.article_id for t in store.due_revisits((T0 + HOUR).astimezone(almaty))] == ids


def test_tracked_by_urls(store: Store) -> None:
    ids = _tracked(store, n=2)
    store.enroll_revisits(0, T0 + 10 * HOUR)
    got = store.tracked_by_urls(["https://a.example/1", "https://b.example/0",
                                 "https://z.example/"])
    assert {u: t.article_id for u, t in got.items()} == {
        "https://a.example/1": ids[2], "https://b.example/0": ids[1]}
    assert store.tracked_by_urls([]) == {}


def test_an_unchanged_revisit_moves_the_schedule_on(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(3600, T0)
    t = store.tracked(aid)
    assert t is not None
    at = T0 + 2 * HOUR
    cid = store.record_check(check(t, at, capture_rec=capture(t.url, "a", fetched_at=at,
                                                              kind="revisit"),
                                   step=1, next_due=iso(T0 + 24 * HOUR), etag='"x"'))
    assert cid is not None
    after = store.tracked(aid)
    assert after is not None
    assert (after.step, after.next_due, after.etag, after.last_checked, after.version) == (
        1, iso(T0 + 24 * HOUR), '"x"', iso(at), 1)
    assert store.revisit_checks(aid) == [{
        "capture_id": cid, "checked_at": iso(at), "status": 200, "failure": None,
        "final_url": None, "outcome": "unchanged", "version": 1, "noise": {}, "bytes": 0}]
    assert store.due_revisits(T0 + 3 * HOUR) == []
    assert store.versions(aid)[1:] == []


def test_an_edit_makes_version_two_with_its_event(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(3600, T0)
    t = store.tracked(aid)
    assert t is not None
    at = T0 + 2 * HOUR
    rec = check(t, at, outcome="changed",
                capture_rec=capture(t.url, "a", fetched_at=at, kind="revisit", sha256="cd" * 32),
                new_version=("Новый заголовок", "Исправленный текст «с кавычками».", "h2"))
    rec.noise = {"dates": 2}
    rec.events.append(EditEvent(aid, "a", "edit", "text", iso(at), "edit-rule", "edits-1",
                                after=iso(T0), from_version=1,
                                detail={"changed_words": ["Казахстан", "Қазақстан"]}))
    cid = store.record_check(rec)
    (first,) = list(store.iter_articles())
    assert isinstance(cid, int)
    assert store.versions(aid) == [
        Version(aid, 1, first.capture_id, iso(T0), "", "Текст a 0.", first.sha256),
        Version(aid, 2, cid, iso(at), "Новый заголовок", "Исправленный текст «с кавычками».",
                "cd" * 32),
    ]
    tracked = store.tracked(aid)
    assert tracked is not None and tracked.version == 2
    (ev,) = store.edit_events()
    assert (ev.article_id, ev.kind, ev.subkind, ev.at, ev.after, ev.from_version,
            ev.to_version, ev.capture_id, ev.rule, ev.rules_version, ev.detail) == (
        aid, "edit", "text", iso(at), iso(T0), 1, 2, cid, "edit-rule", "edits-1",
        {"changed_words": ["Казахстан", "Қазақстан"]})
    assert isinstance(ev.id, int)
    assert rec.events[0].id == ev.id and rec.events[0].to_version == 2
    (chk,) = store.revisit_checks(aid)
    assert (chk["version"], chk["noise"], chk["outcome"]) == (2, {"dates": 2}, "changed")


def test_versions_keep_counting(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    for k in range(2, 5):
        t = store.tracked(aid)
        assert t is not None
        at = T0 + k * HOUR
        store.record_check(check(t, at, outcome="changed",
                                 capture_rec=capture(t.url, "a", fetched_at=at, kind="revisit"),
                                 new_version=("", f"Версия {k}.", f"h{k}")))
    assert [(v.version, v.text) for v in store.versions(aid)] == [
        (1, "Текст a 0."), (2, "Версия 2."), (3, "Версия 3."), (4, "Версия 4.")]
    assert store.versions(99999) == []


def test_a_new_version_without_its_capture_is_refused(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    rec = check(t, T0 + HOUR, outcome="changed", new_version=("", "Другой текст.", "h2"))
    with pytest.raises(StoreError, match="capture"):
        store.record_check(rec)
    assert [v.version for v in store.versions(aid)] == [1]
    assert store.revisit_checks(aid) == []


def test_a_failed_revisit_without_a_capture(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    rec = check(t, T0 + HOUR, outcome="failure", status=None, fail_streak=1)
    rec.failure = "connection_reset"
    assert store.record_check(rec) is None
    (chk,) = store.revisit_checks(aid)
    assert (chk["capture_id"], chk["failure"], chk["status"]) == (None, "connection_reset", None)
    after = store.tracked(aid)
    assert after is not None and after.fail_streak == 1


def test_an_event_is_recorded_once(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    at = iso(T0 + HOUR)
    first = EditEvent(aid, "a", "deletion", "gone_404", at, "del-rule", "edits-1")
    store.set_listing_state(t, [first])
    again = EditEvent(aid, "a", "deletion", "gone_404", at, "del-rule", "edits-1")
    store.set_listing_state(t, [again])
    assert [e.id for e in store.edit_events()] == [first.id]
    assert again.id is None  # (article, kind, at) is known: not stored twice


def test_edit_events_filters_and_order(store: Store) -> None:
    ids = _tracked(store, n=2, outlets="a")
    store.enroll_revisits(0, T0)
    times = {ids[0]: [3, 1], ids[1]: [2]}
    for aid, hours in times.items():
        t = store.tracked(aid)
        assert t is not None
        for h in hours:
            kind = "deletion" if h == 3 else "edit"
            store.set_listing_state(t, [EditEvent(aid, "a", kind, "x", iso(T0 + h * HOUR),
                                                  "r", "edits-1")])
    assert [(e.article_id, e.at) for e in store.edit_events()] == [
        (ids[0], iso(T0 + HOUR)), (ids[1], iso(T0 + 2 * HOUR)), (ids[0], iso(T0 + 3 * HOUR))]
    assert [e.kind for e in store.edit_events(kind="deletion")] == ["deletion"]
    assert [e.at for e in store.edit_events(article_ids=[ids[0]])] == [
        iso(T0 + HOUR), iso(T0 + 3 * HOUR)]
    assert store.edit_events(article_ids=[]) == []
    assert store.edit_events(kind="restoration") == []


def test_listing_state_changes_the_tracked_state(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    t.state, t.state_since, t.deletion_kind = "delisted", iso(T0 + HOUR), "delisted"
    store.set_listing_state(t, [])
    got = store.tracked(aid)
    assert got is not None
    assert (got.state, got.state_since, got.deletion_kind) == (
        "delisted", iso(T0 + HOUR), "delisted")


def test_last_check_time_and_outcomes(store: Store) -> None:
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    for h, outcome in ((1, "unchanged"), (2, "failure"), (3, "unchanged"), (4, "failure")):
        t = store.tracked(aid)
        assert t is not None
        store.record_check(check(t, T0 + h * HOUR, outcome=outcome))
    assert store.last_check_time(aid, ["unchanged"]) == iso(T0 + 3 * HOUR)
    assert store.last_check_time(aid, ["unchanged", "failure"]) == iso(T0 + 4 * HOUR)
    assert store.last_check_time(aid, ["changed"]) is None
    assert store.revisit_outcomes() == {"unchanged": 2, "failure": 2}
    assert [c["checked_at"] for c in store.revisit_checks(aid)] == [
        iso(T0 + h * HOUR) for h in (1, 2, 3, 4)]
    assert store.revisit_checks(99999) == []


def test_site_pages(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    assert store.site_page("a.example", "notfound") is None
    store.set_site_page("a.example", "notfound", iso(T0), 404, "https://a.example/404",
                        ["страница не найдена", "page not found"],
                        capture("https://a.example/404", "a", status=404,
                                kind="revisit_notfound"))
    assert store.site_page("a.example", "notfound") == (
        iso(T0), 404, {"страница не найдена", "page not found"})
    store.set_site_page("a.example", "notfound", iso(T0 + HOUR), 200, None, [], None)
    assert store.site_page("a.example", "notfound") == (iso(T0 + HOUR), 200, set())
    assert store.site_page("a.example", "home") is None


def test_listings_remember_what_they_named(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    feed = "https://a.example/rss"
    assert store.listing_fetch_state(feed) == (None, None)
    assert store.listing_entries(feed) == []
    store.record_listing(feed, "feed", iso(T0), [("https://a.example/1", iso(T0)),
                                                 ("https://a.example/2", None)],
                         etag='"1"', last_modified=None,
                         capture=capture(feed, "a", kind="revisit_feed"))
    later = iso(T0 + HOUR)
    store.record_listing(feed, "feed", later, [("https://a.example/2", iso(T0 - HOUR)),
                                               ("https://a.example/3", None)],
                         etag='"2"', last_modified="Tue, 06 Oct 2026 11:00:00 GMT",
                         capture=None)
    assert store.listing_fetch_state(feed) == ('"2"', "Tue, 06 Oct 2026 11:00:00 GMT")
    assert sorted(store.listing_entries(feed)) == [
        ("https://a.example/1", iso(T0), iso(T0), iso(T0)),
        ("https://a.example/2", iso(T0 - HOUR), iso(T0), later),
        ("https://a.example/3", None, later, later)]
    # a 304: everything the last listing named is still named, the rest is not
    latest = iso(T0 + 2 * HOUR)
    store.touch_listing(feed, latest)
    assert {u: last for u, _, _, last in store.listing_entries(feed)} == {
        "https://a.example/1": iso(T0), "https://a.example/2": latest,
        "https://a.example/3": latest}


def test_revisit_times_are_stored_as_given(store: Store) -> None:
    # checked_at and event times are ISO UTC strings made by the caller's clock
    (aid,) = _tracked(store, n=1, outlets="a")
    store.enroll_revisits(0, T0)
    t = store.tracked(aid)
    assert t is not None
    at = datetime(2026, 10, 7, 3, 0, tzinfo=timezone(timedelta(hours=6)))
    store.record_check(check(t, at))
    assert store.revisit_checks(aid)[0]["checked_at"] == iso(at.astimezone(UTC))
