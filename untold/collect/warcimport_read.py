"""Stage 1 of ``untold import``: stream the page records of one WARC file.

:func:`iter_records` walks a WARC file (gzip per record, one gzip stream, or
plain; FastWARC's other compressions too) record by record in bounded memory
and yields, in file order, either a :class:`PageRecord` (a response or
resource record that may hold an HTML page, with its raw HTTP payload) or a
skip reason string for any other record. A page's ``offset``/``length`` locate
the record in the file as found there (for a gzip-per-record file: its gzip
member), so the evidence can be read back from the source WARC.

FastWARC reads; where it gives up (an ARC file, a header it finds malformed),
warcio takes over from the record FastWARC could not read. A record that is
truncated or malformed for both ends the walk with a :class:`WarcError`
naming the file, the offset and what was wrong; every record before it has
been yielded already.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from untold.errors import WarcError

__all__ = ["HTML_TYPES", "MAX_PAYLOAD_BYTES", "PageRecord", "iter_records"]

HTML_TYPES = ("text/html", "application/xhtml+xml")  # the media types of web pages
MAX_PAYLOAD_BYTES = 20_000_000  # as FetchSettings.max_body: larger bodies are not articles
SNIFF_BYTES = 1024  # head of an untyped payload searched for an HTML tag
HEAD_MAX = 64 * 1024  # bytes of a plain record read to find where its header ends
HEAD_PEEK = 64  # bytes looked at to tell a WARC (or ARC) record from other data
MEMBER_STEP = 1 << 20  # compressed bytes read per step when measuring a gzip member
MEMBER_MAX = 256 << 20  # a longer gzip member is one stream for the file, not a record

# Reasons for records that are not pages (counted by the importer).
OTHER_RECORD = "other_record"  # request, metadata, warcinfo, revisit, ...
NOT_HTML = "not_html"
HTTP_STATUS = "http_status"  # not a 2xx response: redirects, errors
TOO_LARGE = "too_large"
NO_URL = "no_url"  # no http(s) WARC-Target-URI
NO_DATE = "no_warc_date"  # a capture without a valid time is no evidence


@dataclass(frozen=True)
class PageRecord:
    """A response/resource record that may be a web page, payload still encoded."""

    url: str
    record_id: str | None
    fetched_at: datetime  # WARC-Date
    status: int | None  # HTTP status; None for a resource record
    content_type: str
    headers: dict[str, str]  # HTTP headers, lower-case names ({} for resource records)
    payload: bytes  # as stored: transfer and content codings not yet removed
    payload_digest: str  # WARC-Payload-Digest, else "sha256:<hex>" of the payload
    offset: int | None  # where the record starts in the file (None: not seekable)
    length: int | None


class _ReadFailure(Exception):
    """A reader stopped. ``inside``: the record at ``offset`` is itself cut or bad;
    otherwise the reader could not parse what follows the record at ``offset``
    (-1: not even the first record)."""

    def __init__(self, offset: int, what: str, *, inside: bool = False) -> None:
        super().__init__(what)
        self.offset = offset
        self.what = what
        self.inside = inside


@dataclass
class _Raw:
    """A record as either reader sees it, before its length is known."""

    pos: int
    page: PageRecord | None
    reason: str


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _record_end(path: Path, pos: int, gz: bool) -> int:
    """Offset just past the record (or gzip member) starting at ``pos``; ``pos`` if cut."""
    with open(path, "rb") as f:
        f.seek(pos)
        if gz:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            used = 0
            while not d.eof:
                data = f.read(MEMBER_STEP)
                if not data or used > MEMBER_MAX:
                    return pos
                try:
                    d.decompress(data, 1)  # output is not needed, only the member's end
                    while d.unconsumed_tail and not d.eof:
                        d.decompress(d.unconsumed_tail, 1 << 16)
                except zlib.error:
                    return pos
                used += len(data) - len(d.unused_data)
            return pos + used
        head = f.read(HEAD_MAX)
    end = head.find(b"\r\n\r\n")
    for line in head[:max(end, 0)].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return pos + end + 4 + int(value.strip()) + 4
    return pos


def _head(path: Path, pos: int, gz: bool) -> bytes:
    """The first bytes of the record at ``pos`` (decompressed), b"" if unreadable."""
    with open(path, "rb") as f:
        f.seek(pos)
        data = f.read(HEAD_PEEK if not gz else MEMBER_STEP)
    if not gz or data[:2] != b"\x1f\x8b":
        return data[:HEAD_PEEK]
    try:
        return bytes(zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, HEAD_PEEK))
    except zlib.error:
        return b""


def _looks_html(payload: bytes) -> bool:
    head = payload[:SNIFF_BYTES].lower()
    return b"<html" in head or b"<!doctype html" in head


def _page_reason(url: str | None, status: int | None, ctype: str, size: int) -> str | None:
    """Why a response/resource record is not a page to extract, or None."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return NO_URL
    if status is not None and not 200 <= status < 300:
        return HTTP_STATUS
    if ctype and ctype not in HTML_TYPES:
        return NOT_HTML
    if size > MAX_PAYLOAD_BYTES:
        return TOO_LARGE
    return None


