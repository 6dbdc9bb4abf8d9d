"""SQLite backend: one file, WAL mode, migrations, FTS5 over stems.

Concurrency: every writer uses short ``BEGIN IMMEDIATE`` transactions and a
long busy timeout, so a collector, an importer and readers (status, search,
the report) can share one archive; WAL lets readers proceed while one
writer writes. ``synchronous=NORMAL`` in WAL mode survives a killed process
(only a power cut can lose the last commits, never corrupt the file).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from untold.errors import ConstraintError, StoreError
from untold.models import (
    AddOutcome,
    ArticleRecord,
    CaptureRecord,
    ExtractedArticle,
    FrontierEntry,
    NewArticle,
    Outlet,
)
from untold.store.jsonfields import dumps as _dumps
from untold.store.sqlite.analysis import AnalysisMixin
from untold.store.sqlite.coverage import CoverageMixin
from untold.store.sqlite.edits import EditsMixin
from untold.store.sqlite.evidence import EvidenceMixin
from untold.store.sqlite.lookups import LookupsMixin
from untold.store.sqlite.reach import ReachMixin
from untold.store.sqlite.reads import ReadsMixin
from untold.store.sqlite.schema import MIGRATIONS
from untold.store.sqlite.schema import split_sql as _split_sql
from untold.store.sqlite.titles import TitlesMixin
from untold.text.textindex import index_text
from untold.timeutil import from_iso, now_utc, to_iso

__all__ = ["SQLiteStore"]

BUSY_TIMEOUT_MS = 60_000  # a long import batch may hold the write lock for seconds
NEAR_DUP_THRESHOLD = 0.8  # estimated Jaccard of 5-shingles: reprints with small edits
MAX_FETCH_ATTEMPTS = 3  # a URL that failed this often waits for a human to look at it
CACHE_KIB = 128 * 1024  # SQLite page cache per connection (default 2 MiB)
MAX_LSH_CANDIDATES = 200  # a band key shared by more articles is boilerplate, not a reprint


@lru_cache(maxsize=8)
def _lsh_lookup_sql(n_bands: int) -> str:
    one = "SELECT * FROM (SELECT article_id FROM lsh_bands WHERE band=? AND key=? LIMIT ?)"
    return " UNION ALL ".join([one] * n_bands)


class SQLiteStore(ReachMixin, AnalysisMixin, EditsMixin, EvidenceMixin, CoverageMixin,
                  TitlesMixin, ReadsMixin, LookupsMixin):
    """The archive in one SQLite file. Open with :func:`untold.store.open_store`."""

    backend = "sqlite"

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        try:
            if readonly:
                if not self.path.exists():
                    raise StoreError(
                        "archive not found", source=str(self.path),
                        hint="run 'untold collect' or 'untold import' first",
                    )
                uri = f"file:{self.path}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                            check_same_thread=False)
            else:
                self._make_directory()
                self.conn = sqlite3.connect(self.path, isolation_level=None,
                                            check_same_thread=False)
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            # LSH band keys and stems land all over their b-trees: a small page cache
            # turns each insert into page reads once the archive outgrows it
            self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            # read the header now, so a file that is not a database fails here, as one
            # StoreError, and not at the first query of whatever command opened it
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from exc
        if not readonly:
            self.migrate()

    def _make_directory(self) -> None:
        """The archive's directory, created on first write; one clear error when the
        archive path is a file, or a directory that cannot be created or written."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise StoreError("the archive path is a file, not a directory",
                             source=str(exc.filename or folder),
                             hint="set 'archive' in the study to a directory (or remove "
                                  "the file)") from exc
        except OSError as exc:
            raise StoreError(f"cannot create the archive directory: {exc.strerror}",
                             source=str(exc.filename or folder),
                             hint="check the path and its permissions") from exc

    # -- plumbing ---------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front (no upgrade deadlocks).

        All or nothing: on any error it is rolled back. A full disk, an I/O error or
        a read-only or corrupt file becomes one ``StoreError`` saying so.
        """
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise ConstraintError(f"the archive refused a write: {exc}",
                                      source=str(self.path)) from exc
            if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError) \
                    and _primary_code(exc) in _TRANSLATED:
                raise _store_error(exc, self.path) from exc
            raise

    def migrate(self) -> list[int]:
        """Apply pending migrations; return the versions applied."""
        try:
            return self._migrate()
        except sqlite3.Error as exc:
            raise _store_error(exc, self.path) from exc

    def _migrate(self) -> list[int]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            with self.transaction() as c:
                # re-check under the lock: another process may have migrated meanwhile
                if c.execute("SELECT 1 FROM schema_migrations WHERE version=?",
                             (version,)).fetchone():
                    continue
                for stmt in _split_sql(sql):
                    c.execute(stmt)
                c.execute("INSERT INTO schema_migrations VALUES (?,?,?)",
                          (version, name, to_iso(now_utc())))
            applied.append(version)
        return applied

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # -- outlets ----------------------------------------------------------
    def sync_outlets(self, outlets: Iterable[Outlet]) -> None:
        with self.transaction() as c:
            for o in outlets:
                self._upsert_outlet(c, o)

    def ensure_outlet(self, outlet: Outlet) -> None:
        """Insert an outlet if missing (used for uncurated domains)."""
        if self.conn.execute("SELECT 1 FROM outlets WHERE id=?", (outlet.id,)).fetchone():
            return
        with self.transaction() as c:
            self._upsert_outlet(c, outlet, replace=False)

    @staticmethod
    def _upsert_outlet(c: sqlite3.Connection, o: Outlet, replace: bool = True) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        c.execute(
            f"{verb} INTO outlets (id,name,domains,country,languages,groups,feeds,sitemaps,"
            "homepage,curated) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (o.id, o.name, _dumps(o.domains), o.country, _dumps(o.languages),
             _dumps(o.groups), _dumps(o.feeds), _dumps(o.sitemaps), o.homepage,
             int(o.curated)),
        )

    def outlets(self) -> list[Outlet]:
        rows = self.conn.execute(
            "SELECT id,name,domains,country,languages,groups,feeds,sitemaps,homepage,curated "
            "FROM outlets ORDER BY id"
        ).fetchall()
        return [
            Outlet(id=r[0], name=r[1], domains=tuple(json.loads(r[2])), country=r[3],
                   languages=tuple(json.loads(r[4])), groups=tuple(json.loads(r[5])),
                   feeds=tuple(json.loads(r[6])), sitemaps=tuple(json.loads(r[7])),
                   homepage=r[8], curated=bool(r[9]))
            for r in rows
        ]

    # -- captures ---------------------------------------------------------
    def add_capture(self, rec: CaptureRecord, *,
                    frontier: tuple[str, str] | None = None) -> int:
        """Store a capture; with ``frontier=(url, state)`` also move that frontier URL on
        (as ``mark_frontier``) in the same transaction, so a run stopped in between (a
        full disk, a kill) never keeps the capture yet fetch the URL again."""
        with self.transaction() as c:
            cid = self._insert_capture(c, rec)
            if frontier is not None:
                self._mark(c, frontier[0], frontier[1], cid)
            return cid

    def add_captures(self, recs: Sequence[CaptureRecord]) -> list[int]:
        """Store many captures in one transaction (bulk writers: the demo's archive);
        their ids, in order."""
        with self.transaction() as c:
            return [self._insert_capture(c, rec) for rec in recs]

    @staticmethod
    def _insert_capture(c: sqlite3.Connection, rec: CaptureRecord) -> int:
        cur = c.execute(
            "INSERT INTO captures (url,outlet_id,kind,fetched_at,status,failure,failure_detail,"
            "content_type,warc_file,warc_offset,warc_length,sha256,record_id,warc_sha256) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (rec.url, rec.outlet_id, rec.kind, to_iso(rec.fetched_at), rec.status, rec.failure,
             rec.failure_detail, rec.content_type, rec.warc_file, rec.warc_offset,
             rec.warc_length, rec.sha256, rec.record_id, rec.warc_sha256),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    # -- frontier ---------------------------------------------------------
    def add_to_frontier(self, entries: Iterable[FrontierEntry]) -> int:
        """Record discovered URLs; return how many were new."""
        now = to_iso(now_utc())
        n = 0
        with self.transaction() as c:
            for e in entries:
                cur = c.execute(
                    "INSERT OR IGNORE INTO frontier (url,outlet_id,source,discovered_at,"
                    "published_hint,title_hint,published_hint_precision) VALUES (?,?,?,?,?,?,?)",
                    (e.url, e.outlet_id, e.source, now, to_iso(e.published_hint), e.title_hint,
                     _hint_precision(e.published_hint, e.hint_precision)),
                )
                n += cur.rowcount
        return n

    def pending(self, outlet_id: str, limit: int) -> list[FrontierEntry]:
        """New URLs of an outlet, newest first; ones that failed before go last."""
        rows = self.conn.execute(
            "SELECT url,outlet_id,source,published_hint,title_hint,published_hint_precision "
            "FROM frontier WHERE outlet_id=? AND state='new' "
            "ORDER BY attempts, published_hint DESC, url LIMIT ?",
            (outlet_id, limit),
        ).fetchall()
        return [FrontierEntry(r[0], r[1], r[2], from_iso(r[3]), r[4], r[5] or "") for r in rows]

    def mark_frontier(self, url: str, state: str, capture_id: int | None) -> None:
        """Move a URL on; a failure counts an attempt, ``failed`` returns to ``new``
        until MAX_ATTEMPTS so a later run tries again."""
        with self.transaction() as c:
            self._mark(c, url, state, capture_id)

    @staticmethod
    def _mark(c: sqlite3.Connection, url: str, state: str, capture_id: int | None) -> None:
        if state == "failed":
            c.execute(
                "UPDATE frontier SET attempts=attempts+1, last_capture_id=?, "
                "state=CASE WHEN attempts+1 >= ? THEN 'failed' ELSE 'new' END WHERE url=?",
                (capture_id, MAX_FETCH_ATTEMPTS, url),
            )
        else:
            c.execute("UPDATE frontier SET state=?, last_capture_id=? WHERE url=?",
                      (state, capture_id, url))

    def fetched_unstored(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(url, outlet_id, capture) of pages archived but not yet extracted."""
        out = []
        for url, oid, cid in self.conn.execute(
            "SELECT url, outlet_id, last_capture_id FROM frontier WHERE state='fetched'"
        ).fetchall():
            cap = self.capture(cid) if cid is not None else None
            if cap is not None:
                out.append((url, oid, cap))
        return out

    def frontier_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for oid, state, n in self.conn.execute(
            "SELECT outlet_id, state, COUNT(*) FROM frontier GROUP BY outlet_id, state"
        ):
            out.setdefault(oid, {})[state] = n
        return out

    def frontier_entry(self, url: str) -> FrontierEntry | None:
        """The URL's frontier row: where it was found, with the listing's date and title."""
        r = self.conn.execute(
            "SELECT url,outlet_id,source,published_hint,title_hint,published_hint_precision "
            "FROM frontier WHERE url=?", (url,)).fetchone()
        return FrontierEntry(r[0], r[1], r[2], from_iso(r[3]), r[4], r[5] or "") if r else None

    # -- feed / sitemap state -----------------------------------------------
    def source_state(self, url: str) -> tuple[str | None, str | None]:
        row = self.conn.execute(
            "SELECT etag,last_modified FROM source_state WHERE url=?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_source_state(self, url: str, outlet_id: str, kind: str, *, etag: str | None,
                         last_modified: str | None, status: int | None,
                         failure: str | None) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO source_state (url,outlet_id,kind,etag,last_modified,last_status,"
                "last_failure,last_fetched) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE "
                "SET etag=COALESCE(excluded.etag, etag), "
                "last_modified=COALESCE(excluded.last_modified, last_modified), "
                "last_status=excluded.last_status, last_failure=excluded.last_failure, "
                "last_fetched=excluded.last_fetched",
                (url, outlet_id, kind, etag, last_modified, status, failure,
                 to_iso(now_utc())),
            )

    # -- articles -----------------------------------------------------------
    def add_articles(self, items: Sequence[NewArticle]) -> list[AddOutcome]:
        """Store extracted articles in one transaction: dedupe, index, link reprints."""
        lsh_keys, similarity = _dedupe_funcs(any(it.article.minhash for it in items))
        out: list[AddOutcome] = []
        with self.transaction() as c:
            for it in items:
                out.append(self._add_article(c, it, lsh_keys, similarity))
        return out

    def _add_article(self, c: sqlite3.Connection, it: NewArticle, lsh_keys: Any,
                     similarity: Any) -> AddOutcome:
        a: ExtractedArticle = it.article
        row = c.execute(
            "SELECT id FROM articles WHERE canonical_url=? AND text_hash=?",
            (a.canonical_url, a.text_hash),
        ).fetchone()
        if row:
            return AddOutcome(article_id=int(row[0]), outcome="duplicate")
        # the collector combines the page's date with its listing's by precision
        # (extract.dates.combine); a bare hint is only the last resort here
        published, precision, source = a.published, a.published_precision, a.published_source
        if published is None and it.published_hint is not None:
            published, source = it.published_hint, "listing"
            precision = _hint_precision(published, "") or ""
        cur = c.execute(
            "INSERT INTO articles (outlet_id,url,canonical_url,title,text,author,language,"
            "language_confidence,published,fetched_at,capture_id,sha256,text_hash,minhash,"
            "published_precision,published_source,modified,modified_precision,"
            "published_disagreement) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (it.outlet_id, a.url, a.canonical_url, a.title, a.text, a.author, a.language,
             a.language_confidence, to_iso(published), to_iso(it.fetched_at), it.capture_id,
             it.sha256, a.text_hash, a.minhash or None,
             (precision or _hint_precision(published, "")) if published else None,
             source or None, to_iso(a.modified), a.modified_precision or None,
             a.published_disagreement or None),
        )
        aid = cur.lastrowid
        assert aid is not None
        c.execute(
            "INSERT INTO articles_fts (rowid,title,body) VALUES (?,?,?)",
            (aid, a.index_title or index_text(a.title), a.index_body or index_text(a.text)),
        )
        near: int | None = None
        if a.minhash:
            keys = list(a.lsh) or lsh_keys(a.minhash)  # extraction computes them
            # one statement for all bands (each band still capped), one for their minhashes
            cands = c.execute(_lsh_lookup_sql(len(keys)),
                              [x for b, k in keys for x in (b, k, MAX_LSH_CANDIDATES)]).fetchall()
            ids = sorted({int(r[0]) for r in cands})
            best: tuple[float, int] | None = None
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                for cid, other in c.execute(
                        f"SELECT id, minhash FROM articles WHERE id IN ({','.join('?' * len(part))})",
                        part):
                    if other:
                        sim = float(similarity(a.minhash, other))
                        if sim >= NEAR_DUP_THRESHOLD and (best is None or sim > best[0]
                                                          or (sim == best[0] and cid < best[1])):
                            best = (sim, int(cid))
            c.executemany("INSERT INTO lsh_bands (band,key,article_id) VALUES (?,?,?)",
                          [(b, k, aid) for b, k in keys])
            if best is not None:
                near = best[1]
                c.execute(
                    "INSERT OR IGNORE INTO near_duplicates (article_id,of_article_id,similarity)"
                    " VALUES (?,?,?)",
                    (aid, near, best[0]),
                )
        return AddOutcome(article_id=aid, outcome="new", near_duplicate_of=near)

    def count_articles(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def iter_articles(self, outlet_ids: Sequence[str] | None = None,
                      batch: int = 1000) -> Iterator[ArticleRecord]:
        sql = ("SELECT id,outlet_id,url,canonical_url,title,text,author,language,published,"
               "fetched_at,capture_id,sha256,text_hash FROM articles WHERE id > ?")
        args: list[Any] = []
        if outlet_ids:
            sql += f" AND outlet_id IN ({','.join('?' * len(outlet_ids))})"
            args = list(outlet_ids)
        sql += " ORDER BY id LIMIT ?"
        last = 0
        while True:
            rows = self.conn.execute(sql, [last, *args, batch]).fetchall()
            if not rows:
                return
            for r in rows:
                yield ArticleRecord(
                    id=r[0], outlet_id=r[1], url=r[2], canonical_url=r[3], title=r[4],
                    text=r[5], author=r[6], language=r[7], published=from_iso(r[8]),
                    fetched_at=from_iso(r[9]) or now_utc(), capture_id=r[10], sha256=r[11],
                    text_hash=r[12],
                )
            last = rows[-1][0]

    def known_article_urls(self, urls: Iterable[str]) -> set[str]:
        urls = list(urls)
        found: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            q = ",".join("?" * len(chunk))
            for (u,) in self.conn.execute(
                f"SELECT url FROM articles WHERE url IN ({q}) "
                f"UNION SELECT canonical_url FROM articles WHERE canonical_url IN ({q})",
                chunk + chunk,
            ):
                found.add(u)
        return found

    # -- WARC import resume ---------------------------------------------------
    def imported(self, digests: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(digests), 500):
            chunk = list(digests[i:i + 500])
            q = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT digest FROM imported_records WHERE digest IN ({q})", chunk))
        return found

    def store_import_batch(
        self, batch: Sequence[tuple[str, CaptureRecord, NewArticle | None, str]]
    ) -> list[AddOutcome | None]:
        """Captures, articles and resume marks of imported records, in one transaction.

        Each item is (digest, capture, article-or-None, outcome-if-no-article). All
        or nothing: a killed import leaves either the whole batch or none of it.
        """
        lsh_keys, similarity = _dedupe_funcs(
            any(art is not None and art.article.minhash for _, _, art, _ in batch))
        outs: list[AddOutcome | None] = []
        with self.transaction() as c:
            for digest, cap, art, outcome in batch:
                if c.execute("SELECT 1 FROM imported_records WHERE digest=?",
                             (digest,)).fetchone():
                    outs.append(None)
                    continue
                cid = self._insert_capture(c, cap)
                res: AddOutcome | None = None
                if art is not None:
                    art = NewArticle(art.article, art.outlet_id, cid, art.fetched_at,
                                     art.sha256, art.published_hint)
                    res = self._add_article(c, art, lsh_keys, similarity)
                    outcome = res.outcome if res.outcome == "duplicate" else "article"
                c.execute("INSERT INTO imported_records (digest,capture_id,outcome) "
                          "VALUES (?,?,?)", (digest, cid, outcome))
                outs.append(res)
        return outs

    # -- runs -------------------------------------------------------------------
    def start_run(self, kind: str) -> int:
        with self.transaction() as c:
            cur = c.execute("INSERT INTO runs (kind,started_at) VALUES (?,?)",
                            (kind, to_iso(now_utc())))
            assert cur.lastrowid is not None
            return cur.lastrowid

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self.transaction() as c:
            c.execute("UPDATE runs SET finished_at=?, stats=? WHERE id=?",
                      (to_iso(now_utc()), json.dumps(stats), run_id))

    # -- reading for status ------------------------------------------------------
    def outlet_status(self, recent_failures: int = 200) -> list[dict[str, Any]]:
        """Per outlet: articles, date range, last successful fetch, recent failures by kind."""
        rows: dict[str, dict[str, Any]] = {}
        for o in self.outlets():
            rows[o.id] = {"outlet": o.id, "name": o.name, "curated": o.curated,
                          "articles": 0, "first_published": None, "last_published": None,
                          "last_success": None, "failures": {}}
        for oid, n, first, last in self.conn.execute(
            "SELECT outlet_id, COUNT(*), MIN(published), MAX(published) FROM articles "
            "GROUP BY outlet_id"
        ):
            if oid in rows:
                rows[oid].update(articles=n, first_published=first, last_published=last)
        for oid, last in self.conn.execute(
            "SELECT outlet_id, MAX(fetched_at) FROM captures WHERE failure IS NULL "
            "AND status BETWEEN 200 AND 399 GROUP BY outlet_id"
        ):
            if oid in rows:
                rows[oid]["last_success"] = last
        for oid, failure, n in self.conn.execute(
            "SELECT outlet_id, failure, COUNT(*) FROM (SELECT outlet_id, COALESCE(failure, "
            "'http_' || status) AS failure FROM captures WHERE (failure IS NOT NULL OR "
            "status >= 400) AND id IN (SELECT id FROM captures c2 WHERE c2.outlet_id = "
            "captures.outlet_id ORDER BY id DESC LIMIT ?)) GROUP BY outlet_id, failure",
            (recent_failures,),
        ):
            if oid in rows:
                rows[oid]["failures"][failure] = n
        return list(rows.values())

    def integrity_check(self, *, thorough: bool = True) -> list[str]:
        """Problems found (empty when sound): SQLite, FTS and cross-table checks.

        ``thorough=False`` runs SQLite's ``quick_check`` (page and record structure,
        without matching every index entry to its row: O(N) instead of O(N log N)).
        """
        problems: list[str] = []
        pragma = "integrity_check" if thorough else "quick_check"
        res = self.conn.execute(f"PRAGMA {pragma}").fetchall()
        if res != [("ok",)]:
            problems += [f"sqlite: {r[0]}" for r in res]
        if not self.readonly:  # FTS5 takes its integrity-check as a write command
            try:
                self.conn.execute("INSERT INTO articles_fts(articles_fts, rank) "
                                  "VALUES ('integrity-check', 1)")
            except sqlite3.DatabaseError as exc:
                problems.append(f"fts: {exc}")
        dup = self.conn.execute(
            "SELECT canonical_url, text_hash, COUNT(*) FROM articles "
            "GROUP BY canonical_url, text_hash HAVING COUNT(*) > 1 LIMIT 5").fetchall()
        problems += [f"duplicate article {r[0]} ({r[2]} copies)" for r in dup]
        orphan = self.conn.execute(
            "SELECT COUNT(*) FROM articles a LEFT JOIN captures c ON a.capture_id = c.id "
            "WHERE c.id IS NULL").fetchone()[0]
        if orphan:
            problems.append(f"{orphan} articles without a capture")
        nowarc = self.conn.execute(
            "SELECT COUNT(*) FROM articles a JOIN captures c ON a.capture_id = c.id "
            "WHERE c.warc_file IS NULL").fetchone()[0]
        if nowarc:
            problems.append(f"{nowarc} articles whose capture has no WARC record")
        return problems

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT id,url,outlet_id,kind,fetched_at,status,failure,warc_file,warc_offset,"
            "warc_length,sha256,record_id,warc_sha256 FROM captures WHERE id=?",
            (capture_id,)).fetchone()
        if not row:
            return None
        keys = ["id", "url", "outlet_id", "kind", "fetched_at", "status", "failure",
                "warc_file", "warc_offset", "warc_length", "sha256", "record_id", "warc_sha256"]
        return dict(zip(keys, row, strict=True))


