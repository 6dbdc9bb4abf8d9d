"""Write fetches to gzip WARC files as evidence; read and verify them back.

Layout: ``<dir>/untold-YYYYmmddHHMMSS-<pid>-<serial>.warc.gz``; every record is
its own gzip member, so a record can be read alone by seeking to its offset.
A file starts with a ``warcinfo`` record and is rotated once it passes
``max_size``. A writer never appends to an existing file (names are opened
with ``O_EXCL``), so a killed process leaves at worst one truncated last member.

Per successful exchange (``write_exchange``), in order:

1. ``request``  — the HTTP request as sent; ``WARC-Concurrent-To`` the response.
2. ``response`` — status line, headers and body *as received on the wire*
   (still content-encoded). httpx removes chunked framing, so a
   ``Transfer-Encoding`` header is stored as ``X-Untold-Orig-Transfer-Encoding``
   lest readers try to de-chunk a body that is no longer chunked. A body cut
   short is marked ``WARC-Truncated`` (length, time or disconnect).
3. ``metadata`` — JSON (``application/json``) with untold's fields: the
   SHA-256 of the *decoded* payload, redirect hop, truncation, failure.

Per failed fetch (``write_failure``): the request record (when a request was
sent) and a JSON metadata record with the failure string.

``WarcLocation`` points at the *main* record — the response, or the failure's
metadata record: ``offset`` is where its gzip member starts and ``length`` is
that one member's size, so ``ArchiveIterator`` over those bytes yields it first.
``member_sha256`` is the SHA-256 of exactly those ``length`` bytes as written:
the writer has them in hand, so the digest costs one pass over compressed bytes,
and ``untold check`` later proves the stored bytes unchanged by hashing the same
range again, without inflating anything (see :mod:`untold.collect.evidence`).
Block and payload digests are SHA-256 (base32, as warcio writes them).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import threading
import uuid
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from untold.collect.decoding import decode_body, inflate_steps
from untold.collect.warcimport_work import decode_payload
from untold.errors import InputError, StoreError, WarcError

__all__ = [
    "DEFAULT_MAX_SIZE",
    "WarcLocation",
    "WarcWriter",
    "read_record",
    "verify_warc_file",
    "warc_path",
]

DEFAULT_MAX_SIZE = 1_000_000_000  # rotate at ~1 GB: the customary WARC file size
GZIP_LEVEL = 6  # zlib's default: ~3x faster than warcio's 9 for ~2% more bytes
VERIFY_HEAD = 64 * 1024  # bytes of a record kept to parse its WARC header
VERIFY_CHUNK = 1 << 20  # file bytes read per step by verify_warc_file
SOFTWARE = "untold/0.1"


@dataclass(frozen=True)
class WarcLocation:
    """Where a capture's main record lies (see the module docstring)."""

    warc_file: str  # file name relative to the writer's directory
    offset: int  # byte offset of the main record's gzip member
    length: int  # size in bytes of that gzip member
    sha256: str  # hex SHA-256 of the decoded payload (of the JSON for failures)
    record_id: str  # WARC-Record-ID of the main record, "<urn:uuid:...>"
    member_sha256: str  # hex SHA-256 of the file bytes [offset, offset + length)


# -- writing ------------------------------------------------------------------
def _warc_date(dt: datetime) -> str:
    dt = dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt
    return dt.isoformat(timespec="microseconds") + "Z"


def _b32(digest: bytes) -> str:
    return "sha256:" + base64.b32encode(digest).decode("ascii")


# printable ASCII except "%": kept as is when percent-encoding targets and header values
_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")


def _ascii(text: str) -> str:
    """Percent-encode non-ASCII and control bytes (latin-1 as httpx decodes them, else UTF-8)."""
    if text.isascii() and text.isprintable():
        return text
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    return quote(raw, safe=_SAFE + "% ")


def _safe_uri(url: str) -> str:
    """A WARC-Target-URI that cannot break the header block (no CR, LF or controls)."""
    return "".join(c if c.isprintable() and c != " " else quote(c, safe="") for c in url)