def _digest_of(header: str | None, payload: bytes) -> str:
    return header.strip() if header and header.strip() else (
        "sha256:" + hashlib.sha256(payload).hexdigest())


def _fast_records(path: Path) -> Iterator[_Raw]:
    """FastWARC's view of the file; raises _ReadFailure where it cannot go on."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages = int(WarcRecordType.response) | int(WarcRecordType.resource)
    it = iter(ArchiveIterator(str(path), parse_http=True, fsspec_args=False))
    last: int | None = None
    while True:
        try:
            rec = next(it)
        except StopIteration:
            return
        except (OSError, ValueError) as exc:
            raise _ReadFailure(-1 if last is None else last, str(exc)) from exc
        pos = rec.stream_pos
        last = pos
        if not int(rec.record_type) & pages:
            expected = rec.content_length
            if rec.consume() < expected:
                raise _ReadFailure(pos, f"record is truncated ({expected} bytes announced)",
                                   inside=True)
            yield _Raw(pos, None, OTHER_RECORD)
            continue
        url = rec.headers.get("WARC-Target-URI")
        status: int | None = None
        headers: dict[str, str] = {}
        if rec.record_type == WarcRecordType.response:
            if not rec.is_http:
                yield _Raw(pos, None, NOT_HTML)  # dns:, whois: and other non-HTTP responses
                rec.consume()
                continue
            status = rec.http_headers.status_code
            for k, v in rec.http_headers.items():
                k = k.lower()
                headers[k] = f"{headers[k]}, {v}" if k in headers else v
            ctype = (rec.http_content_type or "").lower()
        else:
            ctype = (rec.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        expected = rec.content_length
        reason = _page_reason(url, status, ctype, expected)
        if reason is not None:
            if rec.consume() < expected:
                raise _ReadFailure(pos, f"record is truncated ({expected} bytes announced)",
                                   inside=True)
            yield _Raw(pos, None, reason)
            continue
        payload = rec.reader.read()
        if len(payload) < expected:
            raise _ReadFailure(pos, f"record is truncated: {expected} payload bytes announced, "
                                    f"{len(payload)} present", inside=True)
        if not ctype and not _looks_html(payload):
            yield _Raw(pos, None, NOT_HTML)
            continue
        try:
            date = rec.record_date
        except (ValueError, OSError):
            date = None
        if date is None:
            yield _Raw(pos, None, NO_DATE)
            continue
        assert url is not None  # checked by _page_reason
        yield _Raw(pos, PageRecord(
            url=url, record_id=rec.record_id, fetched_at=date.astimezone(UTC),
            status=status, content_type=ctype, headers=headers, payload=payload,
            payload_digest=_digest_of(rec.headers.get("WARC-Payload-Digest"), payload),
            offset=pos, length=None), "")


def _parse_warc_date(text: str | None) -> datetime | None:
    try:
        dt = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def _warcio_records(path: Path, start: int) -> Iterator[_Raw]:
    """warcio's view of the file from ``start``; raises _ReadFailure where it cannot go on."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    errors = (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error)
    with open(path, "rb") as f:
        f.seek(start)
        it = ArchiveIterator(f, arc2warc=True)
        nxt = start  # where the next record starts
        while True:
            try:
                rec = next(it)
            except StopIteration:
                return
            except errors as exc:
                raise _ReadFailure(nxt, _first_line(exc), inside=True) from exc
            try:
                raw = _warcio_one(rec, nxt)  # warcio knows the offset only once read
                it.read_to_end()
            except errors as exc:
                raise _ReadFailure(nxt, _first_line(exc), inside=True) from exc
            pos = it.get_record_offset()
            raw.pos = pos
            if raw.page is not None:
                raw.page = replace(raw.page, offset=pos)
            nxt = pos + it.get_record_length()
            yield raw


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def _warcio_one(rec: Any, pos: int) -> _Raw:
    if not rec.rec_type:
        raise ValueError("record has no WARC-Type header")
    if rec.rec_type not in ("response", "resource"):
        return _Raw(pos, None, OTHER_RECORD)
    url = rec.rec_headers.get_header("WARC-Target-URI")
    status: int | None = None
    headers: dict[str, str] = {}
    if rec.rec_type == "response":
        if rec.http_headers is None:
            return _Raw(pos, None, NOT_HTML)
        code = rec.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        for k, v in rec.http_headers.headers:
            k = k.lower()
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        ctype = headers.get("content-type", "")
    else:
        ctype = rec.rec_headers.get_header("Content-Type") or ""
    ctype = ctype.split(";")[0].strip().lower()
    size = int(rec.rec_headers.get_header("Content-Length") or 0)
    reason = _page_reason(url, status, ctype, size)
    if reason is not None:
        return _Raw(pos, None, reason)
    payload = rec.raw_stream.read(MAX_PAYLOAD_BYTES + 1)
    if not ctype and not _looks_html(payload):
        return _Raw(pos, None, NOT_HTML)
    date = _parse_warc_date(rec.rec_headers.get_header("WARC-Date"))
    if date is None:
        return _Raw(pos, None, NO_DATE)
    return _Raw(pos, PageRecord(
        url=url, record_id=rec.rec_headers.get_header("WARC-Record-ID"),
        fetched_at=date,
        status=status, content_type=ctype, headers=headers, payload=payload,
        payload_digest=_digest_of(rec.rec_headers.get_header("WARC-Payload-Digest"), payload),
        offset=pos, length=None), "")


