"""The SQLite backend's rendering of a compiled query: the FTS5 expressions and the
SQL around them (``untold.store.sqlite.fts``). Moved from the query compiler's
tests when the rendering moved into the backend."""

from __future__ import annotations

import re

import pytest

from untold.query import CompiledQuery, Filter, compile_query
from untold.store.sqlite.fts import FTS_IN, MAX_PHRASE_VARIANTS, fts_string, where_sql


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
    sql, params = where_sql(compile_query(query))
    assert sql.count("MATCH ?") == matches
    assert sql.replace(FTS_IN, "M") == sql_shape
    assert sql.count("?") == len(params)


def test_fts_expression_for_mixed_booleans() -> None:
    _, params = where_sql(compile_query("(казахстан OR lang:en) AND -title:видео"))
    assert params == ['("казахста"* OR "казахст")', "en", '({title} : ("виде"* OR "вид"))']
    _, params = where_sql(compile_query('"citizens of" NEAR/3 Kazakhstan -treasury'))
    assert params == ['(((NEAR("citizen" + "of" "kazakhstan", 3))) NOT (("treasuri")))']


def test_a_group_inside_near_becomes_one_fts_near_per_pair() -> None:
    """FTS5's NEAR takes phrases only: (a OR b) NEAR c is (a NEAR c) OR (b NEAR c)."""
    _, params = where_sql(compile_query("граждан* NEAR/5 (казахстан* OR рк)"))
    assert params == ['((NEAR("гражда"* "казахста"*, 5)) OR (NEAR("гражда"* "рк", 5)))']


def test_no_query_text_reaches_the_sql() -> None:
    query = "\"; DROP TABLE articles; --\" OR x' OR '1'='1 OR outlet:\"a' --\" OR group:z;DELETE"
    sql, params = where_sql(compile_query(query))
    assert not re.search(r"drop|delete|'|--|;", sql, re.IGNORECASE)
    assert "a' --" in params and "z;DELETE" in params


def test_fts_strings_quote_everything() -> None:
    assert fts_string('a"b') == '"a""b"'
    assert fts_string("NEAR(x") == '"NEAR(x"'


def test_long_phrases_collapse_to_covering_prefixes() -> None:
    words = " ".join(["Казахстана"] * 8)  # 2 forms each: 256 combinations
    assert MAX_PHRASE_VARIANTS < 2 ** 8
    _, params = where_sql(compile_query(f'"{words}"'))
    assert params == ["(" + " + ".join(['"казахст"*'] * 8) + ")"]


def test_a_lone_filter_is_plain_sql() -> None:
    assert where_sql(CompiledQuery(Filter("lang", "ru"))) == ("a.language = ?", ["ru"])
