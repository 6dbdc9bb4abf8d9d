"""Stage 1 of ``untold import``: stream the page records of one WARC file.

:func:`iter_records` walks a WARC file (gzip per record, one gzip stream, or
plain; FastWARC's other compressions too) record by record in bounded memory
and yields, in file order, a :class:`PageRecord` (a response or resource record
that may hold an HTML page, with its raw HTTP payload), a skip reason string for
any other record, or a :class:`Gap`: bytes no record could be read from.

FastWARC parses, and every record it reads is checked against the file's bytes
(:mod:`untold.collect.warcimport_frame`): it must end where its Content-Length
says and, in a .warc.gz, fill exactly one gzip member. A page's
``offset``/``length`` are then exactly its record (its gzip member), so the
evidence can be read back from the source WARC.

Damage costs only what is damaged. A record that fails the check (a corrupt or
cut gzip member, a wrong Content-Length that swallows or falls short of bytes)
is skipped, never passed on with wrong content, and reading goes on at the next
offset where a whole record starts (the next gzip member holding a WARC record,
the next ``WARC/1.`` line of a plain file), FastWARC starting again there; the
skipped bytes are a ``Gap`` with the records lost in them and why. Where
FastWARC cannot parse a record that is whole (a header it finds malformed),
warcio reads that record; an ARC file is read by warcio throughout. One gzip
stream for the whole file and other compressions cannot be resynchronised:
damage there ends the file (the rest is one ``Gap``), and their pages have no
offsets. An empty file, or one where no WARC record starts, raises ``WarcError``.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from untold.collect.warcimport_frame import (
    TRAILER,
    WarcFile,
    frame,
    looks_like_start,
    resync,
    skip_blank,
)
from untold.errors import WarcError

__all__ = ["HTML_TYPES", "MAX_PAYLOAD_BYTES", "Gap", "PageRecord", "iter_records"]

HTML_TYPES = ("text/html", "application/xhtml+xml")  # the media types of web pages
MAX_PAYLOAD_BYTES = 20_000_000  # as FetchSettings.max_body: larger bodies are not articles
SNIFF_BYTES = 1024  # head of an untyped payload searched for an HTML tag
HEAD_PEEK = 64  # bytes looked at to tell a WARC from an ARC or other data
ARC_MAGIC = b"filedesc://"  # the first record of an ARC file, the format before WARC
# FastWARC reads these compressions but records in them cannot be located in the file
STREAM_MAGICS = (b"\x28\xb5\x2f\xfd", b"\x04\x22\x4d\x18")  # zstd, lz4 frames
# in a plain file, a block holding this swallowed the record after it
SWALLOWED = TRAILER + b"WARC/1."
SWALLOWED_WHY = "the record's block holds the start of another record: its Content-Length " \
    "is too long"
SCAN_OTHER_MAX = 1 << 20  # other records up to this size are searched for that too

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
    offset: int | None  # where the record starts in the file (None: not locatable)
    length: int | None


@dataclass(frozen=True)
class Gap:
    """Bytes of a WARC file no record could be read from: skipped, and said so."""

    offset: int
    length: int
    records: int  # record starts inside: records lost (0: junk between records)
    why: str


class _ReadFailure(Exception):
    """A reader stopped: what follows the records it gave cannot be parsed by it."""

    def __init__(self, what: str, offset: int = -1) -> None:
        super().__init__(what)
        self.what = what
        self.offset = offset


@dataclass
class _Raw:
    """A record as a reader sees it, before it is checked against the file's bytes."""

    pos: int
    page: PageRecord | None
    reason: str
    head_len: int = 0  # the WARC header's length as FastWARC parsed it (0: unknown)
    block_len: int = -1  # the WARC Content-Length (-1: unknown)
    damage: str = ""  # why the reader itself finds the record unsound


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


