"""The query's typed syntax tree, and the stemmed, backend-neutral form of it.

The parser builds the *syntax* nodes (``Term``, ``Prefix``, ``Phrase``,
``Near``, ``And``, ``Or``, ``Not``, ``Field``, ``Filter``) holding the text as
the user typed it. The compiler normalises that tree into the *stemmed* form a
backend translates: text leaves become ``Match`` / ``NearMatch`` holding index
forms (``Word`` = alternatives a query word may meet in the index), the
``title:`` / ``body:`` scope is pushed down onto those leaves, and nested
``And`` / ``Or`` are flattened. ``And``, ``Or``, ``Not`` and ``Filter`` are shared
by both forms.

Every node carries ``column``, the 1-based position where it starts in the
query, for error messages; it does not take part in equality, so tests and
callers compare trees by structure.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field

__all__ = [
    "FILTER_FIELDS",
    "TEXT_FIELDS",
    "And",
    "Field",
    "Filter",
    "Form",
    "Match",
    "Near",
    "NearMatch",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Term",
    "Word",
]

# Full-text columns of an article a query can be restricted to (the index has both).
TEXT_FIELDS = ("title", "body")
# Metadata filters: article language, outlet id, outlet country, outlet group.
FILTER_FIELDS = ("lang", "outlet", "country", "group")


@dataclass(frozen=True)
class Node:
    """Base of every query node."""


# -- syntax tree (what the user wrote) ---------------------------------------


@dataclass(frozen=True)
class Term(Node):
    """A bare word, e.g. ``Казахстан``; matches its stemmed forms."""

    word: str
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Prefix(Node):
    """``казн*``: any indexed word starting with ``word`` (stored without ``*``)."""

    word: str
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Phrase(Node):
    """``"граждане Казахстана"``: the words, in this order, next to each other."""

    text: str
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Near(Node):
    """``left NEAR/n right``: at most ``distance`` words between them, either order.

    Each side is a word, prefix or phrase, or an ``Or`` of those (``(казахстан* OR
    рк)``): the pair matches when any alternative of the left side is near any of
    the right side. The parser rejects every other node on a side.
    """

    left: Term | Prefix | Phrase | Or
    right: Term | Prefix | Phrase | Or
    distance: int
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Not(Node):
    child: Node
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Field(Node):
    """``title:x`` / ``body:(a OR b)``: text search in one column only."""

    name: str  # one of TEXT_FIELDS
    child: Node
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class Filter(Node):
    """``lang:ru``, ``outlet:ID``, ``country:KZ``, ``group:state`` (exact metadata match).

    ``value`` is normalised by the parser: lang lower-case, country upper-case,
    outlet and group exactly as written.
    """

    name: str  # one of FILTER_FIELDS
    value: str
    column: int = _field(default=0, compare=False)


# -- stemmed form (what the index is asked) -----------------------------------


@dataclass(frozen=True)
class Form:
    """One index form: an exact stem, or a stem prefix when ``prefix``."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Word:
    """One query word as the index knows it: any of ``forms`` may match."""

    forms: tuple[Form, ...]


@dataclass(frozen=True)
class Match(Node):
    """Consecutive words (one for a term, several for a phrase) in ``field``
    (``None``: title or body)."""

    words: tuple[Word, ...]
    field: str | None = None
    column: int = _field(default=0, compare=False)


@dataclass(frozen=True)
class NearMatch(Node):
    """Two word sequences at most ``distance`` words apart, in one column."""

    left: tuple[Word, ...]
    right: tuple[Word, ...]
    distance: int
    field: str | None = None
    column: int = _field(default=0, compare=False)
