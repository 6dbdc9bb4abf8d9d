"""The WARC writer's digest of each main record's stored bytes (``untold check``'s fixity)."""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime
from pathlib import Path

from untold.collect.warcwriter import WarcLocation, WarcWriter

WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def _stored(folder: Path, loc: WarcLocation) -> bytes:
    with open(folder / loc.warc_file, "rb") as f:
        f.seek(loc.offset)
        return f.read(loc.length)


def test_member_sha256_is_the_digest_of_the_bytes_as_written(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as w:
        locs = [
            w.write_exchange(url="https://a.example/x", method="GET", request_headers={},
                             status=200, reason="OK", response_headers=[], body=b"<p>x</p>",
                             fetched_at=WHEN, ip="192.0.2.1"),
            w.write_failure(url="https://a.example/y", method="GET", request_headers={},
                            failure="connection_reset", detail="", fetched_at=WHEN, ip=None),
            w.write_failure(url="https://a.example/z", method="GET", request_headers={},
                            failure="dns_nxdomain_error", detail="", fetched_at=WHEN, ip=None,
                            request_attempted=False),
        ]
    for loc, rtype in zip(locs, (b"response", b"metadata", b"metadata"), strict=True):
        member = _stored(tmp_path, loc)
        assert loc.member_sha256 == hashlib.sha256(member).hexdigest()
        head = zlib.decompress(member, 16 + zlib.MAX_WBITS).split(b"\r\n\r\n", 1)[0]
        assert b"WARC-Type: " + rtype in head
        assert b"WARC-Record-ID: " + loc.record_id.encode() in head
