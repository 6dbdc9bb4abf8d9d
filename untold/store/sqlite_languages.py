"""Article counts per language, for telling which languages write a word.

A plain Cyrillic query word may be Russian, Kazakh or Kyrgyz; how often each
language's articles of the same outlets and days use it settles which (see
``untold.analyze.facts.attested``). Two counts: all articles per language in
a window, and those a query matches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

__all__ = ["articles_per_language", "matches_per_language"]


def articles_per_language(conn: sqlite3.Connection, outlets: Sequence[str], start: str,
                          end: str) -> dict[str, int]:
    """Articles of ``outlets`` published in [start, end) (ISO times), per language."""
    if not outlets:
        return {}
    rows = conn.execute(
        "SELECT language, COUNT(*) FROM articles INDEXED BY articles_outlet_pub "
        f"WHERE outlet_id IN ({','.join('?' * len(outlets))}) AND published >= ? "
        "AND published < ? GROUP BY 1", [*outlets, start, end]).fetchall()
    return {str(lang or "und"): int(n) for lang, n in rows}


def matches_per_language(conn: sqlite3.Connection, ids_sql: str,
                         params: Sequence[Any]) -> dict[str, int]:
    """Articles per language among those ``ids_sql`` (``SELECT a.id FROM articles a
    WHERE ...``, from ``untold.query.matching_ids_sql``) selects."""
    rows = conn.execute(f"SELECT language, COUNT(*) FROM articles WHERE id IN ({ids_sql}) "
                        "GROUP BY 1", list(params)).fetchall()
    return {str(lang or "und"): int(n) for lang, n in rows}
