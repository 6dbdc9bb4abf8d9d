"""Check one capture against its WARC record: is it there, and is it what was captured?

This is the record check of ``untold check`` (see :mod:`untold.collect.evidence`
for the whole check): every capture in ``--deep`` mode, headers only in
``--quick`` mode, and in full mode the captures whose stored bytes could not be
proved by their digest (none taken, or it differs: then this check says what
is wrong). What a record must show:

- there is a WARC record at the capture's offset, whole within the file, with
  the capture's WARC-Record-ID (when the capture stores one), of the type the
  capture points at (a response when it has an HTTP status, else the metadata
  record of a failed fetch or an imported resource record);
- unless quick: its payload, decoded as it was when hashed (content coding removed;
  for imported records chunked transfer coding too; a failure's metadata record
  is its JSON block), has the capture's SHA-256. A truncated record
  (WARC-Truncated), one without a capture digest, or one whose body cannot be
  decoded is checked against its WARC-Payload-Digest, else its WARC-Block-Digest
  (sha1 or sha256, base32 or hex), so flipped bytes are caught there too. Gzip's
  CRC-32 of each member is checked on the way.

Records are read in steps (``STEP`` bytes of file, at most ``STEP`` decoded bytes
at a time), so a record of any size is checked in bounded memory; only an
imported body with a coding that must be removed whole (chunked, brotli) is
buffered, up to ``MAX_BUFFERED``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import IO, Any

from untold.collect.decoding import READ_MAX_DECODED, BodyDecoder, inflate_steps
from untold.collect.warcimport_read import MAX_PAYLOAD_BYTES
from untold.collect.warcimport_work import MAX_DECODED_BYTES, decode_payload
from untold.errors import InputError
from untold.models import CaptureLocation

__all__ = ["ALTERED", "MISSING_FILE", "MISSING_RECORD", "Problem", "check_record"]

# Problem kinds: stable strings, in the output and the report's dict.
MISSING_FILE = "missing_file"  # the capture's WARC file is not there
MISSING_RECORD = "missing_record"  # nothing, or another record, at the capture's offset
ALTERED = "altered"  # the record is there but its bytes are not what was captured

STEP = 1 << 20  # file bytes read, and decoded bytes produced, per step
WHOLE_MAX = 16 << 20  # a record inflating to at most this is inflated in one call
HEAD_MAX = 64 * 1024  # a WARC or HTTP header longer than this is not a header
QUICK_HEAD = 4096  # decoded bytes a quick check inflates first: WARC headers are ~1 kB
MAX_BUFFERED = 2 * MAX_PAYLOAD_BYTES  # imported bodies larger than this were never imported
GZIP_MAGIC = b"\x1f\x8b"
MAIN_TYPES = ("response", "resource", "metadata")  # records a capture can point at


class Problem(Exception):
    """A capture whose evidence is lost or altered: ``kind`` and what was found."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# -- reading a record's bytes ------------------------------------------------------
def _file_pieces(f: IO[bytes], first: bytes, remaining: int) -> Iterator[bytes]:
    """``first`` then the rest of the record's ``remaining`` bytes, a step at a time."""
    yield first
    while remaining > 0:
        data = f.read(min(remaining, STEP))
        if not data:
            raise Problem(MISSING_RECORD, "the file ends inside the record")
        remaining -= len(data)
        yield data