# -- FastWARC ---------------------------------------------------------------------------
def _fast_records(src: str | BinaryIO, *, plain: bool) -> Iterator[_Raw]:
    """FastWARC's view of the file from ``src`` (a path, or a file at a record's start);
    raises _ReadFailure where it cannot go on. ``plain``: look in page payloads for
    a record they swallowed (a gzip member's size tells that for a .warc.gz)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    response = int(WarcRecordType.response)
    pages = response | int(WarcRecordType.resource)
    it = iter(ArchiveIterator(src, parse_http=True, fsspec_args=False))
    while True:
        try:
            rec = next(it)
            raw = _fast_one(rec, pages, response, plain)
        except StopIteration:
            return
        except (OSError, ValueError, EOFError) as exc:
            raise _ReadFailure(str(exc)) from exc
        yield raw


def _fast_one(rec: Any, pages: int, response: int, plain: bool) -> _Raw:
    h = rec.headers
    raw = _Raw(rec.stream_pos, None, OTHER_RECORD)
    # header length as written: 'WARC/1.x', 'Name: value' lines, each with CRLF, a blank line
    head_len = len(h.status_line_bytes or b"") + 4
    for k, v in h.items_bytes():
        head_len += len(k) + len(v) + 4
        if len(k) == 14 and k.lower() == b"content-length":
            v = v.strip()
            raw.block_len = int(v) if v.isdigit() else -1
    raw.head_len = head_len
    expected = rec.content_length  # what is left of the block (after HTTP headers)
    rtype = int(rec.record_type)
    if not rtype & pages:
        _skip_block(rec, raw, expected, plain)
        return raw
    url = h.get("WARC-Target-URI")
    status: int | None = None
    headers: dict[str, str] = {}
    if rtype == response:
        if not rec.is_http:
            _skip_block(rec, raw, expected, plain)
            raw.reason = NOT_HTML  # dns:, whois: and other non-HTTP responses
            return raw
        status = rec.http_headers.status_code
        for k, v in rec.http_headers.items():
            k = k.lower()
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        ctype = (rec.http_content_type or "").lower()
    else:
        ctype = (h.get("Content-Type") or "").split(";")[0].strip().lower()
    reason = _page_reason(url, status, ctype, expected)
    if reason is not None:
        _skip_block(rec, raw, expected, plain)
        raw.reason = reason
        return raw
    if _garbled(url):  # junk written into the header: its framing may still hold
        _skip_block(rec, raw, expected, plain)
        raw.damage = "the record's WARC-Target-URI holds control or undecodable characters"
        return raw
    payload = rec.reader.read()
    if len(payload) < expected:
        raw.damage = (f"the record is truncated: {expected} payload bytes announced, "
                      f"{len(payload)} present")
    elif plain and _may_hold_more(headers, len(payload)) and SWALLOWED in payload:
        raw.damage = SWALLOWED_WHY
    if not ctype and not _looks_html(payload):
        raw.reason = NOT_HTML
        return raw
    try:
        date = rec.record_date
    except (ValueError, OSError):
        date = None
    if date is None:
        raw.reason = NO_DATE
        return raw
    assert url is not None  # checked by _page_reason
    raw.page = PageRecord(
        url=url, record_id=rec.record_id, fetched_at=date.astimezone(UTC),
        status=status, content_type=ctype, headers=headers, payload=payload,
        payload_digest=_digest_of(h.get("WARC-Payload-Digest"), payload),
        offset=raw.pos, length=None)
    raw.reason = ""
    return raw


def _garbled(text: str | None) -> bool:
    """Whether a header value holds what no crawler writes: control characters, or
    bytes that were no UTF-8 (FastWARC decodes them as U+FFFD)."""
    return text is not None and (not text.isprintable() or "\ufffd" in text)


def _skip_block(rec: Any, raw: _Raw, expected: int, plain: bool) -> None:
    """Read past a record that is no page; in a plain file a small one (requests,
    metadata: most of them) is searched for a record it swallowed."""
    if plain and expected <= SCAN_OTHER_MAX:
        block = rec.reader.read()
        got = len(block)
        if SWALLOWED in block:
            raw.damage = SWALLOWED_WHY
    else:
        got = rec.consume()
    if got < expected:
        raw.damage = f"the record is truncated: {expected} bytes announced, {got} present"


def _may_hold_more(headers: dict[str, str], size: int) -> bool:
    """Whether a payload of ``size`` bytes may have swallowed the records after it.

    Not when the HTTP Content-Length covers it: a Content-Length too long by whole
    records leaves the WARC framing intact, but not that of the HTTP message inside.
    Searching only the other payloads keeps plain files fast (the search costs about
    as much as FastWARC's whole read).
    """
    length = headers.get("content-length", "")
    return not (length.isdigit() and size <= int(length)
                and "chunked" not in headers.get("transfer-encoding", "").lower())


# -- warcio -----------------------------------------------------------------------------
def _parse_warc_date(text: str | None) -> datetime | None:
    try:
        dt = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


_WARCIO_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, EOFError, zlib.error)


def _warcio_errors() -> tuple[type[BaseException], ...]:
    from warcio.exceptions import ArchiveLoadFailed

    return (ArchiveLoadFailed, *_WARCIO_ERRORS)


def _warcio_records(path: Path) -> Iterator[tuple[_Raw, int]]:
    """warcio's view of a whole (ARC) file: (record, its end); _ReadFailure where it stops."""
    from warcio.archiveiterator import ArchiveIterator

    errors = _warcio_errors()
    with open(path, "rb") as f:
        it = ArchiveIterator(f, arc2warc=True)
        nxt = 0  # where the next record starts
        while True:
            try:
                rec = next(it)
            except StopIteration:
                return
            except errors as exc:
                raise _ReadFailure(_first_line(exc), nxt) from exc
            try:
                raw = _warcio_one(rec, nxt)  # warcio knows the offset only once read
                it.read_to_end()
            except errors as exc:
                raise _ReadFailure(_first_line(exc), nxt) from exc
            pos = it.get_record_offset()
            raw.pos = pos
            if raw.page is not None:
                raw.page = replace(raw.page, offset=pos)
            nxt = pos + it.get_record_length()
            yield raw, nxt


def _warcio_at(path: Path, pos: int) -> _Raw | str:
    """The one (whole) record at ``pos`` as warcio reads it, or why it cannot."""
    from warcio.archiveiterator import ArchiveIterator

    errors = _warcio_errors()
    with open(path, "rb") as f:
        f.seek(pos)
        it = ArchiveIterator(f)
        try:
            raw = _warcio_one(next(it), pos)
            it.read_to_end()
        except StopIteration:
            return "no record could be parsed here"
        except errors as exc:
            return _first_line(exc)
    return raw


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


# -- the walk ---------------------------------------------------------------------------
Item = PageRecord | str | Gap


def _done(raw: _Raw, end: int | None) -> PageRecord | str:
    """A checked record as the importer gets it (``end`` None: it cannot be located)."""
    if raw.page is None:
        return raw.reason
    if end is None or end <= raw.pos:
        return replace(raw.page, offset=None, length=None)
    return replace(raw.page, offset=raw.pos, length=end - raw.pos)


# What the walk does at an offset: read on from a record start, read the whole
# record there that FastWARC could not parse, or skip a damaged record.
_FRESH, _CHOKED, _BAD = "fresh", "choked", "bad"
_MULTI = "multi"  # the gzip member holds more records: one stream, nothing locatable


class _Walk:
    """One file's records, checked and resynchronised (see the module docstring)."""

    def __init__(self, path: Path, f: WarcFile) -> None:
        self.path = path
        self.f = f
        self.records = 0  # records passed on

    def run(self) -> Iterator[Item]:
        f = self.f
        start, state, why = skip_blank(f, 0), _FRESH, ""
        end: int | None = None
        while start < f.size:
            if state != _BAD:
                fr = frame(f, start)
                if fr.multi:
                    yield from self._stream(start)
                    return
                end = fr.end
                if end is None:
                    state, why = _BAD, fr.why
            if state == _BAD:
                q, lost = resync(f, start + 1)
                here = looks_like_start(f, start)
                if start == 0 and q >= f.size:  # nothing readable in the whole file
                    raise _not_warc(self.path, f, why if here else "")
                lost += here
                yield Gap(start, q - start, lost, why)
                start, state = skip_blank(f, q), _FRESH
                continue
            assert end is not None
            if state == _CHOKED:  # whole, but FastWARC cannot parse it: warcio reads it
                raw = _warcio_at(self.path, start)
                if isinstance(raw, str):
                    yield Gap(start, end - start, 1, "the record cannot be parsed "
                              f"(FastWARC: {why or 'no record'}; warcio: {raw})")
                else:
                    self.records += 1
                    yield _done(raw, end)
                start, state = skip_blank(f, end), _FRESH
                continue
            start, state, why = yield from self._segment(start)

    def _segment(self, start: int) -> Generator[Item, None, tuple[int, str, str]]:
        """FastWARC from ``start`` while its records check out; where to go on, and how."""
        f = self.f
        fh = None if start == 0 else open(self.path, "rb")  # noqa: SIM115 - closed below
        try:
            if fh is not None:
                fh.seek(start)
            records = _fast_records(str(self.path) if fh is None else fh, plain=not f.gz)
            prev: _Raw | None = None
            while True:
                failed = ""
                raw: _Raw | None
                try:
                    raw = next(records)
                    nxt: int | None = raw.pos
                except StopIteration:
                    raw, nxt = None, f.size
                except _ReadFailure as exc:
                    raw, nxt, failed = None, None, exc.what
                if prev is None:
                    if raw is None or raw.pos != start:
                        return start, _CHOKED, failed  # it read something else than is here
                    prev = raw
                    continue
                end, why = self._end(prev, nxt)
                if why == _MULTI:
                    self.records += 1
                    yield _done(prev, None)
                    if raw is not None:
                        yield from self._stream_rest(records, raw, prev.pos)
                    elif failed:
                        yield _stream_gap(self.f, prev.pos, failed)
                    return f.size, _FRESH, ""
                if end is None:
                    return prev.pos, _BAD, why
                self.records += 1
                yield _done(prev, end)
                if raw is None or (nxt != end and nxt != skip_blank(f, end)):
                    return skip_blank(f, end), _FRESH, ""  # FastWARC stopped or jumped
                prev = raw
        finally:
            if fh is not None:
                fh.close()

    def _end(self, raw: _Raw, nxt: int | None) -> tuple[int | None, str]:
        """Where the record ``raw`` ends, checked (``nxt``: where FastWARC read the next
        one, None if it could not); (None, why) for a damaged record."""
        f = self.f
        if raw.damage:
            return None, raw.damage
        if nxt is not None and nxt > raw.pos and raw.head_len and raw.block_len >= 0:
            size = raw.head_len + raw.block_len + len(TRAILER)
            if f.gz:  # one member: its last 4 bytes are its inflated size (mod 2**32)
                if int.from_bytes(f.read(4, nxt - 4), "little") == size & 0xFFFFFFFF:
                    return nxt, ""
            else:
                end = raw.pos + size
                if (nxt == end or (nxt > end and skip_blank(f, end) == nxt)) \
                        and f.read(len(TRAILER), end - len(TRAILER)) == TRAILER:
                    return end, ""
        fr = frame(f, raw.pos)  # the byte-exact check, where the quick one did not agree
        if fr.multi:
            return None, _MULTI
        return fr.end, fr.why

    def _stream(self, start: int) -> Iterator[Item]:
        """Records that cannot be located (one gzip stream, zstd, lz4): read, not checked."""
        fh = None if start == 0 else open(self.path, "rb")  # noqa: SIM115 - closed below
        try:
            if fh is not None:
                fh.seek(start)
            yield from self._stream_rest(
                _fast_records(str(self.path) if fh is None else fh, plain=False), None, start)
        finally:
            if fh is not None:
                fh.close()

    def _stream_rest(self, records: Iterator[_Raw], first: _Raw | None,
                     last: int) -> Iterator[Item]:
        try:
            if first is not None:
                self.records += 1
                yield _done(first, None)
            for raw in records:
                last = max(last, raw.pos)
                self.records += 1
                yield _done(raw, None)
        except _ReadFailure as exc:
            if not self.records:
                raise _not_warc(self.path, self.f, exc.what) from exc
            yield _stream_gap(self.f, last, exc.what)


def _stream_gap(f: WarcFile, last: int, what: str) -> Gap:
    return Gap(last, f.size - last, 0,
               f"{what}; nothing past damage in one compressed stream can be read")


def _not_warc(path: Path, f: WarcFile, why: str) -> WarcError:
    head = f.read(HEAD_PEEK, 0)
    what = (f"no readable WARC record in it ({why})" if why
            else f"not a WARC file: no WARC record starts in it (it begins {head[:24]!r})")
    return WarcError(what, source=str(path),
                     hint="give WARC files (.warc, .warc.gz); re-download a damaged one")


def _arc(path: Path, f: WarcFile) -> Iterator[Item]:
    nxt = 0
    try:
        for raw, end in _warcio_records(path):
            nxt = end
            yield _done(raw, end)
    except _ReadFailure as exc:
        at = max(exc.offset, nxt)
        yield Gap(at, f.size - at, 1, f"{exc.what}; an ARC file is not read past damage")


def iter_records(path: str | Path) -> Iterator[PageRecord | str | Gap]:
    """Pages (``PageRecord``), skip reasons of every other record, and ``Gap``s.

    Raises ``WarcError`` for a file that cannot be opened or read, an empty one,
    and one in which no WARC record starts. A record is passed on once the next
    one has been read (its end is checked against where that one starts).
    """
    path = Path(path)
    try:
        f = WarcFile(path)
    except OSError as exc:
        raise WarcError(f"cannot open WARC file: {exc.strerror or exc}", source=str(path),
                        hint="check the path") from exc
    try:
        with f:
            if f.size == 0:
                raise WarcError("empty file: no WARC records in it", source=str(path),
                                hint="re-download it, or leave it out")
            head = f.read(HEAD_PEEK, 0)
            walk = _Walk(path, f)
            if f.gz:
                yield from walk.run()
            elif head.startswith(ARC_MAGIC):
                yield from _arc(path, f)
            elif head[:4] in STREAM_MAGICS:
                yield from walk._stream(0)
            else:
                yield from walk.run()
    except OSError as exc:
        raise WarcError(f"cannot read WARC file: {exc.strerror or exc}", source=str(path),
                        hint="check the file and the disk") from exc
