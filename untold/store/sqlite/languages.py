"""Article counts per language, for telling which languages write a word.

A plain Cyrillic query word may be Russian, Kazakh or Kyrgyz; how often each
language's articles of the same outlets and days use it settles which (see
``untold.analyze.facts.attested``). Two counts: all articles per language in
a window, and those a query matches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from untold.query.nodes import Node
from untold.store.sqlite.fts import matching_ids_sql

__all__ = ["LanguagesMixin"]


class LanguagesMixin:
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def articles_per_language(self, outlets: Sequence[str], start: str,
                              end: str) -> dict[str, int]:
        """Articles of ``outlets`` published in [start, end) (ISO times), per language."""
        if not outlets:
            return {}
        rows = self.conn.execute(
            "SELECT language, COUNT(*) FROM articles INDEXED BY articles_outlet_pub "
            f"WHERE outlet_id IN ({','.join('?' * len(outlets))}) AND published >= ? "
            "AND published < ? GROUP BY 1", [*outlets, start, end]).fetchall()
        return {str(lang or "und"): int(n) for lang, n in rows}

    def matches_per_language(self, query: Node, since: datetime, until: datetime,
                             outlets: Sequence[str]) -> dict[str, int]:
        """Articles per language among those of ``outlets`` published in [since, until)
        that ``query`` matches."""
        ids_sql, params = matching_ids_sql(query, since=since, until=until, outlets=outlets)
        rows = self.conn.execute(f"SELECT language, COUNT(*) FROM articles WHERE id IN "
                                 f"({ids_sql}) GROUP BY 1", list(params)).fetchall()
        return {str(lang or "und"): int(n) for lang, n in rows}
