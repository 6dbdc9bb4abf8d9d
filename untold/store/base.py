"""The storage interface the collectors, importers and analyses use.

Collectors depend on :class:`Store` only, so a PostgreSQL backend can follow
without touching them. The SQLite backend (``store.sqlite``) is the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from untold.models import ArticleRecord, CaptureRecord, ExtractedArticle, Outlet

__all__ = ["AddOutcome", "FrontierEntry", "NewArticle", "Store"]


@dataclass(frozen=True)
class FrontierEntry:
    """A discovered URL waiting to be (or already) fetched."""

    url: str
    outlet_id: str
    source: str  # feed | sitemap | links | manual
    published_hint: datetime | None = None
    title_hint: str | None = None


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


class Store(Protocol):
    """What every backend provides."""

    backend: str

    def close(self) -> None: ...
    def migrate(self) -> list[int]: ...
    def schema_version(self) -> int: ...
    def sync_outlets(self, outlets: Iterable[Outlet]) -> None: ...
    def ensure_outlet(self, outlet: Outlet) -> None: ...
    def outlets(self) -> list[Outlet]: ...
    def add_capture(self, rec: CaptureRecord) -> int: ...
    def add_to_frontier(self, entries: Iterable[FrontierEntry]) -> int: ...
    def pending(self, outlet_id: str, limit: int) -> list[FrontierEntry]: ...
    def mark_frontier(self, url: str, state: str, capture_id: int | None) -> None: ...
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
    def integrity_check(self) -> list[str]: ...
    def capture(self, capture_id: int) -> dict[str, Any] | None: ...
