"""What the findings rules read from the SQLite backend (``untold.analyze.findings_data``,
``facts``, ``framing``): a story's articles, which of them state each fact, and
article texts for proposing facts and comparing words."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from untold.query.nodes import Node
from untold.store.sqlite.fts import matching_ids_sql

__all__ = ["FindingsReadsMixin"]

# ids per ``IN (...)`` list: SQLite's bound-parameter limit is 999 in old builds
_CHUNK = 500


class FindingsReadsMixin:
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def story_articles(self, query: Node, since: datetime | None,
                       until: datetime | None) -> list[tuple[int, str, str, str | None]]:
        """(id, outlet, published, language) of the dated articles ``query`` matches in
        [since, until) (either bound may be open)."""
        sql, params = matching_ids_sql(query, since=since, until=until)
        return self.conn.execute(
            f"SELECT a.id, a.outlet_id, a.published, a.language FROM articles a "
            f"WHERE a.published IS NOT NULL AND a.id IN ({sql})", params).fetchall()

    def matches_among(self, queries: Mapping[str, str | Node],
                      article_ids: Iterable[int]) -> dict[str, set[int]]:
        """For each key, the ``article_ids`` whose text its query matches (no window:
        only these articles are asked about)."""
        out: dict[str, set[int]] = {}
        ids_json = json.dumps(sorted(article_ids))
        for key, query in queries.items():
            sql, params = matching_ids_sql(query)
            # only these articles come back: a common word may match much of the archive
            rows = self.conn.execute(
                f"SELECT j.value FROM json_each(?) j WHERE j.value IN ({sql})",
                [ids_json, *params])
            out[key] = {int(r[0]) for r in rows}
        return out

    def article_texts(self, ids: Sequence[int]) -> list[tuple[int, str, str, str, str]]:
        """(id, outlet, language, title, text) of the articles ``ids`` (those that
        exist), in id order: every backend gives the same order, whatever its plan."""
        rows: list[tuple[int, str, str, str, str]] = []
        for i in range(0, len(ids), _CHUNK):
            chunk = list(ids[i:i + _CHUNK])
            rows += self.conn.execute(
                "SELECT id, outlet_id, language, title, text FROM articles WHERE id IN "
                f"({','.join('?' * len(chunk))})", chunk).fetchall()
        return sorted(rows)

    def latest_article_ids(self, outlet_id: str, limit: int) -> list[int]:
        """The outlet's ``limit`` newest articles (by id, newest first)."""
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM articles WHERE outlet_id = ? ORDER BY id DESC LIMIT ?",
            (outlet_id, limit))]

    def evidence_articles(self, ids: Iterable[int]
                          ) -> list[tuple[int, str, str, str, str | None, str, int, str | None]]:
        """(id, outlet, title, url, published, fetched_at, capture id, SHA-256 of its
        capture) of the articles ``ids`` that exist, ascending by id."""
        wanted = sorted({int(i) for i in ids})
        rows: list[tuple[int, str, str, str, str | None, str, int, str | None]] = []
        for k in range(0, len(wanted), _CHUNK):  # stay under SQLite's bound-parameter limit
            chunk = wanted[k:k + _CHUNK]
            rows += self.conn.execute(
                "SELECT a.id, a.outlet_id, a.title, a.url, a.published, a.fetched_at, "
                "a.capture_id, COALESCE(c.sha256, a.sha256) FROM articles a LEFT JOIN "
                f"captures c ON c.id = a.capture_id WHERE a.id IN ({','.join('?' * len(chunk))})",
                chunk).fetchall()
        return rows
