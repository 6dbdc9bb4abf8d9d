"""The fetcher connects only to public addresses (unless allowed) and, when told which
hosts are the site, follows no redirect off it.

Everything here runs against servers on loopback: with ``allow_private`` off,
loopback is refused like any internal address, and the server's accept counter
proves the refusal came before any connection.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpcore
import httpx
import pytest

from tests.support.fetching import Rec, fetch_one, run_fetches, settings, warc_records
from tests.support.hostile_server import PAGE, HostileServer
from tests.support.tls import TlsMaterial
from untold.collect import failures as F
from untold.collect.fetcher import Fetcher, build_transport, site_matcher
from untold.collect.transport import PoolTransport, ResolvingBackend
from untold.config import FetchSettings
from untold.models import FetchResult


def metadata(recs: list[Rec], url: str) -> list[dict[str, object]]:
    return [json.loads(r.payload) for r in recs
            if r.type == "metadata" and r.uri == url and b'"failure"' in r.payload
            and r.warc.get("WARC-Refers-To") is None]


# -- the address policy -------------------------------------------------------------
def test_fetch_settings_refuse_private_addresses_by_default() -> None:
    assert FetchSettings().allow_private is False  # type: ignore[call-arg]


@pytest.mark.parametrize("host,ip", [
    ("127.0.0.1", "127.0.0.1"), ("127.0.0.2", "127.0.0.2"), ("[::1]", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"), ("localhost", None),
])
def test_internal_addresses_are_refused_before_connecting(
        tmp_path: Path, server: HostileServer, host: str, ip: str | None) -> None:
    url = f"http://{host}:{server.port}/page"
    res = fetch_one(settings(allow_private=False), tmp_path, url, check_robots=False)
    assert res.failure == F.ADDRESS_NOT_PUBLIC, res
    assert res.status is None and res.body == b""
    assert "loopback" in res.failure_detail and "allow_private" in res.failure_detail
    assert server.accepts == 0  # refused before any connection
    (fail,) = metadata(warc_records(tmp_path), url)  # once: a refusal is not retried
    assert fail["failure"] == F.ADDRESS_NOT_PUBLIC and "loopback" in str(fail["detail"])
    assert fail["request_attempted"] is False
    if ip is not None:
        assert fail["ip"] == ip and f"{ip} is loopback" in res.failure_detail
    else:  # a name: every address it resolved to is named
        assert "127.0.0.1 is loopback" in res.failure_detail


def test_resolve_entry_to_loopback_is_refused_at_connect(tmp_path: Path,
                                                         server: HostileServer) -> None:
    """A name mapped to loopback (as a rebinding DNS answer would) is refused at connect."""
    st = settings(allow_private=False, resolve={"news.example": f"127.0.0.1:{server.port}"})
    res = fetch_one(st, tmp_path, "http://news.example/page")  # robots.txt first, as usual
    assert res.failure == F.ADDRESS_NOT_PUBLIC, res
    assert server.accepts == 0 and not server.hits
    recs = warc_records(tmp_path)
    (robots,) = metadata(recs, "http://news.example/robots.txt")
    assert robots["failure"] == F.ADDRESS_NOT_PUBLIC and robots["ip"] == "127.0.0.1"
    assert "news.example" in str(robots["detail"]) and "[fetch] resolve" in str(robots["detail"])


def test_allow_private_reaches_loopback(tmp_path: Path, server: HostileServer) -> None:
    st = settings(allow_private=True, resolve={"news.example": f"127.0.0.1:{server.port}"})
    res = fetch_one(st, tmp_path, "http://news.example/page")
    assert res.ok and res.body == PAGE.encode()
    res = fetch_one(st, tmp_path, f"http://localhost:{server.port}/page")
    assert res.ok and res.body == PAGE.encode()


def test_refusal_is_classified_through_an_exception_chain() -> None:
    inner = F.AddressNotPublicError("news.example", 443, [("10.0.0.1", "private"),
                                                          ("fe80::1", "link-local")])
    try:
        try:
            raise inner
        except Exception as exc:
            raise httpx.ConnectError("wrapped") from exc
    except httpx.ConnectError as outer:
        failure, detail = F.classify_exception(outer)
        found = F.not_public_error(outer)
    assert failure == F.ADDRESS_NOT_PUBLIC and failure in F.ALL_FAILURES
    assert "10.0.0.1 is private" in detail and "fe80::1 is link-local" in detail
    assert found is inner


# -- redirects off the site ----------------------------------------------------------
HOSTS = ("news.example", "www.news.example", "m.news.example", "other.example",
         "news.example.evil.example", "evilnews.example")


def test_site_matcher_is_domains_and_subdomains_with_www() -> None:
    on = site_matcher(["www.news.example", "Second.Example."])
    for host in ("news.example", "www.news.example", "m.news.example", "NEWS.example.",
                 "second.example", "a.b.second.example"):
        assert on(host), host
    for host in ("other.example", "news.example.evil.example", "evilnews.example",
                 "example", "", "127.0.0.1", "localhost"):
        assert not on(host), host
    assert site_matcher(["127.0.0.1:8080"])("127.0.0.1")  # a port in a domain is ignored
    assert not site_matcher([])("news.example")


@pytest.mark.parametrize("target,on_site", [
    ("http://www.news.example/page", True),
    ("http://m.news.example/page", True),
    ("/page", True),
    ("http://other.example/page", False),
    ("http://news.example.evil.example/page", False),
    ("http://evilnews.example/page", False),
    ("http://localhost:{port}/page", False),
    ("http://127.0.0.2:{port}/page", False),
    ("http://127.0.0.1:{port}/page", False),
])
def test_redirect_off_site_is_recorded_and_not_followed(
        tmp_path: Path, server: HostileServer, target: str, on_site: bool) -> None:
    st = settings(resolve={h: f"127.0.0.1:{server.port}" for h in HOSTS})
    target = target.format(port=server.port)
    start = f"http://news.example/to?{target}"
    res = fetch_one(st, tmp_path, start, site=site_matcher(["news.example"]))
    if on_site:
        assert res.ok and res.body == PAGE.encode() and server.hits["/page"] == 1
        return
    assert res.failure == F.REDIRECT_OFF_SITE, res
    assert res.status == 302 and res.body == b"" and not res.ok
    assert res.final_url == start and res.redirects == (start,)
    assert target in res.failure_detail
    assert server.hits["/page"] == 0  # the target was never requested
    # the redirect itself is evidence, archived like any response
    (resp,) = [r for r in warc_records(tmp_path) if r.type == "response" and r.uri == start]
    assert resp.status == "302" and resp.http["location"] == target


def test_without_a_site_redirects_are_followed(tmp_path: Path, server: HostileServer) -> None:
    """Feeds and sitemaps: entries are filtered by outlet later, so hosts may change."""
    st = settings(resolve={h: f"127.0.0.1:{server.port}" for h in HOSTS})
    res = fetch_one(st, tmp_path, "http://news.example/to?http://other.example/page")
    assert res.ok and res.final_url == "http://other.example/page"


def test_redirect_from_http_to_https_stays_on_site(tmp_path: Path, server: HostileServer,
                                                   tls: TlsMaterial) -> None:
    with HostileServer(ssl_context=tls.server_context) as srv:
        st = settings(resolve={"news.example:80": f"127.0.0.1:{server.port}",
                               "news.example:443": f"127.0.0.1:{srv.port}"})
        transport = build_transport(st, ssl_context=tls.ca_context)

        async def body(f: Fetcher) -> FetchResult:
            return await f.fetch("http://news.example/to?https://news.example/page",
                                 site=site_matcher(["news.example"]))

        res = run_fetches(st, tmp_path, body, transport=transport)
    assert res.ok and res.body == PAGE.encode(), res
    assert res.final_url == "https://news.example/page"
    assert srv.hits["/page"] == 1  # over verified TLS with the name, to the checked IP


class _OnlyDotOne(ResolvingBackend):
    """The real backend with 127.0.0.1 counted as public: a stand-in for a public
    outlet, so a redirect from it into other internal addresses can be tested."""

    def refusal(self, ip: str) -> str | None:
        return None if ip == "127.0.0.1" else super().refusal(ip)


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/page",
                                    "http://inside.example:{port}/page"])
def test_every_redirect_hop_is_checked_at_connect(tmp_path: Path, server: HostileServer,
                                                  target: str) -> None:
    st = settings(allow_private=False,
                  resolve={"pub.example": f"127.0.0.1:{server.port}",
                           "inside.example": f"127.0.0.2:{server.port}"})
    backend = _OnlyDotOne(st.resolve, allow_private=False)
    transport = PoolTransport(httpcore.AsyncConnectionPool(network_backend=backend, retries=0))
    target = target.format(port=server.port)
    start = f"http://pub.example/to?{target}"

    async def body(f: Fetcher) -> FetchResult:
        return await f.fetch(start, check_robots=False)

    res = run_fetches(st, tmp_path, body, transport=transport)
    assert res.failure == F.ADDRESS_NOT_PUBLIC, res  # not followed into 127.0.0.2
    assert res.redirects == (start,)
    assert "127.0.0.2 is loopback" in res.failure_detail
    assert server.hits[f"/to?{target}"] == 1 and server.hits["/page"] == 0


# -- several addresses ---------------------------------------------------------------
class _Addresses(ResolvingBackend):
    """The real backend, with the answer of a multi-address name given (no DNS here)."""

    def __init__(self, answer: list[str], **kw: object) -> None:
        super().__init__({}, **kw)  # type: ignore[arg-type]
        self.answer = answer

    async def addresses(self, host: str, port: int) -> list[str]:
        return list(self.answer)


def _fetch_via(backend: ResolvingBackend, st: FetchSettings, tmp_path: Path,
               url: str) -> FetchResult:
    transport = PoolTransport(httpcore.AsyncConnectionPool(network_backend=backend, retries=0))

    async def body(f: Fetcher) -> FetchResult:
        return await f.fetch(url, check_robots=False)

    return run_fetches(st, tmp_path, body, transport=transport)


def test_addresses_are_tried_in_order_and_refused_ones_skipped(
        tmp_path: Path, server: HostileServer) -> None:
    # 127.0.0.2 has no listener (refused at once); 127.0.0.1 serves
    st = settings(retries=0)
    res = _fetch_via(_Addresses(["127.0.0.2", "127.0.0.1"], allow_private=True), st,
                     tmp_path, f"http://multi.example:{server.port}/page")
    assert res.ok and res.body == PAGE.encode()
    # with the policy on, every one of them is refused and named, nothing connected
    res = _fetch_via(_Addresses(["10.1.2.3", "127.0.0.1", "fe80::1"], allow_private=False),
                     st, tmp_path, f"http://multi.example:{server.port}/page")
    assert res.failure == F.ADDRESS_NOT_PUBLIC and server.accepts == 1
    for ip, why in (("10.1.2.3", "private"), ("127.0.0.1", "loopback"),
                    ("fe80::1", "link-local")):
        assert f"{ip} is {why}" in res.failure_detail


def test_a_silent_first_address_does_not_cost_the_timeout(tmp_path: Path,
                                                          server: HostileServer) -> None:
    """Happy eyeballs: the next address starts while the first still has not answered
    (without it, the connect to the first would use up the whole 1.5 s timeout)."""
    silent = socket.socket()
    silent.bind(("127.0.0.3", 0))
    silent.listen(0)
    # one queued connection fills its accept queue: further SYNs to it are dropped,
    # as on a black-holed route
    filler = socket.create_connection(silent.getsockname())
    try:
        st = settings(retries=0, timeout=1.5)
        res = _fetch_via(_Addresses(["127.0.0.3", "127.0.0.1"], allow_private=True), st,
                         tmp_path, f"http://multi.example:{server.port}/page")
        assert res.ok and res.body == PAGE.encode(), res
    finally:
        filler.close()
        silent.close()
