"""A compiled query as SQLite SQL: a WHERE fragment over ``articles a``.

The query compiler (``untold.query.compiler``) produces a backend-neutral
``CompiledQuery`` (stems with prefix flags, phrases, NEAR pairs, fields, metadata
filters, boolean structure); this module is where the SQLite backend turns it
into FTS5 SQL:

  1. each maximal subtree made only of text becomes ONE FTS5 expression, passed
     as a bound parameter to ``a.id IN (SELECT rowid FROM articles_fts WHERE
     articles_fts MATCH ?)``; metadata filters become plain comparisons; SQL
     ``AND``/``OR``/``NOT`` combine the pieces (``where_sql``);
  2. the caller's restrictions (time window, outlets, outlet groups) are added as
     bound parameters (``query_where``, ``matching_ids_sql``).

Every stem is written as an FTS5 string (``"stem"`` with ``"`` doubled), so no
query text can act as FTS5 syntax, and no query text is ever put into the SQL
itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from untold.query.compiler import CompiledQuery, common_prefix, compile_query
from untold.query.nodes import And, Filter, Form, Match, NearMatch, Node, Not, Or, Word
from untold.timeutil import to_iso

__all__ = ["FTS_IN", "MAX_PHRASE_VARIANTS", "fts_string", "matching_ids_sql", "query_where",
           "where_sql"]

# Phrases expand to one FTS5 phrase per combination of word forms; above this
# many, each word is reduced to one covering prefix instead (a little broader).
MAX_PHRASE_VARIANTS = 64

FTS_IN = "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
_FILTER_SQL = {
    "lang": "a.language = ?",
    "outlet": "a.outlet_id = ?",
    "country": "a.outlet_id IN (SELECT oc.id FROM outlets oc WHERE oc.country = ?)",
    "group": "a.outlet_id IN (SELECT og.id FROM outlets og, json_each(og.groups) g "
             "WHERE g.value = ?)",
}


# -- 1. the compiled tree as FTS5 and SQL -------------------------------------------


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: taken as words, never as syntax."""
    return '"' + text.replace('"', '""') + '"'


def _fts_form(form: Form) -> str:
    return fts_string(form.text) + ("*" if form.prefix else "")


def _covering(word: Word) -> Word:
    """One prefix form that matches everything ``word``'s forms match."""
    if len(word.forms) == 1:
        return word
    common = common_prefix([f.text for f in word.forms])
    return Word((Form(common, True),)) if common else Word(word.forms[:1])


def _variants(words: tuple[Word, ...]) -> list[str]:
    """FTS5 phrases (``"a"* + "b"``), one per combination of the words' forms."""
    count = 1
    for w in words:
        count *= len(w.forms)
    if count > MAX_PHRASE_VARIANTS:
        words = tuple(_covering(w) for w in words)
    return [" + ".join(_fts_form(f) for f in combo)
            for combo in itertools.product(*(w.forms for w in words))]


def _scoped(field: str | None, expr: str) -> str:
    # field names come from nodes.TEXT_FIELDS (checked by the parser), never user text
    return f"({{{field}}} : ({expr}))" if field else f"({expr})"


def _is_fts(node: Node) -> bool:
    """Whether FTS5 alone can evaluate ``node`` (no filters, no bare negation)."""
    if isinstance(node, Match | NearMatch):
        return True
    if isinstance(node, Or):
        return all(_is_fts(c) for c in node.children)
    if isinstance(node, And):
        positive = [c for c in node.children if not isinstance(c, Not)]
        return bool(positive) and all(
            _is_fts(c.child if isinstance(c, Not) else c) for c in node.children)
    return False


