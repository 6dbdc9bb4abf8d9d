"""untold's search language: Lucene / Media Cloud style queries over the archive.

Pipeline:
  1. ``parse(text)`` -> typed syntax tree (``nodes``), or ``QueryError`` with
     the 1-based column of the problem and a hint (``parser``);
  2. ``compile_query(tree)`` -> ``CompiledQuery``: words turned into the stems
     the index holds, backend-neutral: no SQL, no index syntax (``compiler``);
  3. ``search`` / ``count_matches`` hand it to the store, whose backend renders
     it (SQLite: FTS5 SQL with bound parameters, ``store.sqlite.fts``) and runs
     it (``search``).

The language
------------
::

    Казахстан                        the word in any case form (Казахстана, Казахстану);
                                     see Stemming below
    Қазақстан                        Kazakh/Kyrgyz forms by prefix (Қазақстанның)
    citizens                         English stem: citizen, citizens
    "граждане Казахстана"            phrase: these words, in order, adjacent
    казн*                            prefix: казна, казначейство, казнь
    a b                              both: the default operator is AND, as in
                                     Media Cloud's search
    a AND b      a OR b              boolean operators
    NOT a   -a   -"a b"   -(a OR b)  exclude; +a (required) is accepted and means a
    (a OR b) c                       grouping
    граждан* NEAR/5 казахстан        at most 5 words between the two, either order;
    "citizens of" NEAR/3 Kazakhstan  each side one word, prefix* or "phrase",
    граждан* NEAR/5 (казахстан* OR рк)   or an OR-group of them (any pair near)
    title:видео   title:"a b"        search the title only (body: the text only);
    title:(a OR b NEAR/2 c)          a group may hold words, phrases and operators
    lang:ru                          article language (ISO 639-1, or und)
    outlet:tengrinews                outlet id (exact)
    country:KZ                       outlet country (ISO 3166-1 alpha-2)
    group:state                      outlet group (exact, as in the study file)

Filters combine like words: ``(group:state OR group:private) AND country:KZ``,
``(казахстан OR lang:en) AND -title:видео``.

Rules:

* Precedence, tightest first: ``NEAR``, ``NOT``/``-``, ``AND`` (explicit or
  implied by adjacency), ``OR``. So ``a b OR c`` is ``(a AND b) OR c`` and
  ``NOT a b`` is ``(NOT a) AND b``.
* Operators are upper-case only, as in Lucene: ``AND OR NOT NEAR/n`` are
  operators, ``and or not`` are searched as words. Field names are
  case-insensitive (``Title:`` works).
* A query of only exclusions means "all articles except": ``NOT видео`` (with
  ``search(..., outlets=...)`` this is "what these outlets published that does
  not mention X", the left-out-fact question).
* ``NEAR/n`` (0 <= n <= 100) is FTS5's NEAR: both sides in the same column
  (title or body), at most n words between them, in either order. A side may
  be an OR-group of words, prefixes and phrases, ``(a OR b) NEAR/5 (c OR d)``
  (at most 64 pairs): it means ``(a NEAR/5 c) OR (a NEAR/5 d) OR ...``. AND,
  NOT, filters and fields cannot be inside NEAR (an error says how to write
  what was meant: ``(a NEAR/5 c) AND (b NEAR/5 c)``, ``(a NEAR/5 b) -c``,
  ``title:(a NEAR/5 b)``).
* Filter values: ``lang:`` and ``country:`` are validated codes (case folded);
  ``outlet:`` and ``group:`` are exact (quote a value with spaces:
  ``outlet:"a b"``). A filter takes one value: write
  ``(group:state OR group:private)``, not ``group:(state OR private)``.
  ``title:(...)`` may not hold filters.
* Punctuation inside a word splits it into a phrase (``кто-то`` = ``"кто то"``),
  exactly as the text was indexed. Quotes cannot be escaped (punctuation is
  not indexed anyway). ``~``, ``^`` and ranges ``[a TO b]`` are not supported
  (errors with a hint); use ``NEAR/n`` and the since/until options.

Stemming (how a query word meets the index, see ``text.textindex``): the
index holds Snowball stems. A Latin word is matched by its exact English stem
(``citizens`` -> ``citizen``). A Cyrillic word is matched by its Russian stem
*as a prefix*, or by the stem of that stem exactly: the Russian stemmer gives
``казахста`` for Казахстан/Казахстана but ``казахстан`` for Казахстану, so
``казахстану`` asks for ``казахстан*`` or ``казахста``; the prefix also
reaches Kazakh and Kyrgyz suffixes (Қазақстанның) that the Russian stemmer
leaves alone. Cyrillic stems shorter than ``CYRILLIC_PREFIX_MIN`` letters are
matched exactly (``эт*`` would reach этаж). Every word of a phrase is
stemmed the same way; order is kept. A typed prefix ``citizens*`` is reduced to
what it shares with its own stem (``citizen*``), since only stems are indexed.
"""

from __future__ import annotations

from untold.query.compiler import CompiledQuery, compile_query
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
from untold.query.parser import parse
from untold.query.search import SearchBackend, SearchHit, count_matches, search

__all__ = [
    "And",
    "CompiledQuery",
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
    "SearchBackend",
    "SearchHit",
    "Term",
    "Word",
    "compile_query",
    "count_matches",
    "parse",
    "search",
]
