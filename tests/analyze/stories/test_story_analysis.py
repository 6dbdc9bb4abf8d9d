"""Story analysis over a real SQLite archive whose numbers are known by hand
(the articles and captures are listed in ``tests/support/archives/stories.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.support.archives.stories import build
from untold.analyze.results import CoverageRow, StoryResult
from untold.analyze.stories import analyze_story, compute_story, load_story_result
from untold.config import Study, load_study
from untold.errors import ConfigError
from untold.store import Store, open_store


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return load_study(build(tmp_path_factory.mktemp("stories")))


@pytest.fixture(scope="module")
def store(study: Study) -> Iterator[Store]:
    s = open_store(study.db_path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def kz(store: Store, study: Study) -> StoryResult:
    return analyze_story(store, study, "kz")


@pytest.fixture(scope="module")
def kz_day(store: Store, study: Study) -> StoryResult:
    return compute_story(store, study, "kz", bucket="day")


def row(r: StoryResult, outlet: str) -> CoverageRow:
    [found] = [c for c in r.coverage if c.outlet_id == outlet]
    return found


def test_russian_case_forms_and_window_select_the_matches(kz: StoryResult) -> None:
    # Казахстане (1), Казахстана (3), Казахстану (6, undated: its fetch time counts),
    # the wire text (5, 7, 11); article 13 (Казахстан) lies after the window
    assert kz.matching_total == 6
    assert sorted(s.article_id for s in kz.samples) == [1, 3, 5, 6, 7, 11]
    assert [s.article_id for s in kz.samples] == [1, 7, 11, 5, 6, 3]  # earliest first
    assert (kz.window_start, kz.window_end) == ("2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z")


def test_coverage_rows_hold_the_hand_counted_numbers(kz: StoryResult) -> None:
    s1 = row(kz, "state1")
    assert (s1.matching, s1.original, s1.reprints, s1.total_in_window) == (2, 2, 0, 4)
    assert (s1.share, s1.ci_low, s1.ci_high) == pytest.approx((0.5, 0.150039, 0.849961),
                                                              abs=1e-6)
    assert (s1.first_time, s1.first_article_id, s1.lag_hours) == (
        "2026-03-10T09:00:00Z", 1, 0.0)
    assert (s1.fetch_ok, s1.fetch_failed, s1.status) == (4, 0, "covered")
    s2 = row(kz, "state2")
    assert (s2.matching, s2.original, s2.reprints, s2.total_in_window) == (2, 1, 1, 2)
    assert (s2.first_article_id, s2.lag_hours, s2.share) == (5, 3.0, 1.0)
    assert s2.groups == ("state", "wire-users")
    i1 = row(kz, "indep1")
    assert (i1.matching, i1.original, i1.reprints, i1.lag_hours) == (1, 1, 0, 1.0)
    wire = row(kz, "wire.example")  # not in the study, but it carried the story
    assert (wire.curated, wire.matching, wire.original, wire.reprints) == (False, 1, 0, 1)
    assert wire.lag_hours == 2.5
    assert [c.outlet_id for c in kz.coverage] == [
        "state1", "state2", "indep1", "indep2", "blocked", "flaky", "quiet", "never",
        "wire.example"]


def test_each_coverage_status(kz: StoryResult) -> None:
    status = {c.outlet_id: c.status for c in kz.coverage}
    assert status == {"state1": "covered", "state2": "covered", "indep1": "covered",
                      "wire.example": "covered",
                      "indep2": "silent",        # published 2, none on it; 1 of 3 fetches failed
                      "blocked": "unreachable",  # every fetch failed, nothing published
                      "flaky": "unreachable",    # 1 article, but 3 of 4 fetches failed
                      "quiet": "no_output",      # feed 200 and robots 404: reachable, quiet
                      "never": "not_collected"}  # its only fetch lies outside the window
    b = row(kz, "blocked")
    assert (b.fetch_ok, b.fetch_failed) == (0, 3)
    assert b.failure_kinds == {"dns_nxdomain_error": 2, "connection_reset": 1}
    f = row(kz, "flaky")
    assert (f.total_in_window, f.fetch_ok, f.fetch_failed) == (1, 1, 3)
    assert f.failure_kinds == {"generic_timeout_error": 2, "http_503": 1}
    i2 = row(kz, "indep2")
    assert (i2.total_in_window, i2.fetch_ok, i2.fetch_failed) == (2, 2, 1)
    q = row(kz, "quiet")
    assert (q.fetch_ok, q.fetch_failed, q.failure_kinds) == (2, 0, {})


def test_reprints_follow_time_not_link_direction(kz: StoryResult) -> None:
    # 5 was stored before 7, so the table says 7 -> 5; by time 5 reprints 7
    links = [(r.article_id, r.outlet_id, r.of_article_id, r.of_outlet_id) for r in kz.reprints]
    assert links == [(11, "wire.example", 7, "indep1"), (5, "state2", 7, "indep1")]
    assert kz.reprints[0].similarity == 1.0
    assert 0.8 <= kz.reprints[1].similarity < 1.0
    by_id = {s.article_id: s for s in kz.samples}
    assert (by_id[5].reprint_of, by_id[11].reprint_of, by_id[7].reprint_of) == (7, 7, None)


def test_samples_first_report_and_events(kz: StoryResult) -> None:
    first = kz.first_report
    assert first is not None
    assert (first.article_id, first.outlet_id, first.title) == (1, "state1", "Выборы")
    assert first.sha256 == f"{1:064x}" and first.capture_id == 1
    undated = next(s for s in kz.samples if s.article_id == 6)
    assert (undated.published, undated.fetched_at) == (None, "2026-03-11T08:00:00Z")
    assert [e.id for e in kz.events] == ["warning"]  # "old" lies outside the window
    assert kz.events[0].groups == ("independent",) and kz.events[0].countries == ("KZ",)


def test_daily_attention_by_group(kz_day: StoryResult) -> None:
    pts = {(p.subject, p.bucket): p for p in kz_day.attention if p.subject_kind == "group"}
    everyone = pts[("*", "2026-03-10")]  # every study outlet; the uncurated one is not in it
    assert (everyone.matching, everyone.total, everyone.share) == (3, 6, 0.5)
    assert (everyone.ci_low, everyone.ci_high) == pytest.approx((0.187616, 0.812384), abs=1e-6)
    assert (pts[("*", "2026-03-11")].matching, pts[("*", "2026-03-11")].total) == (2, 5)
    state = pts[("state", "2026-03-10")]
    assert (state.matching, state.total) == (2, 3)
    assert (state.ci_low, state.ci_high) == pytest.approx((0.207660, 0.938508), abs=1e-6)
    ind = pts[("independent", "2026-03-11")]
    assert (ind.matching, ind.total, ind.share, ind.ci_low) == (0, 2, 0.0, 0.0)
    assert ind.ci_high == pytest.approx(0.657620, abs=1e-6)
    foreign = pts[("foreign", "2026-03-10")]  # a group with no output: a dense line of 0/0
    assert (foreign.matching, foreign.total, foreign.ci_low, foreign.ci_high) == (0, 0, 0.0, 1.0)
    assert sorted({p.subject for p in kz_day.attention if p.subject_kind == "group"}) == [
        "*", "foreign", "independent", "state", "wire-users"]


def test_hour_buckets_against_day_buckets(kz: StoryResult, kz_day: StoryResult) -> None:
    assert (kz.bucket, kz_day.bucket) == ("hour", "day")  # a two-day window reads hourly
    star = [p for p in kz.attention if p.subject == "*"]
    assert len(star) == 48 and star[0].bucket == "2026-03-10T00"
    assert star[-1].bucket == "2026-03-11T23"
    hour = {(p.subject, p.bucket): p for p in kz.attention}
    nine = hour[("state1", "2026-03-10T09")]
    assert (nine.matching, nine.total, nine.share) == (1, 2, 0.5)
    assert ("state1", "2026-03-10T10") not in hour  # outlets: only hours they published
    assert hour[("state2", "2026-03-11T08")].matching == 1  # the undated article
    day = {(p.subject, p.bucket): p for p in kz_day.attention}
    for subject in ("*", "state", "independent", "state1", "indep2"):
        for d in ("2026-03-10", "2026-03-11"):
            hours = [p for (s, b), p in hour.items() if s == subject and b.startswith(d)]
            if (subject, d) in day:
                assert sum(p.matching for p in hours) == day[(subject, d)].matching
                assert sum(p.total for p in hours) == day[(subject, d)].total
    assert kz.coverage == kz_day.coverage  # the matrix does not depend on the bucket


def test_window_and_bucket_from_the_data(store: Store, study: Study) -> None:
    r = compute_story(store, study, "open")
    # matches run from 03-10 09:00 to 03-13 09:00: whole days, four of them -> daily
    assert (r.window_start, r.window_end, r.bucket) == (
        "2026-03-10T00:00:00Z", "2026-03-14T00:00:00Z", "day")
    assert r.matching_total == 7
    assert compute_story(store, study, "open", bucket="hour").bucket == "hour"


def test_story_without_matches(store: Store, study: Study) -> None:
    r = compute_story(store, study, "none")
    assert (r.matching_total, r.first_report, r.samples, r.reprints) == (0, None, (), ())
    assert {c.outlet_id: c.status for c in r.coverage}["state1"] == "silent"
    assert all(c.lag_hours is None for c in r.coverage)


def test_stored_run_reloads_equal(store: Store, study: Study, kz: StoryResult) -> None:
    assert kz.run_id is not None
    lines = {(p.subject, p.subject_kind) for p in kz.attention}
    stored = store.observations(kz.run_id, "attention")  # type: ignore[attr-defined]
    assert len(stored) == len(lines) < len(kz.attention)  # one row per line, not per point
    loaded = load_story_result(store, "kz")
    assert loaded == kz
    again = analyze_story(store, study, "kz", bucket="day")
    assert again.run_id is not None and again.run_id > kz.run_id
    assert load_story_result(store, "kz") == again
    assert replace(again, run_id=None) == compute_story(store, study, "kz", bucket="day")
    assert load_story_result(store, "never-analysed") is None


def test_bad_story_inputs_name_the_story(store: Store, study: Study) -> None:
    with pytest.raises(ConfigError, match="no story with id 'nope'"):
        compute_story(store, study, "nope")
    bad = study.stories[0].model_copy(update={"id": "broken", "query": "(Казахстан"})
    with pytest.raises(ConfigError, match="story 'broken' has a bad query"):
        compute_story(store, study, bad)
    backwards = study.stories[0].model_copy(update={"start": study.stories[0].end})
    with pytest.raises(ConfigError, match="is not before end"):
        compute_story(store, study, backwards)
    with pytest.raises(ConfigError, match="unknown bucket"):
        analyze_story(store, study, "kz", bucket="week")


def test_both_ways_of_counting_output_agree(store: Store, study: Study,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from untold.analyze import attention

    for bucket in ("day", "hour"):
        seeks = compute_story(store, study, "kz", bucket=bucket)
        monkeypatch.setattr(attention, "SEEK_MAX_PAIRS", 0)  # force the GROUP BY
        grouped = compute_story(store, study, "kz", bucket=bucket)
        monkeypatch.undo()
        assert grouped == seeks


def test_a_window_inside_a_day_clips_its_buckets(store: Store, study: Study) -> None:
    story = study.stories[0].model_copy(update={
        "id": "clip", "start": study.stories[0].start.replace(hour=9, minute=30)})
    r = compute_story(store, study, story, bucket="day")
    assert r.window_start == "2026-03-10T09:30:00Z"
    s1 = {p.bucket: p for p in r.attention if p.subject == "state1"}
    # article 1 (09:00) is before the window; article 2 (09:30) is in it
    assert (s1["2026-03-10"].matching, s1["2026-03-10"].total) == (0, 1)
    assert r.first_report is not None and r.first_report.article_id == 7  # 10:00
    assert (row(r, "state1").first_article_id, row(r, "state1").lag_hours) == (3, 28.0)


def test_open_ended_windows(store: Store, study: Study) -> None:
    base = study.stories[1]  # no start, no end
    from_start = compute_story(store, study, base.model_copy(
        update={"start": study.stories[0].end}))  # 03-12: only article 13 (03-13) is later
    assert (from_start.window_start, from_start.window_end) == (
        "2026-03-12T00:00:00Z", "2026-03-14T00:00:00Z")
    assert [s.article_id for s in from_start.samples] == [13]
    until_end = compute_story(store, study, base.model_copy(
        update={"end": study.stories[0].start}))  # nothing matches before 03-10
    assert until_end.window_end == "2026-03-10T00:00:00Z"
    assert until_end.window_start < until_end.window_end and until_end.matching_total == 0


def test_query_filters_restrict_the_story(store: Store, study: Study) -> None:
    story = study.stories[0].model_copy(update={"id": "state-only",
                                                "query": "Казахстан AND group:state"})
    r = compute_story(store, study, story)
    assert {c.outlet_id for c in r.coverage if c.status == "covered"} == {"state1", "state2"}
    assert r.matching_total == 4 and row(r, "indep1").status == "silent"


def test_a_reprint_of_an_original_before_the_window(store: Store, study: Study) -> None:
    story = study.stories[0].model_copy(update={
        "id": "late", "start": study.stories[0].start.replace(hour=10, minute=30)})
    r = compute_story(store, study, story, bucket="day")
    assert [(x.article_id, x.of_article_id) for x in r.reprints] == [(11, 7), (5, 7)]
    assert r.first_report is not None and r.first_report.article_id == 11  # a reprint, first
    assert row(r, "indep1").matching == 0  # the original itself lies before the window
    assert (row(r, "state2").reprints, row(r, "state2").lag_hours) == (1, 0.5)
