"""The import's parts on their own: payload decoding, outlets for domains, record reading."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from tests.support.warcs import Rec, chunked, make_study, news_page, write_warc
from untold.collect.warcimport import record_digest
from untold.collect.warcimport_outlets import OutletMapper, registrable_domain, uncurated_outlet
from untold.collect.warcimport_read import PageRecord, iter_records
from untold.collect.warcimport_work import decode_payload
from untold.errors import InputError, WarcError

PAGE = news_page("ru", 1)


@pytest.mark.parametrize(("headers", "payload"), [
    ({}, PAGE),
    ({"content-encoding": "gzip"}, gzip.compress(PAGE)),
    ({"content-encoding": "deflate"}, zlib.compress(PAGE)),
    ({"transfer-encoding": "chunked"}, chunked(PAGE)),
    ({"transfer-encoding": "chunked", "content-encoding": "gzip"}, chunked(gzip.compress(PAGE))),
    # a crawler that stored the de-chunked body but kept the header
    ({"transfer-encoding": "chunked"}, PAGE),
], ids=["identity", "gzip", "deflate", "chunked", "chunked-gzip", "dechunked-already"])
def test_decode_payload(headers: dict[str, str], payload: bytes) -> None:
    assert decode_payload(headers, payload) == PAGE


def test_decode_payload_brotli() -> None:
    brotli = pytest.importorskip("brotli")
    assert decode_payload({"content-encoding": "br"}, brotli.compress(PAGE)) == PAGE


def test_decode_payload_rejects_corrupt_and_bombs() -> None:
    with pytest.raises(InputError, match="corrupt"):
        decode_payload({"content-encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage" * 10)
    with pytest.raises(InputError, match="unsupported"):
        decode_payload({"content-encoding": "compress"}, PAGE)
    bomb = gzip.compress(b"\0" * 60_000_000)
    with pytest.raises(InputError, match="inflates past"):
        decode_payload({"content-encoding": "gzip"}, bomb)


@pytest.mark.parametrize(("host", "domain"), [
    ("news.bbc.co.uk", "bbc.co.uk"),
    ("www.tengrinews.kz", "tengrinews.kz"),
    ("24.kg", "24.kg"),
    ("a.b.kaktus.media", "kaktus.media"),
    ("127.0.0.1", "127.0.0.1"),
    ("localhost", "localhost"),
])
def test_registrable_domain(host: str, domain: str) -> None:
    assert registrable_domain(host) == domain


def test_uncurated_outlet_ids() -> None:
    o = uncurated_outlet("новости.пример.рф")
    assert o.id == "xn--e1afmkfd.xn--p1ai" and o.domains == (o.id,)
    assert o.name == "пример.рф" and not o.curated
    assert uncurated_outlet("vlast.kz", reserved={"vlast.kz"}).id == "vlast.kz-uncurated"


def test_outlet_mapper(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    m = OutletMapper(study, only_study_outlets=False)
    assert m.outlet_for("WWW.Vlast.KZ.").id == "vlast"  # type: ignore[union-attr]
    assert m.outlet_for("static.example-wire.com").curated is False  # type: ignore[union-attr]
    assert OutletMapper(study, only_study_outlets=True).outlet_for("example-wire.com") is None


def test_record_digest_is_stable_and_keyed_by_url_and_payload() -> None:
    a = record_digest("https://vlast.kz/1", "sha1:ABC")
    assert a == record_digest("https://vlast.kz/1", "sha1:ABC")
    assert a != record_digest("https://vlast.kz/2", "sha1:ABC")
    assert a != record_digest("https://vlast.kz/1", "sha1:ABD")


def test_iter_records_sees_pages_and_says_why_others_are_not(tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "mixed.warc.gz", [
        Rec("https://vlast.kz/1", b"GET /1 HTTP/1.1\r\nHost: vlast.kz\r\n\r\n", kind="request"),
        Rec("https://vlast.kz/1", PAGE),
        Rec("https://vlast.kz/1", b"{}", kind="metadata", content_type="application/json"),
        Rec("https://vlast.kz/a.png", b"\x89PNG", content_type="image/png"),
        Rec("https://vlast.kz/untyped", PAGE, content_type=""),
        Rec("https://vlast.kz/untyped.bin", b"\0\1\2", content_type=""),
        Rec("ftp://vlast.kz/x", PAGE),
    ])
    items = list(iter_records(warc))
    pages = [i for i in items if isinstance(i, PageRecord)]
    reasons = sorted(i for i in items if isinstance(i, str))
    assert [p.url for p in pages] == ["https://vlast.kz/1", "https://vlast.kz/untyped"]
    assert reasons == ["no_url", "not_html", "not_html", "other_record", "other_record"]
    first = pages[0]
    assert first.payload == PAGE and first.status == 200 and first.record_id
    assert first.payload_digest.startswith("sha1:")  # warcio's WARC-Payload-Digest
    assert first.length and first.offset and first.content_type == "text/html"


def test_iter_records_on_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    with pytest.raises(WarcError, match="empty file"):  # an error, not "0 records"
        list(iter_records(empty))
    with pytest.raises(WarcError, match="cannot open"):
        list(iter_records(tmp_path / "nope.warc"))


def test_a_page_without_a_warc_date_is_skipped_not_guessed(tmp_path: Path) -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE
    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            b"WARC-Target-URI: https://vlast.kz/1\r\n"
            b"Content-Type: application/http; msgtype=response\r\n"
            b"Content-Length: %d\r\n\r\n" % len(http))
    warc = tmp_path / "nodate.warc"
    warc.write_bytes(head + http + b"\r\n\r\n")
    assert list(iter_records(warc)) == ["no_warc_date"]


def _arc(pages: list[tuple[str, bytes]]) -> bytes:
    """An ARC (version 1) file, the format before WARC: FastWARC cannot read it."""
    desc = b"1 0 untold-test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://test.arc 0.0.0.0 20250301090000 text/plain %d\n" % len(desc) + desc + b"\n"
    for url, html in pages:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
        out += b"%s 127.0.0.1 20250301090000 text/html %d\n" % (url.encode(), len(http))
        out += http + b"\n"
    return out


def test_arc_files_are_read_by_the_warcio_fallback(tmp_path: Path) -> None:
    pages = [("https://vlast.kz/a/1", news_page("ru", 1)), ("https://vlast.kz/a/2", PAGE)]
    arc = tmp_path / "old.arc"
    arc.write_bytes(_arc(pages))
    got = [r for r in iter_records(arc) if isinstance(r, PageRecord)]
    assert [(r.url, r.payload) for r in got] == pages
    data = arc.read_bytes()
    for r in got:
        assert r.offset is not None and r.length is not None
        assert data[r.offset:r.offset + r.length].startswith(r.url.encode())
        assert r.fetched_at.isoformat() == "2025-03-01T09:00:00+00:00"
