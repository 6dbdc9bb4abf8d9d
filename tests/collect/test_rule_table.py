"""The edit rules' table (untold.collect.revisit_classify.TABLE): invariants, the kinds and
subkinds edit events store, and every rule id used by the code that makes its events."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from untold.analyze import edits
from untold.collect import revisit_classify as R
from untold.collect.revisit_classify import (
    TABLE,
    DeletionKind,
    EditKind,
    EventKind,
    RestorationKind,
)
from untold.models.rules import parse_version
from untold.text import noise

PACKAGE = Path(R.__file__).resolve().parents[1]
# the names that carry the rule ids to the code that makes events and findings
ID_NAMES = ("DELETION_RULES", "EDIT_RULE", "RESTORE_RULE", "RELIST_RULE", "FACT_REMOVED_RULE",
            "FACT_ADDED_RULE")


@functools.cache  # parsed once for the tests that read the code
def _sources() -> dict[str, ast.Module]:
    return {str(p.relative_to(PACKAGE)): ast.parse(p.read_text(encoding="utf-8"))
            for p in PACKAGE.rglob("*.py") if p.name != "revisit_classify.py"}


def test_the_table_keeps_its_invariants() -> None:
    assert TABLE.problems() == []
    assert parse_version(TABLE.version)[0] == "edits" and TABLE.version == R.RULES_VERSION
    assert all(isinstance(r.kind, EventKind) and r.subkinds and r.evidence for r in TABLE)
    assert all(set(r.evidence) <= {str(e) for e in R.CheckEvidence} for r in TABLE)
    assert {r.kind for r in TABLE} == set(EventKind)


def test_every_deletion_kind_has_its_rule_and_every_rule_an_id_name() -> None:
    assert set(R.DELETION_RULES) == {str(k) for k in DeletionKind}
    for kind, rid in R.DELETION_RULES.items():
        assert TABLE[rid].kind is EventKind.DELETION and kind in TABLE[rid].subkinds
    named = {*R.DELETION_RULES.values(), R.EDIT_RULE, R.RESTORE_RULE, R.RELIST_RULE,
             R.FACT_REMOVED_RULE, R.FACT_ADDED_RULE}
    assert named == set(TABLE.ids)
    assert edits.FACT_REMOVED_RULE == "edit.fact_removed" and R.EDIT_RULE == "edit.substantive"


def test_every_id_name_is_used_by_the_code_that_makes_events() -> None:
    used: set[str] = set()
    for tree in _sources().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ID_NAMES:
                used.add(node.attr)
            elif isinstance(node, ast.Name) and node.id in ID_NAMES:
                used.add(node.id)
    assert used == set(ID_NAMES)


def _constants(node: ast.expr) -> list[str]:
    """The string constants an argument can be (a constant, or either side of a ternary)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def test_the_kinds_and_subkinds_written_are_the_tables() -> None:
    """Each EditEvent the code makes (kind, subkind as written) is of a kind the table
    has, with a subkind one of its rules of that kind stores; so is each edit finding."""
    subkinds = {k: {s for r in TABLE if r.kind is k for s in r.subkinds} for k in EventKind}
    assert subkinds[EventKind.DELETION] == set(DeletionKind)
    assert subkinds[EventKind.EDIT] == set(EditKind)
    assert subkinds[EventKind.RESTORATION] == set(RestorationKind)
    made: list[tuple[str, list[str]]] = []
    kinds_found: set[str] = set()
    for tree in _sources().values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "EditEvent" and len(node.args) >= 4:
                for kind in _constants(node.args[2]):
                    made.append((kind, _constants(node.args[3])))
            elif name == "FindingRecord":
                for kw in node.keywords:
                    if kw.arg == "kind":
                        kinds_found.update(_constants(kw.value))
    assert {k for k, _ in made} == {str(k) for k in EventKind}
    for kind, subs in made:
        assert set(subs) <= subkinds[EventKind(kind)], (kind, subs)
    # the edit findings (untold.analyze.edits) are of the events' kinds
    assert {"edit", "deletion", "restoration"} <= kinds_found


def test_the_classifiers_give_only_deletion_kinds() -> None:
    assert set(R.GONE_STATUSES.values()) <= set(DeletionKind)
    home = "https://a.example/"
    article = "https://a.example/news/2026/x.html"
    assert R.redirect_kind(article, home, home) == DeletionKind.REDIRECT_HOME
    assert R.redirect_kind(article, "https://a.example/politics/", home) == \
        DeletionKind.REDIRECT_SECTION
    page = R.page_shingles("<p>the page you asked for is not here at all today</p>")
    other = R.page_shingles("<p>welcome to the news of the day in the region</p>")
    assert R.page_likeness(page, page, other) == DeletionKind.SOFT_404
    assert R.page_likeness(page, other, page) == DeletionKind.HOME_PAGE


def test_thresholds_are_the_constants_the_classifiers_compare_against() -> None:
    values = {t.name: t.value for r in TABLE for t in r.thresholds}
    assert values == {"soft_page_likeness": R.SOFT_PAGE_LIKENESS,
                      "moved_likeness": R.MOVED_LIKENESS,
                      "section_max_segments": R.SECTION_MAX_SEGMENTS,
                      "furniture_max_words": noise.FURNITURE_MAX_WORDS,
                      "counter_max_words": noise.COUNTER_MAX_WORDS}
    # what every edit finding stores is documented in the table, with the same values
    assert {k: values[k] for k in edits.THRESHOLDS} == edits.THRESHOLDS
