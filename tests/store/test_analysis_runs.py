"""Analysis conformance: runs, observations and findings as stored and read back."""

from __future__ import annotations

import math
from dataclasses import replace

from tests.support.store_rows import add_article, outlet
from untold.models import FindingRecord, ObservationRecord
from untold.store.base import Store


def _finding(subject: str, story: str | None = "s1", **kw: object) -> FindingRecord:
    return FindingRecord(kind=str(kw.pop("kind", "omission")), rule="omission-fisher",
                         rules_version="findings-2", subject=subject,
                         sentence=f"{subject} не сообщил о факте «эвакуация» (ru, kk)",
                         story_id=story, **kw)  # type: ignore[arg-type]


def test_runs_and_their_parameters(store: Store) -> None:
    run = store.start_analysis("findings", story_id="s1", rules_version="findings-2",
                               params={"alpha": 0.05, "слово": ["граждан*"]})
    assert store.analysis_run_info(run) == ("findings-2", {"alpha": 0.05,
                                                          "слово": ["граждан*"]})
    assert store.latest_analysis("findings", "s1") is None  # not finished yet
    store.finish_analysis(run)
    assert store.latest_analysis("findings", "s1") == run
    assert store.latest_analysis("findings", "s2") is None
    assert store.latest_analysis("stories", "s1") is None
    assert store.analysis_run_info(run + 100) is None
    bare = store.start_analysis("edits", story_id=None, rules_version="edits-1")
    assert store.analysis_run_info(bare) == ("edits-1", {})


def test_latest_run_per_story_including_none(store: Store) -> None:
    runs = []
    for story in (None, None, "s1"):
        r = store.start_analysis("edits", story_id=story, rules_version="edits-1")
        store.finish_analysis(r)
        runs.append(r)
    assert store.latest_analysis("edits", None) == runs[1]
    assert store.latest_analysis("edits", "s1") == runs[2]


def test_observations_in_insertion_order(store: Store) -> None:
    run = store.start_analysis("stories", story_id="s1", rules_version="stories-1")
    items = [ObservationRecord("attention", "tengri", "2026-10-06", {"n": 3, "share": 0.25}),
             ObservationRecord("coverage", "азаттық", "first", {"id": 7, "lag_h": None}),
             ObservationRecord("attention", "tengri", "2026-10-05", {"n": 0, "share": 0.0})]
    assert store.add_observations(run, "s1", items) == 3
    assert store.observations(run) == items
    assert store.observations(run, "attention") == [items[0], items[2]]
    assert store.observations(run, "framing") == []
    assert store.observations(run + 1) == []
    assert store.add_observations(run, "s1", []) == 0


def test_findings_round_trip(store: Store) -> None:
    store.sync_outlets([outlet("a")])
    a1 = add_article(store, "a", "https://a.example/1", "Первый.")
    a2 = add_article(store, "a", "https://a.example/2", "Второй.")
    run = store.start_analysis("findings", story_id="s1", rules_version="findings-2")
    f = _finding("group:state", thresholds={"q": 0.05, "min_articles": 5}, statistic=2.5,
                 p_value=0.001, q_value=0.01, effect=-0.75, ci_low=-0.9, ci_high=-0.5,
                 detail={"languages": ["ru", "kk"], "факт": "эвакуация", "nan": None},
                 evidence=[(a2, "omits"), (a1, "states")])
    ids = store.add_findings(run, [f])
    store.finish_analysis(run)
    assert ids == [f.id] and f.run_id == run and f.created_at  # filled in on the record
    (got,) = store.findings()
    assert got == replace(f, evidence=[(a1, "states"), (a2, "omits")])  # by article id
    assert got.created_at is not None and got.created_at.endswith("Z")


def test_floats_and_missing_statistics_round_trip(store: Store) -> None:
    run = store.start_analysis("findings", story_id="s1", rules_version="findings-2")
    tiny = _finding("a", p_value=5e-324, q_value=1.0, statistic=math.pi, effect=-0.0)
    bare = _finding("b")
    store.add_findings(run, [tiny, bare])
    store.finish_analysis(run)
    got = {f.subject: f for f in store.findings(run_ids=[run])}
    assert (got["a"].p_value, got["a"].q_value, got["a"].statistic) == (5e-324, 1.0, math.pi)
    assert (got["b"].p_value, got["b"].statistic, got["b"].ci_low, got["b"].thresholds,
            got["b"].detail, got["b"].evidence) == (None, None, None, {}, {}, [])


def test_findings_default_to_the_newest_finished_run_per_kind_and_story(store: Store) -> None:
    def run(kind: str, story: str | None, subjects: list[str], finish: bool = True) -> int:
        r = store.start_analysis(kind, story_id=story, rules_version="v")
        store.add_findings(r, [_finding(s, story, kind=kind) for s in subjects])
        if finish:
            store.finish_analysis(r)
        return r

    old = run("omission", "s1", ["old"])
    new = run("omission", "s1", ["new1", "new2"])
    other = run("omission", "s2", ["other"])
    edits = run("edit", None, ["edit"])
    run("omission", "s1", ["unfinished"], finish=False)
    assert [f.subject for f in store.findings()] == ["new1", "new2", "other", "edit"]
    assert [f.subject for f in store.findings(story_id="s1")] == ["new1", "new2"]
    assert [f.subject for f in store.findings(kind="edit")] == ["edit"]
    assert [f.subject for f in store.findings(run_ids=[old, other])] == ["old", "other"]
    assert [f.run_id for f in store.findings(run_ids=[new])] == [new, new]
    assert store.findings(run_ids=[edits], kind="omission") == []
    assert store.findings(run_ids=[]) == []


def test_no_runs_no_findings(store: Store) -> None:
    assert store.findings() == []
    assert store.latest_analysis("findings", None) is None
