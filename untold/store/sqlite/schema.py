"""The archive's schema, as an ordered list of migrations.

Each migration runs once, in a transaction, and is recorded in
``schema_migrations`` (sqlite-utils style), so an archive made by an older
untold is upgraded in place when opened. Never edit a released migration:
append a new one.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "split_sql"]

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
-- The stems arrive lower-cased and split on spaces, so the 'ascii' tokenizer (which
-- keeps every non-ASCII byte inside a token) gives the same tokens as unicode61,
-- about a fifth faster.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='', tokenize='ascii'
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

# Analyses: observations (counts, rates; re-computable) apart from findings
# (verdicts: rule id, rules version, thresholds, statistic, evidence), so a
# finding can be re-scored without collecting again.
_V3_ANALYSIS = """
CREATE TABLE analysis_runs (
    id INTEGER PRIMARY KEY,
    story_id TEXT,                  -- NULL for study-wide analyses
    kind TEXT NOT NULL,             -- stories | findings | edits | ...
    rules_version TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    finished_at TEXT
);

CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES analysis_runs(id),
    story_id TEXT,
    kind TEXT NOT NULL,             -- attention | coverage | fact_count | term | ...
    subject TEXT NOT NULL,          -- outlet id, group name, or '*'
    key TEXT NOT NULL DEFAULT '',   -- day, hour, fact id, term ...
    value TEXT NOT NULL             -- JSON object
);
CREATE INDEX observations_lookup ON observations(run_id, kind, subject);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES analysis_runs(id),
    story_id TEXT,
    kind TEXT NOT NULL,             -- omission | silence | framing | edit | deletion | ...
    rule TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    subject TEXT NOT NULL,
    thresholds TEXT NOT NULL DEFAULT '{}',
    statistic REAL,
    p_value REAL,
    q_value REAL,
    effect REAL,
    ci_low REAL,
    ci_high REAL,
    sentence TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX findings_story ON findings(story_id, kind);

CREATE TABLE finding_evidence (
    finding_id INTEGER NOT NULL REFERENCES findings(id),
    article_id INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (finding_id, article_id)
);
"""

# Stealth edits: every tracked article is revisited on a decaying schedule.
# Revisit observations (what each revisit saw) are kept apart from edit events
# (verdicts: rule id, rules version), so events can be re-derived.
_V4_EDITS = """
CREATE TABLE revisit_tracking (
    article_id INTEGER PRIMARY KEY, -- the article as first collected (version 1)
    outlet_id TEXT NOT NULL,
    url TEXT NOT NULL UNIQUE,
    first_seen TEXT NOT NULL,       -- schedule origin: first fetch of the article
    step INTEGER NOT NULL DEFAULT 0,
    next_due TEXT,                  -- NULL: the schedule is over
    etag TEXT,
    last_modified TEXT,
    last_checked TEXT,
    last_sha256 TEXT,               -- payload digest of the last 200 (unchanged bytes)
    state TEXT NOT NULL DEFAULT 'live',  -- live | deleted | unreachable
    state_since TEXT,
    deletion_kind TEXT,
    fail_streak INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX revisit_due ON revisit_tracking(next_due) WHERE next_due IS NOT NULL;
CREATE INDEX revisit_outlet ON revisit_tracking(outlet_id);

-- Versions after the first (version 1 is the articles row itself).
CREATE TABLE article_versions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    capture_id INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    text_hash TEXT NOT NULL,        -- of the noise-masked text
    sha256 TEXT,
    noise TEXT NOT NULL DEFAULT '{}',
    UNIQUE (article_id, version),
    UNIQUE (capture_id)
);

