"""The archive's schema, as an ordered list of migrations.

Each migration runs once, in a transaction, and is recorded in
``schema_migrations`` (sqlite-utils style), so an archive made by an older
untold is upgraded in place when opened. Never edit a released migration:
append a new one.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_V1_CORE = """
CREATE TABLE outlets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    domains TEXT NOT NULL,          -- JSON list
    country TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '[]',
    groups TEXT NOT NULL DEFAULT '[]',
    feeds TEXT NOT NULL DEFAULT '[]',
    sitemaps TEXT NOT NULL DEFAULT '[]',
    homepage TEXT,
    curated INTEGER NOT NULL DEFAULT 1
);

-- One row per fetch attempt or imported WARC record: the evidence index.
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    outlet_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    fetched_at TEXT NOT NULL,       -- ISO 8601 UTC
    status INTEGER,
    failure TEXT,                   -- stable failure string, NULL on success
    failure_detail TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    sha256 TEXT,
    record_id TEXT
);
CREATE INDEX captures_outlet_time ON captures(outlet_id, fetched_at);
CREATE INDEX captures_url ON captures(url);
CREATE UNIQUE INDEX captures_record ON captures(record_id) WHERE record_id IS NOT NULL;

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL,
    author TEXT,
    language TEXT NOT NULL DEFAULT 'und',
    language_confidence REAL NOT NULL DEFAULT 0,
    published TEXT,                 -- ISO 8601 UTC, NULL when unknown
    fetched_at TEXT NOT NULL,
    capture_id INTEGER NOT NULL REFERENCES captures(id),
    sha256 TEXT,
    text_hash TEXT NOT NULL,
    minhash BLOB,
    UNIQUE (canonical_url, text_hash)
);
CREATE INDEX articles_outlet_pub ON articles(outlet_id, published);
CREATE INDEX articles_pub ON articles(published);
CREATE INDEX articles_url ON articles(url);

-- Near-duplicates: article_id reprints (or shares wire text with) of_article_id.
CREATE TABLE near_duplicates (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    of_article_id INTEGER NOT NULL REFERENCES articles(id),
    similarity REAL NOT NULL,
    PRIMARY KEY (article_id, of_article_id)
);
CREATE INDEX near_duplicates_of ON near_duplicates(of_article_id);

-- Storage-backed MinHash LSH: (band, key) -> article.
CREATE TABLE lsh_bands (
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    article_id INTEGER NOT NULL
);
CREATE INDEX lsh_lookup ON lsh_bands(band, key);

-- Stems only (see store.textindex); contentless, the text lives in articles.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 0'
);

-- The frontier: every URL discovered, and what became of it (resume point).
CREATE TABLE frontier (
    url TEXT PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    source TEXT NOT NULL,           -- feed | sitemap | links | manual
    discovered_at TEXT NOT NULL,
    published_hint TEXT,
    title_hint TEXT,
    state TEXT NOT NULL DEFAULT 'new',  -- new | done | failed | skipped
    attempts INTEGER NOT NULL DEFAULT 0,
    last_capture_id INTEGER
);
CREATE INDEX frontier_state ON frontier(outlet_id, state);

-- Conditional-request state of feeds and sitemaps.
CREATE TABLE source_state (
    url TEXT PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_status INTEGER,
    last_failure TEXT,
    last_fetched TEXT
);

-- WARC records already imported (resume key: payload digest + target URI).
CREATE TABLE imported_records (
    digest TEXT PRIMARY KEY,
    capture_id INTEGER,
    outcome TEXT NOT NULL           -- article | duplicate | skipped:<reason>
);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    stats TEXT NOT NULL DEFAULT '{}'
);
"""

# Reachability: raw measurements (OONI's or untold's own, in OONI's format) kept
# apart from verdicts, so a measurement can be re-scored by newer rules.
_V2_MEASUREMENTS = """
CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,       -- OONI measurement_uid, or sha256 of the raw JSON
    source TEXT NOT NULL,           -- ooni | untold
    input TEXT,
    host TEXT,
    outlet_id TEXT,
    probe_cc TEXT,
    probe_asn TEXT,
    network TEXT,
    vantage TEXT,                   -- who measured: OONI report id, or untold's vantage name
    measured_at TEXT NOT NULL,
    test_version TEXT,
    ooni_blocking TEXT,             -- JSON of test_keys.blocking as the file said
    ooni_accessible TEXT,
    raw BLOB NOT NULL               -- zlib-compressed JSON of the whole measurement
);
CREATE INDEX measurements_outlet_time ON measurements(outlet_id, measured_at);
CREATE INDEX measurements_host ON measurements(host);

CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    measurement_id INTEGER NOT NULL REFERENCES measurements(id),
    rule TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    blocking TEXT,                  -- JSON: "dns" | "tcp_ip" | "http-failure" | "http-diff" | false | null
    accessible TEXT,                -- JSON: true | false | null
    class TEXT NOT NULL,
    no_control INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    scored_at TEXT NOT NULL,
    UNIQUE (measurement_id, rules_version)
);
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "core archive: outlets, captures, articles, fts, frontier", _V1_CORE),
    (2, "reachability: measurements and verdicts", _V2_MEASUREMENTS),
]
