"""Search in the SQLite backend (``untold.query.search``): a compiled query's
matching articles and their count, with the caller's restrictions bound as
parameters (``store.sqlite.fts``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from untold.store.sqlite.fts import query_where
from untold.store.sqlite.reading import ReadingMixin

if TYPE_CHECKING:
    from untold.query.compiler import CompiledQuery

__all__ = ["SearchMixin"]

# (id, outlet, title, url, published, language) of one matching article
SearchRow = tuple[int, str, str, str, str | None, str]
_FAILED = "search failed"
_HINT = "check that the archive is not damaged (untold check)"


class SearchMixin(ReadingMixin):
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        with self.reading(_FAILED, hint=_HINT):
            return self.conn.execute(sql, params).fetchall()

    def search_articles(self, query: CompiledQuery, *, since: datetime | None = None,
                        until: datetime | None = None, outlets: Sequence[str] = (),
                        groups: Sequence[str] = (), limit: int | None = None
                        ) -> list[SearchRow]:
        """Articles ``query`` matches, oldest first (undated last), at most ``limit``."""
        where, params = query_where(query, since, until, outlets, groups)
        sql = ("SELECT a.id, a.outlet_id, a.title, a.url, a.published, a.language "
               f"FROM articles a WHERE {where} "
               "ORDER BY a.published IS NULL, a.published, a.id")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(0, int(limit)))
        return list(self._rows(sql, params))

    def count_query(self, query: CompiledQuery, *, since: datetime | None = None,
                    until: datetime | None = None, outlets: Sequence[str] = (),
                    groups: Sequence[str] = ()) -> int:
        """How many articles ``query`` matches under the same restrictions."""
        where, params = query_where(query, since, until, outlets, groups)
        return int(self._rows(f"SELECT COUNT(*) FROM articles a WHERE {where}",
                              params)[0][0])