def _json(fields: Mapping[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


class WarcWriter:
    """Append-only gzip WARC writer for one process (see the module docstring).

    Files are created lazily on the first record. Methods are synchronous and
    cheap enough for the event-loop thread; ``sync()`` fsyncs, ``close()``
    fsyncs and closes.
    """

    def __init__(self, directory: str | Path, *, max_size: int = DEFAULT_MAX_SIZE,
                 info: Mapping[str, str] | None = None) -> None:
        self.directory = Path(directory)
        self.max_size = max_size
        self.info = dict(info or {})
        self._file: IO[bytes] | None = None
        self._name = ""
        self._warcinfo_id = ""
        self._serial = 0
        self._lock = threading.RLock()  # rotation closes (and syncs) under the lock

    @property
    def current_file(self) -> Path | None:
        return self.directory / self._name if self._file else None

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_new(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"untold-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
            self._serial += 1
            try:
                self._file = open(self.directory / name, "xb")  # noqa: SIM115 - kept open
            except FileExistsError:
                continue  # never append: take the next serial
            self._name = name
            break
        fields = {"software": SOFTWARE, "format": "WARC File Format 1.1",
                  "conformsTo": "https://iipc.github.io/warc-specifications/"
                                "specifications/warc-format/warc-1.1/", **self.info}
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        self._warcinfo_id = _record_id()
        rec = self._record("", "warcinfo", date=datetime.now(UTC), body=body,
                           content_type="application/warc-fields", rid=self._warcinfo_id,
                           headers={"WARC-Filename": name})
        self._file.write(self._member(rec))

    @staticmethod
    def _member(record: Any) -> bytes:
        """One record serialised as its own gzip member."""
        buf = io.BytesIO()
        WARCWriter(buf, gzip=False, warc_version="1.1").write_record(record)
        gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        return gz.compress(buf.getvalue()) + gz.flush()

    def _write(self, build: Callable[[], list[Any]]) -> list[tuple[int, int, bytes]]:
        """Append the records ``build`` makes once the file is open; their
        (offset, length, member bytes).

        Records are built after the file is chosen because they name its warcinfo.

        On an OS error the file is abandoned (a later write starts a new one, so
        nothing is appended after a partial member) and ``StoreError`` is raised.
        """
        try:
            if self._file is None or self._file.tell() >= self.max_size:
                self._open_new()
            members = [self._member(r) for r in build()]
            assert self._file is not None
            out, pos = [], self._file.tell()
            for m in members:
                out.append((pos, len(m), m))
                pos += len(m)
            self._file.write(b"".join(members))
            self._file.flush()
            return out
        except OSError as exc:
            where = str(self.directory / self._name) if self._name else str(self.directory)
            if self._file is not None:
                with contextlib.suppress(OSError):  # already failing; the StoreError says why
                    self._file.close()
                self._file = None
            raise StoreError(f"cannot write WARC records: {exc}", source=where,
                             hint="check free disk space and permissions") from exc

    def _record(self, uri: str, rtype: str, *, date: datetime, body: bytes,
                http: StatusAndHeaders | None = None, content_type: str = "",
                headers: Mapping[str, str] | None = None, rid: str | None = None) -> Any:
        h = {"WARC-Record-ID": rid or _record_id(), "WARC-Date": _warc_date(date),
             **(headers or {})}
        if rtype != "warcinfo":
            h["WARC-Warcinfo-ID"] = self._warcinfo_id
        block = hashlib.sha256()
        if http is not None:
            http.compute_headers_buffer()
            block.update(http.headers_buff)
        block.update(body)
        h["WARC-Block-Digest"] = _b32(block.digest())
        if rtype != "warcinfo":  # for metadata the payload is the whole block
            h["WARC-Payload-Digest"] = _b32(hashlib.sha256(body).digest())
        builder = WARCWriter(io.BytesIO(), gzip=False, warc_version="1.1")
        return builder.create_warc_record(_safe_uri(uri), rtype, payload=io.BytesIO(body),
                                          length=len(body), warc_content_type=content_type,
                                          warc_headers_dict=h, http_headers=http)

    def _request(self, url: str, method: str, headers: Mapping[str, str], date: datetime,
                 ip: str | None, concurrent_to: str) -> Any:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        target = quote(target.encode("utf-8"), safe=_SAFE + "%")
        http = StatusAndHeaders(f"{method} {target} HTTP/1.1",
                                [(_ascii(k), _ascii(v)) for k, v in headers.items()],
                                is_http_request=True)
        extra = {"WARC-Concurrent-To": concurrent_to}
        if ip:
            extra["WARC-IP-Address"] = ip
        return self._record(url, "request", date=date, body=b"", http=http, headers=extra)

    def _metadata(self, url: str, date: datetime, body: bytes, refers_to: str | None,
                  rid: str | None = None) -> Any:
        extra = {"WARC-Refers-To": refers_to, "WARC-Concurrent-To": refers_to} if refers_to else {}
        return self._record(url, "metadata", date=date, body=body, headers=extra, rid=rid,
                            content_type="application/json")

    def write_exchange(self, *, url: str, method: str, request_headers: dict[str, str],
                       status: int, reason: str, response_headers: list[tuple[str, str]],
                       body: bytes, fetched_at: datetime, ip: str | None,
                       extra: dict[str, str] | None = None, truncated: str | None = None,
                       payload_sha256: str | None = None,
                       http_version: str = "HTTP/1.1") -> WarcLocation:
        """Archive one request/response; ``body`` is the raw (content-encoded) body.

        ``truncated`` ("length", "time" or "disconnect") marks a body cut short.
        ``payload_sha256`` is the SHA-256 of the decoded payload; when None it
        is computed here (of the raw body if it cannot be decoded).
        """
        if payload_sha256 is None:
            enc = next((v for k, v in response_headers if k.lower() == "content-encoding"), "")
            try:
                payload_sha256 = hashlib.sha256(decode_body(body, enc)).hexdigest()
            except InputError:
                payload_sha256 = hashlib.sha256(body).hexdigest()
        stored = [("X-Untold-Orig-Transfer-Encoding" if k.lower() == "transfer-encoding"
                   else _ascii(k), _ascii(v)) for k, v in response_headers]
        resp_id = _record_id()
        http = StatusAndHeaders(f"{status} {reason}".rstrip(), stored,
                                protocol=http_version or "HTTP/1.1")
        rh = {"Untold-Decoded-SHA256": payload_sha256}
        if ip:
            rh["WARC-IP-Address"] = ip
        if truncated:
            rh["WARC-Truncated"] = truncated
        fields: dict[str, Any] = {"payload_sha256": payload_sha256, "raw_length": len(body),
                                  "truncated": truncated, **(extra or {})}
        meta = _json(fields)
        with self._lock:
            locs = self._write(lambda: [
                self._request(url, method, request_headers, fetched_at, ip, resp_id),
                self._record(url, "response", date=fetched_at, body=body, http=http,
                             headers=rh, rid=resp_id),
                self._metadata(url, fetched_at, meta, resp_id)])
            return _located(self._name, locs[1], payload_sha256, resp_id)

    def write_failure(self, *, url: str, method: str, request_headers: dict[str, str],
                      failure: str, detail: str, fetched_at: datetime, ip: str | None,
                      request_attempted: bool = True,
                      extra: dict[str, str] | None = None) -> WarcLocation:
        """Archive a fetch that got no response: request (if sent) + JSON metadata."""
        meta_id = _record_id()
        fields = {"url": url, "method": method, "failure": failure, "detail": detail,
                  "fetched_at": _warc_date(fetched_at), "ip": ip,
                  "request_attempted": request_attempted, **(extra or {})}
        body = _json(fields)

        def build() -> list[Any]:
            meta = self._metadata(url, fetched_at, body, None, rid=meta_id)
            if not request_attempted:
                return [meta]
            return [self._request(url, method, request_headers, fetched_at, ip, meta_id), meta]

        with self._lock:
            locs = self._write(build)
            return _located(self._name, locs[-1], hashlib.sha256(body).hexdigest(), meta_id)

    def sync(self) -> None:
        """Flush and fsync the current file: records so far survive a power loss."""
        with self._lock:
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self.sync()
                self._file.close()
                self._file = None


def _located(name: str, member: tuple[int, int, bytes], payload_sha256: str,
             record_id: str) -> WarcLocation:
    """The main record's location, with the digest of its member as written."""
    offset, length, data = member
    return WarcLocation(name, offset, length, payload_sha256, record_id,
                        hashlib.sha256(data).hexdigest())


# -- reading ------------------------------------------------------------------
def _location(loc: WarcLocation | Mapping[str, Any]) -> tuple[str, int, int, str | None]:
    if isinstance(loc, WarcLocation):
        return loc.warc_file, loc.offset, loc.length, loc.sha256
    try:
        name = loc["warc_file"]
        offset = loc.get("warc_offset", loc.get("offset"))
        length = loc.get("warc_length", loc.get("length"))
    except (KeyError, TypeError) as exc:
        raise WarcError(f"not a WARC location: {loc!r}") from exc
    if not name or offset is None or length is None:
        raise WarcError(f"capture has no WARC record: {loc!r}")
    return str(name), int(offset), int(length), loc.get("sha256")


def warc_path(warc_dir: str | Path, name: str,
              external: Collection[str] = ()) -> tuple[Path, bool]:
    """Where a capture's ``warc_file`` lies, and whether it is an imported (external) file.

    The collector's files are plain names under ``warc_dir``; an imported
    capture names its source file by absolute path, accepted only when it is
    one of ``external`` (the archive's registry of imported WARC files), so a
    capture row cannot make untold read an arbitrary file.
    """
    if name in external and Path(name).is_absolute():
        return Path(name), True
    if Path(name).name != name or name in ("", ".", ".."):
        if Path(name).is_absolute():
            raise WarcError("WARC file is not registered as an imported file", source=name,
                            hint="import it again with 'untold import' to register it "
                                 "(nothing is imported twice)")
        raise WarcError(f"WARC file name {name!r} is not a plain file name")
    return Path(warc_dir) / name, False


def read_record(warc_dir: str | Path, location: WarcLocation | Mapping[str, Any], *,
                external: Collection[str] = ()) -> tuple[dict[str, str], bytes]:
    """Read a capture back: (HTTP headers with lower-case names, decoded payload).

    ``location`` is a ``WarcLocation`` or a mapping with ``warc_file``,
    ``warc_offset``, ``warc_length`` (and optionally ``sha256``, checked when
    the record is complete). For a metadata record the headers are just its
    ``content-type`` and the payload is the JSON. ``external`` are the
    registered imported files that may be read by absolute path (see
    ``warc_path``); their payloads are decoded as the importer hashed them
    (chunked transfer coding removed too).
    """
    name, offset, length, sha = _location(location)
    path, imported = warc_path(warc_dir, name, external)
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(length)
    except OSError as exc:
        raise WarcError(f"cannot read WARC record: {exc}", source=str(path)) from exc
    where = f"{path}@{offset}"
    if len(data) < length:
        raise WarcError("WARC record is truncated", source=where)
    # warcio skips leading junk; a location must point exactly at a record
    if not (data.startswith(b"\x1f\x8b") or data.startswith(b"WARC/")):
        raise WarcError("not a readable WARC record: no record starts at this offset",
                        source=where, hint="the capture's offset is wrong")
    try:
        rec = next(iter(ArchiveIterator(io.BytesIO(data))))
        raw = rec.raw_stream.read()
    except (StopIteration, ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        raise WarcError(f"not a readable WARC record: {exc}", source=where) from exc
    if rec.rec_type != "response" or rec.http_headers is None:
        return {"content-type": rec.rec_headers.get_header("Content-Type") or ""}, raw
    headers: dict[str, str] = {}
    for k, v in rec.http_headers.headers:
        k = k.lower()
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    try:
        payload = decode_payload(headers, raw) if imported else \
            decode_body(raw, headers.get("content-encoding", ""))
    except InputError as exc:
        raise WarcError(f"cannot decode archived body: {exc.message}", source=where) from exc
    truncated = rec.rec_headers.get_header("WARC-Truncated")
    if sha and not truncated and hashlib.sha256(payload).hexdigest() != sha:
        raise WarcError("archived payload does not match its SHA-256", source=where,
                        hint="the WARC file was altered or the capture row is wrong")
    return headers, payload


def _complete_record(head: bytes, size: int) -> bool:
    """Whether a decompressed member holding ``size`` bytes is one whole WARC record."""
    end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/") or end < 0:
        return False
    for line in head[:end].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return size == end + 4 + int(value.strip()) + 4
            except ValueError:
                return False
    return False


def verify_warc_file(path: str | Path, start: int = 0) -> tuple[int, int | None]:
    """(complete records, offset of a truncated or malformed tail, or None).

    Walks the gzip members from ``start`` (a member's offset) one by one in bounded
    memory; the first member that is cut short, corrupt or not one whole WARC
    record ends the walk and its start offset is returned (a file that is not gzip
    at all gives ``start``). ``untold check`` walks what follows a file's last
    capture so: a killed run leaves at most one cut member at the end.
    """
    count = 0
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise WarcError(f"cannot open WARC file: {exc}", source=str(path)) from exc
    with f:
        f.seek(start)
        pending = b""
        while True:
            if not pending:
                pending = f.read(VERIFY_CHUNK)
                if not pending:
                    return count, None
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            head, size, fed, data = bytearray(), 0, 0, pending
            try:
                while True:
                    fed += len(data)
                    for out in inflate_steps(d, data, VERIFY_CHUNK):
                        size += len(out)
                        if len(head) < VERIFY_HEAD:
                            head += out[:VERIFY_HEAD - len(head)]
                    if d.eof:
                        break
                    data = f.read(VERIFY_CHUNK)
                    if not data:
                        return count, start
            except zlib.error:
                return count, start
            pending = d.unused_data
            if not _complete_record(bytes(head), size):
                return count, start
            count += 1
            start += fed - len(pending)
