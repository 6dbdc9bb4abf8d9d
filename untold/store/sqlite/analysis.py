"""Analysis tables of the SQLite backend: runs, observations, findings.

Observations are the counts and rates an analysis derived; findings are
verdicts over them, each with its rule id, rules version, thresholds,
statistic and evidence articles. Re-scoring reads observations (or the
articles) again and writes a new run; nothing is collected twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from untold.models import FindingRecord, ObservationRecord
from untold.store.jsonfields import dumps as _dumps
from untold.timeutil import now_utc, to_iso

__all__ = ["AnalysisMixin"]


class AnalysisMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def start_analysis(self, kind: str, *, story_id: str | None, rules_version: str,
                       params: dict[str, Any] | None = None) -> int:
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO analysis_runs (story_id, kind, rules_version, params, started_at) "
                "VALUES (?,?,?,?,?)",
                (story_id, kind, rules_version, _dumps(params or {}), to_iso(now_utc())))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def finish_analysis(self, run_id: int) -> None:
        with self.transaction() as c:
            c.execute("UPDATE analysis_runs SET finished_at=? WHERE id=?",
                      (to_iso(now_utc()), run_id))

    def latest_analysis(self, kind: str, story_id: str | None) -> int | None:
        """The newest finished run of ``kind`` for ``story_id`` (None: none yet)."""
        row = self.conn.execute(
            "SELECT id FROM analysis_runs WHERE kind=? AND story_id IS ? "
            "AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1", (kind, story_id)).fetchone()
        return int(row[0]) if row else None

    def analysis_run_info(self, run_id: int) -> tuple[str, dict[str, Any]] | None:
        """The rules version and parameters a run was made with (None: no such run)."""
        row = self.conn.execute("SELECT rules_version, params FROM analysis_runs WHERE id=?",
                                (run_id,)).fetchone()
        return (str(row[0]), json.loads(row[1] or "{}")) if row else None

    def add_observations(self, run_id: int, story_id: str | None,
                         items: Iterable[ObservationRecord]) -> int:
        rows = [(run_id, story_id, o.kind, o.subject, o.key, _dumps(o.value)) for o in items]
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO observations (run_id, story_id, kind, subject, key, value) "
                "VALUES (?,?,?,?,?,?)", rows)
        return len(rows)

    def observations(self, run_id: int, kind: str | None = None) -> list[ObservationRecord]:
        sql = "SELECT kind, subject, key, value FROM observations WHERE run_id=?"
        args: list[Any] = [run_id]
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        return [ObservationRecord(k, s, key, json.loads(v))
                for k, s, key, v in self.conn.execute(sql + " ORDER BY id", args)]

    def add_findings(self, run_id: int, findings: Sequence[FindingRecord]) -> list[int]:
        ids: list[int] = []
        now = to_iso(now_utc())
        with self.transaction() as c:
            for f in findings:
                cur = c.execute(
                    "INSERT INTO findings (run_id, story_id, kind, rule, rules_version, subject, "
                    "thresholds, statistic, p_value, q_value, effect, ci_low, ci_high, sentence, "
                    "detail, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (run_id, f.story_id, f.kind, f.rule, f.rules_version, f.subject,
                     _dumps(f.thresholds), f.statistic, f.p_value, f.q_value, f.effect,
                     f.ci_low, f.ci_high, f.sentence, _dumps(f.detail), now))
                assert cur.lastrowid is not None
                fid = cur.lastrowid
                c.executemany(
                    "INSERT OR IGNORE INTO finding_evidence (finding_id, article_id, role) "
                    "VALUES (?,?,?)", [(fid, int(a), role) for a, role in f.evidence])
                f.id, f.run_id, f.created_at = fid, run_id, now
                ids.append(fid)
        return ids

    def findings(self, *, run_ids: Sequence[int] | None = None, story_id: str | None = None,
                 kind: str | None = None) -> list[FindingRecord]:
        """Findings of the given runs (default: the newest run of each kind and story)."""
        sql = ("SELECT id, run_id, story_id, kind, rule, rules_version, subject, thresholds, "
               "statistic, p_value, q_value, effect, ci_low, ci_high, sentence, detail, "
               "created_at FROM findings WHERE 1=1")
        args: list[Any] = []
        if run_ids is None:
            sql += (" AND run_id IN (SELECT MAX(id) FROM analysis_runs "
                    "WHERE finished_at IS NOT NULL GROUP BY kind, story_id)")
        else:
            sql += f" AND run_id IN ({','.join('?' * len(run_ids))})"
            args.extend(run_ids)
        if story_id is not None:
            sql += " AND story_id=?"
            args.append(story_id)
        if kind is not None:
            sql += " AND kind=?"
            args.append(kind)
        out: list[FindingRecord] = []
        for r in self.conn.execute(sql + " ORDER BY id", args).fetchall():
            ev = self.conn.execute(
                "SELECT article_id, role FROM finding_evidence WHERE finding_id=? "
                "ORDER BY article_id", (r[0],)).fetchall()
            out.append(FindingRecord(
                id=r[0], run_id=r[1], story_id=r[2], kind=r[3], rule=r[4], rules_version=r[5],
                subject=r[6], thresholds=json.loads(r[7]), statistic=r[8], p_value=r[9],
                q_value=r[10], effect=r[11], ci_low=r[12], ci_high=r[13], sentence=r[14],
                detail=json.loads(r[15]), created_at=r[16],
                evidence=[(int(a), str(role)) for a, role in ev]))
        return out
