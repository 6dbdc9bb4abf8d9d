"""Coverage tables of the SQLite backend: which days of an outlet untold observed.

The collector records every listing fetch (a feed, one walk of an outlet's
sitemaps, a home page), answered or not, with the span of publication time it
lists (``listing_observations``, migration 10). The analyses read those spans,
the articles each outlet published per day, and the listed articles that were
never fetched, to tell a silent day from a day untold did not see
(``untold.analyze.observed``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager

from untold.models import ListingObservation, ListingSpan
from untold.timeutil import to_iso

__all__ = ["CoverageMixin"]

# A listed article untold did not get: never tried yet (the per-run budget), or its
# last try failed to reach the outlet (a network failure, 403/429/451, a server
# error). A 404 or 410 is the outlet's answer, not a gap in the collection.
_UNFETCHED_SQL = """
SELECT f.outlet_id, substr(f.published_hint, 1, 10) AS day, COUNT(*)
FROM frontier f LEFT JOIN captures c ON c.id = f.last_capture_id
WHERE f.outlet_id IN (SELECT value FROM json_each(?1)) AND f.state IN ('new', 'failed')
  AND f.published_hint >= ?2 AND f.published_hint < ?3
  AND (f.last_capture_id IS NULL OR c.failure IS NOT NULL OR c.status IN (403, 429, 451)
       OR c.status >= 500)
GROUP BY 1, 2
"""

_SPANS_SQL = """
SELECT outlet_id, kind, url, ok, failure, oldest, listed_at
FROM listing_observations WHERE outlet_id IN (SELECT value FROM json_each(?))
ORDER BY outlet_id, listed_at, id
"""


class CoverageMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_listing_observation(self, obs: ListingObservation) -> int:
        """Record one listing fetch; return its id. A 304 lists what the last listing of
        the same URL that answered listed (an empty feed too), so its items and times
        are carried over."""
        items, undated, oldest, newest = (obs.items, obs.undated, to_iso(obs.oldest),
                                          to_iso(obs.newest))
        with self.transaction() as c:
            if obs.not_modified and oldest is None:
                row = c.execute(
                    "SELECT items, undated, oldest, newest FROM listing_observations "
                    "WHERE outlet_id = ? AND url = ? AND ok = 1 ORDER BY id DESC LIMIT 1",
                    (obs.outlet_id, obs.url)).fetchone()
                if row is not None:
                    items, undated, oldest, newest = int(row[0]), int(row[1]), row[2], row[3]
            cur = c.execute(
                "INSERT INTO listing_observations (outlet_id, url, kind, fetched_at, listed_at, "
                "ok, not_modified, failure, items, undated, oldest, newest) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (obs.outlet_id, obs.url, obs.kind, to_iso(obs.fetched_at),
                 to_iso(obs.listed_at), int(obs.ok), int(obs.not_modified), obs.failure,
                 items, undated, oldest, newest))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def resolve_listing_span(self, observation_id: int, urls: Sequence[str]) -> None:
        """Widen a listing's span by the publication times of the articles behind its
        undated items (a home page's links), once they have been fetched."""
        if not urls:
            return
        doc = json.dumps(list(urls))
        with self.transaction() as c:
            lo, hi = c.execute(
                "SELECT MIN(published), MAX(published) FROM articles WHERE published IS NOT "
                "NULL AND (url IN (SELECT value FROM json_each(?1)) OR canonical_url IN "
                "(SELECT value FROM json_each(?1)))", (doc,)).fetchone()
            if lo is None:
                return
            c.execute(
                "UPDATE listing_observations SET "
                "oldest = CASE WHEN oldest IS NULL OR oldest > ?1 THEN ?1 ELSE oldest END, "
                "newest = CASE WHEN newest IS NULL OR newest < ?2 THEN ?2 ELSE newest END "
                "WHERE id = ?3", (lo, hi, observation_id))

    def listing_spans(self, outlet_ids: Sequence[str]) -> list[ListingSpan]:
        """Every listing fetch of these outlets, oldest first; [] on an archive made
        before listings were recorded (opened read-only, so not migrated)."""
        try:
            rows = self.conn.execute(_SPANS_SQL, (json.dumps(list(outlet_ids)),)).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [ListingSpan(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), r[4], r[5], str(r[6]))
                for r in rows]

    def output_by_day(self, outlet_ids: Sequence[str], start: str,
                      end: str) -> dict[str, dict[str, int]]:
        """Articles each outlet published per UTC day in ``[start, end)`` (ISO strings),
        read from the (outlet, published) index."""
        out: dict[str, dict[str, int]] = {o: {} for o in outlet_ids}
        for o, day, n in self.conn.execute(
                "SELECT outlet_id, substr(published, 1, 10), COUNT(*) FROM articles "
                "INDEXED BY articles_outlet_pub WHERE outlet_id IN "
                "(SELECT value FROM json_each(?)) AND published >= ? AND published < ? "
                "GROUP BY 1, 2", (json.dumps(list(outlet_ids)), start, end)):
            out.setdefault(str(o), {})[str(day)] = int(n)
        return out

    def output_split(self, outlet_ids: Sequence[str], start: str, end: str,
                     cut: str) -> dict[str, tuple[int, int]]:
        """Per outlet, its articles in ``[start, end)`` at or after ``cut`` and before it."""
        return {str(o): (int(a or 0), int(b or 0)) for o, a, b in self.conn.execute(
            "SELECT outlet_id, SUM(published >= ?1), SUM(published < ?1) FROM articles "
            "INDEXED BY articles_outlet_pub WHERE outlet_id IN "
            "(SELECT value FROM json_each(?2)) AND published >= ?3 AND published < ?4 "
            "GROUP BY 1", (cut, json.dumps(list(outlet_ids)), start, end))}

    def unfetched_by_day(self, outlet_ids: Sequence[str], start: str,
                         end: str) -> dict[tuple[str, str], int]:
        """(outlet, UTC day) -> listed articles of that day untold did not get."""
        return {(str(o), str(d)): int(n) for o, d, n in self.conn.execute(
            _UNFETCHED_SQL, (json.dumps(list(outlet_ids)), start, end))}
