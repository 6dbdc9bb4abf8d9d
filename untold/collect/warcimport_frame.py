"""Where the records of a WARC file begin and end, checked on the file's bytes.

The importer's reader (:mod:`untold.collect.warcimport_read`) lets FastWARC
parse records and checks each one here: a record must end exactly where its
``Content-Length`` says, with ``\\r\\n\\r\\n``, and in a ``.warc.gz`` fill
exactly one gzip member. A record that does not is damaged (a wrong
Content-Length, a corrupt or cut gzip member) or sits in damage (garbage between
records); :func:`resync` then finds the next offset where a whole record starts,
so one bad record costs that record and not the rest of the file.

The checks are byte-exact because a capture's offset and length are evidence:
``read_record`` reads exactly those bytes back.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["Frame", "WarcFile", "content_length", "frame", "looks_like_start", "resync",
           "skip_blank"]

GZIP_MAGIC = b"\x1f\x8b\x08"  # a gzip member (deflate): where a record of a .warc.gz starts
WARC_MAGIC = b"WARC/1."  # the first line of a WARC 1.0/1.1 record
WARC_ANY = b"WARC/"  # older versions (0.17, 0.18) are records too, but no resync target
TRAILER = b"\r\n\r\n"  # ends every record's block
BLANK = b"\r\n"  # bytes tolerated between records (FastWARC and warcio skip them too)
HEAD_MAX = 64 * 1024  # a WARC header longer than this is damage (FastWARC allows 32 KiB)
HEAD_READ = 4096  # bytes read first to find a header's end; most headers are < 1 KiB
SCAN_STEP = 1 << 20  # bytes read per step while looking for the next record
INFLATE_IN = 1 << 18  # compressed bytes fed to zlib per step
INFLATE_OUT = 1 << 20  # at most this much inflated output per step: bounded memory
PEEK_AFTER = 16  # inflated bytes looked at past a record, to tell a second record from junk


@dataclass(frozen=True)
class Frame:
    """What starts at an offset. ``end``: just past the whole record (its gzip
    member); None when no whole record starts there, and ``why`` says what is
    wrong. ``multi``: the gzip member goes on with more records after this one
    (one gzip stream for the whole file: offsets inside it cannot be read back)."""

    end: int | None
    why: str = ""
    multi: bool = False

    @property
    def ok(self) -> bool:
        """A record starts here (``multi``: one that cannot be located on its own)."""
        return self.end is not None or self.multi


class WarcFile:
    """A WARC file opened for positioned reads (``pread``: no shared file position)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        try:
            self.size = os.fstat(self.fd).st_size
            self.gz = os.pread(self.fd, 2, 0) == GZIP_MAGIC[:2]
        except OSError:
            os.close(self.fd)
            raise

    def read(self, n: int, at: int) -> bytes:
        return os.pread(self.fd, max(0, n), at) if at >= 0 else b""

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> WarcFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def content_length(header: bytes) -> int | None:
    """The Content-Length of a WARC header block (bytes up to the blank line)."""
    for line in header.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            value = value.strip()
            return int(value) if value.isdigit() else None
    return None


def _header(data: bytes) -> tuple[int, int] | str:
    """(header length with its blank line, Content-Length) of a record's start, or why not."""
    if not data.startswith(WARC_ANY):
        return f"no WARC record starts here (the bytes are {data[:16]!r})"
    end = data.find(TRAILER, 0, HEAD_MAX)
    if end < 0:
        return "the WARC header does not end (a cut or corrupt record)"
    cl = content_length(data[:end])
    if cl is None:
        return "the WARC header has no valid Content-Length"
    return end + 4, cl


def frame(f: WarcFile, pos: int) -> Frame:
    """Whether a whole, well-formed record starts at ``pos``, and where it ends."""
    return _frame_gz(f, pos) if f.gz else _frame_plain(f, pos)


def _frame_plain(f: WarcFile, pos: int) -> Frame:
    data = f.read(HEAD_READ, pos)
    if data.startswith(WARC_ANY) and TRAILER not in data and len(data) == HEAD_READ:
        data = f.read(HEAD_MAX, pos)
    head = _header(data)
    if isinstance(head, str):
        return Frame(None, head)
    hl, cl = head
    end = pos + hl + cl
    if end + len(TRAILER) > f.size:
        return Frame(None, f"the record is truncated: {cl} bytes announced, "
                           f"{max(0, f.size - pos - hl)} present (a cut-off download?)")
    if f.read(len(TRAILER), end) != TRAILER:
        return Frame(None, f"the record's block does not end where its Content-Length ({cl}) "
                           "says: a wrong Content-Length")
    return Frame(end + len(TRAILER))


