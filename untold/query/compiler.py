"""Compile a parsed query to the archive's storage backend.

Stages:
  1. normalise (backend-neutral): every word becomes the index forms it may meet
     (``store.textindex.query_forms``: a Latin word its exact English stem; a
     Cyrillic word its Russian stem *as a prefix* plus the stem of that stem
     exactly, because Snowball gives Казахстан/Казахстана ``казахста`` but
     Казахстану ``казахстан``, and the prefix also reaches Kazakh/Kyrgyz
     suffixes such as Қазақстанның); ``title:``/``body:`` is pushed down onto
     the text leaves; ``And``/``Or`` are flattened and ``NOT NOT x`` cancels; a
     ``NEAR`` with an OR-group on a side becomes an ``Or`` of one ``NearMatch`` per
     pair of alternatives (NEAR takes phrases only, in FTS5 as in ``tsquery``).
     The result, ``CompiledQuery.ir``, is what a PostgreSQL backend would
     translate to ``tsquery`` (``Form.prefix`` -> ``:*``, phrase -> ``<->``).
  2. to SQL (``CompiledQuery.to_sqlite``): each maximal subtree made only of
     text becomes ONE FTS5 expression, passed as a bound parameter to
     ``a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)``;
     metadata filters become plain comparisons; SQL ``AND``/``OR``/``NOT``
     combine the pieces. Every stem is written as an FTS5 string (``"stem"``
     with ``"`` doubled), so no query text can act as FTS5 syntax, and no query
     text is ever put into the SQL itself.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from untold.errors import StoreError
from untold.query.nodes import (
    And,
    Field,
    Filter,
    Form,
    Match,
    Near,
    NearMatch,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    Word,
)
from untold.query.parser import MIN_PREFIX_CHARS, parse
from untold.text.textindex import query_forms, stem_word, tokenize

__all__ = [
    "CYRILLIC_PREFIX_MIN",
    "MAX_PHRASE_VARIANTS",
    "SUPPORTED_BACKENDS",
    "CompiledQuery",
    "compile_query",
    "fts_string",
    "normalise",
]

SUPPORTED_BACKENDS = ("sqlite",)
# A Cyrillic stem shorter than this is matched exactly, not as a prefix: эт* or
# мир* would reach unrelated words (этаж, мирза); the Russian stemmer already
# unifies the case forms of such short words.
CYRILLIC_PREFIX_MIN = 4
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


# -- 1. normalise ---------------------------------------------------------------


def _word_forms(token: str) -> Word:
    forms: list[Form] = []
    for text, is_prefix in query_forms(token) or [(stem_word(token) or token, False)]:
        form = Form(text, is_prefix and len(text) >= CYRILLIC_PREFIX_MIN)
        if form not in forms:
            forms.append(form)
    return Word(tuple(forms))


def _common_prefix(texts: list[str]) -> str:
    """The longest string every one of ``texts`` starts with (character-wise)."""
    first = min(texts)
    last = max(texts)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def _prefix_form(token: str) -> Word:
    """A typed prefix (``citizens*``) as the stem prefix the index holds (``citizen``)."""
    common = _common_prefix([token, stem_word(token)])
    return Word((Form(common if len(common) >= MIN_PREFIX_CHARS else token, True),))


def _words(text: str, *, prefix_last: bool = False) -> tuple[Word, ...]:
    tokens = tokenize(text)
    return tuple(
        _prefix_form(tok) if prefix_last and i == len(tokens) - 1 else _word_forms(tok)
        for i, tok in enumerate(tokens)
    )


def _leaf_words(node: Term | Prefix | Phrase) -> tuple[Word, ...]:
    if isinstance(node, Term):
        return _words(node.word)
    if isinstance(node, Prefix):
        return _words(node.word, prefix_last=True)
    return _words(node.text)


def _near_leaves(node: Node) -> list[Term | Prefix | Phrase]:
    """The alternatives of one NEAR side (the parser allows only these shapes)."""
    if isinstance(node, Term | Prefix | Phrase):
        return [node]
    if isinstance(node, Or):
        return [leaf for child in node.children for leaf in _near_leaves(child)]
    raise TypeError(f"not a NEAR side: {node!r}")  # parse() never builds one


def normalise(node: Node, field: str | None = None) -> Node:
    """The stemmed, backend-neutral form of a syntax tree (idempotent)."""
    if isinstance(node, Term | Prefix | Phrase):
        return Match(_leaf_words(node), field, node.column)
    if isinstance(node, Near):
        # FTS5's NEAR (and tsquery's <N>) takes phrases only: an OR-group on a side
        # becomes one NEAR per pair, (a OR b) NEAR c = (a NEAR c) OR (b NEAR c)
        pairs: list[Node] = []
        for left in _near_leaves(node.left):
            for right in _near_leaves(node.right):
                pair = NearMatch(_leaf_words(left), _leaf_words(right), node.distance,
                                 field, node.column)
                if pair not in pairs:
                    pairs.append(pair)
        return pairs[0] if len(pairs) == 1 else Or(tuple(pairs), node.column)
    if isinstance(node, Field):
        return normalise(node.child, node.name)
    if isinstance(node, And | Or):
        kind = type(node)
        flat: list[Node] = []
        for child in node.children:
            n = normalise(child, field)
            flat.extend(n.children if isinstance(n, kind) else (n,))
        return flat[0] if len(flat) == 1 else kind(tuple(flat), node.column)
    if isinstance(node, Not):
        inner = normalise(node.child, field)
        return inner.child if isinstance(inner, Not) else Not(inner, node.column)
    return node  # Filter, Match, NearMatch: already normal


# -- 2. SQLite / FTS5 -------------------------------------------------------------


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: taken as words, never as syntax."""
    return '"' + text.replace('"', '""') + '"'


def _fts_form(form: Form) -> str:
    return fts_string(form.text) + ("*" if form.prefix else "")


def _covering(word: Word) -> Word:
    """One prefix form that matches everything ``word``'s forms match."""
    if len(word.forms) == 1:
        return word
    common = _common_prefix([f.text for f in word.forms])
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


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready for a backend. ``ir`` is the stemmed, backend-neutral tree."""

    ir: Node
    backend: str = "sqlite"

    def to_sqlite(self) -> tuple[str, list[Any]]:
        """A WHERE fragment over ``articles a`` and its bound parameters.

        The fragment mentions only ``a`` (outlet country and groups are reached
        by sub-select), so it works whether or not the caller joins ``outlets o``.
        """
        params: list[Any] = []
        return _sql(self.ir, params), params


def compile_query(ast: Node | str, *, backend: str = "sqlite") -> CompiledQuery:
    """Normalise a parsed query (or parse a query string) for ``backend``."""
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(f"search is not available for the '{backend}' backend",
                         hint=f"supported: {', '.join(SUPPORTED_BACKENDS)}")
    node = parse(ast) if isinstance(ast, str) else ast
    return CompiledQuery(normalise(node), backend)
