"""Revisit tables of the SQLite backend: schedule, versions, checks, edit events.

A revisit is stored in ONE transaction (its capture, its check, a new version
if any, its events and the schedule update), so a run killed at any point
leaves the article either revisited or still due: never a duplicate version.
Version 1 of an article is its ``articles`` row; later versions live in
``article_versions``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from untold.errors import StoreError
from untold.models import CheckRecord, EditEvent, Tracked, Version
from untold.store.jsonfields import dumps as _dumps
from untold.store.sqlite.sites import SitesListingsMixin
from untold.timeutil import to_iso

__all__ = ["EditsMixin"]

_TRACK_COLS = ("article_id", "outlet_id", "url", "first_seen", "step", "next_due", "etag",
               "last_modified", "last_checked", "last_sha256", "state", "state_since",
               "deletion_kind", "fail_streak", "version")


class EditsMixin(SitesListingsMixin):
    """Methods mixed into SQLiteStore; ``conn``, ``transaction`` and ``_insert_capture``
    come from it (declared on ``SitesListingsMixin``)."""

    # -- schedule ------------------------------------------------------------
    def enroll_revisits(self, first_offset_s: float, now: datetime,
                        outlets: Sequence[str] | None = None) -> int:
        """Track articles stored since the last call (one per URL); return how many.

        ``outlets``: only articles of these outlets (the study's: pages imported
        under uncurated outlets are never revisited); None: every outlet. Each
        outlet has its own high-water mark, so an outlet added to the study later
        has its articles enrolled then. The schedule starts at the article's
        first fetch, or at ``now`` if that is earlier (a simulated clock behind
        the wall clock the collector used).
        """
        args = (to_iso(now), f"+{int(first_offset_s)} seconds")
        insert = ("INSERT OR IGNORE INTO revisit_tracking (article_id, outlet_id, url, "
                  "first_seen, next_due, last_sha256) SELECT id, outlet_id, url, "
                  "MIN(fetched_at, ?1), strftime('%Y-%m-%dT%H:%M:%SZ', MIN(fetched_at, ?1), ?2),"
                  " sha256 FROM articles ")
        with self.transaction() as c:
            if outlets is None:
                return c.execute(
                    insert + "WHERE id > (SELECT COALESCE(MAX(article_id), 0) FROM "
                    "revisit_tracking) ORDER BY id", args).rowcount
            n = 0
            for oid in dict.fromkeys(outlets):
                n += c.execute(
                    insert + "WHERE outlet_id = ?3 AND id > (SELECT COALESCE(MAX(article_id),"
                    " 0) FROM revisit_tracking WHERE outlet_id = ?3) ORDER BY id",
                    (*args, oid)).rowcount
            return n

    @staticmethod
    def _outlet_filter(sql: str, args: list[Any], outlets: Sequence[str] | None) -> str:
        """``sql`` limited to ``outlets`` (None: every outlet; empty: none).

        The unary ``+`` keeps SQLite on the next_due index: due rows are few, while
        a study's outlets together hold every tracked row (unanalysed, SQLite would
        otherwise pick revisit_outlet and sort them all: 1.8 s per batch at 1M rows
        instead of 0.1 s).
        """
        if outlets is None:
            return sql
        ids = list(outlets)
        if not ids:
            return sql + " AND 0"
        args += ids
        return sql + f" AND +outlet_id IN ({','.join('?' * len(ids))})"

    def due_revisits(self, now: datetime, limit: int | None = None,
                     outlets: Sequence[str] | None = None) -> list[Tracked]:
        """Tracked articles due at ``now``, most overdue first (uses the next_due index).

        ``outlets``: only these (the study's outlets); None: every outlet.
        """
        args: list[Any] = [to_iso(now)]
        sql = self._outlet_filter(f"SELECT {','.join(_TRACK_COLS)} FROM revisit_tracking "
                                  "WHERE next_due <= ?", args, outlets)
        sql += " ORDER BY next_due"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [Tracked(*r) for r in self.conn.execute(sql, args)]

    def count_due(self, now: datetime, outlets: Sequence[str] | None = None) -> int:
        """How many ``due_revisits(now, outlets=outlets)`` would return without a limit."""
        args: list[Any] = [to_iso(now)]
        sql = self._outlet_filter("SELECT COUNT(*) FROM revisit_tracking WHERE next_due <= ?",
                                  args, outlets)
        return int(self.conn.execute(sql, args).fetchone()[0])

    def tracked(self, article_id: int) -> Tracked | None:
        row = self.conn.execute(f"SELECT {','.join(_TRACK_COLS)} FROM revisit_tracking "
                                "WHERE article_id=?", (article_id,)).fetchone()
        return Tracked(*row) if row else None

    def tracked_by_urls(self, urls: Iterable[str]) -> dict[str, Tracked]:
        out: dict[str, Tracked] = {}
        urls = list(urls)
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            for r in self.conn.execute(
                    f"SELECT {','.join(_TRACK_COLS)} FROM revisit_tracking WHERE url IN "
                    f"({','.join('?' * len(chunk))})", chunk):
                out[r[2]] = Tracked(*r)
        return out

    # -- one revisit, atomically --------------------------------------------
    def record_check(self, rec: CheckRecord) -> int | None:
        """Store a revisit (see the module docstring); return the capture id."""
        t = rec.tracked
        if rec.new_version is not None and rec.capture is None:
            # a version is evidence only with the capture it was read from
            raise StoreError("a new version needs the capture it was read from",
                             source=t.url, hint="pass the revisit's capture with the version")
        with self.transaction() as c:
            cap_id = self._insert_capture(c, rec.capture) if rec.capture is not None else None
            version = None
            if rec.new_version is not None:
                assert cap_id is not None and rec.capture is not None  # checked above
                title, text, thash = rec.new_version
                version = 1 + int(c.execute(
                    "SELECT COALESCE(MAX(version), 1) FROM article_versions WHERE article_id=?",
                    (t.article_id,)).fetchone()[0])
                c.execute("INSERT INTO article_versions (article_id, version, capture_id, "
                          "fetched_at, title, text, text_hash, sha256, noise) "
                          "VALUES (?,?,?,?,?,?,?,?,?)",
                          # the capture's real fetch time: checked_at follows the schedule's
                          # clock, which tests and the demo simulate
                          (t.article_id, version, cap_id,
                           to_iso(rec.capture.fetched_at) or rec.checked_at, title, text, thash,
                           rec.capture.sha256, _dumps(rec.noise)))
                t.version = version
                for ev in rec.events:
                    if ev.kind == "edit":
                        ev.to_version = version
            c.execute("INSERT INTO revisit_checks (article_id, capture_id, checked_at, status, "
                      "failure, final_url, outcome, version, noise, bytes) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?)",
                      (t.article_id, cap_id, rec.checked_at, rec.status, rec.failure,
                       rec.final_url, rec.outcome, t.version, _dumps(rec.noise), rec.bytes))
            for ev in rec.events:
                ev.capture_id = ev.capture_id or cap_id
                self._insert_event(c, ev)
            c.execute(
                "UPDATE revisit_tracking SET step=?, next_due=?, etag=?, last_modified=?, "
                "last_checked=?, last_sha256=?, state=?, state_since=?, deletion_kind=?, "
                "fail_streak=?, version=? WHERE article_id=?",
                (t.step, t.next_due, t.etag, t.last_modified, t.last_checked, t.last_sha256,
                 t.state, t.state_since, t.deletion_kind, t.fail_streak, t.version,
                 t.article_id))
        return cap_id

    @staticmethod
    def _insert_event(c: sqlite3.Connection, ev: EditEvent) -> None:
        cur = c.execute(
            "INSERT OR IGNORE INTO edit_events (article_id, outlet_id, kind, subkind, at, after,"
            " from_version, to_version, capture_id, rule, rules_version, detail) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (ev.article_id, ev.outlet_id, ev.kind, ev.subkind, ev.at, ev.after,
             ev.from_version, ev.to_version, ev.capture_id, ev.rule, ev.rules_version,
             _dumps(ev.detail)))
        ev.id = cur.lastrowid if cur.rowcount else None

    def set_listing_state(self, t: Tracked, events: Sequence[EditEvent]) -> None:
        """Store a delisting/relisting verdict and the article's new state."""
        with self.transaction() as c:
            for ev in events:
                self._insert_event(c, ev)
            c.execute("UPDATE revisit_tracking SET state=?, state_since=?, deletion_kind=? "
                      "WHERE article_id=?", (t.state, t.state_since, t.deletion_kind,
                                             t.article_id))

    # -- reading -------------------------------------------------------------
    def versions(self, article_id: int) -> list[Version]:
        """Every version of a tracked (or any) article, oldest first."""
        out: list[Version] = []
        row = self.conn.execute(
            "SELECT a.id, a.capture_id, a.fetched_at, a.title, a.text, a.sha256 "
            "FROM articles a WHERE a.id=?", (article_id,)).fetchone()
        if row is None:
            return out
        out.append(Version(row[0], 1, row[1], row[2], row[3], row[4], row[5]))
        for r in self.conn.execute(
                "SELECT version, capture_id, fetched_at, title, text, sha256 FROM "
                "article_versions WHERE article_id=? ORDER BY version", (article_id,)):
            out.append(Version(article_id, r[0], r[1], r[2], r[3], r[4], r[5]))
        return out

    def edit_events(self, *, article_ids: Sequence[int] | None = None,
                    kind: str | None = None) -> list[EditEvent]:
        sql = ("SELECT id, article_id, outlet_id, kind, subkind, at, after, from_version, "
               "to_version, capture_id, rule, rules_version, detail FROM edit_events WHERE 1=1")
        args: list[Any] = []
        if article_ids is not None:
            ids = list(article_ids)
            if not ids:
                return []
            sql += f" AND article_id IN ({','.join('?' * len(ids))})"
            args += ids
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        return [EditEvent(id=r[0], article_id=r[1], outlet_id=r[2], kind=r[3], subkind=r[4],
                          at=r[5], after=r[6], from_version=r[7], to_version=r[8],
                          capture_id=r[9], rule=r[10], rules_version=r[11],
                          detail=json.loads(r[12]))
                for r in self.conn.execute(sql + " ORDER BY at, id", args)]

    def revisit_checks(self, article_id: int) -> list[dict[str, Any]]:
        keys = ("capture_id", "checked_at", "status", "failure", "final_url", "outcome",
                "version", "noise", "bytes")
        rows = self.conn.execute(f"SELECT {','.join(keys)} FROM revisit_checks WHERE "
                                 "article_id=? ORDER BY checked_at, id", (article_id,))
        return [dict(zip(keys, r, strict=True)) | {"noise": json.loads(r[7])} for r in rows]

    def last_check_time(self, article_id: int, outcomes: Iterable[str]) -> str | None:
        """When a revisit of the article last had one of ``outcomes`` (None: never)."""
        outs = list(outcomes)
        row = self.conn.execute(
            f"SELECT MAX(checked_at) FROM revisit_checks WHERE article_id=? AND outcome IN "
            f"({','.join('?' * len(outs))})", [article_id, *outs]).fetchone()
        return str(row[0]) if row and row[0] else None

    def revisit_outcomes(self) -> dict[str, int]:
        return dict(self.conn.execute(
            "SELECT outcome, COUNT(*) FROM revisit_checks GROUP BY outcome").fetchall())
