"""WarcWriter: layout, rotation, read-back, verification and a real SIGKILL mid-write."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support.fetching import warc_records
from tests.support.hostile_server import BOMB
from untold.collect.decoding import DECODE_STEP, BodyDecoder, decode_body
from untold.collect.warcwriter import (
    WarcLocation,
    WarcWriter,
    read_record,
    verify_warc_file,
)
from untold.errors import InputError, StoreError, WarcError

REPO = Path(__file__).resolve().parents[3]
TEXT = "Правительство объявило о новой программе. ".encode() * 50


def exchange(w: WarcWriter, url: str = "https://news.example/статья?id=1",
             body: bytes = TEXT, **kw: object) -> WarcLocation:
    args: dict[str, object] = {
        "url": url, "method": "GET", "request_headers": {"Host": "news.example"},
        "status": 200, "reason": "OK",
        "response_headers": [("Content-Type", "text/html; charset=utf-8")], "body": body,
        "fetched_at": datetime.now(UTC), "ip": "127.0.0.1"}
    args.update(kw)
    return w.write_exchange(**args)  # type: ignore[arg-type]


def test_exchange_records_link_and_read_back(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as w:
        loc = exchange(w, extra={"redirect_hop": "0"})
        fail = w.write_failure(url="http://gone.example/", method="GET",
                               request_headers={"Host": "gone.example"},
                               failure="dns_nxdomain_error", detail="no such name",
                               fetched_at=datetime.now(UTC), ip=None)
    (name,) = [p.name for p in tmp_path.iterdir()]
    assert name == loc.warc_file == fail.warc_file
    assert name.startswith("untold-") and name.endswith(f"-{os.getpid()}-00000.warc.gz")
    recs = warc_records(tmp_path)
    assert [r.type for r in recs] == ["warcinfo", "request", "response", "metadata",
                                      "request", "metadata"]
    info_id = recs[0].warc["WARC-Record-ID"]
    assert all(r.warc["WARC-Warcinfo-ID"] == info_id for r in recs[1:])
    req, resp, meta = recs[1:4]
    assert req.warc["WARC-Concurrent-To"] == resp.warc["WARC-Record-ID"] == loc.record_id
    assert meta.warc["WARC-Refers-To"] == loc.record_id
    assert meta.warc["Content-Type"] == "application/json"
    assert resp.uri == "https://news.example/статья?id=1"
    assert resp.warc["WARC-Payload-Digest"].startswith("sha256:")
    assert loc.sha256 == hashlib.sha256(TEXT).hexdigest()
    headers, payload = read_record(tmp_path, loc)
    assert payload == TEXT and headers["content-type"].startswith("text/html")
    ctype, payload = read_record(tmp_path, fail)
    assert ctype == {"content-type": "application/json"}
    assert b'"dns_nxdomain_error"' in payload and hashlib.sha256(payload).hexdigest() == fail.sha256
    # offset/length is exactly one gzip member holding the main record
    with open(tmp_path / name, "rb") as f:
        f.seek(loc.offset)
        member = f.read(loc.length)
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
    assert verify_warc_file(tmp_path / name) == (6, None)


def test_stored_body_is_raw_and_digest_is_of_decoded_payload(tmp_path: Path) -> None:
    raw = gzip.compress(TEXT)
    with WarcWriter(tmp_path) as w:
        loc = exchange(w, body=raw, response_headers=[("Content-Encoding", "gzip"),
                                                      ("Transfer-Encoding", "chunked")])
    resp = next(r for r in warc_records(tmp_path) if r.type == "response")
    assert resp.payload == raw
    assert "transfer-encoding" not in resp.http  # the body is no longer chunked
    assert resp.http["x-untold-orig-transfer-encoding"] == "chunked"
    assert loc.sha256 == hashlib.sha256(TEXT).hexdigest()
    assert read_record(tmp_path, loc)[1] == TEXT


def test_truncated_body_is_marked(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as w:
        loc = exchange(w, body=TEXT[:100], truncated="length",
                       payload_sha256=hashlib.sha256(TEXT[:100]).hexdigest())
    resp = next(r for r in warc_records(tmp_path) if r.type == "response")
    assert resp.warc["WARC-Truncated"] == "length"
    assert read_record(tmp_path, loc)[1] == TEXT[:100]


def test_rotation_starts_new_files_each_with_warcinfo(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, max_size=1) as w:
        locs = [exchange(w, url=f"http://x.example/{i}") for i in range(3)]
    assert len({loc.warc_file for loc in locs}) == 3
    for loc in locs:
        assert read_record(tmp_path, loc)[1] == TEXT
        with open(tmp_path / loc.warc_file, "rb") as f:
            first = next(iter(ArchiveIterator(f)))
            assert first.rec_type == "warcinfo"
            assert first.rec_headers.get_header("WARC-Filename") == loc.warc_file


def test_writer_never_appends_to_an_existing_file(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    taken = {}
    for s in range(3):  # cover a second boundary while the writer opens its file
        stamp = (now + timedelta(seconds=s)).strftime("%Y%m%d%H%M%S")
        p = tmp_path / f"untold-{stamp}-{os.getpid()}-00000.warc.gz"
        p.write_bytes(b"someone else's bytes")
        taken[p] = p.read_bytes()
    with WarcWriter(tmp_path) as w:
        loc = exchange(w)
    assert all(p.read_bytes() == b for p, b in taken.items())
    assert (tmp_path / loc.warc_file) not in taken


def test_read_record_rejects_bad_locations(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as w:
        loc = exchange(w)
    good = {"warc_file": loc.warc_file, "warc_offset": loc.offset,
            "warc_length": loc.length}
    with pytest.raises(WarcError, match="plain file name"):
        read_record(tmp_path, {**good, "warc_file": "../" + loc.warc_file})
    with pytest.raises(WarcError, match="cannot read"):
        read_record(tmp_path, {**good, "warc_file": "missing.warc.gz"})
    with pytest.raises(WarcError, match="truncated"):
        read_record(tmp_path, {**good, "warc_length": loc.length + 10**6})
    with pytest.raises(WarcError, match="not a readable"):
        read_record(tmp_path, {**good, "warc_offset": loc.offset + 3})
    junk = tmp_path / "junk.warc.gz"  # bytes that are no gzip member at all
    junk.write_bytes(b"\x00not a warc record\x00" * 50)
    with pytest.raises(WarcError, match="not a readable"):
        read_record(tmp_path, {"warc_file": junk.name, "warc_offset": 0, "warc_length": 500})
    with pytest.raises(WarcError, match="SHA-256"):
        read_record(tmp_path, {**good, "sha256": "0" * 64})
    with pytest.raises(WarcError, match="no WARC record"):
        read_record(tmp_path, {"warc_file": None, "warc_offset": None, "warc_length": None})


def test_verify_reports_garbage_and_non_gzip(tmp_path: Path) -> None:
    with WarcWriter(tmp_path) as w:
        exchange(w)
        path = w.current_file
    assert path is not None
    size = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"\x1f\x8b\x08\x00garbage")
    assert verify_warc_file(path) == (4, size)
    other = tmp_path / "x.warc.gz"
    other.write_bytes(b"WARC/1.1\r\nnot gzip")
    assert verify_warc_file(other) == (0, 0)
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert verify_warc_file(empty) == (0, None)
    # a complete gzip member that is not a whole WARC record is a bad tail too
    half = tmp_path / "half.warc.gz"
    half.write_bytes(path.read_bytes()[:size] + gzip.compress(b"WARC/1.1\r\nContent-Length: 99\r\n\r\nab"))
    assert verify_warc_file(half) == (4, size)


CHILD = r"""
import os, sys, time
from datetime import UTC, datetime
from untold.collect.warcwriter import WarcWriter

