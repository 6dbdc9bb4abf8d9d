"""Captures: what one fetch produced and where its evidence lies in the WARC files.

``FetchResult`` is the fetcher's answer; ``CaptureRecord`` the stored row;
``CaptureLocation``, ``CaptureRange`` and ``WarcFileEntry`` what ``untold check``
reads back to prove fixity. Times are timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

__all__ = ["CaptureLocation", "CaptureRange", "CaptureRecord", "FetchResult", "WarcFileEntry",
           "capture_record"]


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


def capture_record(res: FetchResult, outlet_id: str, kind: str) -> CaptureRecord:
    """The row a fetch is stored as: every fetch (collect, revisit) is recorded alike."""
    return CaptureRecord(
        url=res.url, outlet_id=outlet_id, kind=kind, fetched_at=res.fetched_at,
        status=res.status, failure=res.failure, warc_file=res.warc_file,
        warc_offset=res.warc_offset, warc_length=res.warc_length, sha256=res.sha256,
        record_id=res.record_id, warc_sha256=res.warc_sha256,
        content_type=res.headers.get("content-type", ""), failure_detail=res.failure_detail)


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
