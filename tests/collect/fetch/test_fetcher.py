"""Fetcher against a real hostile server on loopback: every failure string and its WARC."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import itertools
import json
import socket
import time
import tracemalloc
from datetime import UTC
from pathlib import Path

import pytest

from tests.support.fetching import (
    Rec,
    failures_for,
    fetch_one,
    run_fetches,
    settings,
    warc_records,
)
from tests.support.hostile_server import BOMB, PAGE, HostileServer
from tests.support.tls import TlsMaterial
from untold.collect.fetcher import Fetcher, build_transport
from untold.collect.warcwriter import read_record
from untold.errors import FetchError, InputError
from untold.models import FetchResult


def responses(recs: list[Rec], url: str) -> list[Rec]:
    return [r for r in recs if r.type == "response" and r.uri == url]


def check_location(warc_dir: Path, res: FetchResult) -> None:
    """The result's WARC location reads back, and its SHA-256 matches."""
    assert res.warc_file and res.warc_offset is not None and res.warc_length
    loc = {"warc_file": res.warc_file, "warc_offset": res.warc_offset,
           "warc_length": res.warc_length, "sha256": res.sha256}
    _, payload = read_record(warc_dir, loc)
    assert hashlib.sha256(payload).hexdigest() == res.sha256


# -- success paths --------------------------------------------------------------
def test_normal_page_is_archived_before_it_is_returned(tmp_path: Path,
                                                       server: HostileServer) -> None:
    url = server.url("/page")
    res = fetch_one(settings(), tmp_path, url)
    assert res.ok and res.failure is None and res.status == 200
    assert res.body == PAGE.encode() and res.final_url == url and res.redirects == ()
    assert res.headers["content-type"] == "text/html; charset=utf-8"
    assert res.fetched_at.tzinfo is UTC and isinstance(res.elapsed_s, float)
    assert res.sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    check_location(tmp_path, res)
    headers, payload = read_record(tmp_path, {"warc_file": res.warc_file,
                                              "warc_offset": res.warc_offset,
                                              "warc_length": res.warc_length})
    assert payload.decode() == PAGE and headers["content-type"].startswith("text/html")

    recs = warc_records(tmp_path)
    assert recs[0].type == "warcinfo"
    (resp,) = responses(recs, url)
    assert resp.payload == PAGE.encode() and resp.status == "200"
    assert resp.warc["WARC-IP-Address"] == "127.0.0.1"
    assert resp.warc["Untold-Decoded-SHA256"] == res.sha256
    assert resp.offset == res.warc_offset
    (req,) = [r for r in recs if r.type == "request" and r.uri == url]
    assert req.warc["WARC-Concurrent-To"] == resp.warc["WARC-Record-ID"]
    assert req.http["user-agent"].startswith("untold/")
    (meta,) = [r for r in recs if r.type == "metadata"
               and r.warc.get("WARC-Refers-To") == resp.warc["WARC-Record-ID"]]
    assert json.loads(meta.payload)["payload_sha256"] == res.sha256
    assert responses(recs, server.url("/robots.txt"))  # robots.txt is evidence too


def test_gzip_page_is_stored_raw_and_returned_decoded(tmp_path: Path,
                                                      server: HostileServer) -> None:
    url = server.url("/gzpage")
    res = fetch_one(settings(), tmp_path, url)
    assert res.ok and res.body == PAGE.encode()
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.payload[:2] == b"\x1f\x8b" and gzip.decompress(resp.payload) == PAGE.encode()
    assert res.sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    check_location(tmp_path, res)


def test_conditional_request_gives_not_modified(tmp_path: Path, server: HostileServer) -> None:
    url = server.url("/etag")

    async def both(f: Fetcher) -> tuple[FetchResult, FetchResult]:
        first = await f.fetch(url)
        return first, await f.fetch(url, etag=first.headers["etag"],
                                    last_modified="Mon, 01 Jan 2024 00:00:00 GMT")

    first, second = run_fetches(settings(), tmp_path, both)
    assert first.status == 200 and first.body == b"versioned" and not first.not_modified
    assert second.status == 304 and second.not_modified and second.body == b""
    assert second.failure is None and second.headers["etag"] == '"v1"'
    assert server.last_headers["/etag"]["if-none-match"] == '"v1"'
    assert server.last_headers["/etag"]["if-modified-since"].startswith("Mon, 01 Jan 2024")
    assert [r.status for r in responses(warc_records(tmp_path), url)] == ["200", "304"]


