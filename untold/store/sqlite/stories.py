"""What the story computation asks the SQLite backend (``untold.analyze.stories``).

One read snapshot per story (:meth:`StoriesMixin.story_snapshot`). In it the
story's matches in its window go into a temporary table, the one place the
full-text index is asked (:meth:`~StoriesMixin.select_story_matches`): with
each its order key ``k`` (a day-only date at the end of its day in the outlet's
zone), its earliest possible instant ``lo`` and its precision ``p``. The
attention and coverage counts, reprint links and samples are ``GROUP BY``
queries over that table and the archive's indexes; the analyses turn the rows
into their records and decide what they mean.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, timedelta, tzinfo
from typing import TYPE_CHECKING

from untold.store.sqlite.fts import where_sql
from untold.store.sqlite.reading import ReadingMixin
from untold.timeutil import day_bounds, to_iso

if TYPE_CHECKING:  # the compiled query is only passed through: no import cycle
    from untold.query.compiler import CompiledQuery

__all__ = ["FAILED_FETCH_SQL", "LATEST_SQL", "MATCH_TABLE", "TIME_EXPR", "StoriesMixin"]

# An article's time: published, or fetched_at when the page gave no date.
TIME_EXPR = "COALESCE(a.published, a.fetched_at)"
MATCH_TABLE = "temp.untold_story_match"
BUCKET_TABLE = "temp.untold_story_buckets"
# An article whose date is only a day (page and listing gave no time of day).
_DAY_ONLY = "a.published IS NOT NULL AND a.published_precision = 'day'"
# A fetch that failed to reach the outlet: a network failure (OONI-style string),
# a refusal (403 forbidden, 429 rate-limited, 451 legal) or a server error. A 404
# or 410 is an answer: the site was reachable (robots.txt 404s are everyday). The
# partial index captures_failed (schema v5) has this very predicate.
FAILED_FETCH_SQL = "(failure IS NOT NULL OR status IN (403, 429, 451) OR status >= 500)"
# The latest instant an article's date may stand for: a day-only date (its page and
# listing gave only the day) is any time up to the end of that day in its outlet's
# zone, which select_story_matches registers as the SQL function untold_day_end.
LATEST_SQL = ("CASE WHEN o.published IS NOT NULL AND o.published_precision = 'day' "
              "THEN untold_day_end(o.published, o.outlet_id) "
              "ELSE COALESCE(o.published, o.fetched_at) END")

# (story article, its outlet, the article it reprints, that one's outlet, similarity)
ReprintRow = tuple[int, str, int, str, float]
# (outlet, matching articles, first one's time, first one's id, its precision)
OutletMatchRow = tuple[str, int, str, int, str]
# (id, outlet, title, url, published, fetched_at, language, capture id, sha256, precision)
SampleRow = tuple[int, str, str, str, str | None, str, str, int, str | None, str]


def _day_bound_functions(conn: sqlite3.Connection, zones: Mapping[str, tzinfo]) -> None:
    """SQL functions untold_day_end / untold_day_start(published, outlet_id): the last
    second and the first instant of a day-only date's day in its outlet's zone (UTC
    for an outlet the study does not name), as ISO 8601 UTC."""
    cache: dict[tuple[str, str], tuple[str, str]] = {}

    def bounds(published: str | None, outlet_id: str) -> tuple[str, str] | None:
        if not published:
            return None
        key = (published[:10], outlet_id)
        if key not in cache:
            start, end = day_bounds(date.fromisoformat(key[0]), zones.get(outlet_id, UTC))
            cache[key] = (to_iso(start) or "", to_iso(end - timedelta(seconds=1)) or "")
        return cache[key]

    def day_end(published: str | None, outlet_id: str) -> str | None:
        got = bounds(published, outlet_id)
        return got[1] if got else None

    def day_start(published: str | None, outlet_id: str) -> str | None:
        got = bounds(published, outlet_id)
        return got[0] if got else None

    conn.create_function("untold_day_end", 2, day_end, deterministic=True)
    conn.create_function("untold_day_start", 2, day_start, deterministic=True)


class StoriesMixin(ReadingMixin):
    """Methods mixed into SQLiteStore; ``conn`` comes from it."""

    conn: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    @contextmanager
    def story_snapshot(self, failure: str) -> Iterator[None]:
        """One read snapshot (a running collector cannot skew the counts); the story's
        match table lives inside it. A database error becomes ``failure: <error>``."""
        own = not self.conn.in_transaction
        if own:
            self.conn.execute("BEGIN")
        try:
            with self.reading(failure):
                yield
        finally:
            self.conn.execute(f"DROP TABLE IF EXISTS {MATCH_TABLE}")
            if own:
                self.conn.execute("COMMIT")

    def match_span(self, query: CompiledQuery, start: str | None,
                   end: str | None) -> tuple[str | None, str | None]:
        """The earliest and latest time of the query's matches within the given bounds;
        with no match, of the whole archive (None, None when it is empty)."""
        where, params = where_sql(query)
        clauses, args = [f"({where})"], list(params)
        for bound, op in ((start, ">="), (end, "<")):
            if bound is not None:
                clauses.append(f"{TIME_EXPR} {op} ?")
                args.append(bound)
        lo, hi = self.conn.execute(f"SELECT MIN({TIME_EXPR}), MAX({TIME_EXPR}) FROM articles a "
                                   f"WHERE {' AND '.join(clauses)}", args).fetchone()
        if lo is None:  # nothing matches: the whole archive's span
            lo, hi = self.conn.execute(f"SELECT MIN({TIME_EXPR}), MAX({TIME_EXPR}) "
                                       "FROM articles a").fetchone()
        return lo, hi

    def select_story_matches(self, query: CompiledQuery, start: str, end: str,
                             zones: Mapping[str, tzinfo]) -> None:
        """Put the query's matches in ``[start, end)`` into the story's match table
        (inside :meth:`story_snapshot`); ``zones``: each outlet's time zone."""
        where, params = where_sql(query)
        conn = self.conn
        conn.execute(f"DROP TABLE IF EXISTS {MATCH_TABLE}")
        _day_bound_functions(conn, zones)
        conn.execute(f"CREATE TABLE {MATCH_TABLE} (id INTEGER PRIMARY KEY, "
                     "outlet_id TEXT NOT NULL, t TEXT NOT NULL, k TEXT NOT NULL, "
                     "lo TEXT NOT NULL, p TEXT NOT NULL)")
        conn.execute(f"INSERT INTO {MATCH_TABLE} SELECT a.id, a.outlet_id, {TIME_EXPR}, "
                     f"CASE WHEN {_DAY_ONLY} THEN untold_day_end(a.published, a.outlet_id) "
                     f"ELSE {TIME_EXPR} END, "
                     f"CASE WHEN {_DAY_ONLY} THEN untold_day_start(a.published, a.outlet_id) "
                     f"ELSE {TIME_EXPR} END, "
                     f"CASE WHEN {_DAY_ONLY} THEN 'day' ELSE 'time' END "
                     f"FROM articles a WHERE ({where}) AND {TIME_EXPR} >= ? "
                     f"AND {TIME_EXPR} < ?", [*params, start, end])

    def story_outlet_matches(self) -> list[OutletMatchRow]:
        """Per outlet: story articles and the first one (earliest by ``k``, a day-only
        date at its day's end, then lowest id)."""
        rows = self.conn.execute(
            "SELECT outlet_id, n, t, id, p FROM (SELECT outlet_id, t, id, p, "
            "COUNT(*) OVER (PARTITION BY outlet_id) AS n, "
            "ROW_NUMBER() OVER (PARTITION BY outlet_id ORDER BY k, id) AS rn "
            f"FROM {MATCH_TABLE}) WHERE rn = 1").fetchall()
        return [(str(o), int(n), str(t), int(i), str(p)) for o, n, t, i, p in rows]

    def story_reprint_links(self) -> list[ReprintRow]:
        """Story articles near-duplicating another outlet's surely earlier article (either
        direction of the link), each with the earliest such one; oldest first."""
        # both directions of each link; the original is the earliest other-outlet text
        sql = f"""
        WITH cand AS (
          SELECT m.id AS aid, m.outlet_id AS aout, m.k AS at, m.lo AS alo, o.id AS oid,
                 o.outlet_id AS oout, {LATEST_SQL} AS ot, nd.similarity AS sim
            FROM {MATCH_TABLE} m JOIN near_duplicates nd ON nd.article_id = m.id
            JOIN articles o ON o.id = nd.of_article_id
          UNION ALL
          SELECT m.id, m.outlet_id, m.k, m.lo, o.id, o.outlet_id, {LATEST_SQL}, nd.similarity
            FROM {MATCH_TABLE} m JOIN near_duplicates nd ON nd.of_article_id = m.id
            JOIN articles o ON o.id = nd.article_id
        ), ranked AS (
          SELECT *, ROW_NUMBER() OVER (PARTITION BY aid ORDER BY ot, sim DESC, oid) AS rn
            FROM cand WHERE oout != aout AND ot < alo
        )
        SELECT aid, aout, oid, oout, sim FROM ranked WHERE rn = 1 ORDER BY at, aid"""
        return [(int(a), str(ao), int(o), str(oo), float(s))
                for a, ao, o, oo, s in self.conn.execute(sql)]

    def story_match_counts(self, chars: int) -> dict[tuple[str, str], int]:
        """Story articles per (outlet, bucket): a bucket is the first ``chars``
        characters of the article's ISO time."""
        rows = self.conn.execute(f"SELECT outlet_id, substr(t, 1, {int(chars):d}) AS b, "
                                 f"COUNT(*) FROM {MATCH_TABLE} GROUP BY outlet_id, b").fetchall()
        return {(o, b): int(c) for o, b, c in rows}

    def story_samples(self, per_outlet: int) -> list[SampleRow]:
        """Each outlet's first ``per_outlet`` story articles (by ``k``, then id), in that
        order overall, with their capture's SHA-256."""
        rows = self.conn.execute(
            "SELECT a.id, a.outlet_id, a.title, a.url, a.published, a.fetched_at, "
            "a.language, a.capture_id, COALESCE(c.sha256, a.sha256), s.p FROM (SELECT id, "
            "k, p, ROW_NUMBER() OVER (PARTITION BY outlet_id ORDER BY k, id) AS rn "
            f"FROM {MATCH_TABLE}) s JOIN articles a ON a.id = s.id "
            "LEFT JOIN captures c ON c.id = a.capture_id "
            "WHERE s.rn <= ? ORDER BY s.k, s.id", (per_outlet,)).fetchall()
        return [tuple(r) for r in rows]

    def output_rows(self, outlet_ids: Sequence[str], bounds: Sequence[tuple[str, str, str]],
                    chars: int, *, grouped: bool
                    ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
        """(outlet, bucket, articles) rows over the buckets ``bounds`` ((key, from, to),
        contiguous): dated articles by ``published`` from the ``(outlet_id, published)``
        index, one range count per outlet and bucket, or with ``grouped`` one sorted
        ``GROUP BY`` pass over the window; and undated ones by ``fetched_at`` (their
        buckets may lie outside ``bounds``: the caller keeps those it asked for)."""
        ids = list(outlet_ids)
        n = int(chars)
        marks = ",".join("?" * len(ids))
        start, end = bounds[0][1], bounds[-1][2]
        conn = self.conn
        if grouped:  # contiguous bounds: one sorted pass over the window
            rows = conn.execute(
                f"SELECT outlet_id, substr(published, 1, {n:d}) AS b, COUNT(*) FROM articles "
                f"INDEXED BY articles_outlet_pub WHERE outlet_id IN ({marks}) "
                "AND published >= ? AND published < ? GROUP BY outlet_id, b",
                [*ids, start, end]).fetchall()
        else:
            conn.execute(f"DROP TABLE IF EXISTS {BUCKET_TABLE}")
            conn.execute(f"CREATE TABLE {BUCKET_TABLE} (b TEXT, s TEXT, e TEXT)")
            try:
                conn.executemany(f"INSERT INTO {BUCKET_TABLE} VALUES (?,?,?)", bounds)
                rows = conn.execute(
                    f"SELECT o, b, c FROM (SELECT o.value AS o, k.b AS b, (SELECT COUNT(*) "
                    "FROM articles INDEXED BY articles_outlet_pub WHERE outlet_id = o.value "
                    f"AND published >= k.s AND published < k.e) AS c FROM json_each(?) o, "
                    f"{BUCKET_TABLE} k) WHERE c > 0", (json.dumps(ids),)).fetchall()
            finally:
                conn.execute(f"DROP TABLE IF EXISTS {BUCKET_TABLE}")
        undated = conn.execute(
            f"SELECT outlet_id, substr(fetched_at, 1, {n:d}) AS b, COUNT(*) "
            f"FROM articles INDEXED BY articles_outlet_pub WHERE outlet_id IN ({marks}) "
            "AND published IS NULL AND fetched_at >= ? AND fetched_at < ? "
            "GROUP BY outlet_id, b", [*ids, start, end]).fetchall()
        return rows, undated

    def fetch_attempts(self, outlet_ids: Sequence[str], start: str,
                       end: str) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
        """Fetch attempts in ``[start, end)``: (outlet, all attempts) per outlet, and
        (outlet, failure kind, attempts) of those that failed to reach it (a failure
        string, or ``http_<status>`` for a refusal or server error)."""
        marks = ",".join("?" * len(outlet_ids))
        # all attempts: one range count per outlet on the (outlet_id, fetched_at) index
        # (measured faster than a GROUP BY over an IN list, which walks the same entries)
        attempts = [(str(o), int(n)) for o, n in self.conn.execute(
            "SELECT o.value, (SELECT COUNT(*) FROM captures WHERE outlet_id = o.value "
            "AND fetched_at >= ? AND fetched_at < ?) FROM json_each(?) o",
            (start, end, json.dumps(list(outlet_ids))))]
        failed = [(str(o), str(kind), int(n)) for o, kind, n in self.conn.execute(
            # (the alias must not be ``kind``: captures has a column of that name)
            "SELECT outlet_id, COALESCE(failure, 'http_' || status) AS failure_kind, "
            f"COUNT(*) FROM captures WHERE outlet_id IN ({marks}) AND fetched_at >= ? "
            f"AND fetched_at < ? AND {FAILED_FETCH_SQL} GROUP BY outlet_id, failure_kind",
            [*outlet_ids, start, end])]
        return attempts, failed
