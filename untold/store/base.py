"""The storage interface the collectors, importers and analyses use.

Collectors depend on :class:`Store` only, so a PostgreSQL backend can follow
without touching them. The SQLite backend (``store.sqlite``) is the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from untold.models import ArticleRecord, CaptureRecord, ExtractedArticle, Outlet

__all__ = ["AddOutcome", "CaptureLocation", "CaptureRange", "FrontierEntry",
           "ListingObservation", "NewArticle", "Store", "TitleStore", "WarcFileEntry"]


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


class Store(TitleStore, Protocol):
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
