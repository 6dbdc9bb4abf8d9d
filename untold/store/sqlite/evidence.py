"""Evidence tables of the SQLite backend: where captures lie, and the external WARC files.

``untold check`` plans file by file from the index on (warc_file, warc_offset,
warc_length) alone (``capture_files``), then reads each file's captures in
offset order through it, with nothing to sort (``iter_capture_ranges``: four
narrow columns in plain tuples). The fuller rows a record check or a problem
line needs are fetched by id for those captures only. Imports register
the WARC files they read from outside the archive (``warc_files``, migration 8).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from untold.models import CaptureLocation, CaptureRange, WarcFileEntry
from untold.timeutil import from_iso, now_utc, to_iso

__all__ = ["EvidenceMixin"]

LOCATION_BATCH = 5000  # capture rows fetched per step: bounded memory, few round trips

_RANGE_COLUMNS = "SELECT id, warc_offset, warc_length, warc_sha256 FROM captures"
_BY_OFFSET = "ORDER BY warc_offset, warc_length"  # the index's order: nothing to sort

# ids travel as one JSON array: any number of them, one statement
_LOCATIONS_SQL = """
SELECT id, outlet_id, url, kind, status, warc_file, warc_offset, warc_length, sha256,
       record_id, warc_sha256
FROM captures WHERE id IN (SELECT value FROM json_each(?)) ORDER BY warc_offset, id
"""

# The article a capture backs: the article it made (the first, when two share it),
# else the article whose later version or revisit it is. articles has no index on
# capture_id, so it is scanned once for all the ids, not once per id.
_ARTICLES_SQL = """
SELECT capture_id, MIN(id) FROM articles
WHERE capture_id IN (SELECT value FROM json_each(?)) GROUP BY capture_id
"""
_LATER_SQL = """
SELECT capture_id, article_id FROM article_versions
WHERE capture_id IN (SELECT value FROM json_each(?1))
UNION ALL
SELECT capture_id, article_id FROM revisit_checks
WHERE capture_id IN (SELECT value FROM json_each(?1))
"""


def _entry(row: tuple[str, int, str | None, str, str, str]) -> WarcFileEntry:
    epoch = datetime.fromtimestamp(0, UTC)  # never used: the columns are NOT NULL
    return WarcFileEntry(path=row[0], size=int(row[1]), sha256=row[2],
                         mtime=from_iso(row[3]) or epoch,
                         first_imported=from_iso(row[4]) or epoch,
                         last_imported=from_iso(row[5]) or epoch)


class EvidenceMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def capture_files(self) -> list[tuple[str, int, int]]:
        """(warc_file, captures, where its last record ends) of each file captures name."""
        rows = self.conn.execute(
            "SELECT warc_file, COUNT(*), MAX(COALESCE(warc_offset + warc_length, 0)) "
            "FROM captures WHERE warc_file IS NOT NULL GROUP BY warc_file "
            "ORDER BY warc_file").fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def iter_capture_ranges(self, warc_file: str) -> Iterator[list[CaptureRange]]:
        """The captures of one file by offset (those without an offset first), in batches."""
        cur = self.conn.execute(f"{_RANGE_COLUMNS} WHERE warc_file = ? {_BY_OFFSET}",
                                (warc_file,))
        while rows := cur.fetchmany(LOCATION_BATCH):
            yield rows

    def capture_locations(self, ids: Sequence[int]) -> list[CaptureLocation]:
        """The captures ``ids`` as a record check needs them, by offset (no article ids:
        ``capture_articles`` finds those for the few a report names)."""
        rows = self.conn.execute(_LOCATIONS_SQL, (json.dumps(list(ids)),)).fetchall()
        return [CaptureLocation(capture_id=r[0], outlet_id=r[1], url=r[2], kind=r[3],
                                status=r[4], warc_file=r[5], offset=r[6], length=r[7],
                                sha256=r[8], record_id=r[9], article_id=None,
                                warc_sha256=r[10]) for r in rows]

    def capture_articles(self, ids: Sequence[int]) -> dict[int, int]:
        """capture id -> the article it backs, for those of ``ids`` that back one."""
        arg = (json.dumps(list(ids)),)
        out = {int(c): int(a) for c, a in self.conn.execute(_ARTICLES_SQL, arg)}
        for c, a in self.conn.execute(_LATER_SQL, arg):
            out.setdefault(int(c), int(a))
        return out

    # -- external WARC files ---------------------------------------------------
    def warc_files(self) -> list[WarcFileEntry]:
        """The registered external WARC files ([] for an archive made before them)."""
        try:
            rows = self.conn.execute(
                "SELECT path, size, sha256, mtime, first_imported, last_imported "
                "FROM warc_files ORDER BY path").fetchall()
        except sqlite3.OperationalError:  # opened read-only and not yet migrated
            return []
        return [_entry(r) for r in rows]

    def register_warc_file(self, path: str, size: int,
                           mtime: datetime) -> WarcFileEntry | None:
        """Register a file an import is about to read; the entry as it was (None: new).

        A known file keeps what it was registered with (size, digest, time):
        that is what its captures rest on; only ``last_imported`` moves on.
        """
        now = to_iso(now_utc())
        with self.transaction() as c:
            row = c.execute(
                "SELECT path, size, sha256, mtime, first_imported, last_imported "
                "FROM warc_files WHERE path=?", (path,)).fetchone()
            if row is None:
                c.execute("INSERT INTO warc_files (path, size, sha256, mtime, first_imported, "
                          "last_imported) VALUES (?,?,NULL,?,?,?)",
                          (path, size, to_iso(mtime), now, now))
                return None
            c.execute("UPDATE warc_files SET last_imported=? WHERE path=?", (now, path))
            return _entry(row)

    def set_warc_file_digest(self, path: str, size: int, sha256: str) -> None:
        """Fill in the digest of a registered file read whole at ``size`` bytes.

        Only a file registered at that size and without a digest yet takes it: a
        digest already stored is the one its captures rest on.
        """
        with self.transaction() as c:
            c.execute("UPDATE warc_files SET sha256=? WHERE path=? AND size=? "
                      "AND sha256 IS NULL", (sha256, path, size))
