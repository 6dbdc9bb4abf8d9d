"""Parser: each construct, precedence, implicit AND, and error columns."""

from __future__ import annotations

import pytest

from untold.errors import QueryError
from untold.query import And, Field, Filter, Near, Not, Or, Phrase, Prefix, Term, parse
from untold.query.parser import MAX_DEPTH, MAX_QUERY_CHARS

a, b, c = Term("a"), Term("b"), Term("c")


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("Казахстан", Term("Казахстан")),
        ('"граждане Казахстана"', Phrase("граждане Казахстана")),
        ("казн*", Prefix("казн")),
        ("a AND b", And((a, b))),
        ("a b", And((a, b))),  # default operator is AND
        ("a OR b", Or((a, b))),
        ("NOT a", Not(a)),
        ("-a", Not(a)),
        ('-"a b"', Not(Phrase("a b"))),
        ("-(a OR b)", Not(Or((a, b)))),
        ("+a b", And((a, b))),
        ("граждан* NEAR/5 казахстан",
         Near(Prefix("граждан"), Term("казахстан"), 5)),
        ('"citizens of" NEAR/3 Kazakhstan',
         Near(Phrase("citizens of"), Term("Kazakhstan"), 3)),
        # a side may be an OR-group of words, prefixes and phrases (nested ORs too)
        ("граждан* NEAR/5 (казахстан* OR рк)",
         Near(Prefix("граждан"), Or((Prefix("казахстан"), Term("рк"))), 5)),
        ('(a OR "b c") NEAR/2 (c OR (ab* OR b))',
         Near(Or((a, Phrase("b c"))), Or((c, Or((Prefix("ab"), b)))), 2)),
        ("title:((a OR b) NEAR/2 c)", Field("title", Near(Or((a, b)), c, 2))),
        ("-(a OR b) NEAR/2 c", Not(Near(Or((a, b)), c, 2))),
        ("title:видео", Field("title", Term("видео"))),
        ('title:"a b"', Field("title", Phrase("a b"))),
        ("Title:ab*", Field("title", Prefix("ab"))),
        ("body:(a OR b NEAR/2 c)", Field("body", Or((a, Near(b, c, 2))))),
        ("lang:RU", Filter("lang", "ru")),
        ("outlet:kz-tengri.news", Filter("outlet", "kz-tengri.news")),
        ('outlet:"some id"', Filter("outlet", "some id")),
        ("country:kz", Filter("country", "KZ")),
        ("group:state", Filter("group", "state")),
        ("(group:state OR group:private) AND country:KZ",
         And((Or((Filter("group", "state"), Filter("group", "private"))),
              Filter("country", "KZ")))),
        ("(казахстан OR lang:en) AND -title:видео",
         And((Or((Term("казахстан"), Filter("lang", "en"))),
              Not(Field("title", Term("видео")))))),
        # Lucene: only upper-case words are operators
        ("a and b or not c", And((a, Term("and"), b, Term("or"), Term("not"), c))),
        ("кто-то", Term("кто-то")),
        ("Қазақстанның", Term("Қазақстанның")),
        ('a"b"', And((a, Phrase("b")))),
        ("((a))", a),
    ],
)
def test_constructs(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        # NOT > AND > OR
        ("a b OR c", Or((And((a, b)), c))),
        ("a OR b c", Or((a, And((b, c))))),
        ("a OR b AND c", Or((a, And((b, c))))),
        ("NOT a b", And((Not(a), b))),
        ("a NOT b", And((a, Not(b)))),
        ("a OR NOT b", Or((a, Not(b)))),
        ("(a OR b) c", And((Or((a, b)), c))),
        ("-a NEAR/2 b", Not(Near(a, b, 2))),  # NEAR binds tighter than NOT
        ("NOT NOT a", Not(Not(a))),
    ],
)
def test_precedence(query: str, tree: object) -> None:
    assert parse(query) == tree


def test_columns_are_recorded() -> None:
    tree = parse("(казахстан OR lang:en) AND -title:видео")
    assert isinstance(tree, And)
    or_node, not_node = tree.children
    assert isinstance(or_node, Or) and isinstance(not_node, Not)
    assert [n.column for n in or_node.children] == [2, 15]  # type: ignore[attr-defined]
    assert not_node.column == 28
    assert isinstance(not_node.child, Field) and not_node.child.column == 29


