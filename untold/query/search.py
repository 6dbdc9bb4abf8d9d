"""Run queries against an archive: the matching articles and their count.

Stages:
  1. parse and compile the query (``parser``, ``compiler``): a malformed query
     fails here, before the store is touched;
  2. the store runs the compiled query with the caller's restrictions — time
     window (``since`` inclusive, ``until`` exclusive, on ``articles.published``;
     articles without a date fall outside any window), outlets, outlet groups —
     through the two methods of :class:`SearchBackend` (for SQLite,
     ``store.sqlite.search`` rendering it with ``store.sqlite.fts``), its errors as
     ``StoreError``.

The query layer sits below the store, so it names what it needs of one as a
Protocol here instead of importing it; the store's ``SearchStore`` is this
Protocol, and every backend provides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from untold.query.compiler import CompiledQuery, compile_query
from untold.query.nodes import Node
from untold.timeutil import from_iso

__all__ = ["SearchBackend", "SearchHit", "count_matches", "search"]


@dataclass(frozen=True)
class SearchHit:
    """One matching article."""

    id: int
    outlet_id: str
    title: str
    url: str
    published: datetime | None
    language: str


class SearchBackend(Protocol):
    """Full-text search over the archive, as a store provides it: a compiled query's
    matching articles, rows (id, outlet, title, url, published, language) oldest
    first (undated last), and their count, under the same restrictions."""

    def search_articles(self, query: CompiledQuery, *, since: datetime | None = None,
                        until: datetime | None = None, outlets: Sequence[str] = (),
                        groups: Sequence[str] = (), limit: int | None = None
                        ) -> list[tuple[int, str, str, str, str | None, str]]: ...
    def count_query(self, query: CompiledQuery, *, since: datetime | None = None,
                    until: datetime | None = None, outlets: Sequence[str] = (),
                    groups: Sequence[str] = ()) -> int: ...


def search(store: SearchBackend, query: str | Node, *, since: datetime | None = None,
           until: datetime | None = None, outlets: Sequence[str] = (),
           groups: Sequence[str] = (), limit: int | None = None) -> list[SearchHit]:
    """Articles matching ``query``, oldest first (undated last), at most ``limit``."""
    compiled = compile_query(query)
    return [SearchHit(id=r[0], outlet_id=r[1], title=r[2], url=r[3],
                      published=from_iso(r[4]), language=r[5])
            for r in store.search_articles(compiled, since=since, until=until,
                                           outlets=outlets, groups=groups, limit=limit)]


def count_matches(store: SearchBackend, query: str | Node, *, since: datetime | None = None,
                  until: datetime | None = None, outlets: Sequence[str] = (),
                  groups: Sequence[str] = ()) -> int:
    """How many articles match ``query`` under the same restrictions as ``search``."""
    return store.count_query(compile_query(query), since=since, until=until,
                             outlets=outlets, groups=groups)
