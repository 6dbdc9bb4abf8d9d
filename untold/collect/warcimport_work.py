"""Stage 4 of ``untold import``: what an extraction worker does with a page.

A worker gets the page's payload as stored in the WARC, removes the transfer
and content codings, hashes the decoded payload (the capture's SHA-256, as the
fetcher records it) and runs :func:`untold.extract.extract_page`. Jobs travel
in chunks so one inter-process round trip carries several pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from untold.collect.decoding import decode_body
from untold.errors import InputError
from untold.models import ExtractedArticle

__all__ = [
    "PageJob",
    "PageResult",
    "decode_payload",
    "extract_chunk",
    "extract_one",
    "warm_up",
]

MAX_DECODED_BYTES = 50_000_000  # an HTML page inflating past this is a bomb, not news

# English prose of enough words to reach every lazy part of extraction (the langid
# model, MinHash permutations, trafilatura and htmldate).
WARM_UP_PAGE = (
    b"<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1><p>"
    + b"The city council met on Monday to discuss the budget for the coming year, "
      b"and the members agreed that schools and hospitals should come first. " * 4
    + b"</p></article></body></html>"
)

# Skip reasons decided here (extraction adds its own).
BAD_ENCODING = "bad_encoding"
DECODED_TOO_LARGE = "too_large"


@dataclass(frozen=True)
class PageJob:
    url: str
    headers: Mapping[str, str]  # HTTP headers, lower-case names
    payload: bytes  # as stored in the WARC
    languages: tuple[str, ...]  # the outlet's languages, a hint for detection
    timezone: str = ""  # the outlet's IANA zone: zone-less times on the page are its clock


@dataclass(frozen=True)
class PageResult:
    sha256: str | None  # of the decoded payload; None when it could not be decoded
    article: ExtractedArticle | None
    skipped: str | None  # reason when there is no article
    error: str | None = None  # an extraction failure (a bug or a hostile page)


def _dechunk(data: bytes) -> bytes:
    """Remove chunked transfer coding; data that is not really chunked is returned as is.

    Some crawlers store the de-chunked body and keep the header, so a body that
    does not parse as chunks from the start is taken to be plain.
    """
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            break
        size_text = data[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            break
        if size == 0:
            return b"".join(out)
        start = eol + 2
        out.append(data[start:start + size])
        pos = start + size + 2
    return b"".join(out) if out else data


def decode_payload(headers: Mapping[str, str], payload: bytes) -> bytes:
    """The page's bytes: transfer coding, then content coding removed.

    Raises ``InputError`` for an unsupported or corrupt coding or a body that
    inflates past ``MAX_DECODED_BYTES``.
    """
    if "chunked" in headers.get("transfer-encoding", "").lower():
        payload = _dechunk(payload)
    coding = headers.get("content-encoding", "").strip().lower()
    if coding == "br":
        try:
            import brotli
        except ImportError as exc:
            raise InputError("brotli body, and the brotli module is not installed") from exc
        try:
            out: bytes = brotli.decompress(payload)
        except brotli.error as exc:
            raise InputError(f"corrupt brotli body: {exc}") from exc
        if len(out) > MAX_DECODED_BYTES:
            raise InputError(f"body inflates past {MAX_DECODED_BYTES} bytes")
        return out
    return decode_body(payload, coding, limit=MAX_DECODED_BYTES)


def extract_one(job: PageJob) -> PageResult:
    """Decode, hash and extract one page (in a worker, or inline with one worker)."""
    from untold.extract import extract_page

    try:
        body = decode_payload(job.headers, job.payload)
    except InputError as exc:
        too_big = "inflates past" in exc.message
        return PageResult(None, None, DECODED_TOO_LARGE if too_big else BAD_ENCODING)
    sha = hashlib.sha256(body).hexdigest()
    try:
        res = extract_page(url=job.url, body=body, headers=job.headers,
                           outlet_languages=job.languages, outlet_timezone=job.timezone)
    except Exception as exc:  # reported per page as an error line; the import goes on
        return PageResult(sha, None, None, error=f"{type(exc).__name__}: {exc}")
    if res.article is None:
        return PageResult(sha, None, res.skipped or "no_article")
    return PageResult(sha, res.article, None)


def extract_chunk(jobs: Sequence[PageJob]) -> list[PageResult]:
    """One worker round trip: the results of ``jobs``, in order."""
    return [extract_one(j) for j in jobs]


def warm_up() -> None:
    """Load extraction's lazy models in this process (seconds of CPU, once), so that
    workers forked from it start with them instead of each loading its own."""
    from untold.extract import extract_page

    extract_page(url="https://example.org/untold-warm-up", body=WARM_UP_PAGE,
                 headers={"content-type": "text/html; charset=utf-8"})
