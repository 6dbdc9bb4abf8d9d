"""Bounded HTTP content decoding (identity, gzip, deflate) for fetch and read-back.

Decoding happens in steps of ``DECODE_STEP`` bytes, so the caller can stop a
decompression bomb after the first step that crosses its limit instead of
after inflating gigabytes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from untold.errors import InputError

__all__ = ["DECODE_STEP", "READ_MAX_DECODED", "BodyDecoder", "decode_body", "inflate_steps"]

DECODE_STEP = 64 * 1024  # decoded bytes per step, so callers check limits often
READ_MAX_DECODED = 1 << 30  # read_record inflates at most 1 GiB: beyond any sane max_body


def inflate_steps(d: Any, data: bytes, step: int) -> Iterator[bytes]:
    """Feed ``data`` to a zlib decompressor, yielding at most ``step`` bytes at a time."""
    while True:
        out = d.decompress(data, step)
        if out:
            yield out
        if d.eof:
            return
        data = d.unconsumed_tail
        if not data and len(out) < step:
            return


class BodyDecoder:
    """Incremental HTTP content decoding (identity, gzip, deflate) in bounded steps.

    ``encoded_consumed`` and ``decoded_out`` let a caller stop a decompression
    bomb after any step; output never grows by more than ``DECODE_STEP`` at once.
    Raises ``InputError`` for an unsupported coding or corrupt data.
    """

    def __init__(self, content_encoding: str = "") -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise InputError(f"unsupported Content-Encoding {content_encoding!r}")
        self.coding = codings[0] if codings else ""
        self.encoded_consumed = 0
        self.decoded_out = 0
        self._d: Any = self._new() if self.coding else None
        self._first = True

    def _new(self) -> Any:
        if self.coding == "deflate":
            return zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped; raw tried on error
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._d is None:
            for i in range(0, len(data), DECODE_STEP):
                piece = data[i:i + DECODE_STEP]
                self.encoded_consumed += len(piece)
                self.decoded_out += len(piece)
                yield piece
            return
        try:
            yield from self._feed(data)
        except zlib.error as exc:
            raise InputError(f"corrupt {self.coding} body: {exc}") from exc

    def _feed(self, data: bytes) -> Iterator[bytes]:
        if self._first and self.coding == "deflate" and data:
            self._first = False
            try:  # servers send both zlib-wrapped and raw deflate; try the standard first
                zlib.decompressobj(zlib.MAX_WBITS).decompress(data[:1024], 1)
            except zlib.error:
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        while data and not self._d.eof:
            d, base = self._d, self.encoded_consumed
            for out in inflate_steps(d, data, DECODE_STEP):
                self.decoded_out += len(out)
                self.encoded_consumed = base + len(data) - len(d.unconsumed_tail)
                yield out
            rest = d.unused_data if d.eof else b""
            self.encoded_consumed = base + len(data) - len(d.unconsumed_tail) - len(rest)
            data = b""
            if rest[:2] == b"\x1f\x8b" and self.coding != "deflate":
                self._d = self._new()  # another gzip member follows
                data = rest
            # other bytes after the end of the stream are ignored, as browsers do

    def flush(self) -> bytes:
        if self._d is None or self._d.eof:
            return b""
        try:
            out: bytes = self._d.flush()
        except zlib.error as exc:
            raise InputError(f"corrupt {self.coding} body: {exc}") from exc
        self.decoded_out += len(out)
        return out


def decode_body(raw: bytes, content_encoding: str, *, limit: int = READ_MAX_DECODED) -> bytes:
    """Decode a whole body; raise InputError if it is corrupt or inflates past ``limit``."""
    dec = BodyDecoder(content_encoding)
    parts: list[bytes] = []
    for piece in dec.feed(raw):
        parts.append(piece)
        if dec.decoded_out > limit:
            raise InputError(f"body inflates past {limit} bytes")
    parts.append(dec.flush())
    return b"".join(parts)
