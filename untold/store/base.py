"""The storage interface the collectors, importers and analyses use.

Collectors depend on :class:`Store` only, so a PostgreSQL backend can follow
without touching them. The SQLite backend (``store.sqlite``) is the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from untold.models import ArticleRecord, CaptureRecord, ExtractedArticle, Outlet

if TYPE_CHECKING:  # the compiled query is only passed through: no import cycle
    from untold.query.compiler import CompiledQuery
    from untold.query.nodes import Node
    from untold.store.sqlite_analysis import FindingRecord, ObservationRecord
    from untold.store.sqlite_edits import EditEvent, Version

__all__ = ["AddOutcome", "AnalysisStore", "CaptureLocation", "CaptureRange", "DayCountsStore", "EditsReadStore", "FindingsStore", "FrontierEntry",
           "ListingObservation", "NewArticle", "SearchStore", "Store", "StoryStore", "TitleStore",
           "WarcFileEntry"]


@dataclass(frozen=True)
class FrontierEntry:
    """A discovered URL waiting to be (or already) fetched."""

    url: str
    outlet_id: str
    source: str  # feed | sitemap | links | manual
    published_hint: datetime | None = None
    title_hint: str | None = None
    hint_precision: str = ""  # "time" | "day" (a bare day: 00:00 UTC of it) | "" when none


@dataclass(frozen=True)
class NewArticle:
    """An extracted article ready to store, with where it came from."""

    article: ExtractedArticle
    outlet_id: str
    capture_id: int
    fetched_at: datetime
    sha256: str | None
    published_hint: datetime | None = None  # from the feed/sitemap when the page has none


@dataclass(frozen=True)
class AddOutcome:
    article_id: int
    outcome: str  # new | duplicate
    near_duplicate_of: int | None = None


class CaptureLocation(NamedTuple):
    """Where a capture's evidence lies, with what it is evidence of (``untold check``).

    A tuple, so that chunks of them travel to checking processes cheaply.
    """

    capture_id: int
    outlet_id: str
    url: str
    kind: str
    status: int | None  # HTTP status; None for a fetch that got no response (metadata record)
    warc_file: str  # a plain name under the study's warc dir, or an imported file's path
    offset: int | None
    length: int | None
    sha256: str | None  # of the decoded payload (of the JSON for failure records)
    record_id: str | None  # WARC-Record-ID, when the capture stores it
    article_id: int | None  # the article (or revisited article) it backs, if any
    warc_sha256: str | None = None  # of the record's stored bytes, taken by the collector


# A capture's byte range in its WARC file and the digest of its stored bytes, all a
# fixity check reads: (capture id, offset, length, warc_sha256). A plain tuple, as SQLite
# returns it: 'untold check' reads one per capture. The digest is None for imported
# captures and those collected before untold took it.
CaptureRange = tuple[int, int | None, int | None, str | None]


@dataclass(frozen=True)
class WarcFileEntry:
    """An external WARC file an import read, as it was when registered."""

    path: str  # absolute and resolved: captures.warc_file holds the same string
    size: int
    sha256: str | None  # None until an import has read the whole file
    mtime: datetime
    first_imported: datetime
    last_imported: datetime


@dataclass(frozen=True)
class ListingObservation:
    """One fetch of a listing (a feed, one walk of an outlet's sitemaps, a home page):
    whether it answered, and the span of publication time it lists, from its oldest
    item to the listing's own time. A failed one observes nothing."""

    outlet_id: str
    url: str
    kind: str  # feed | sitemap | home
    fetched_at: datetime
    listed_at: datetime  # the listing's time: fetched_at, or the server's earlier Date
    ok: bool
    failure: str | None = None  # stable failure string when not ok
    not_modified: bool = False  # a 304: the same listing as the last one read
    items: int = 0
    undated: int = 0  # items without a time (home page links): resolved from their articles
    oldest: datetime | None = None
    newest: datetime | None = None


class TitleStore(Protocol):
    """Outlet title templates (``store.sqlite_titles``): what ``extract.titles`` needs."""

    def recent_titles(self, outlet_id: str, limit: int) -> list[str]: ...
    def title_affixes(self, outlet_id: str) -> tuple[list[str], list[str]]: ...
    def add_title_affixes(self, outlet_id: str, prefixes: Sequence[str],
                          suffixes: Sequence[str], titles: int) -> None: ...
    def rewrite_titles(self, outlet_id: str, prefixes: Sequence[str], suffixes: Sequence[str],
                       strip: Callable[[str], str]) -> int: ...


class DayCountsStore(Protocol):
    """Articles per outlet and day (``store.sqlite_daycounts``): the denominators of a
    story's daily attention, read instead of counted (``analyze.daycounts``)."""

    def has_day_counts(self) -> bool: ...
    def refresh_day_counts(self) -> str: ...
    def day_counts_current(self) -> bool: ...
    def day_counts(self, outlet_ids: Sequence[str], first_day: str,
                   last_day: str) -> dict[tuple[str, str], int]: ...


class StoryStore(Protocol):
    """What the story computation reads (``store.sqlite_stories``): one snapshot, the
    story's matches in it, and counts over them and the archive (``analyze.stories``)."""

    def reading(self, failure: str, *, hint: str = ...,
                source: bool = True) -> AbstractContextManager[None]: ...
    def story_snapshot(self, failure: str) -> AbstractContextManager[None]: ...
    def match_span(self, query: CompiledQuery, start: str | None,
                   end: str | None) -> tuple[str | None, str | None]: ...
    def select_story_matches(self, query: CompiledQuery, start: str, end: str,
                             zones: Mapping[str, tzinfo]) -> None: ...
    def story_outlet_matches(self) -> list[tuple[str, int, str, int, str]]: ...
    def story_reprint_links(self) -> list[tuple[int, str, int, str, float]]: ...
    def story_match_counts(self, chars: int) -> dict[tuple[str, str], int]: ...
    def story_samples(self, per_outlet: int) -> list[
        tuple[int, str, str, str, str | None, str, str, int, str | None, str]]: ...
    def output_rows(self, outlet_ids: Sequence[str], bounds: Sequence[tuple[str, str, str]],
                    chars: int, *, grouped: bool
                    ) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]: ...
    def fetch_attempts(self, outlet_ids: Sequence[str], start: str, end: str
                       ) -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]: ...


