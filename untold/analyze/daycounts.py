"""Articles per outlet and day: a summary table, so attention's denominators
are read (a row per outlet and day) instead of counted (every article of the
window) for each story.

``article_day_counts`` (schema v5) holds, per outlet and UTC day of
``COALESCE(published, fetched_at)``, how many articles the archive has;
``day_counts_state`` records which articles that describes: the highest
article id and the number of articles. Articles are only ever added (never
updated or deleted by untold), so :func:`refresh` adds the days of articles
above the recorded id, and rebuilds the table when the count disagrees
(articles were removed). A reader uses the summary only when its state
matches the articles its own snapshot sees (:func:`summary_is_current`);
otherwise it counts from the index, so a stale summary can never be used.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from untold.store.base import Store
from untold.timeutil import now_utc, to_iso

__all__ = ["has_summary", "refresh", "summary_counts", "summary_is_current"]

Counts = dict[tuple[str, str], int]

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


def has_summary(conn: sqlite3.Connection) -> bool:
    """Whether the archive has the summary tables (schema v5 or later)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'day_counts_state'").fetchone() is not None


def _articles(conn: sqlite3.Connection) -> tuple[int, int]:
    # two statements: together in one, SQLite would give up both shortcuts
    # (MAX from the rowid b-tree's end, COUNT from the smallest index) and scan
    max_id = conn.execute("SELECT MAX(id) FROM articles").fetchone()[0]
    count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    return int(max_id or 0), int(count)


def refresh(store: Store) -> str:
    """Bring the summary up to date (a write transaction); say what was done:
    ``current``, ``added`` (articles above the recorded id), ``rebuilt``, or
    ``unavailable`` (read-only store, or an archive without the tables)."""
    conn = getattr(store, "conn", None)
    transaction = getattr(store, "transaction", None)
    if (not isinstance(conn, sqlite3.Connection) or transaction is None
            or getattr(store, "readonly", False) or not has_summary(conn)):
        return "unavailable"
    with transaction() as c:
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


def summary_is_current(conn: sqlite3.Connection) -> bool:
    """Whether the summary describes exactly the articles this connection sees."""
    if not has_summary(conn):
        return False
    state = conn.execute("SELECT max_article_id, articles FROM day_counts_state "
                         "WHERE id = 1").fetchone()
    return state is not None and (int(state[0]), int(state[1])) == _articles(conn)


def summary_counts(conn: sqlite3.Connection, outlet_ids: Sequence[str], first_day: str,
                   last_day: str) -> Counts:
    """Articles per (outlet, day) for the days ``first_day`` .. ``last_day`` (inclusive)."""
    marks = ",".join("?" * len(outlet_ids))
    rows = conn.execute(
        f"SELECT outlet_id, day, n FROM article_day_counts WHERE outlet_id IN ({marks}) "
        "AND day >= ? AND day <= ?", [*outlet_ids, first_day, last_day]).fetchall()
    return {(o, d): int(n) for o, d, n in rows}
