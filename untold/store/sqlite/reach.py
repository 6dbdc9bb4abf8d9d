"""Reachability tables of the SQLite backend: measurements apart from verdicts."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

from untold.models import Verdict
from untold.timeutil import now_utc, to_iso

__all__ = ["ReachMixin"]


class ReachMixin:
    """Methods mixed into SQLiteStore; ``conn`` and ``transaction`` come from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def add_measurement(self, m: dict[str, Any], *, source: str, host: str | None,
                        outlet_id: str | None, summary: dict[str, Any],
                        vantage: str | None = None) -> tuple[int, bool]:
        """Store a raw measurement once; return (id, was_new)."""
        raw = json.dumps(m, ensure_ascii=False, sort_keys=True).encode()
        uid = m.get("measurement_uid") or hashlib.sha256(raw).hexdigest()
        with self.transaction() as c:
            row = c.execute("SELECT id FROM measurements WHERE uid=?", (uid,)).fetchone()
            if row:
                return int(row[0]), False
            cur = c.execute(
                "INSERT INTO measurements (uid,source,input,host,outlet_id,probe_cc,probe_asn,"
                "network,vantage,measured_at,test_version,ooni_blocking,ooni_accessible,raw) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (uid, source, summary.get("input"), host, outlet_id, summary.get("probe_cc"),
                 summary.get("probe_asn"), summary.get("probe_network_name"),
                 vantage or summary.get("report_id"),
                 summary.get("measurement_start_time") or to_iso(now_utc()),
                 summary.get("test_version"),
                 json.dumps(summary.get("ooni_blocking")),
                 json.dumps(summary.get("ooni_accessible")), zlib.compress(raw)),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid, True

    def add_verdict(self, measurement_id: int, v: Verdict) -> None:
        """Store a verdict (made by probe.verdicts); one per rules version."""
        self.add_verdicts([(measurement_id, v)])

    def add_verdicts(self, items: Iterable[tuple[int, Verdict]]) -> int:
        """Store many verdicts in one transaction (a re-score of a whole archive)."""
        now = to_iso(now_utc())
        rows = [(mid, v.rule, v.rules_version, json.dumps(v.blocking), json.dumps(v.accessible),
                 v.cls, int(v.no_control), json.dumps(v.detail, ensure_ascii=False, default=str),
                 now) for mid, v in items]
        with self.transaction() as c:
            c.executemany(
                "INSERT OR REPLACE INTO verdicts (measurement_id,rule,rules_version,blocking,"
                "accessible,class,no_control,detail,scored_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
        return len(rows)

    def iter_measurements(self) -> Iterator[tuple[int, dict[str, Any]]]:
        last = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, raw FROM measurements WHERE id > ? ORDER BY id LIMIT 500", (last,)
            ).fetchall()
            if not rows:
                return
            for mid, raw in rows:
                yield mid, json.loads(zlib.decompress(raw))
            last = rows[-1][0]

    def reachability(self) -> list[dict[str, Any]]:
        """Every verdict of the newest rules version with its measurement's context
        (and OONI's own blocking/accessible where the measurement came with them)."""
        return _reach_rows(self.conn.execute(f"{_REACH_SELECT} ORDER BY m.measured_at"))

    def reach_rows(self, outlet_ids: Sequence[str], start: str,
                   end: str) -> list[dict[str, Any]]:
        """As :meth:`reachability`, for the measurements of ``outlet_ids`` taken in
        ``[start, end)`` (ISO UTC), oldest first (the (outlet_id, measured_at) index)."""
        if not outlet_ids:
            return []
        return _reach_rows(self.conn.execute(
            f"{_REACH_SELECT} AND m.outlet_id IN (SELECT value FROM json_each(?)) "
            "AND m.measured_at >= ? AND m.measured_at < ? ORDER BY m.measured_at",
            (json.dumps(list(outlet_ids)), start, end)))


# the newest rules version's verdict of each measurement, with the measurement's context
_REACH_SELECT = (
    "SELECT m.outlet_id, m.host, m.input, m.source, m.probe_cc, m.probe_asn, "
    "m.network, m.vantage, m.measured_at, v.class, v.blocking, v.accessible, v.rule, "
    "v.rules_version, v.no_control, m.ooni_blocking, m.ooni_accessible "
    "FROM verdicts v JOIN measurements m "
    "ON m.id = v.measurement_id WHERE v.rules_version = (SELECT MAX(rules_version) "
    "FROM verdicts v2 WHERE v2.measurement_id = v.measurement_id)")
_REACH_KEYS = ("outlet_id", "host", "input", "source", "probe_cc", "probe_asn", "network",
               "vantage", "measured_at", "class", "blocking", "accessible", "rule",
               "rules_version", "no_control", "ooni_blocking", "ooni_accessible")


def _reach_rows(rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = dict(zip(_REACH_KEYS, r, strict=True))
        d["blocking"] = json.loads(d["blocking"])
        d["accessible"] = json.loads(d["accessible"])
        d["no_control"] = bool(d["no_control"])
        # OONI's own verdict as the measurement carried it (null for untold's probe)
        for k in ("ooni_blocking", "ooni_accessible"):
            d[k] = json.loads(d[k]) if d[k] is not None else None
        out.append(d)
    return out
