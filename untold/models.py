"""Plain records that cross module boundaries (collect -> extract -> store).

They are frozen dataclasses with no behaviour, so any stage can build them
and any backend can store them. Times are timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["ArticleRecord", "CaptureRecord", "ExtractedArticle", "FetchResult", "Outlet",
           "Verdict"]


@dataclass(frozen=True)
class Outlet:
    """A news outlet a study watches (or one made up from a domain: curated=False)."""

    id: str
    name: str
    domains: tuple[str, ...]
    country: str = ""  # ISO 3166-1 alpha-2, upper case; "" when unknown
    languages: tuple[str, ...] = ()  # ISO 639-1: ru, kk, ky, en, ...
    groups: tuple[str, ...] = ()  # free-form: state, independent, domestic, foreign
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    homepage: str | None = None  # defaults to https://<first domain>/
    curated: bool = True
    # IANA zone its zone-less times are read in; "": its country's (timeutil.outlet_timezone)
    timezone: str = ""

    @property
    def home_url(self) -> str:
        return self.homepage or f"https://{self.domains[0]}/"


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch produced, success or failure, after WARC capture.

    ``failure`` is None on success (any HTTP status counts as success of the
    fetch itself); otherwise a stable OONI-style failure string and ``body``
    is empty. ``warc_*``, ``sha256`` and ``record_id`` locate the capture in the
    archive (``warc_sha256``: the digest of its main record's bytes as written).
    """

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int | None
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    failure: str | None = None
    failure_detail: str = ""
    redirects: tuple[str, ...] = ()
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    sha256: str | None = None  # hex SHA-256 of the response payload
    warc_sha256: str | None = None  # hex SHA-256 of the main record's bytes as stored
    record_id: str | None = None  # WARC-Record-ID of the main record
    elapsed_s: float = 0.0
    not_modified: bool = False  # a 304 to a conditional request

    @property
    def ok(self) -> bool:
        return self.failure is None and self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class CaptureRecord:
    """A row of the captures table: one fetch (or imported WARC record)."""

    url: str
    outlet_id: str
    kind: str  # feed | sitemap | article | home | robots | import | revisit
    fetched_at: datetime
    status: int | None
    failure: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None
    sha256: str | None
    content_type: str = ""
    failure_detail: str = ""
    record_id: str | None = None  # WARC-Record-ID: import resume, ``untold check``
    # hex SHA-256 of the main record's stored bytes (its gzip member) as the collector
    # wrote them: ``untold check`` proves fixity by hashing them again, no inflating
    warc_sha256: str | None = None


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
    # What the full-text index stores (store.textindex.index_text of title and text),
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
class Verdict:
    """untold's blocking verdict on one measurement (made by ``probe.rules``).

    ``blocking`` and ``accessible`` use OONI's vocabulary ("dns", "tcp_ip",
    "http-failure", "http-diff", False, None); ``cls`` is untold's finer class
    (``dns_nxdomain``, ``sni_filtering_drop``, ...). ``no_control`` says the
    measurement had no control (or a failed one) to compare against.
    """

    rule: str
    rules_version: str
    blocking: str | bool | None
    accessible: bool | None
    cls: str
    no_control: bool
    detail: dict[str, Any] = field(default_factory=dict)