w = WarcWriter(sys.argv[1])
def ex(body):
    return w.write_exchange(url="http://x.example/", method="GET", request_headers={},
        status=200, reason="OK", response_headers=[], body=body,
        fetched_at=datetime.now(UTC), ip=None)
for _ in range(3):
    ex(os.urandom(50_000))
w.sync()

class SlowDisk:  # the real file, written 4 KiB at a time, so the kill lands mid-record
    def __init__(self, f): self.f = f
    def write(self, data):
        for i in range(0, len(data), 4096):
            self.f.write(data[i:i + 4096]); self.f.flush(); time.sleep(0.01)
    def __getattr__(self, name): return getattr(self.f, name)

w._file = SlowDisk(w._file)
print("slow", w._file.tell(), flush=True)
ex(os.urandom(2_000_000))
print("finished", flush=True)
"""


def test_sigkill_mid_write_leaves_one_truncated_tail(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    assert line and line[0] == "slow", line
    safe = int(line[1])
    time.sleep(0.5)
    proc.kill()
    proc.wait(timeout=10)
    (path,) = list(tmp_path.iterdir())
    size = path.stat().st_size
    count, tail = verify_warc_file(path)
    assert count == 1 + 3 * 3 + 1  # warcinfo, three exchanges, the last request
    assert tail is not None and safe < tail < size
    with open(path, "rb") as f:  # everything before the tail is sound, digests included
        head = io.BytesIO(f.read(tail))
    assert sum(1 for r in ArchiveIterator(head, check_digests="raise")
               if r.raw_stream.read() is not None) == count

    with WarcWriter(tmp_path) as w:  # a new run never appends to the damaged file
        loc = exchange(w)
    assert loc.warc_file != path.name and path.stat().st_size == size
    assert verify_warc_file(tmp_path / loc.warc_file) == (4, None)


# -- content decoding ------------------------------------------------------------------
def test_decoder_handles_gzip_members_and_both_deflates() -> None:
    assert decode_body(gzip.compress(b"ab") + gzip.compress(b"cd"), "gzip") == b"abcd"
    assert decode_body(zlib.compress(TEXT), "deflate") == TEXT
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert decode_body(raw.compress(TEXT) + raw.flush(), "deflate") == TEXT
    assert decode_body(TEXT, "identity") == TEXT == decode_body(TEXT, "")
    with pytest.raises(InputError, match="unsupported"):
        BodyDecoder("br")
    with pytest.raises(InputError, match="corrupt"):
        decode_body(b"\x1f\x8b\x08\x00" + b"\xff" * 50, "gzip")
    with pytest.raises(InputError, match="inflates past"):
        decode_body(BOMB, "gzip", limit=1_000_000)


def test_decoder_output_is_bounded_per_step() -> None:
    dec = BodyDecoder("gzip")
    sizes = []
    for piece in dec.feed(BOMB):
        sizes.append(len(piece))
        if dec.decoded_out > 2_000_000:
            break
    assert max(sizes) <= DECODE_STEP
    assert dec.encoded_consumed < len(BOMB)  # input not swallowed ahead of output
    assert dec.decoded_out / dec.encoded_consumed > 500


def test_hostile_url_cannot_forge_warc_headers(tmp_path: Path) -> None:
    evil = "http://x.example/\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK"
    with WarcWriter(tmp_path) as w:
        loc = w.write_failure(url=evil, method="GET", request_headers={}, failure="invalid_url",
                              detail="", fetched_at=datetime.now(UTC), ip=None,
                              request_attempted=False)
    recs = warc_records(tmp_path)
    assert [r.type for r in recs] == ["warcinfo", "metadata"]
    assert "\n" not in recs[1].uri and recs[1].uri.startswith("http://x.example/%0D%0A")
    assert b"WARC-Type: response" in read_record(tmp_path, loc)[1]  # kept, inside the JSON


def test_unwritable_directory_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "warc"
    blocker.write_text("a file where the directory should be")
    with WarcWriter(blocker) as w, pytest.raises(StoreError, match="cannot write WARC"):
        exchange(w)
