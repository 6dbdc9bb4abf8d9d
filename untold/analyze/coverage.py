"""The coverage matrix: who reported a story, when, how much of it was reprinted,
and whether an outlet's silence can be read as silence at all.

Per outlet (SQL ``GROUP BY`` over the story's match table and the captures):
matching articles, the first one and its lag behind the first report
anywhere, reprints, output in the window, fetches that answered or failed
with their failure strings, and a status (:func:`coverage_status`).

A story article is a *reprint* when the near-duplicate table links it (either
direction: links are made in collection order, not publication order) to an
article of ANOTHER outlet published EARLIER; the earliest such article is the
original it reprints. A near-duplicate of the outlet's own article is a
republication, still original to that outlet.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from untold.analyze.intervals import wilson
from untold.analyze.results import CoverageRow, CoverageStatus, ReprintLink
from untold.models import Outlet
from untold.timeutil import from_iso

__all__ = [
    "FAILED_FETCH_SQL",
    "UNREACHABLE_FAILED_SHARE",
    "FetchCounts",
    "OutletMatches",
    "coverage_row",
    "coverage_status",
    "fetch_counts",
    "outlet_matches",
    "reprint_links",
]

# A fetch that failed to reach the outlet: a network failure (OONI-style string),
# a refusal (403 forbidden, 429 rate-limited, 451 legal) or a server error. A 404
# or 410 is an answer: the site was reachable (robots.txt 404s are everyday).
FAILED_FETCH_SQL = "(failure IS NOT NULL OR status IN (403, 429, 451) OR status >= 500)"
# When more than this share of an outlet's fetches in the window failed, the
# articles we hold are a remnant, so its silence is not evidence (unreachable).
UNREACHABLE_FAILED_SHARE = 0.5


@dataclass
class FetchCounts:
    ok: int = 0
    failed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class OutletMatches:
    matching: int
    first_time: str
    first_article_id: int


def fetch_counts(conn: sqlite3.Connection, outlet_ids: Sequence[str], start: str,
                 end: str) -> dict[str, FetchCounts]:
    """Fetch attempts per outlet in ``[start, end)``: answered, failed, failure kinds."""
    out = {o: FetchCounts() for o in outlet_ids}
    if not outlet_ids:
        return out
    marks = ",".join("?" * len(outlet_ids))
    args = [*outlet_ids, start, end]
    # all attempts: one range count per outlet on the (outlet_id, fetched_at) index
    # (measured faster than a GROUP BY over an IN list, which walks the same entries)
    for o, n in conn.execute(
            "SELECT o.value, (SELECT COUNT(*) FROM captures WHERE outlet_id = o.value "
            "AND fetched_at >= ? AND fetched_at < ?) FROM json_each(?) o",
            (start, end, json.dumps(list(outlet_ids)))):
        out[o].ok = int(n)
    for o, kind, n in conn.execute(
            # (the alias must not be ``kind``: captures has a column of that name)
            "SELECT outlet_id, COALESCE(failure, 'http_' || status) AS failure_kind, "
            f"COUNT(*) FROM captures WHERE outlet_id IN ({marks}) AND fetched_at >= ? "
            f"AND fetched_at < ? AND {FAILED_FETCH_SQL} GROUP BY outlet_id, failure_kind",
            args):
        out[o].failed += int(n)
        out[o].ok -= int(n)
        out[o].kinds[str(kind)] = int(n)
    return out


def outlet_matches(conn: sqlite3.Connection, table: str) -> dict[str, OutletMatches]:
    """Per outlet: story articles and the first one (earliest time, then lowest id)."""
    rows = conn.execute(
        "SELECT outlet_id, n, t, id FROM (SELECT outlet_id, t, id, "
        "COUNT(*) OVER (PARTITION BY outlet_id) AS n, "
        "ROW_NUMBER() OVER (PARTITION BY outlet_id ORDER BY t, id) AS rn "
        f"FROM {table}) WHERE rn = 1").fetchall()
    return {o: OutletMatches(int(n), str(t), int(i)) for o, n, t, i in rows}


def reprint_links(conn: sqlite3.Connection, table: str) -> list[ReprintLink]:
    """Story articles that reprint another outlet's earlier article, oldest first."""
    # both directions of each link; the original is the earliest other-outlet text
    sql = f"""
    WITH cand AS (
      SELECT m.id AS aid, m.outlet_id AS aout, m.t AS at, o.id AS oid,
             o.outlet_id AS oout, COALESCE(o.published, o.fetched_at) AS ot,
             nd.similarity AS sim
        FROM {table} m JOIN near_duplicates nd ON nd.article_id = m.id
        JOIN articles o ON o.id = nd.of_article_id
      UNION ALL
      SELECT m.id, m.outlet_id, m.t, o.id, o.outlet_id,
             COALESCE(o.published, o.fetched_at), nd.similarity
        FROM {table} m JOIN near_duplicates nd ON nd.of_article_id = m.id
        JOIN articles o ON o.id = nd.article_id
    ), ranked AS (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY aid ORDER BY ot, sim DESC, oid) AS rn
        FROM cand WHERE oout != aout AND ot < at
    )
    SELECT aid, aout, oid, oout, sim FROM ranked WHERE rn = 1 ORDER BY at, aid"""
    return [ReprintLink(article_id=int(a), outlet_id=str(ao), of_article_id=int(o),
                        of_outlet_id=str(oo), similarity=float(s))
            for a, ao, o, oo, s in conn.execute(sql)]


def coverage_status(matching: int, total: int, fetch: FetchCounts) -> CoverageStatus:
    """covered > unreachable (mostly failing) > silent > unreachable > no_output >
    not_collected; see :data:`untold.analyze.results.CoverageStatus`."""
    if matching > 0:
        return "covered"
    attempts = fetch.ok + fetch.failed
    if fetch.failed and fetch.failed / attempts > UNREACHABLE_FAILED_SHARE:
        return "unreachable"
    if total > 0:
        return "silent"
    if fetch.failed:
        return "unreachable"
    if fetch.ok:
        return "no_output"
    return "not_collected"


def coverage_row(outlet: Outlet, m: OutletMatches | None, reprints: int, total: int,
                 fetch: FetchCounts, first_report: str | None) -> CoverageRow:
    matching = m.matching if m else 0
    low, high = wilson(matching, total) if matching <= total else (0.0, 1.0)
    lag: float | None = None
    if m is not None and first_report is not None:
        a, b = from_iso(m.first_time), from_iso(first_report)
        assert a is not None and b is not None
        lag = (a - b).total_seconds() / 3600.0
    return CoverageRow(
        outlet_id=outlet.id, name=outlet.name, country=outlet.country,
        groups=tuple(outlet.groups), curated=outlet.curated, matching=matching,
        original=matching - reprints, reprints=reprints, total_in_window=total,
        share=matching / total if total else 0.0, ci_low=low, ci_high=high,
        first_time=m.first_time if m else None,
        first_article_id=m.first_article_id if m else None, lag_hours=lag,
        fetch_ok=fetch.ok, fetch_failed=fetch.failed, failure_kinds=dict(fetch.kinds),
        status=coverage_status(matching, total, fetch))
