"""Run queries against an archive: hits, counts, and a reusable id subquery.

Stages:
  1. parse and compile the query (``parser``, ``compiler``);
  2. add the caller's restrictions — time window (``since`` inclusive,
     ``until`` exclusive, on ``articles.published``; articles without a date
     fall outside any window), outlets, outlet groups — as bound parameters;
  3. execute on the store's connection, translating SQLite errors to
     ``StoreError``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from untold.errors import StoreError
from untold.query.compiler import compile_query
from untold.query.nodes import Node
from untold.store.base import Store
from untold.timeutil import from_iso, to_iso

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


def _names(values: Sequence[str] | str) -> list[str]:
    # a lone string is one name, not a sequence of one-letter names
    return [values] if isinstance(values, str) else list(values)


def _where(query: str | Node, since: datetime | None, until: datetime | None,
           outlets: Sequence[str], groups: Sequence[str]) -> tuple[str, list[Any]]:
    where, params = compile_query(query).to_sqlite()
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


def matching_ids_sql(query: str | Node, *, since: datetime | None = None,
                     until: datetime | None = None, outlets: Sequence[str] = (),
                     groups: Sequence[str] = ()) -> tuple[str, list[Any]]:
    """``SELECT a.id FROM articles a WHERE ...`` and its parameters, for analyses
    to use as ``... WHERE id IN (<sql>)``. Raises ``QueryError`` when malformed."""
    where, params = _where(query, since, until, outlets, groups)
    return f"SELECT a.id FROM articles a WHERE {where}", params


def _run(store: Store, sql: str, params: list[Any]) -> list[Any]:
    if store.backend != "sqlite":
        raise StoreError(f"search is not available for the '{store.backend}' backend",
                         hint="use an SQLite archive")
    conn = getattr(store, "conn", None)
    if not isinstance(conn, sqlite3.Connection):
        raise StoreError("the store has no SQLite connection", hint="open it with open_store()")
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"search failed: {exc}", source=str(getattr(store, "path", "")),
                         hint="check that the archive is not damaged (untold check)") from exc


def search(store: Store, query: str | Node, *, since: datetime | None = None,
           until: datetime | None = None, outlets: Sequence[str] = (),
           groups: Sequence[str] = (), limit: int | None = None) -> list[SearchHit]:
    """Articles matching ``query``, oldest first (undated last), at most ``limit``."""
    where, params = _where(query, since, until, outlets, groups)
    sql = ("SELECT a.id, a.outlet_id, a.title, a.url, a.published, a.language "
           f"FROM articles a WHERE {where} "
           "ORDER BY a.published IS NULL, a.published, a.id")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    return [SearchHit(id=r[0], outlet_id=r[1], title=r[2], url=r[3],
                      published=from_iso(r[4]), language=r[5])
            for r in _run(store, sql, params)]


def count_matches(store: Store, query: str | Node, *, since: datetime | None = None,
                  until: datetime | None = None, outlets: Sequence[str] = (),
                  groups: Sequence[str] = ()) -> int:
    """How many articles match ``query`` under the same restrictions as ``search``."""
    where, params = _where(query, since, until, outlets, groups)
    rows = _run(store, f"SELECT COUNT(*) FROM articles a WHERE {where}", params)
    return int(rows[0][0])
