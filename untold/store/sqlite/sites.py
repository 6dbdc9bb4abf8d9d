"""Revisit tables of the SQLite backend, part two: learned site pages and listings.

``site_pages`` holds each site's not-found and home page (as word shingles)
for soft-404 verdicts; ``listing_entries`` which feed or sitemap named which
URL, first and last time seen, for delisting verdicts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager

from untold.models import CaptureRecord
from untold.store.jsonfields import dumps as _dumps

__all__ = ["SitesListingsMixin"]


class SitesListingsMixin:
    """Methods mixed into SQLiteStore (through EditsMixin)."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    @staticmethod
    def _insert_capture(c: sqlite3.Connection, rec: CaptureRecord) -> int:
        raise NotImplementedError
    def site_page(self, host: str, kind: str) -> tuple[str, int | None, set[str]] | None:
        row = self.conn.execute("SELECT probed_at, status, shingles FROM site_pages WHERE "
                                "host=? AND kind=?", (host, kind)).fetchone()
        return (row[0], row[1], set(json.loads(row[2]))) if row else None

    def set_site_page(self, host: str, kind: str, probed_at: str, status: int | None,
                      final_url: str | None, shingles: Iterable[str],
                      capture: CaptureRecord | None) -> None:
        with self.transaction() as c:
            cap = self._insert_capture(c, capture) if capture is not None else None
            c.execute("INSERT OR REPLACE INTO site_pages (host, kind, probed_at, status, "
                      "final_url, shingles, capture_id) VALUES (?,?,?,?,?,?,?)",
                      (host, kind, probed_at, status, final_url,
                       _dumps(sorted(shingles)), cap))

    def listing_fetch_state(self, source_url: str) -> tuple[str | None, str | None]:
        row = self.conn.execute("SELECT etag, last_modified FROM listing_fetches WHERE "
                                "source_url=?", (source_url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_listing(self, source_url: str, kind: str, when: str,
                       entries: Sequence[tuple[str, str | None]], *, etag: str | None,
                       last_modified: str | None, capture: CaptureRecord | None) -> None:
        """A listing fetched whole at ``when``: (url, published) entries it names."""
        with self.transaction() as c:
            if capture is not None:
                self._insert_capture(c, capture)
            c.executemany(
                "INSERT INTO listing_entries (source_url, url, kind, published, first_seen, "
                "last_seen) VALUES (?,?,?,?,?,?) ON CONFLICT(source_url, url) DO UPDATE SET "
                "last_seen=excluded.last_seen, published=COALESCE(excluded.published, "
                "published)", [(source_url, u, kind, p, when, when) for u, p in entries])
            c.execute("INSERT INTO listing_fetches (source_url, etag, last_modified, last_ok) "
                      "VALUES (?,?,?,?) ON CONFLICT(source_url) DO UPDATE SET etag=excluded.etag,"
                      " last_modified=excluded.last_modified, last_ok=excluded.last_ok",
                      (source_url, etag, last_modified, when))

    def touch_listing(self, source_url: str, when: str) -> None:
        """A 304 for a listing: everything it named is still named."""
        with self.transaction() as c:
            c.execute("UPDATE listing_entries SET last_seen=? WHERE source_url=? AND "
                      "last_seen=(SELECT last_ok FROM listing_fetches WHERE source_url=?)",
                      (when, source_url, source_url))
            c.execute("UPDATE listing_fetches SET last_ok=? WHERE source_url=?",
                      (when, source_url))

    def listing_entries(self, source_url: str) -> list[tuple[str, str | None, str, str]]:
        """(url, published, first_seen, last_seen) of everything a listing ever named."""
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(
            "SELECT url, published, first_seen, last_seen FROM listing_entries WHERE "
            "source_url=?", (source_url,))]