def test_redirect_chain_is_followed_and_each_hop_archived(tmp_path: Path,
                                                          server: HostileServer) -> None:
    res = fetch_one(settings(max_redirects=3), tmp_path, server.url("/chain/2"))
    assert res.ok and res.body == b"end of chain"
    assert res.redirects == (server.url("/chain/2"), server.url("/chain/1"))
    assert res.final_url == server.url("/chain/0")
    recs = warc_records(tmp_path)
    for n, status in ((2, "307"), (1, "307"), (0, "200")):
        assert [r.status for r in responses(recs, server.url(f"/chain/{n}"))] == [status]


def test_resolve_override_keeps_url_and_host(tmp_path: Path, server: HostileServer) -> None:
    st = settings(resolve={"news.example": f"127.0.0.1:{server.port}"})
    res = fetch_one(st, tmp_path, "http://news.example/")
    assert res.ok and res.body == b"host=news.example"
    assert "news.example" in server.hosts  # Host header kept, for robots.txt and the page
    recs = warc_records(tmp_path)
    (resp,) = responses(recs, "http://news.example/")
    assert resp.warc["WARC-IP-Address"] == "127.0.0.1"
    assert responses(recs, "http://news.example/robots.txt")


def test_tls_with_resolve_uses_original_name_for_sni_and_verification(
        tmp_path: Path, tls: TlsMaterial) -> None:
    with HostileServer(ssl_context=tls.server_context) as srv:
        st = settings(resolve={"news.example:443": f"127.0.0.1:{srv.port}",
                               "other.example": f"127.0.0.1:{srv.port}"})
        transport = build_transport(st, ssl_context=tls.ca_context)

        async def both(f: Fetcher) -> tuple[FetchResult, FetchResult]:
            return (await f.fetch("https://news.example/"),
                    await f.fetch("https://other.example/", check_robots=False))

        good, wrong = run_fetches(st, tmp_path, both, transport=transport)
    assert good.ok and good.body == b"host=news.example", good
    assert wrong.failure == "ssl_invalid_hostname", wrong
    recs = warc_records(tmp_path)
    (resp,) = responses(recs, "https://news.example/")
    assert resp.warc["WARC-IP-Address"] == "127.0.0.1"
    (fail,) = failures_for(recs, "https://other.example/")
    assert fail["failure"] == "ssl_invalid_hostname"


# -- robots.txt -------------------------------------------------------------------
def test_robots_txt_is_honoured_fetched_once_and_lists_sitemaps(
        tmp_path: Path, server: HostileServer) -> None:
    st = settings(resolve={h: f"127.0.0.1:{server.port}" for h in ("r404.example",
                                                                  "r500.example")})

    async def body(f: Fetcher) -> tuple[list[FetchResult], list[str]]:
        res = await asyncio.gather(
            f.fetch(server.url("/private/x")), f.fetch(server.url("/page")),
            f.fetch(server.url("/page?again")),
            f.fetch(f"http://r404.example:{server.port}/private/y"),
            f.fetch(f"http://r500.example:{server.port}/page"))
        return list(res), await f.robots_sitemaps(server.url("/"))

    (private, page, again, r404, r500), maps = run_fetches(st, tmp_path, body)
    assert private.failure == "robots_disallowed" and private.status is None
    assert page.ok and again.ok
    assert r404.ok  # 404 robots.txt: allow all
    assert r500.failure == "robots_disallowed"  # 5xx robots.txt: disallow all
    assert server.hits["/private/x"] == 0 and server.hits["/page"] == 1
    assert server.hits["/robots.txt"] == 3  # once per origin, despite concurrency
    assert maps == [server.url("/sitemap.xml"), "http://other.example/s.xml"]
    (fail,) = failures_for(warc_records(tmp_path), server.url("/private/x"))
    assert fail["failure"] == "robots_disallowed" and fail["request_attempted"] is False
    check_location(tmp_path, private)


def test_robots_can_be_switched_off(tmp_path: Path, server: HostileServer) -> None:
    res = fetch_one(settings(respect_robots=False), tmp_path, server.url("/private/x"))
    assert res.ok and server.hits["/robots.txt"] == 0