-- One row per revisit: what the fetch showed (observation, not verdict).
CREATE TABLE revisit_checks (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    capture_id INTEGER UNIQUE,
    checked_at TEXT NOT NULL,
    status INTEGER,
    failure TEXT,
    final_url TEXT,
    outcome TEXT NOT NULL,
    version INTEGER,
    noise TEXT NOT NULL DEFAULT '{}',
    bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX revisit_checks_article ON revisit_checks(article_id, checked_at);

CREATE TABLE edit_events (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL,
    outlet_id TEXT NOT NULL,
    kind TEXT NOT NULL,             -- edit | deletion | restoration
    subkind TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,               -- first revisit that saw it
    after TEXT,                     -- last revisit before that saw the old state
    from_version INTEGER,
    to_version INTEGER,
    capture_id INTEGER,
    rule TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    UNIQUE (article_id, kind, at)
);
CREATE INDEX edit_events_outlet ON edit_events(outlet_id, at);

-- Each site's not-found page and home page, learned by requesting them.
CREATE TABLE site_pages (
    host TEXT NOT NULL,
    kind TEXT NOT NULL,             -- not_found | home
    probed_at TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    shingles TEXT NOT NULL DEFAULT '[]',
    capture_id INTEGER,
    PRIMARY KEY (host, kind)
);

-- Which listing (feed, sitemap) named which URL, first and last time seen.
CREATE TABLE listing_entries (
    source_url TEXT NOT NULL,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    published TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (source_url, url)
);
CREATE INDEX listing_url ON listing_entries(url);

CREATE TABLE listing_fetches (
    source_url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    last_ok TEXT
);
"""

# Story analysis: an outlet's failed fetches in a window are counted from this
# small partial index, not from every capture row (the predicate must stay
# identical to untold.store.sqlite.stories.FAILED_FETCH_SQL for SQLite to use it).
# Articles per outlet and day (by published, else fetched_at), a derived
# summary kept by untold.store.sqlite.daycounts: the denominators of attention
# without counting a year of articles for every story; day_counts_state says
# which articles it covers (refreshed when articles were added or removed).
_V5_STORY_INDEXES = """
CREATE INDEX captures_failed ON captures(outlet_id, fetched_at, failure, status)
    WHERE (failure IS NOT NULL OR status IN (403, 429, 451) OR status >= 500);

CREATE TABLE article_day_counts (
    outlet_id TEXT NOT NULL,
    day TEXT NOT NULL,              -- YYYY-MM-DD (UTC)
    n INTEGER NOT NULL,
    PRIMARY KEY (outlet_id, day)
) WITHOUT ROWID;

CREATE TABLE day_counts_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    max_article_id INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
"""

# FTS5 merges index segments when 4 of a level exist (default); at 8 an import
# spends a quarter less time in the index for a few more segments per query.
_V6_FTS_MERGE = """
INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);
"""

# The band rows were a table plus an index over (band, key): two b-trees written
# per row. Clustered on the look-up key they are one.
_V7_LSH_CLUSTERED = """
CREATE TABLE lsh_bands_v7 (
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (band, key, article_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO lsh_bands_v7 (band, key, article_id)
    SELECT band, key, article_id FROM lsh_bands;
DROP TABLE lsh_bands;
ALTER TABLE lsh_bands_v7 RENAME TO lsh_bands;
"""

# WARC files outside the archive that an import read (a CC-NEWS download, another
# crawl): their captures point into them by absolute path, so the archive keeps what
# each file was when imported, and 'untold check' tells one that moved or changed.
_V8_WARC_FILES = """
CREATE TABLE warc_files (
    path TEXT PRIMARY KEY,          -- absolute and resolved, as captures.warc_file holds it
    size INTEGER NOT NULL,          -- bytes, at registration
    sha256 TEXT,                    -- of the whole file; NULL until an import read it all
    mtime TEXT NOT NULL,            -- modification time at registration (ISO 8601 UTC)
    first_imported TEXT NOT NULL,
    last_imported TEXT NOT NULL
);
-- SHA-256 of a capture's main record as the collector wrote it (its gzip member, the
-- bytes [warc_offset, warc_offset + warc_length)): 'untold check' proves the stored
-- bytes unchanged by hashing them again, at the speed of reading the file
ALTER TABLE captures ADD COLUMN warc_sha256 TEXT;
-- 'untold check' plans per file from this index alone (captures, where the last one
-- ends), then reads each file's captures and their digests from it in offset order:
-- nothing to sort and no row to look up (a covering index)
CREATE INDEX captures_warc ON captures(warc_file, warc_offset, warc_length, warc_sha256);
-- revisits enrol new articles per outlet by id (WHERE outlet_id = ? AND id > ?): the
-- (outlet_id, published) index cannot range over ids, so each idle pass scanned them
CREATE INDEX articles_outlet_id ON articles(outlet_id);
"""

# Dates by precision (untold.extract.dates): a day-only date is stored as 00:00 UTC of
# the stated day, a label, so readers must know it is one; where the date came from;
# the page's last modification, kept apart from its publication; a page and a listing
# that disagreed by more than a day. Rows from before: a 00:00:00 UTC publication was
# how a bare day was stored, so it is marked a day (a real midnight time is rare).
_V9_DATE_PRECISION = """
ALTER TABLE articles ADD COLUMN published_precision TEXT;  -- time | day; NULL when no date
ALTER TABLE articles ADD COLUMN published_source TEXT;  -- jsonld|meta|time|htmldate|url|feed|sitemap
ALTER TABLE articles ADD COLUMN modified TEXT;          -- ISO 8601 UTC, as the page states it
ALTER TABLE articles ADD COLUMN modified_precision TEXT;
ALTER TABLE articles ADD COLUMN published_disagreement TEXT;  -- 'page meta 2026-10-01 vs feed ...'
ALTER TABLE frontier ADD COLUMN published_hint_precision TEXT;  -- time | day
UPDATE articles SET published_precision =
    CASE WHEN published LIKE '%T00:00:00Z' THEN 'day' ELSE 'time' END
    WHERE published IS NOT NULL;
UPDATE frontier SET published_hint_precision =
    CASE WHEN published_hint LIKE '%T00:00:00Z' THEN 'day' ELSE 'time' END
    WHERE published_hint IS NOT NULL;
"""

# Which days of an outlet untold observed: one row per listing fetch (a feed, one walk
# of the outlet's sitemaps, a home page), answered or failed, with the span of
# publication time it lists (its oldest item to the listing's own time). A silence
# is read only on days some listing covered (untold.analyze.observed).
_V10_LISTING_OBSERVATIONS = """
CREATE TABLE listing_observations (
    id INTEGER PRIMARY KEY,
    outlet_id TEXT NOT NULL,
    url TEXT NOT NULL,              -- the feed, the first sitemap root, the home page
    kind TEXT NOT NULL,             -- feed | sitemap | home
    fetched_at TEXT NOT NULL,       -- ISO 8601 UTC, when untold fetched it
    listed_at TEXT NOT NULL,        -- the listing's time: fetched_at or the server's earlier Date
    ok INTEGER NOT NULL,            -- 0: failed (refused, reset, timeout, 5xx...): observes nothing
    not_modified INTEGER NOT NULL DEFAULT 0,  -- 304: the listing last read, unchanged
    failure TEXT,                   -- stable failure string when ok = 0
    items INTEGER NOT NULL DEFAULT 0,
    undated INTEGER NOT NULL DEFAULT 0,  -- items without a time (resolved from their articles)
    oldest TEXT,                    -- oldest listed item's time; NULL: none known
    newest TEXT
);
CREATE INDEX listing_observations_outlet ON listing_observations(outlet_id, url, listed_at);
"""

# An outlet's title template (untold.extract.titles): prefixes and suffixes most of its
# titles share (' | The Outlet'), learned from its stored titles and removed from them.
# Kept for good: once the stored titles are stripped they no longer show it.
_V11_TITLE_AFFIXES = """
CREATE TABLE title_affixes (
    outlet_id TEXT NOT NULL,
    position TEXT NOT NULL,         -- prefix | suffix
    affix TEXT NOT NULL,            -- with its separator, as it ends the titles
    titles INTEGER NOT NULL,        -- how many titles it was learned from
    learned_at TEXT NOT NULL,
    PRIMARY KEY (outlet_id, position, affix)
);
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "core archive: outlets, captures, articles, fts, frontier", _V1_CORE),
    (2, "reachability: measurements and verdicts", _V2_MEASUREMENTS),
    (3, "analyses: runs, observations, findings and their evidence", _V3_ANALYSIS),
    (4, "edits: versions, revisit schedule, edit events", _V4_EDITS),
    (5, "stories: failed-capture index, articles per outlet and day", _V5_STORY_INDEXES),
    (6, "full-text index: merge segments less eagerly", _V6_FTS_MERGE),
    (7, "LSH bands in one b-tree (WITHOUT ROWID)", _V7_LSH_CLUSTERED),
    (8, "evidence: external WARC files, stored-bytes digests of captures",
     _V8_WARC_FILES),
    (9, "dates: publication precision and source, modification time", _V9_DATE_PRECISION),
    (10, "observed days: listing fetches and the spans they list", _V10_LISTING_OBSERVATIONS),
    (11, "titles: each outlet's learned title template", _V11_TITLE_AFFIXES),
]


def split_sql(script: str) -> list[str]:
    """Statements of a migration script: comments dropped, split on semicolons.

    Our migrations keep semicolons and ``--`` out of string literals.
    """
    text = "\n".join(ln.split("--", 1)[0] for ln in script.splitlines())
    return [s.strip() for s in text.split(";") if s.strip()]
