"""What the stealth-edit analysis reads from the SQLite backend (``untold.analyze.edits``):
a story's articles that have edit events, and which facts each version of them
states, asked of a private in-memory archive with the real schema and the real
query SQL, so that a fact means exactly what it means in ``untold search``."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from untold.models import Outlet
from untold.store.jsonfields import dumps
from untold.store.sqlite.fts import matching_ids_sql
from untold.store.sqlite.schema import MIGRATIONS, split_sql
from untold.text.textindex import index_text

if TYPE_CHECKING:
    from untold.query.compiler import CompiledQuery
    from untold.query.nodes import Node

__all__ = ["EditsReadsMixin"]

# (outlet id, language, title, text, fetched_at) of one version of an article
TextItem = tuple[str, str, str, str, str]


def _core_conn() -> sqlite3.Connection:
    """An empty in-memory archive with the first migration's tables (articles, FTS)."""
    conn = sqlite3.connect(":memory:")
    for stmt in split_sql(MIGRATIONS[0][2]):
        conn.execute(stmt)
    return conn


class EditsReadsMixin:
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def edited_article_ids(self, query: str | Node, since: datetime | None,
                           until: datetime | None) -> list[int]:
        """Articles ``query`` matches in [since, until) that have edit events, ascending."""
        sql, params = matching_ids_sql(query, since=since, until=until)
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT DISTINCT e.article_id FROM edit_events e WHERE e.article_id IN ({sql}) "
            "ORDER BY e.article_id", params)]

    def article_head(self, article_id: int) -> tuple[str, str, str, str] | None:
        """(outlet id, url, title, language) of an article (None: no such article)."""
        row = self.conn.execute("SELECT outlet_id, url, title, language FROM articles "
                                "WHERE id=?", (article_id,)).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def facts_in_texts(self, outlets: Sequence[Outlet], items: Sequence[TextItem],
                       queries: Mapping[str, CompiledQuery]) -> list[set[str]]:
        """Per item: the keys of ``queries`` its text matches, as if it were an article
        of its outlet in an archive of only these items (indexed like any article)."""
        conn = _core_conn()
        try:
            conn.executemany("INSERT INTO outlets (id, name, domains, country, groups) "
                             "VALUES (?,?,?,?,?)",
                             [(o.id, o.name, "[]", o.country, dumps(o.groups))
                              for o in outlets])
            for i, (oid, lang, title, text, fetched_at) in enumerate(items, start=1):
                conn.execute("INSERT INTO articles (id, outlet_id, url, canonical_url, title, "
                             "text, language, fetched_at, capture_id, text_hash) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?)",
                             (i, oid, "", "", title, text, lang, fetched_at, 0, str(i)))
                conn.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?,?,?)",
                             (i, index_text(title), index_text(text)))
            out: list[set[str]] = [set() for _ in items]
            for key, query in queries.items():
                sql, params = matching_ids_sql(query)
                for (i,) in conn.execute(sql, params):
                    out[int(i) - 1].add(key)
            return out
        finally:
            conn.close()
