"""Articles: what extraction derives from a page, what is stored, and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["AddOutcome", "ArticleRecord", "ExtractedArticle", "NewArticle"]


@dataclass(frozen=True)
class ExtractedArticle:
    """What extraction derives from one HTML page (no ids yet)."""

    url: str
    canonical_url: str
    title: str
    text: str
    author: str | None
    published: datetime | None
    language: str  # ISO 639-1, or "und"
    language_confidence: float
    text_hash: str  # hex SHA-256 of the normalised text
    minhash: bytes = b""  # serialised MinHash signature (see text.minhash)
    extra: dict[str, str] = field(default_factory=dict)
    # What the full-text index stores (text.textindex.index_text of title and text),
    # computed where extraction runs (worker cores) so the single writer only writes;
    # empty: the store computes it.
    index_title: str = ""
    index_body: str = ""
    lsh: tuple[tuple[int, bytes], ...] = ()  # text.minhash.lsh_keys(minhash), likewise
    # How ``published`` is known (untold.extract.dates): "time" or "day" (a day-only date
    # is 00:00 UTC of the stated day, a label), and its source: jsonld | meta | time |
    # htmldate | url | feed | sitemap; "" when there is no date.
    published_precision: str = ""
    published_source: str = ""
    modified: datetime | None = None  # the page's last modification, never its publication
    modified_precision: str = ""
    published_disagreement: str = ""  # page and listing more than a day apart: both, said


@dataclass(frozen=True)
class ArticleRecord:
    """An article as stored: extraction plus where and when it came from."""

    id: int
    outlet_id: str
    url: str
    canonical_url: str
    title: str
    text: str
    author: str | None
    language: str
    published: datetime | None
    fetched_at: datetime
    capture_id: int
    sha256: str | None
    text_hash: str


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
    """What storing one ``NewArticle`` did: a new article or a duplicate of one."""

    article_id: int
    outcome: str  # new | duplicate
    near_duplicate_of: int | None = None
