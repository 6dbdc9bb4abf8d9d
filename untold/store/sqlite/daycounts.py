"""Articles per outlet and day in the SQLite backend (``untold.analyze.daycounts``).

``article_day_counts`` (schema v5) holds, per outlet and UTC day of
``COALESCE(published, fetched_at)``, how many articles the archive has;
``day_counts_state`` records which articles that describes: the highest
article id and the number of articles. Articles are only ever added (never
updated or deleted by untold), so a refresh adds the days of articles above
the recorded id, and rebuilds the table when the count disagrees (articles
were removed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager

from untold.timeutil import now_utc, to_iso

__all__ = ["DayCountsMixin"]

_REBUILD = """
INSERT INTO article_day_counts (outlet_id, day, n)
SELECT outlet_id, day, SUM(n) FROM (
    SELECT outlet_id, substr(published, 1, 10) AS day, COUNT(*) AS n
      FROM articles INDEXED BY articles_outlet_pub WHERE published IS NOT NULL
     GROUP BY outlet_id, day
    UNION ALL
    SELECT outlet_id, substr(fetched_at, 1, 10), COUNT(*)
      FROM articles INDEXED BY articles_outlet_pub WHERE published IS NULL
     GROUP BY outlet_id, substr(fetched_at, 1, 10)
) GROUP BY outlet_id, day"""

_ADD = """
INSERT INTO article_day_counts (outlet_id, day, n)
SELECT outlet_id, substr(COALESCE(published, fetched_at), 1, 10) AS day, COUNT(*)
  FROM articles WHERE id > ? GROUP BY outlet_id, day
ON CONFLICT (outlet_id, day) DO UPDATE SET n = n + excluded.n"""


def _articles(conn: sqlite3.Connection) -> tuple[int, int]:
    # two statements: together in one, SQLite would give up both shortcuts
    # (MAX from the rowid b-tree's end, COUNT from the smallest index) and scan
    max_id = conn.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    return int(max_id or 0), int(count)


class DayCountsMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection
    readonly: bool

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def has_day_counts(self) -> bool:
        """Whether the archive has the summary tables (schema v5 or later)."""
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                 "AND name = 'day_counts_state'").fetchone() is not None

    def refresh_day_counts(self) -> str:
        """Bring the summary up to date (a write transaction); say what was done:
        ``current``, ``added`` (articles above the recorded id), ``rebuilt``, or
        ``unavailable`` (read-only store, or an archive without the tables)."""
        if self.readonly or not self.has_day_counts():
            return "unavailable"
        with self.transaction() as c:
            max_id, count = _articles(c)
            state = c.execute("SELECT max_article_id, articles FROM day_counts_state "
                              "WHERE id = 1").fetchone()
            if state is not None and (int(state[0]), int(state[1])) == (max_id, count):
                return "current"
            done = "rebuilt"
            if state is not None and int(state[0]) <= max_id:
                added = c.execute("SELECT COUNT(*) FROM articles WHERE id > ?",
                                  (state[0],)).fetchone()[0]
                if int(state[1]) + int(added) == count:  # nothing removed: add the new ones
                    c.execute(_ADD, (state[0],))
                    done = "added"
            if done == "rebuilt":
                c.execute("DELETE FROM article_day_counts")
                c.execute(_REBUILD)
            c.execute("INSERT OR REPLACE INTO day_counts_state (id, max_article_id, articles, "
                      "updated_at) VALUES (1, ?, ?, ?)", (max_id, count, to_iso(now_utc())))
        return done

    def day_counts_current(self) -> bool:
        """Whether the summary describes exactly the articles this connection sees."""
        if not self.has_day_counts():
            return False
        state = self.conn.execute("SELECT max_article_id, articles FROM day_counts_state "
                                  "WHERE id = 1").fetchone()
        return state is not None and (int(state[0]), int(state[1])) == _articles(self.conn)

    def day_counts(self, outlet_ids: Sequence[str], first_day: str,
                   last_day: str) -> dict[tuple[str, str], int]:
        """Articles per (outlet, day) for the days ``first_day`` .. ``last_day``
        (inclusive), from the summary."""
        marks = ",".join("?" * len(outlet_ids))
        rows = self.conn.execute(
            f"SELECT outlet_id, day, n FROM article_day_counts WHERE outlet_id IN ({marks}) "
            "AND day >= ? AND day <= ?", [*outlet_ids, first_day, last_day]).fetchall()
        return {(o, d): int(n) for o, d, n in rows}