def _raw_records(path: Path, gz: bool) -> Iterator[_Raw]:
    """FastWARC first, warcio from where FastWARC stopped; _ReadFailure where both stop."""
    try:
        yield from _fast_records(path)
        return
    except _ReadFailure as fail:
        bad = fail
    # warcio gets a chance only where FastWARC could not parse what follows a
    # record whose end we can locate (or the very first record): a record FastWARC
    # found cut short is cut short for warcio too.
    if not bad.inside:
        start = 0 if bad.offset < 0 else _record_end(path, bad.offset, gz)
        head = _head(path, start, gz)
        if not (head.startswith(b"WARC/") or (start == 0 and head.startswith(b"filedesc://"))):
            # warcio would read any text as an ARC record; only real ARC files get that
            what = "not a WARC record" if head else "unreadable data"
            bad = _ReadFailure(start, f"{what} (starts with {head[:24]!r}); "
                                      f"reader said: {bad.what}", inside=True)
        elif bad.offset < 0 or start > bad.offset:
            try:
                yield from _warcio_records(path, start)
                return
            except _ReadFailure as fail:
                bad = fail
        else:
            bad = _ReadFailure(bad.offset, f"cannot read past this record ({bad.what})",
                               inside=True)
    if gz and _record_end(path, bad.offset, gz) == bad.offset:
        bad = _ReadFailure(bad.offset, "gzip member cut short or corrupt (a truncated "
                                       f"download?); reader said: {bad.what}", inside=True)
    raise bad


MAX_PENDING = 16  # pages sharing one offset: more means one gzip stream, not members


def iter_records(path: str | Path) -> Iterator[PageRecord | str]:
    """Pages (``PageRecord``) and skip reasons of every other record.

    Raises ``WarcError`` for a file that cannot be opened, or at the first
    truncated or malformed record (after yielding every record before it).
    A page's length is the distance to the next record, so pages are yielded
    once the next record has been seen.
    """
    path = Path(path)
    try:
        gz = _is_gzip(path)
        size = path.stat().st_size
    except OSError as exc:
        raise WarcError(f"cannot open WARC file: {exc.strerror or exc}", source=str(path),
                        hint="check the path") from exc
    pending: list[_Raw] = []  # pages whose end (the next record's start) is not known yet
    seekable = True
    verified = not gz  # gzip offsets are checked once against a real member's end
    records = _raw_records(path, gz)
    while True:
        try:
            raw = next(records)
        except StopIteration:
            break
        except _ReadFailure as bad:
            # the pages read before the bad record are good: pass them on first
            if pending and not verified:
                seekable = _record_end(path, pending[0].pos, gz) == bad.offset
            yield from _finish(pending, bad.offset, seekable)
            raise WarcError(
                f"truncated or malformed WARC record at offset {bad.offset}: {bad.what}; "
                "stopped reading this file (the records before it were read)",
                source=f"{path}@{bad.offset}",
                hint="re-download the file, or ignore this if the crawl was cut off",
            ) from bad
        if pending and raw.pos != pending[0].pos:
            if not verified:
                # one gzip stream for the whole file: FastWARC's positions are then
                # read-buffer positions, not record starts
                seekable = _record_end(path, pending[0].pos, gz) == raw.pos
                verified = True
            yield from _finish(pending, raw.pos, seekable and raw.pos > pending[0].pos)
            pending = []
        if raw.page is None:
            yield raw.reason
            continue
        pending.append(raw)
        if len(pending) > MAX_PENDING:
            seekable = False
            yield from _finish(pending, size, False)
            pending = []
    if pending and not verified:
        seekable = _record_end(path, pending[0].pos, gz) == size
    yield from _finish(pending, size, seekable)


def _finish(pending: list[_Raw], end: int, seekable: bool) -> Iterator[PageRecord]:
    for raw in pending:
        assert raw.page is not None
        if seekable and end > raw.pos:
            yield replace(raw.page, length=end - raw.pos)
        else:
            yield replace(raw.page, offset=None, length=None)
