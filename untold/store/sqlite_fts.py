"""A compiled query as SQLite SQL: a WHERE fragment over ``articles a``.

The query compiler (``untold.query.compiler``) produces a backend-neutral
``CompiledQuery``; this module is where the SQLite backend turns it into FTS5
SQL, adding the caller's restrictions (time window, outlets, outlet groups) as
bound parameters. No query text is ever put into the SQL itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from untold.query.compiler import CompiledQuery, compile_query
from untold.query.nodes import Node
from untold.timeutil import to_iso

__all__ = ["matching_ids_sql", "query_where"]


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
    where, params = compiled.to_sqlite()
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