def test_unreachable_robots_txt_reports_the_network_failure(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/page"

    async def body(f: Fetcher) -> tuple[FetchResult, Exception | None]:
        res = await f.fetch(url)
        try:
            await f.robots_sitemaps(url)
        except FetchError as exc:
            return res, exc
        return res, None

    res, err = run_fetches(settings(retries=0), tmp_path, body)
    assert res.failure == "connection_refused" and "robots.txt" in res.failure_detail
    assert isinstance(err, FetchError) and err.failure == "connection_refused"
    assert failures_for(warc_records(tmp_path), f"http://127.0.0.1:{port}/robots.txt")


# -- hostile servers ----------------------------------------------------------------
@pytest.mark.timeout(30)  # the overall deadline ends it, not a hang
@pytest.mark.slow
def test_silent_server_times_out_once(tmp_path: Path, server: HostileServer) -> None:
    res = fetch_one(settings(respect_robots=False), tmp_path, server.url("/silent"))
    assert res.failure == "generic_timeout_error" and res.status is None
    assert server.hits["/silent"] == 1  # accepted then stalled: not transient, not retried
    (fail,) = failures_for(warc_records(tmp_path), server.url("/silent"))
    assert fail["failure"] == "generic_timeout_error" and fail["ip"] == "127.0.0.1"
    check_location(tmp_path, res)


@pytest.mark.timeout(30)  # 1 byte/s never trips a per-read timeout; the deadline does
@pytest.mark.slow
def test_dripping_headers_hit_the_overall_deadline(tmp_path: Path,
                                                   server: HostileServer) -> None:
    res = fetch_one(settings(respect_robots=False), tmp_path, server.url("/drip-head"))
    assert res.failure == "generic_timeout_error" and res.status is None


@pytest.mark.slow
def test_dripping_body_is_archived_truncated_by_time(tmp_path: Path,
                                                     server: HostileServer) -> None:
    url = server.url("/drip-body")
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.failure == "generic_timeout_error" and res.status == 200 and res.body == b""
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.warc["WARC-Truncated"] == "time"
    assert 1 <= len(resp.payload) <= 3 and set(resp.payload) == {ord("x")}


def test_endless_body_is_stopped_at_max_body(tmp_path: Path, server: HostileServer) -> None:
    url = server.url("/huge")
    tracemalloc.start()
    try:
        res = fetch_one(settings(respect_robots=False), tmp_path, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.failure == "http_body_too_large" and res.status == 200 and res.body == b""
    assert peak < 40_000_000  # a 2 GB body never sits in memory
    time.sleep(0.2)
    assert server.flood_sent < 64 * 1024**2  # the client hung up long before 2 GB
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.warc["WARC-Truncated"] == "length"
    assert 1_000_000 < len(resp.payload) < 1_200_000
    check_location(tmp_path, res)


def test_gzip_bomb_is_stopped_early(tmp_path: Path, server: HostileServer) -> None:
    url = server.url("/bomb")
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.failure == "http_decompression_bomb" and res.status == 200
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.warc["WARC-Truncated"] == "length"
    assert resp.payload == BOMB[:len(resp.payload)]  # raw, still gzip, as sent
    assert resp.http["content-encoding"] == "gzip"


@pytest.mark.parametrize("path", ["/badgzip", "/brotli"])
def test_undecodable_body_is_archived_raw(tmp_path: Path, server: HostileServer,
                                          path: str) -> None:
    url = server.url(path)
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.failure == "http_decoding_error" and res.status == 200 and res.body == b""
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.payload  # the bytes as sent are the evidence


def test_redirect_loop_is_detected(tmp_path: Path, server: HostileServer) -> None:
    res = fetch_one(settings(), tmp_path, server.url("/loop-a"))
    assert res.failure == "http_redirect_loop" and res.status == 301
    assert res.redirects == (server.url("/loop-a"), server.url("/loop-b"))
    recs = warc_records(tmp_path)
    assert len(responses(recs, server.url("/loop-a"))) == 1
    assert len(responses(recs, server.url("/loop-b"))) == 1
    check_location(tmp_path, res)


def test_too_many_redirects(tmp_path: Path, server: HostileServer) -> None:
    res = fetch_one(settings(max_redirects=3), tmp_path, server.url("/chain/9"))
    assert res.failure == "http_too_many_redirects" and res.status == 307
    assert len(res.redirects) == 4 and res.final_url == server.url("/chain/6")
    recs = warc_records(tmp_path)
    assert sum(len(responses(recs, server.url(f"/chain/{n}"))) for n in range(10)) == 4


def test_reset_mid_response_is_archived_and_not_retried(tmp_path: Path,
                                                        server: HostileServer) -> None:
    url = server.url("/reset")
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.failure == "connection_reset", res
    assert res.status == 200 and server.hits["/reset"] == 1
    (resp,) = responses(warc_records(tmp_path), url)
    assert resp.warc["WARC-Truncated"] == "disconnect" and 0 < len(resp.payload) <= 1000


@pytest.mark.slow
def test_reset_before_response_is_retried(tmp_path: Path, server: HostileServer) -> None:
    url = server.url("/reset-early")
    res = fetch_one(settings(respect_robots=False, retries=2), tmp_path, url)
    assert res.failure == "connection_reset" and res.status is None
    assert server.hits["/reset-early"] == 3
    fails = failures_for(warc_records(tmp_path), url)
    assert [f["attempt"] for f in fails] == ["1", "2", "3"]  # every attempt is a measurement


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_refused_port(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/"
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.failure == "connection_refused" and res.status is None and res.body == b""
    recs = warc_records(tmp_path)
    (fail,) = failures_for(recs, url)  # refused is not transient: one attempt
    assert fail["failure"] == "connection_refused"
    assert [r.type for r in recs] == ["warcinfo", "request", "metadata"]
    check_location(tmp_path, res)


def test_503_then_200_is_retried_and_both_attempts_archived(tmp_path: Path,
                                                            server: HostileServer) -> None:
    url = server.url("/flaky")
    res = fetch_one(settings(respect_robots=False), tmp_path, url)
    assert res.ok and res.body == b"fine now" and server.hits["/flaky"] == 2
    assert [r.status for r in responses(warc_records(tmp_path), url)] == ["503", "200"]
    check_location(tmp_path, res)


def test_long_retry_after_is_not_waited_for(tmp_path: Path, server: HostileServer) -> None:
    res = fetch_one(settings(respect_robots=False), tmp_path, server.url("/always503"))
    assert res.status == 503 and res.failure is None and not res.ok
    assert server.hits["/always503"] == 1


@pytest.mark.slow
def test_connect_timeout_is_retried(tmp_path: Path) -> None:
    # a listener whose accept queue is full: the kernel drops our SYNs
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.1)
    try:
        url = f"http://127.0.0.1:{port}/"
        res = fetch_one(settings(respect_robots=False, timeout=0.5, retries=1), tmp_path, url)
    finally:
        for c in fillers:
            c.close()
        lst.close()
    assert res.failure == "generic_timeout_error"
    assert [f["attempt"] for f in failures_for(warc_records(tmp_path), url)] == ["1", "2"]


def test_self_signed_certificate_is_unknown_authority(tmp_path: Path,
                                                      tls: TlsMaterial) -> None:
    with HostileServer(ssl_context=tls.self_signed_context) as srv:
        async def both(f: Fetcher) -> tuple[FetchResult, FetchResult]:
            return (await f.fetch(srv.url("/page"), check_robots=False),
                    await f.fetch(srv.url("/page")))

        direct, via_robots = run_fetches(settings(), tmp_path, both)
    assert direct.failure == "ssl_unknown_authority", direct
    assert via_robots.failure == "ssl_unknown_authority"  # robots.txt failed the same way
    recs = warc_records(tmp_path)
    (fail,) = failures_for(recs, srv.url("/page"))[:1]
    assert fail["failure"] == "ssl_unknown_authority"
    assert failures_for(recs, srv.url("/robots.txt"))
    assert srv.hits["/page"] == 0  # never served over an unverified connection


def test_invalid_url_is_not_fetched(tmp_path: Path) -> None:
    res = fetch_one(settings(), tmp_path, "ftp://example.org/file")
    assert res.failure == "invalid_url"
    (fail,) = failures_for(warc_records(tmp_path), "ftp://example.org/file")
    assert fail["request_attempted"] is False


def test_bad_resolve_entry_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="resolve"):
        fetch_one(settings(resolve={"news.example": "127.0.0.1:notaport"}), tmp_path,
                  "http://news.example/")


# -- politeness -----------------------------------------------------------------------
@pytest.mark.slow
def test_per_host_concurrency_is_respected(tmp_path: Path, server: HostileServer) -> None:
    st = settings(per_host=2, concurrency=8, respect_robots=False)

    async def body(f: Fetcher) -> list[FetchResult]:
        return list(await asyncio.gather(*(f.fetch(server.url(f"/slow?{i}"))
                                           for i in range(6))))

    assert all(r.ok for r in run_fetches(st, tmp_path, body))
    assert server.max_in_flight == 2


@pytest.mark.slow
def test_global_concurrency_is_respected(tmp_path: Path, server: HostileServer) -> None:
    hosts = ("a.example", "b.example", "c.example")
    st = settings(per_host=2, concurrency=3, respect_robots=False,
                  resolve={h: f"127.0.0.1:{server.port}" for h in hosts})

    async def body(f: Fetcher) -> list[FetchResult]:
        return list(await asyncio.gather(*(f.fetch(f"http://{h}/slow?{i}")
                                           for h in hosts for i in range(3))))

    assert all(r.ok for r in run_fetches(st, tmp_path, body))
    assert server.max_in_flight == 3


@pytest.mark.slow
def test_delay_between_request_starts_to_one_host(tmp_path: Path,
                                                  server: HostileServer) -> None:
    st = settings(per_host=4, delay=0.3, respect_robots=False)

    async def body(f: Fetcher) -> list[FetchResult]:
        return list(await asyncio.gather(*(f.fetch(server.url(f"/page?{i}"))
                                           for i in range(3))))

    assert all(r.ok for r in run_fetches(st, tmp_path, body))
    starts = sorted(t for _, t in server.starts)
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(starts)), starts
