"""Compiler: the stemmed backend-neutral form, and the SQL it becomes."""

from __future__ import annotations

import re

import pytest

from untold.errors import StoreError
from untold.query import (
    And,
    CompiledQuery,
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
from untold.query.compiler import CYRILLIC_PREFIX_MIN, FTS_IN, MAX_PHRASE_VARIANTS, fts_string


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


@pytest.mark.parametrize(
    ("query", "matches", "sql_shape"),
    [
        # text-only trees are one MATCH, however nested
        ("a b OR c -d", 1, "M"),
        ("title:a OR (b NEAR/2 c) -body:d", 1, "M"),
        # a bare negation cannot be an FTS5 query: SQL NOT around it
        ("NOT a", 1, "NOT (M)"),
        ("a OR -b", 2, "(M OR NOT (M))"),
        # text siblings are gathered into one MATCH, filters stay SQL
        ("a b lang:ru", 1, "(M AND a.language = ?)"),
        ("(a OR lang:en) -title:b", 2, "((M OR a.language = ?) AND NOT (M))"),
        ("-a -b lang:ru", 2, "(NOT (M) AND NOT (M) AND a.language = ?)"),
        ("a OR b OR country:KZ", 1, "(M OR a.outlet_id IN (SELECT oc.id FROM outlets oc "
                                    "WHERE oc.country = ?))"),
    ],
)
def test_sql_structure(query: str, matches: int, sql_shape: str) -> None:
    sql, params = compile_query(query).to_sqlite()
    assert sql.count("MATCH ?") == matches
    assert sql.replace(FTS_IN, "M") == sql_shape
    assert sql.count("?") == len(params)


def test_fts_expression_for_mixed_booleans() -> None:
    _, params = compile_query("(казахстан OR lang:en) AND -title:видео").to_sqlite()
    assert params == ['("казахста"* OR "казахст")', "en", '({title} : ("виде"* OR "вид"))']
    _, params = compile_query('"citizens of" NEAR/3 Kazakhstan -treasury').to_sqlite()
    assert params == ['(((NEAR("citizen" + "of" "kazakhstan", 3))) NOT (("treasuri")))']


def test_a_group_inside_near_becomes_one_near_per_pair() -> None:
    """FTS5's NEAR takes phrases only: (a OR b) NEAR c is (a NEAR c) OR (b NEAR c)."""
    ir = compile_query("граждан* NEAR/5 (казахстан* OR рк)").ir
    assert isinstance(ir, Or) and all(isinstance(c, NearMatch) for c in ir.children)
    assert [c.right for c in ir.children if isinstance(c, NearMatch)] == [
        (Word((Form("казахста", True),)),), (Word((Form("рк"),)),)]
    _, params = compile_query("граждан* NEAR/5 (казахстан* OR рк)").to_sqlite()
    assert params == ['((NEAR("гражда"* "казахста"*, 5)) OR (NEAR("гражда"* "рк", 5)))']
    both = compile_query('title:((a OR "b c") NEAR/2 (d OR a))').ir
    assert isinstance(both, Or) and len(both.children) == 4
    assert {c.field for c in both.children if isinstance(c, NearMatch)} == {"title"}
    assert compile_query("(a OR a) NEAR/2 b").ir == compile_query("a NEAR/2 b").ir


def test_no_query_text_reaches_the_sql() -> None:
    query = "\"; DROP TABLE articles; --\" OR x' OR '1'='1 OR outlet:\"a' --\" OR group:z;DELETE"
    sql, params = compile_query(query).to_sqlite()
    assert not re.search(r"drop|delete|'|--|;", sql, re.IGNORECASE)
    assert "a' --" in params and "z;DELETE" in params


def test_fts_strings_quote_everything() -> None:
    assert fts_string('a"b') == '"a""b"'
    assert fts_string("NEAR(x") == '"NEAR(x"'


def test_long_phrases_collapse_to_covering_prefixes() -> None:
    words = " ".join(["Казахстана"] * 8)  # 2 forms each: 256 combinations
    assert MAX_PHRASE_VARIANTS < 2 ** 8
    _, params = compile_query(f'"{words}"').to_sqlite()
    assert params == ["(" + " + ".join(['"казахст"*'] * 8) + ")"]


def test_unknown_backend() -> None:
    with pytest.raises(StoreError, match="postgresql"):
        compile_query("a", backend="postgresql")
    assert CompiledQuery(Filter("lang", "ru")).to_sqlite() == ("a.language = ?", ["ru"])