class FindingsStore(Protocol):
    """What the findings rules read (``store.sqlite_findings``, ``sqlite_languages``,
    ``sqlite_coverage``): a story's articles, fact matches, texts and output counts."""

    def story_articles(self, query: Node, since: datetime | None,
                       until: datetime | None) -> list[tuple[int, str, str, str | None]]: ...
    def matches_among(self, queries: Mapping[str, str | Node],
                      article_ids: Iterable[int]) -> dict[str, set[int]]: ...
    def article_texts(self, ids: Sequence[int]) -> list[tuple[int, str, str, str, str]]: ...
    def latest_article_ids(self, outlet_id: str, limit: int) -> list[int]: ...
    def articles_per_language(self, outlets: Sequence[str], start: str,
                              end: str) -> dict[str, int]: ...
    def matches_per_language(self, query: Node, since: datetime, until: datetime,
                             outlets: Sequence[str]) -> dict[str, int]: ...
    def output_split(self, outlet_ids: Sequence[str], start: str, end: str,
                     cut: str) -> dict[str, tuple[int, int]]: ...
    def evidence_articles(self, ids: Iterable[int]) -> list[
        tuple[int, str, str, str, str | None, str, int, str | None]]: ...


class AnalysisStore(Protocol):
    """Analysis runs with their observations and findings (``store.sqlite_analysis``)."""

    def start_analysis(self, kind: str, *, story_id: str | None, rules_version: str,
                       params: dict[str, Any] | None = None) -> int: ...
    def finish_analysis(self, run_id: int) -> None: ...
    def latest_analysis(self, kind: str, story_id: str | None) -> int | None: ...
    def analysis_run_info(self, run_id: int) -> tuple[str, dict[str, Any]] | None: ...
    def add_observations(self, run_id: int, story_id: str | None,
                         items: Iterable[ObservationRecord]) -> int: ...
    def observations(self, run_id: int, kind: str | None = None) -> list[ObservationRecord]: ...
    def add_findings(self, run_id: int, findings: Sequence[FindingRecord]) -> list[int]: ...
    def findings(self, *, run_ids: Sequence[int] | None = None, story_id: str | None = None,
                 kind: str | None = None) -> list[FindingRecord]: ...