def _frame_gz(f: WarcFile, pos: int) -> Frame:
    """The gzip member at ``pos`` must hold exactly one whole record."""
    if f.read(len(GZIP_MAGIC), pos) != GZIP_MAGIC:
        return Frame(None, "no gzip member starts here")
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = 0  # inflated bytes so far
    head = b""  # the first inflated bytes, until the header's end is among them
    need = -1  # inflated size of the record (header, block, trailer) once known
    tail = bytearray()  # inflated bytes [need - 4, need + PEEK_AFTER)
    at = pos  # next compressed byte to read
    pending = b""
    try:
        while not d.eof:
            if not pending:
                pending = f.read(INFLATE_IN, at)
                at += len(pending)
                if not pending:
                    return Frame(None, "the gzip member is cut short (a cut-off download?)")
            out = d.decompress(pending, INFLATE_OUT)
            pending = d.unconsumed_tail
            if need < 0:
                head = (head + out[:HEAD_MAX])[:HEAD_MAX]
                if TRAILER in head or len(head) >= HEAD_MAX:
                    parsed = _header(head)
                    if isinstance(parsed, str):
                        return Frame(None, parsed)
                    need = parsed[0] + parsed[1] + len(TRAILER)
            if need >= 0:  # the header ended in this output or before: the window is ahead
                a = max(need - len(TRAILER), total)
                b = min(need + PEEK_AFTER, total + len(out))
                if a < b:
                    tail += out[a - total:b - total]
            total += len(out)
            if need >= 0 and total >= need + PEEK_AFTER:
                break  # enough to judge: the member holds more than this record
    except zlib.error as exc:
        return Frame(None, f"the gzip member is corrupt ({exc})")
    if need < 0:
        parsed = _header(head)
        return Frame(None, parsed if isinstance(parsed, str) else "the record is cut short")
    if total < need:
        return Frame(None, "the record goes on past the end of its gzip member: "
                           "a wrong Content-Length")
    if tail[:len(TRAILER)] != TRAILER:
        return Frame(None, "the record's block does not end where its Content-Length says: "
                           "a wrong Content-Length")
    if total > need:
        rest = bytes(tail[len(TRAILER):]).lstrip(BLANK)
        if rest.startswith(WARC_ANY):
            return Frame(None, multi=True)  # offsets inside one stream cannot be read back
        if rest or not d.eof:
            return Frame(None, "the gzip member holds more than its record: "
                               "a wrong Content-Length")
    return Frame(at - len(d.unused_data) - len(pending))


def looks_like_start(f: WarcFile, pos: int) -> bool:
    """Whether a record seems to start at ``pos`` (counted as lost when it is unreadable)."""
    head = f.read(len(WARC_ANY), pos)
    if f.gz:
        return head[:3] == GZIP_MAGIC and len(head) >= 4 and not head[3] & 0xE0
    return head == WARC_ANY and (pos == 0 or f.read(1, pos - 1) == b"\n")


def skip_blank(f: WarcFile, pos: int) -> int:
    """The first offset at or after ``pos`` that is not a blank line's bytes."""
    if f.gz:
        return pos
    while pos < f.size:
        data = f.read(HEAD_READ, pos)
        kept = len(data) - len(data.lstrip(BLANK))
        pos += kept
        if kept < len(data):
            break
    return pos


def resync(f: WarcFile, start: int) -> tuple[int, int]:
    """(offset of the first whole record at or after ``start``, or the file's size;
    how many record starts were passed on the way: records lost).

    A candidate is a gzip member (``\\x1f\\x8b\\x08``) in a ``.warc.gz``, a
    ``WARC/1.`` at the start of a line in a plain file; it counts only if the
    whole record it starts is sound (:func:`frame`).
    """
    magic = GZIP_MAGIC if f.gz else WARC_MAGIC
    lost = 0
    at = start
    while at < f.size:
        chunk = f.read(SCAN_STEP + len(magic) - 1, at)
        i = chunk.find(magic)
        while 0 <= i <= SCAN_STEP - 1:
            c = at + i
            if looks_like_start(f, c):
                fr = frame(f, c)
                if fr.ok:
                    return c, lost
                lost += 1
            i = chunk.find(magic, i + 1)
        at += SCAN_STEP
    return f.size, lost