@pytest.mark.parametrize(
    ("query", "column", "words"),
    [
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ("(a OR b", 1, "unclosed '('"),
        ("a (b", 3, "unclosed '('"),
        ("a)", 2, "unmatched ')'"),
        ("(a) b)", 6, "unmatched ')'"),
        ("()", 1, "empty parentheses"),
        ('a "b c', 3, "unclosed quote"),
        ('""', 1, "no words"),
        ("a AND", 3, "AND has nothing after it"),
        ("a OR", 3, "OR has nothing after it"),
        ("(a AND)", 4, "AND has nothing after it"),
        ("AND a", 1, "AND needs a word before it"),
        ("OR a", 1, "OR needs a word before it"),
        ("a OR OR b", 6, "OR cannot follow OR"),
        ("a NOT", 3, "NOT has nothing after it"),
        ("NOT", 1, "NOT has nothing after it"),
        ("a NEAR/x b", 8, "NEAR needs a distance"),
        ("a NEAR/ b", 8, "NEAR needs a distance"),
        ("a NEAR b", 7, "NEAR needs a distance"),
        ("a NEAR/5", 3, "NEAR/5 has nothing after it"),
        ("NEAR/5 b", 1, "NEAR/5 needs a word before it"),
        ("a NEAR/500 b", 8, "NEAR distance above"),
        ("a NEAR/2 b NEAR/2 c", 12, "exactly two"),
        ("(a b) NEAR/2 c", 2, "NEAR cannot take an AND group"),
        ("a NEAR/2 (b c)", 11, "(a NEAR/5 c) AND (b NEAR/5 c)"),
        ("a NEAR/2 (b -c)", 13, "exclude outside it: (a NEAR/5 b) -c"),
        ("(a OR lang:ru) NEAR/2 c", 7, "put the filter outside"),
        ("a NEAR/2 (b OR title:c)", 16, "title:(a NEAR/5 b)"),
        ("title:a NEAR/2 b", 1, "title:(a NEAR/5 b)"),
        ("(a OR (b NEAR/2 c)) NEAR/3 d", 8, "cannot be nested"),
        ("(" + " OR ".join("abcdefghi") + ") NEAR/2 (" + " OR ".join("abcdefgh") + ")", 45,
         "72 pairs of alternatives"),
        ("foo:bar", 1, "unknown field 'foo:'"),
        ("a https://x.kz", 3, "unknown field 'https:'"),
        ("title: x", 7, "needs a value"),
        ("lang:", 6, "needs a value"),
        ("lang:(ru)", 6, "needs a value"),
        ("lang:russian", 6, "not a language code"),
        ("country:Kazakhstan", 9, "not a country code"),
        ("title:-x", 7, "title: applies to"),
        ("title:(a lang:ru)", 10, "only words and phrases"),
        ("ка*н", 3, "only at the end"),
        ("*", 1, "prefix needs at least"),
        ("к*", 1, "prefix needs at least"),
        ("a - b", 3, "'-' stands alone"),
        ("a -", 3, "'-' stands alone"),
        ("a && b", 3, "no letters or digits"),
        ("a~2", 2, "unsupported syntax '~'"),
        ("a^2", 2, "unsupported syntax '^'"),
        ("date:[a TO b]", 6, "ranges are not supported"),
        ("[a TO b]", 1, "unsupported syntax '['"),
        ('title:x" OR *', 8, "unclosed quote"),
        ('"; DROP TABLE articles; --', 1, "unclosed quote"),
    ],
)
def test_errors_point_at_the_problem(query: str, column: int, words: str) -> None:
    with pytest.raises(QueryError) as info:
        parse(query)
    err = info.value
    assert err.column == column
    assert words in str(err)
    assert err.hint  # every error says how to fix it
    # the message shows the query with a caret under the column
    lines = str(err).split("\n")
    assert lines[1] == "  " + query
    assert lines[2].startswith("  " + " " * (column - 1) + "^ (")


def test_limits() -> None:
    deep = "(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(QueryError, match="nested"):
        parse(deep)
    with pytest.raises(QueryError, match="nested"):
        parse("NOT " * (MAX_DEPTH + 1) + "a")
    assert parse("(" * 10 + "a" + ")" * 10) == a
    with pytest.raises(QueryError, match="longer than"):
        parse("a " * MAX_QUERY_CHARS)
