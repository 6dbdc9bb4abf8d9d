"""Compile a parsed query into the backend-neutral form every store backend runs.

Every word becomes the index forms it may meet (``text.textindex.query_forms``: a
Latin word its exact English stem; a Cyrillic word its Russian stem *as a prefix*
plus the stem of that stem exactly, because Snowball gives Казахстан/Казахстана
``казахста`` but Казахстану ``казахстан``, and the prefix also reaches
Kazakh/Kyrgyz suffixes such as Қазақстанның); ``title:``/``body:`` is pushed down
onto the text leaves; ``And``/``Or`` are flattened and ``NOT NOT x`` cancels; a
``NEAR`` with an OR-group on a side becomes an ``Or`` of one ``NearMatch`` per
pair of alternatives (a proximity operator takes phrases only, in FTS5 as in
``tsquery``).

The result, ``CompiledQuery.ir``, is a tree of the dataclasses in ``nodes``:
``Match`` (a term or a phrase: its words, each with its ``Form`` alternatives,
stem text and prefix flag, and an optional field), ``NearMatch`` (two word
sequences at most n words apart, optional field), ``Filter`` (an exact
metadata restriction: language, outlet, country, group) and the boolean
structure ``And`` / ``Or`` / ``Not``. It holds no SQL and no index syntax: each
backend renders it (SQLite to FTS5 ``MATCH`` expressions in ``store.sqlite.fts``;
PostgreSQL would render ``Form.prefix`` as ``:*`` and a phrase as ``<->`` in a
``tsquery``).
"""

from __future__ import annotations

from dataclasses import dataclass

from untold.errors import StoreError
from untold.query.nodes import (
    And,
    Field,
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
    "SUPPORTED_BACKENDS",
    "CompiledQuery",
    "common_prefix",
    "compile_query",
    "normalise",
]

# The store backends that render a compiled query (``store.sqlite.fts`` for SQLite);
# a backend joins this list with its renderer, so search on any other fails up front.
SUPPORTED_BACKENDS = ("sqlite",)
# A Cyrillic stem shorter than this is matched exactly, not as a prefix: эт* or
# мир* would reach unrelated words (этаж, мирза); the Russian stemmer already
# unifies the case forms of such short words.
CYRILLIC_PREFIX_MIN = 4


def _word_forms(token: str) -> Word:
    forms: list[Form] = []
    for text, is_prefix in query_forms(token) or [(stem_word(token) or token, False)]:
        form = Form(text, is_prefix and len(text) >= CYRILLIC_PREFIX_MIN)
        if form not in forms:
            forms.append(form)
    return Word(tuple(forms))


def common_prefix(texts: list[str]) -> str:
    """The longest string every one of ``texts`` starts with (character-wise)."""
    first = min(texts)
    last = max(texts)
    n = 0
    while n < len(first) and first[n] == last[n]:
        n += 1
    return first[:n]


def _prefix_form(token: str) -> Word:
    """A typed prefix (``citizens*``) as the stem prefix the index holds (``citizen``)."""
    common = common_prefix([token, stem_word(token)])
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


@dataclass(frozen=True)
class CompiledQuery:
    """A query ready for any backend: ``ir`` is the stemmed, backend-neutral tree
    (``Match``, ``NearMatch``, ``Filter`` under ``And`` / ``Or`` / ``Not``)."""

    ir: Node


def compile_query(ast: Node | str, *, backend: str = "sqlite") -> CompiledQuery:
    """Normalise a parsed query (or parse a query string). ``backend`` names the
    store that will run it: one without a renderer fails here, before any work."""
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(f"search is not available for the '{backend}' backend",
                         hint=f"supported: {', '.join(SUPPORTED_BACKENDS)}")
    node = parse(ast) if isinstance(ast, str) else ast
    return CompiledQuery(normalise(node))
