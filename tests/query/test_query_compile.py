"""Compiler: the stemmed backend-neutral form (the SQL the SQLite backend makes of it
is tested in tests/store/sqlite/test_fts.py)."""

from __future__ import annotations

import pytest

from untold.errors import StoreError
from untold.query import (
    And,
    Filter,
    Form,
    Match,
    NearMatch,
    Not,
    Or,
    Word,
    compile_query,
    parse,
)
from untold.query.compiler import CYRILLIC_PREFIX_MIN


def forms(query: str) -> list[tuple[tuple[str, bool], ...]]:
    """The index forms of each word of a one-leaf query."""
    ir = compile_query(query).ir
    assert isinstance(ir, Match)
    return [tuple((f.text, f.prefix) for f in w.forms) for w in ir.words]


def test_russian_word_becomes_stem_prefix_plus_stem_of_stem() -> None:
    # Казахстан/Казахстана stem to казахста, Казахстану to казахстан
    assert forms("Казахстан") == [(("казахста", True), ("казахст", False))]
    assert forms("Казахстану") == [(("казахстан", True), ("казахста", False))]
    assert forms("Қазақстанның") == [(("қазақстанның", True),)]


def test_latin_word_is_its_exact_stem() -> None:
    assert forms("Citizens") == [(("citizen", False),)]
    assert forms("citizens*") == [(("citizen", True),)]  # typed prefix cut to the stem


def test_short_cyrillic_stems_are_exact() -> None:
    assert len("эт") < CYRILLIC_PREFIX_MIN
    assert forms("это") == [(("эт", False),)]
    assert forms("казн*") == [(("казн", True),)]  # a typed prefix stays a prefix


def test_phrase_keeps_order_and_ё_folds() -> None:
    assert forms('"Граждане Казахстана"') == [
        (("граждан", True), ("гражда", False)), (("казахста", True), ("казахст", False))]
    assert forms("провёл") == forms("провел")


def test_normalised_tree_shape() -> None:
    ir = compile_query("(a OR (b OR c)) AND -title:(x -y) AND NOT NOT lang:ru").ir
    assert isinstance(ir, And) and len(ir.children) == 3
    first, second, third = ir.children
    assert isinstance(first, Or) and len(first.children) == 3  # flattened
    # title: pushed onto the leaves, NOT NOT cancelled
    assert second == Not(And((Match((Word((Form("x"),)),), "title"),
                              Not(Match((Word((Form("y"),)),), "title")))))
    assert third == Filter("lang", "ru")
    near = compile_query("title:(a NEAR/2 b)").ir
    assert near == NearMatch((Word((Form("a"),)),), (Word((Form("b"),)),), 2, "title")


def test_compiling_is_idempotent_and_accepts_trees() -> None:
    tree = parse("граждан* NEAR/5 казахстан OR lang:en")
    once = compile_query(tree)
    assert compile_query(once.ir) == once
    assert compile_query("граждан* NEAR/5 казахстан OR lang:en") == once


def test_a_group_inside_near_becomes_one_near_per_pair() -> None:
    """FTS5's NEAR takes phrases only: (a OR b) NEAR c is (a NEAR c) OR (b NEAR c)."""
    ir = compile_query("граждан* NEAR/5 (казахстан* OR рк)").ir
    assert isinstance(ir, Or) and all(isinstance(c, NearMatch) for c in ir.children)
    assert [c.right for c in ir.children if isinstance(c, NearMatch)] == [
        (Word((Form("казахста", True),)),), (Word((Form("рк"),)),)]
    both = compile_query('title:((a OR "b c") NEAR/2 (d OR a))').ir
    assert isinstance(both, Or) and len(both.children) == 4
    assert {c.field for c in both.children if isinstance(c, NearMatch)} == {"title"}
    assert compile_query("(a OR a) NEAR/2 b").ir == compile_query("a NEAR/2 b").ir


def test_unknown_backend() -> None:
    with pytest.raises(StoreError, match="postgresql"):
        compile_query("a", backend="postgresql")