def _fts(node: Node) -> str:
    if isinstance(node, Match):
        return _scoped(node.field, " OR ".join(_variants(node.words)))
    if isinstance(node, NearMatch):
        nears = [f"NEAR({left} {right}, {node.distance:d})"
                 for left in _variants(node.left) for right in _variants(node.right)]
        return _scoped(node.field, " OR ".join(nears))
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(c) for c in node.children) + ")"
    if isinstance(node, And):
        pos = [_fts(c) for c in node.children if not isinstance(c, Not)]
        neg = [_fts(c.child) for c in node.children if isinstance(c, Not)]
        expr = "(" + " AND ".join(pos) + ")"
        return f"({expr} NOT ({' OR '.join(neg)}))" if neg else expr
    raise TypeError(f"not a full-text node: {node!r}")  # _is_fts() guards every call


def _sql(node: Node, params: list[Any]) -> str:
    if _is_fts(node):
        params.append(_fts(node))
        return FTS_IN
    if isinstance(node, Filter):
        params.append(node.value)
        return _FILTER_SQL[node.name]
    if isinstance(node, Not):
        return f"NOT ({_sql(node.child, params)})"
    if isinstance(node, And | Or):
        # gather the text-only children into one MATCH, the rest stay separate
        if isinstance(node, And):
            text = [c for c in node.children
                    if _is_fts(c) or (isinstance(c, Not) and _is_fts(c.child))]
            if not any(_is_fts(c) for c in text):
                text = []  # only negations: FTS5 cannot say "NOT x" alone
        else:
            text = [c for c in node.children if _is_fts(c)]
        rest = [c for c in node.children if not any(c is t for t in text)]
        parts: list[str] = []
        if text:
            parts.append(_sql(text[0] if len(text) == 1 else type(node)(tuple(text)), params))
        parts.extend(_sql(c, params) for c in rest)
        joiner = " AND " if isinstance(node, And) else " OR "
        return "(" + joiner.join(parts) + ")"
    raise TypeError(f"cannot compile {node!r}")  # pragma: no cover - every node kind is above


def where_sql(query: CompiledQuery) -> tuple[str, list[Any]]:
    """A WHERE fragment over ``articles a`` for ``query`` and its bound parameters.

    The fragment mentions only ``a`` (outlet country and groups are reached by
    sub-select), so it works whether or not the caller joins ``outlets o``.
    """
    params: list[Any] = []
    return _sql(query.ir, params), params


# -- 2. with the caller's restrictions ------------------------------------------------


def _names(values: Sequence[str] | str) -> list[str]:
    # a lone string is one name, not a sequence of one-letter names
    return [values] if isinstance(values, str) else list(values)


def query_where(query: str | Node | CompiledQuery, since: datetime | None = None,
                until: datetime | None = None, outlets: Sequence[str] = (),
                groups: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """The WHERE fragment over ``articles a`` for ``query`` and the restrictions: time
    window (``since`` inclusive, ``until`` exclusive, on ``articles.published``;
    articles without a date fall outside any window), outlets, outlet groups."""
    compiled = query if isinstance(query, CompiledQuery) else compile_query(query)
    where, params = where_sql(compiled)
    clauses = [where]
    if since is not None:
        clauses.append("a.published >= ?")
        params.append(to_iso(since))
    if until is not None:
        clauses.append("a.published < ?")
        params.append(to_iso(until))
    outlet_ids = _names(outlets)
    if outlet_ids:
        clauses.append(f"a.outlet_id IN ({','.join('?' * len(outlet_ids))})")
        params.extend(outlet_ids)
    group_names = _names(groups)
    if group_names:
        clauses.append("a.outlet_id IN (SELECT og.id FROM outlets og, json_each(og.groups) g "
                       f"WHERE g.value IN ({','.join('?' * len(group_names))}))")
        params.extend(group_names)
    return " AND ".join(clauses), params


def matching_ids_sql(query: str | Node | CompiledQuery, *, since: datetime | None = None,
                     until: datetime | None = None, outlets: Sequence[str] = (),
                     groups: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """``SELECT a.id FROM articles a WHERE ...`` and its parameters, to use as
    ``... WHERE id IN (<sql>)``. Raises ``QueryError`` when malformed."""
    where, params = query_where(query, since, until, outlets, groups)
    return f"SELECT a.id FROM articles a WHERE {where}", params