# SQLite's primary result codes that mean "this archive cannot be written": what the
# user must do about each (https://www.sqlite.org/rescode.html)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _CANTOPEN, _FULL, _NOTADB = \
    5, 6, 8, 10, 11, 14, 13, 26
_TRANSLATED: dict[int, tuple[str, str]] = {
    _FULL: ("the disk is full", "free some space and run again: what was stored is kept "
                                "and the run resumes where it stopped"),
    _IOERR: ("disk I/O error", "check the disk (and free space); then run again to resume"),
    _READONLY: ("the archive is read-only", "check the file's and its directory's "
                                            "permissions"),
    _BUSY: ("the archive is locked", "another untold process holds it; wait or stop it"),
    _LOCKED: ("the archive is locked", "another untold process holds it; wait or stop it"),
    _CORRUPT: ("the archive file is corrupt", "restore it from a backup; 'untold check' "
                                              "says what is damaged"),
    _NOTADB: ("not an untold archive (not a SQLite file)", "check the study's archive path"),
    _CANTOPEN: ("cannot open the archive file", "check the path and permissions"),
}


def _hint_precision(at: datetime | None, said: str) -> str | None:
    """A date's precision as stated, else as a bare day was always stored (00:00 UTC)."""
    if at is None:
        return None
    if said:
        return said
    return "day" if (at.hour, at.minute, at.second) == (0, 0, 0) else "time"


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _store_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """One readable StoreError for a SQLite error met while writing the archive."""
    code = _primary_code(exc) or -1
    what, hint = _TRANSLATED.get(code, (f"archive error: {exc}", None))
    if code in (_IOERR, _CORRUPT, _CANTOPEN):  # SQLite's words may say more here
        what = f"{what} ({exc})"
    return StoreError(what, source=str(path), hint=hint)


def _dedupe_funcs(needed: bool) -> tuple[Any, Any]:
    """The near-duplicate functions, imported only when a batch has signatures."""
    if not needed:
        return None, None
    from untold.text.minhash import lsh_keys, similarity

    return lsh_keys, similarity
