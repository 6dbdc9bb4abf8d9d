"""The one rule shape (untold.models.rules): what a table's invariant check catches, and
one version format across the four rule tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from untold.models.rules import Rule, RuleTable, Threshold, parse_version


@dataclass(frozen=True, kw_only=True)
class _Rule(Rule[str]):
    verdict: str = "x"


def _ok(**kw: object) -> _Rule:
    args: dict[str, object] = {"id": "a.one", "description": "one line",
                               "condition": "always"}
    args.update(kw)
    return _Rule(**args)  # type: ignore[arg-type]


def test_a_well_formed_table_has_no_problems_and_stamps_its_version() -> None:
    t = RuleTable("demo", "demo-3", (
        _ok(thresholds=(Threshold("n_min", 5, "fewer cannot tell"),)),
        _ok(id="a.two", evidence=("counts",))))
    assert t.problems() == []
    assert [r.version for r in t] == ["demo-3", "demo-3"]
    assert t.ids == ("a.one", "a.two") and len(t) == 2 and "a.two" in t
    assert t["a.one"].threshold("n_min") == 5
    with pytest.raises(KeyError, match=r"no rule 'a\.three' in the demo rules"):
        t["a.three"]
    with pytest.raises(KeyError, match=r"no threshold 'm'"):
        t["a.one"].threshold("m")


@pytest.mark.parametrize(("table", "problem"), [
    (RuleTable("demo", "demo.3", (_ok(),)), "is not <table>-<n>"),
    (RuleTable("demo", "demo-0", (_ok(),)), "is not <table>-<n>"),
    (RuleTable("demo", "other-3", (_ok(),)), "does not name the table"),
    (RuleTable("demo", "demo-1", (_ok(), _ok())), "'a.one' is used twice"),
    (RuleTable("demo", "demo-1", (_ok(id="Bad Id"),)), "not dotted lower-case"),
    (RuleTable("demo", "demo-1", (_ok(id="single"),)), "not dotted lower-case"),
    (RuleTable("demo", "demo-1", (_ok(description=""),)), "one non-empty line"),
    (RuleTable("demo", "demo-1", (_ok(description="two\nlines"),)), "one non-empty line"),
    (RuleTable("demo", "demo-1", (_ok(thresholds=(Threshold("n", 1, ""),)),)),
     "threshold 'n' needs a one-line reason"),
    (RuleTable("demo", "demo-1", (_ok(thresholds=(Threshold("n", 1, "a\nb"),)),)),
     "threshold 'n' needs a one-line reason"),
    (RuleTable("demo", "demo-1", (_ok(thresholds=(Threshold("n", 1, "why"),
                                                  Threshold("n", 2, "why"))),)),
     "threshold 'n' is listed twice"),
    (RuleTable("demo", "demo-1", (_ok(thresholds=(Threshold("n", True, "why"),)),)),
     "is not a number or a duration"),
    (RuleTable("demo", "demo-1", (_ok(thresholds=(Threshold("q", 0.1, "why"),)),),
               thresholds=(Threshold("q", 0.05, "why"),)), "the table's is 0.05"),
    (RuleTable("demo", "demo-1", (_ok(),), thresholds=(Threshold("q", 0.05, " "),)),
     "demo: threshold 'q' needs a one-line reason"),
])
def test_each_broken_invariant_is_named(table: RuleTable[_Rule], problem: str) -> None:
    found = table.problems()
    assert any(problem in p for p in found), found


def test_a_rule_may_restate_a_shared_threshold_with_its_value() -> None:
    shared = Threshold("q", 0.05, "why")
    t = RuleTable("demo", "demo-1", (_ok(thresholds=(shared, Threshold("d", timedelta(days=1),
                                                                       "a day"))),),
                  thresholds=(shared,))
    assert t.problems() == []


def test_parse_version() -> None:
    assert parse_version("findings-4") == ("findings", 4)
    with pytest.raises(ValueError, match=r"not <table>-<n> \(e.g. findings-4\)"):
        parse_version("2026.12.02")


def _tables() -> list[RuleTable[Any]]:
    from untold.analyze import findings, story_rules
    from untold.collect import revisit_classify
    from untold.probe import rules

    return [rules.TABLE, findings.TABLE, revisit_classify.TABLE, story_rules.TABLE]


def test_the_four_tables_share_one_version_format_and_no_problems() -> None:
    from untold.analyze import findings, story_rules, story_store
    from untold.collect import revisit_classify
    from untold.probe import rules

    tables = _tables()
    assert {t.name: t.version for t in tables} == {
        "probe": "probe-20261202", "findings": "findings-4", "edits": "edits-1",
        "stories": "stories-2"}
    for t in tables:
        assert t.problems() == [], t.name
        assert parse_version(t.version)[0] == t.name
    # what each table's code stores is the table's version
    assert rules.TABLE.version == rules.RULES_VERSION
    assert findings.TABLE.version == findings.RULES_VERSION
    assert revisit_classify.TABLE.version == revisit_classify.RULES_VERSION
    assert story_rules.TABLE.version == story_store.STORIES_RULES_VERSION


def test_the_probe_version_sorts_after_every_earlier_stored_one() -> None:
    """The store keeps per measurement the verdict of the greatest version as a string:
    the probe's number is a fixed-width date, above the bare dates stored before."""
    from untold.probe import rules

    _, n = parse_version(rules.RULES_VERSION)
    assert len(str(n)) == 8
    date(n // 10000, n // 100 % 100, n % 100)  # a real day
    earlier = ["2026.11.25", "2026.12.02"]  # the probe versions archives may hold
    assert all(v < rules.RULES_VERSION for v in earlier)
    assert max([*earlier, rules.RULES_VERSION]) == rules.RULES_VERSION