class SearchStore(Protocol):
    """Full-text search over the archive (``store.sqlite_search``, ``query.search``):
    rows are (id, outlet, title, url, published, language)."""

    def search_articles(self, query: CompiledQuery, *, since: datetime | None = None,
                        until: datetime | None = None, outlets: Sequence[str] = (),
                        groups: Sequence[str] = (), limit: int | None = None
                        ) -> list[tuple[int, str, str, str, str | None, str]]: ...
    def count_query(self, query: CompiledQuery, *, since: datetime | None = None,
                    until: datetime | None = None, outlets: Sequence[str] = (),
                    groups: Sequence[str] = ()) -> int: ...


class EditsReadStore(Protocol):
    """What the stealth-edit analysis reads (``store.sqlite_edits_analysis``,
    ``store.sqlite_edits``): a story's edited articles, their versions and events,
    and which facts a text states."""

    def edited_article_ids(self, query: str | Node, since: datetime | None,
                           until: datetime | None) -> list[int]: ...
    def article_head(self, article_id: int) -> tuple[str, str, str, str] | None: ...
    def facts_in_texts(self, outlets: Sequence[Outlet],
                       items: Sequence[tuple[str, str, str, str, str]],
                       queries: Mapping[str, CompiledQuery]) -> list[set[str]]: ...
    def versions(self, article_id: int) -> list[Version]: ...
    def edit_events(self, *, article_ids: Sequence[int] | None = None,
                    kind: str | None = None) -> list[EditEvent]: ...


class Store(TitleStore, DayCountsStore, StoryStore, FindingsStore, AnalysisStore, SearchStore,
            EditsReadStore, Protocol):
    """What every backend provides."""

    backend: str

    def close(self) -> None: ...
    def migrate(self) -> list[int]: ...
    def schema_version(self) -> int: ...
    def sync_outlets(self, outlets: Iterable[Outlet]) -> None: ...
    def ensure_outlet(self, outlet: Outlet) -> None: ...
    def outlets(self) -> list[Outlet]: ...
    def add_capture(self, rec: CaptureRecord, *,
                    frontier: tuple[str, str] | None = None) -> int: ...
    def add_to_frontier(self, entries: Iterable[FrontierEntry]) -> int: ...
    def pending(self, outlet_id: str, limit: int) -> list[FrontierEntry]: ...
    def frontier_entry(self, url: str) -> FrontierEntry | None: ...
    def mark_frontier(self, url: str, state: str, capture_id: int | None) -> None: ...
    def fetched_unstored(self) -> list[tuple[str, str, dict[str, Any]]]: ...
    def frontier_counts(self) -> dict[str, dict[str, int]]: ...
    def source_state(self, url: str) -> tuple[str | None, str | None]: ...
    def set_source_state(self, url: str, outlet_id: str, kind: str, *, etag: str | None,
                         last_modified: str | None, status: int | None,
                         failure: str | None) -> None: ...
    def add_articles(self, items: Sequence[NewArticle]) -> list[AddOutcome]: ...
    def count_articles(self) -> int: ...
    def iter_articles(self, outlet_ids: Sequence[str] | None = None,
                      batch: int = 1000) -> Iterator[ArticleRecord]: ...
    def known_article_urls(self, urls: Iterable[str]) -> set[str]: ...
    def imported(self, digests: Sequence[str]) -> set[str]: ...
    def store_import_batch(
        self, batch: Sequence[tuple[str, CaptureRecord, NewArticle | None, str]]
    ) -> list[AddOutcome | None]: ...
    def start_run(self, kind: str) -> int: ...
    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None: ...
    def outlet_status(self, recent_failures: int = 200) -> list[dict[str, Any]]: ...
    def integrity_check(self, *, thorough: bool = True) -> list[str]: ...
    def capture(self, capture_id: int) -> dict[str, Any] | None: ...
    def capture_files(self) -> list[tuple[str, int, int]]: ...
    def iter_capture_ranges(self, warc_file: str) -> Iterator[list[CaptureRange]]: ...
    def capture_locations(self, ids: Sequence[int]) -> list[CaptureLocation]: ...
    def capture_articles(self, ids: Sequence[int]) -> dict[int, int]: ...
    def warc_files(self) -> list[WarcFileEntry]: ...
    def register_warc_file(self, path: str, size: int,
                           mtime: datetime) -> WarcFileEntry | None: ...
    def set_warc_file_digest(self, path: str, size: int, sha256: str) -> None: ...
    def add_listing_observation(self, obs: ListingObservation) -> int: ...
    def resolve_listing_span(self, observation_id: int, urls: Sequence[str]) -> None: ...
