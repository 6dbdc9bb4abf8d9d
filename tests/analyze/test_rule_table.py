"""The analysis rule tables: findings (untold.analyze.findings.TABLE) and the stories'
coverage status (untold.analyze.story_rules.TABLE): invariants, vocabularies, and every
rule used by the code that applies it."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any, get_args

import pytest

from tests.support.archives.small import build, run_rules
from untold.analyze import coverage, findings, reachability, story_rules, story_store
from untold.analyze.coverage import FetchCounts, coverage_status
from untold.analyze.findings import TABLE, Evidence, FindingKind
from untold.analyze.findings_data import StoryData
from untold.analyze.observed import MIN_OBSERVED_SHARE
from untold.analyze.results import CoverageStatus
from untold.analyze.story_rules import CoverageCounts, status_of
from untold.models.rules import parse_version


def test_the_findings_table_keeps_its_invariants() -> None:
    assert TABLE.problems() == []
    assert parse_version(TABLE.version)[0] == "findings"
    assert TABLE.rules == findings.RULES and TABLE.version == findings.RULES_VERSION
    shared = {t.name: t.value for t in TABLE.thresholds}
    assert shared == {"q_max": findings.Q_MAX, "min_observed_share": MIN_OBSERVED_SHARE}
    fields = {f.name for f in dataclasses.fields(StoryData)}
    for r in TABLE:
        assert isinstance(r.kind, FindingKind) and r.evidence and callable(r.condition)
        assert set(r.evidence) <= {str(e) for e in Evidence}
    # what a rule reads is a field of the story's data, or its words (through the store)
    assert {str(e) for e in Evidence} - {"words"} <= fields
    assert {r.kind for r in TABLE} == set(FindingKind)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[Any]]:
    study, _ = build(Path(tmp_path_factory.mktemp("rules")))
    return run_rules(study)


def test_every_findings_rule_makes_tests_with_its_id_kind_and_thresholds(
        small_run: tuple[list[Any], list[Any]]) -> None:
    """On the small archive (five outlets, a fact, an event) each rule tests something;
    each test (and finding) carries the id, kind and thresholds the table gives it."""
    tests, found = small_run
    by_rule: dict[str, list[Any]] = {}
    for t in tests:
        by_rule.setdefault(t.rule, []).append(t)
    assert set(by_rule) == set(TABLE.ids)
    for r in TABLE:
        documented = {t.name: t.value for t in r.thresholds}
        for t in by_rule[r.id]:
            assert (t.kind, t.thresholds) == (r.kind, documented), r.id
    assert found, "the small archive has findings"
    for f in found:
        names = {t.name for t in TABLE[f.rule].thresholds}
        assert set(f.thresholds) == names | {"q_max"} and f.rules_version == TABLE.version


def test_the_stories_table_keeps_its_invariants() -> None:
    t = story_rules.TABLE
    assert t.problems() == []
    assert parse_version(t.version)[0] == "stories"
    assert t.version == story_store.STORIES_RULES_VERSION
    # every status a row can have is some rule's, and no rule gives another
    assert {r.status for r in t} == set(get_args(CoverageStatus))
    assert all(set(r.evidence) <= {str(e) for e in story_rules.CoverageEvidence} and r.evidence
               for r in t)
    # the thresholds are the constants the code compares against
    assert coverage.UNREACHABLE_FAILED_SHARE is story_rules.UNREACHABLE_FAILED_SHARE
    reach = t["coverage.measured_unreachable"]
    assert (reach.threshold("max_gap"), reach.threshold("max_extend")) == (
        reachability.MAX_GAP, reachability.MAX_EXTEND)
    assert t["coverage.fetches_failed"].threshold("unreachable_failed_share") == 0.5


@pytest.mark.parametrize(("rule_id", "counts"), [
    ("coverage.covered", CoverageCounts(1, 5, 0, 9, 1.0)),
    ("coverage.fetches_failed", CoverageCounts(0, 5, 1, 2, 0.0)),
    ("coverage.measured_unreachable", CoverageCounts(0, 5, 4, 0, 0.6)),
    ("coverage.silent", CoverageCounts(0, 5, 4, 1, 0.5)),
    ("coverage.some_fetches_failed", CoverageCounts(0, 0, 2, 1, 0.0)),
    ("coverage.no_output", CoverageCounts(0, 0, 2, 0, 0.0)),
    ("coverage.not_collected", CoverageCounts(0, 0, 0, 0, 0.0)),
])
def test_each_status_rule_is_the_first_to_hold_somewhere(rule_id: str,
                                                         counts: CoverageCounts) -> None:
    rule = status_of(counts)
    assert rule.id == rule_id
    fetch = FetchCounts(ok=counts.fetch_ok, failed=counts.fetch_failed)
    assert coverage_status(counts.matching, counts.total, fetch,
                           counts.unreachable_share) == rule.status


def _branches(matching: int, total: int, ok: int, failed: int, share: float) -> str:
    """coverage_status as it was written before its rules became a table."""
    if matching > 0:
        return "covered"
    if failed and failed / (ok + failed) > 0.5:
        return "unreachable"
    if share > 0.5:
        return "unreachable"
    if total > 0:
        return "silent"
    if failed:
        return "unreachable"
    if ok:
        return "no_output"
    return "not_collected"


def test_the_status_table_decides_as_the_branches_did() -> None:
    for m, total, ok, failed, share in itertools.product(
            (0, 1, 3), (0, 1, 4), (0, 1, 2, 3), (0, 1, 2, 3), (0.0, 0.5, 0.51, 1.0)):
        got = coverage_status(m, total, FetchCounts(ok=ok, failed=failed), share)
        assert got == _branches(m, total, ok, failed, share), (m, total, ok, failed, share)
