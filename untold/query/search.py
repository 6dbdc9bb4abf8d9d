"""Run queries against an archive: hits, counts, and a reusable id subquery.

Stages:
  1. parse and compile the query (``parser``, ``compiler``): a malformed query
     fails here, before the store is touched;
  2. the store runs it with the caller's restrictions — time window (``since``
     inclusive, ``until`` exclusive, on ``articles.published``; articles without a
     date fall outside any window), outlets, outlet groups — as bound parameters
     (for SQLite, ``store.sqlite_fts`` and ``store.sqlite_search``), its errors as
     ``StoreError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from untold.query.compiler import compile_query
from untold.query.nodes import Node
from untold.store.base import Store
from untold.timeutil import from_iso

__all__ = ["SearchHit", "count_matches", "matching_ids_sql", "search"]


@dataclass(frozen=True)
class SearchHit:
    """One matching article."""

    id: int
    outlet_id: str
    title: str
    url: str
    published: datetime | None
    language: str


def matching_ids_sql(query: str | Node, *, since: datetime | None = None,
                     until: datetime | None = None, outlets: Sequence[str] = (),
                     groups: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """``SELECT a.id FROM articles a WHERE ...`` and its parameters, for SQLite
    callers to use as ``... WHERE id IN (<sql>)``. Raises ``QueryError`` when
    malformed. (The SQL is the SQLite backend's: ``store.sqlite_fts``.)"""
    from untold.store.sqlite_fts import matching_ids_sql as sqlite_ids

    return sqlite_ids(query, since=since, until=until, outlets=outlets, groups=groups)


def search(store: Store, query: str | Node, *, since: datetime | None = None,
           until: datetime | None = None, outlets: Sequence[str] = (),
           groups: Sequence[str] = (), limit: int | None = None) -> list[SearchHit]:
    """Articles matching ``query``, oldest first (undated last), at most ``limit``."""
    compiled = compile_query(query)
    return [SearchHit(id=r[0], outlet_id=r[1], title=r[2], url=r[3],
                      published=from_iso(r[4]), language=r[5])
            for r in store.search_articles(compiled, since=since, until=until,
                                           outlets=outlets, groups=groups, limit=limit)]


def count_matches(store: Store, query: str | Node, *, since: datetime | None = None,
                  until: datetime | None = None, outlets: Sequence[str] = (),
                  groups: Sequence[str] = ()) -> int:
    """How many articles match ``query`` under the same restrictions as ``search``."""
    return store.count_query(compile_query(query), since=since, until=until,
                             outlets=outlets, groups=groups)