def _gunzip(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Decompressed bytes of consecutive gzip members (a record may span several)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    fed = False  # whether the current member has begun
    try:
        for data in raw:
            while data:
                fed = True
                yield from inflate_steps(d, data, STEP)
                if not d.eof:
                    break
                data = d.unused_data
                if not data.startswith(GZIP_MAGIC[:len(data)]):
                    return  # what follows the member is not a gzip member: not ours
                d, fed = zlib.decompressobj(16 + zlib.MAX_WBITS), False
    except zlib.error as exc:
        raise Problem(ALTERED, _zlib_what(exc)) from exc
    if fed and not d.eof:  # the capture's length ends inside a gzip member
        raise Problem(MISSING_RECORD, "the gzip member at this offset does not end where "
                                      "the capture's record does (another record is there)")


def _zlib_what(exc: zlib.error) -> str:
    text = str(exc)
    if "incorrect data check" in text:
        return "gzip CRC-32 mismatch: the record's bytes were altered"
    return f"the record's gzip data is corrupt ({text.split(': ', 1)[-1]})"


class _Bytes:
    """Pull decoded record bytes: exact amounts for headers, the rest in pieces."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.buf = b""

    def until(self, lf_too: bool, limit: int) -> tuple[bytes, int] | None:
        """(bytes before the first blank line, its separator's length); None if none
        within ``limit`` bytes. ``lf_too``: a bare LF blank line ends a header too."""
        while True:
            i = self.buf.find(b"\r\n\r\n", 0, limit + 4)
            j = self.buf.find(b"\n\n", 0, i if i >= 0 else limit + 2) if lf_too else -1
            if j >= 0:
                head, self.buf = self.buf[:j], self.buf[j + 2:]
                return head, 2
            if i >= 0:
                head, self.buf = self.buf[:i], self.buf[i + 4:]
                return head, 4
            if len(self.buf) > limit:
                return None
            more = next(self.pieces, None)
            if more is None:
                return None
            self.buf += more

    def take(self, n: int) -> Iterator[bytes]:
        """The next ``n`` bytes in pieces; Problem if there are fewer."""
        while n > 0:
            if not self.buf:
                more = next(self.pieces, None)
                if more is None:
                    raise Problem(ALTERED, "the record's block is shorter than its "
                                           "Content-Length")
                self.buf = more
            piece, self.buf = self.buf[:n], self.buf[n:]
            n -= len(piece)
            yield piece

    def drain(self) -> None:
        """Read to the end of the record's data (gzip checks its CRC-32 there)."""
        self.buf = b""
        for _ in self.pieces:
            pass


# the WARC header fields a check reads (the first line is "WARC/1.x", so "\n" leads)
_FIELDS = re.compile(rb"\n(warc-type|warc-record-id|content-length|content-type|warc-truncated"
                     rb"|warc-payload-digest|warc-block-digest)[ \t]*:[ \t]*([^\r\n]*)",
                     re.IGNORECASE)
# the codings an HTTP header names (its first line is the status line, so "\n" leads)
_CODING = re.compile(rb"\n(content-encoding|transfer-encoding)[ \t]*:[ \t]*([^\r\n]*)",
                     re.IGNORECASE)


def _parse_fields(head: bytes) -> dict[str, str]:
    """The WARC header fields the check reads, with lower-case names."""
    return {k.lower().decode("latin-1"): v.strip().decode("latin-1")
            for k, v in _FIELDS.findall(head)}


def _codings(head: bytes) -> dict[str, str]:
    """The HTTP header's transfer and content codings (repeats joined by ", ")."""
    out: dict[str, str] = {}
    for k, v in _CODING.findall(head):
        name, value = k.lower().decode("latin-1"), v.strip().decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


# -- digests -------------------------------------------------------------------------
def _digest_spec(spec: str | None) -> tuple[Any, bytes] | None:
    """A WARC digest header ("sha1:BASE32", "sha256:hex", ...) as (hasher, expected bytes)."""
    if not spec or ":" not in spec:
        return None
    alg, _, value = spec.strip().partition(":")
    try:
        h = hashlib.new(alg.strip().lower().replace("-", ""))
    except ValueError:
        return None
    value = value.strip()
    try:
        if len(value) == 2 * h.digest_size:
            return h, bytes.fromhex(value)
        raw = base64.b32decode(value.upper() + "=" * (-len(value) % 8))
    except (ValueError, binascii.Error):
        return None
    return (h, raw) if len(raw) == h.digest_size else None


def _short(hexdigest: str) -> str:
    return hexdigest[:16] + "…"


# -- one record ------------------------------------------------------------------------
def check_record(f: IO[bytes], size: int, loc: CaptureLocation, *, quick: bool,
                 imported: bool) -> bool:
    """Check one capture's record (see the module docstring).

    Returns whether its payload was verified against a digest (False: found,
    but nothing to compare it with, or a quick check). Raises ``Problem``.
    """
    offset, length = loc.offset, loc.length
    if offset is None or length is None:
        raise Problem(MISSING_RECORD, "the capture has no record offset and length")
    if offset < 0 or length <= 0 or offset + length > size:
        raise Problem(MISSING_RECORD, f"the file ({size} bytes) ends before the record "
                                      f"(offset {offset}, {length} bytes)")
    f.seek(offset)
    first = f.read(min(length, STEP))
    gz = first.startswith(GZIP_MAGIC)
    if not gz and not first.startswith(b"WARC/"):
        raise Problem(MISSING_RECORD, "no WARC record starts at this offset")
    if quick:
        _check_head(_quick_head(first, gz), loc)
        return False
    whole = _inflate_whole(first) if gz and len(first) == length else None
    if whole is not None:  # the common case: one member, inflated in one call
        data = _Bytes(iter((whole,)))
        gz = False  # nothing left to drain: the member's CRC-32 was checked
    else:
        raw = _file_pieces(f, first, length - len(first))
        data = _Bytes(_gunzip(raw) if gz else raw)
    found = data.until(False, HEAD_MAX)
    if found is None or not found[0].startswith(b"WARC/"):
        raise Problem(MISSING_RECORD if not gz else ALTERED,
                      "no WARC header at this offset")
    fields = _check_head(found[0], loc)
    try:
        block_len = int(fields.get("content-length", ""))
    except ValueError:
        raise Problem(ALTERED, "the record has no valid Content-Length") from None
    verified = _check_block(data, block_len, fields, loc, imported)
    if gz:
        data.drain()
    return verified


def _inflate_whole(member: bytes) -> bytes | None:
    """A record's one gzip member inflated at once; None to take the streaming path
    (it inflates past ``WHOLE_MAX``, or more members follow in the record)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(member, WHOLE_MAX)
    except zlib.error as exc:
        raise Problem(ALTERED, _zlib_what(exc)) from exc
    if not d.eof:
        if d.unconsumed_tail:
            return None  # larger than WHOLE_MAX: stream it
        raise Problem(MISSING_RECORD, "the gzip member at this offset does not end where "
                                      "the capture's record does (another record is there)")
    if d.unused_data.startswith(GZIP_MAGIC):
        return None  # a record in several members
    return out


def _quick_head(first: bytes, gz: bool) -> bytes:
    """The record's WARC header, inflating no more than needed."""
    if not gz:
        end = first.find(b"\r\n\r\n", 0, HEAD_MAX)
        return first[:end] if end >= 0 else b""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    want = QUICK_HEAD
    try:
        out = d.decompress(first, want)
        while (end := out.find(b"\r\n\r\n")) < 0 and len(out) < HEAD_MAX and (
                d.unconsumed_tail and not d.eof):
            want = min(2 * want, HEAD_MAX)
            out += d.decompress(d.unconsumed_tail, want - len(out))
    except zlib.error as exc:
        raise Problem(ALTERED, _zlib_what(exc)) from exc
    return out[:end] if end >= 0 else b""


def _check_head(head: bytes, loc: CaptureLocation) -> dict[str, str]:
    """The WARC header's fields, once it is known to be the capture's record."""
    if not head.startswith(b"WARC/"):
        raise Problem(MISSING_RECORD, "no WARC header at this offset")
    fields = _parse_fields(head)
    rtype = fields.get("warc-type", "")
    rid = fields.get("warc-record-id", "")
    if loc.record_id and rid != loc.record_id:
        raise Problem(MISSING_RECORD, f"another record is at this offset ({rtype or 'no type'}"
                                      f" {rid or 'without id'}, not {loc.record_id})")
    # a capture with an HTTP status points at a response, one without at the metadata
    # record of a failed fetch (or, imported, a resource record); a redirect's capture
    # may name the first URL of the chain, so the target URI proves nothing
    expected = ("response",) if loc.status is not None else MAIN_TYPES[1:]
    if rtype not in expected:
        raise Problem(MISSING_RECORD, f"a {rtype or 'typeless'} record is at this offset, "
                                      f"not the capture's {' or '.join(expected)} record")
    return fields


def _check_block(data: _Bytes, block_len: int, fields: dict[str, str],
                 loc: CaptureLocation, imported: bool) -> bool:
    """Verify the block's payload against the capture's SHA-256 or the WARC digests."""
    is_http = fields.get("warc-type") == "response" and \
        fields.get("content-type", "").lower().startswith("application/http")
    http_head = b""
    headers: dict[str, str] = {}
    if is_http:
        found = data.until(True, min(HEAD_MAX, block_len))
        if found is None or len(found[0]) + found[1] > block_len:
            raise Problem(ALTERED, "the response's HTTP header is cut or malformed")
        http_head = found[0] + (b"\r\n\r\n" if found[1] == 4 else b"\n\n")
        headers = _codings(found[0])
    body = data.take(block_len - len(http_head))
    truncated = bool(fields.get("warc-truncated"))
    want = None if truncated else loc.sha256
    if want is None:
        return _check_warc_digest(fields, http_head, body)
    if not is_http:  # metadata and resource records: the payload is the block
        sha = hashlib.sha256()
        for piece in body:
            sha.update(piece)
        return _compare(sha.hexdigest(), want)
    te = headers.get("transfer-encoding", "").lower()
    coding = headers.get("content-encoding", "").strip().lower()
    if imported and ("chunked" in te or coding not in ("", "identity", "gzip", "x-gzip",
                                                       "deflate")):
        return _check_buffered(fields, http_head, headers, body, want)
    return _check_streamed(coding, body, want,
                           MAX_DECODED_BYTES if imported else READ_MAX_DECODED)


def _compare(found: str, want: str) -> bool:
    if found != want:
        raise Problem(ALTERED, f"payload SHA-256 mismatch: the record holds {_short(found)}, "
                               f"the capture says {_short(want)}")
    return True


def _check_streamed(coding: str, body: Iterator[bytes], want: str, limit: int) -> bool:
    """Decode and hash in steps.

    A body that does not decode is evidence only if the capture hashed it raw, as
    the collector does when it cannot decode a body; otherwise it decoded when
    captured, so its bytes changed since.
    """
    try:
        dec: BodyDecoder | None = BodyDecoder(coding)
    except InputError:
        dec = None
    sha = hashlib.sha256()
    raw = hashlib.sha256() if dec is None or dec.coding else None  # compressed: cheap
    why = "" if dec is not None else f"unsupported Content-Encoding {coding!r}"
    for piece in body:
        if raw is not None:
            raw.update(piece)
        if dec is None or why:
            continue
        try:
            for out in dec.feed(piece):
                sha.update(out)
        except InputError as exc:
            why = exc.message
        if dec.decoded_out > limit:
            why = f"body inflates past {limit} bytes"
    if dec is not None and not why:
        try:
            sha.update(dec.flush())
        except InputError as exc:
            why = exc.message
    if not why:
        return _compare(sha.hexdigest(), want)
    assert raw is not None  # an identity body always decodes
    if raw.hexdigest() == want:
        return True
    raise Problem(ALTERED, f"the body does not decode as when it was captured ({why})")


def _check_buffered(fields: dict[str, str], http_head: bytes, headers: dict[str, str],
                    body: Iterator[bytes], want: str) -> bool:
    """Imported bodies with chunked or brotli coding: decoded whole, as the importer did."""
    parts: list[bytes] = []
    n = 0
    for piece in body:
        n += len(piece)
        if n > MAX_BUFFERED:
            raise Problem(ALTERED, f"the record's body is over {MAX_BUFFERED} bytes: "
                                   "not the page that was imported")
        parts.append(piece)
    raw = b"".join(parts)
    try:
        decoded = decode_payload(headers, raw)
    except InputError as exc:  # it decoded when imported: the WARC digest says if it changed
        if _check_warc_digest(fields, http_head, iter((raw,))):
            return True
        raise Problem(ALTERED, f"the body does not decode as when it was imported "
                               f"({exc.message})") from exc
    return _compare(hashlib.sha256(decoded).hexdigest(), want)


def _check_warc_digest(fields: dict[str, str], http_head: bytes,
                       body: Iterator[bytes]) -> bool:
    """Stream the raw payload through the hasher the WARC digest names: True when it
    holds, False when the record names no digest; Problem when it differs."""
    payload = _digest_spec(fields.get("warc-payload-digest"))
    block = _digest_spec(fields.get("warc-block-digest"))
    spec, name = (payload, "WARC-Payload-Digest") if payload else (block, "WARC-Block-Digest")
    if spec is None:
        for _ in body:
            pass
        return False
    h, expected = spec
    if spec is block:
        h.update(http_head)
    for piece in body:
        h.update(piece)
    if h.digest() != expected:
        raise Problem(ALTERED, f"{name} mismatch: the record's bytes were altered")
    return True
