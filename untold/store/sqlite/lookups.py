"""Small article lookups the library's entry points (``untold.api``) ask the SQLite
backend for: an article's URL and title, and the stored article URLs of an outlet."""

from __future__ import annotations

import sqlite3

__all__ = ["LookupsMixin"]


class LookupsMixin:
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def article_url_title(self, article_id: int) -> tuple[str, str] | None:
        """``(url, title)`` of the article, None when no article has that id."""
        row = self.conn.execute("SELECT url, title FROM articles WHERE id=?",
                                (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def outlet_article_urls(self, outlet_id: str) -> list[str]:
        """The URLs of the outlet's stored articles, in the order they were stored."""
        return [r[0] for r in self.conn.execute(
            "SELECT url FROM articles WHERE outlet_id=? ORDER BY id", (outlet_id,))]
