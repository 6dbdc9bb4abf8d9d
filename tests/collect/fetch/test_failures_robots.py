"""Failure classification and the robots.txt reading, on real exception and result objects."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from datetime import UTC, datetime

import httpcore
import httpx
import pytest

from untold.collect.failures import ALL_FAILURES, classify_exception
from untold.collect.robots import RobotsCache, product_token, robots_url, rules_from_result
from untold.models import FetchResult


def _wrapped(inner: BaseException) -> httpx.ConnectError:
    """httpx wraps httpcore, which wraps the OS error, as a real failure does."""
    try:
        try:
            raise inner
        except BaseException as exc:
            raise httpcore.ConnectError(str(exc)) from exc
    except httpcore.ConnectError as exc:
        try:
            raise httpx.ConnectError(str(exc)) from exc
        except httpx.ConnectError as outer:
            return outer


def _cert_error(code: int, msg: str) -> ssl.SSLCertVerificationError:
    err = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {msg}")
    err.verify_code = code
    return err


@pytest.mark.parametrize(("exc", "failure"), [
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns_nxdomain_error"),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure"), "dns_temporary_failure"),
    (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "connection_refused"),
    (ConnectionResetError(errno.ECONNRESET, "reset"), "connection_reset"),
    (OSError(errno.EHOSTUNREACH, "No route to host"), "host_unreachable"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), "network_unreachable"),
    (_cert_error(18, "self-signed certificate"), "ssl_unknown_authority"),
    (_cert_error(20, "unable to get local issuer certificate"), "ssl_unknown_authority"),
    (_cert_error(62, "Hostname mismatch"), "ssl_invalid_hostname"),
    (_cert_error(10, "certificate has expired"), "ssl_invalid_certificate"),
    (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "ssl_failed_handshake"),
    (TimeoutError(), "generic_timeout_error"),
])
def test_os_and_tls_errors_map_through_httpx_wrapping(exc: BaseException,
                                                      failure: str) -> None:
    assert classify_exception(exc)[0] == failure
    got, detail = classify_exception(_wrapped(exc))
    assert got == failure and detail


def test_other_exceptions() -> None:
    group = OSError("All connection attempts failed")
    group.__context__ = ExceptionGroup("x", [ConnectionRefusedError(111, "refused")])
    assert classify_exception(httpx.ConnectError("x"))[0] == "unknown_failure"
    assert classify_exception(group)[0] == "connection_refused"
    assert classify_exception(httpx.ReadTimeout("slow"))[0] == "generic_timeout_error"
    eof = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    assert classify_exception(eof)[0] == "eof_error"
    assert classify_exception(httpx.RemoteProtocolError("illegal header"))[0] == \
        "http_protocol_error"
    assert classify_exception(httpx.UnsupportedProtocol("gopher"))[0] == "invalid_url"
    failure, detail = classify_exception(ValueError("odd\nthing"))
    assert failure == "unknown_failure" and detail == "ValueError: odd thing"
    assert {"dns_nxdomain_error", "http_body_too_large", "robots_disallowed"} <= ALL_FAILURES


def _res(status: int | None, body: bytes = b"", failure: str | None = None) -> FetchResult:
    return FetchResult(url="http://n.example/robots.txt", final_url="", status=status,
                       headers={}, body=body, fetched_at=datetime.now(UTC), failure=failure)


def test_robots_status_reading() -> None:
    u = "http://n.example/robots.txt"
    ua = "untold/0.1 (+https://github.com/untold-news/untold; news research crawler)"
    page = "http://n.example/a"
    assert rules_from_result(u, _res(404)).allowed(page, ua)
    assert rules_from_result(u, _res(410)).allowed(page, ua)
    for status in (401, 403, 429, 500, 503):
        assert not rules_from_result(u, _res(status)).allowed(page, ua), status
    assert not rules_from_result(u, _res(None, failure="connection_reset")).allowed(page, ua)
    body = b"User-agent: github\nDisallow: /\n\nUser-agent: untold\nDisallow: /a\n"
    rules = rules_from_result(u, _res(200, body))
    assert not rules.allowed(page, ua)  # our group applies ...
    assert rules.allowed("http://n.example/b", ua)  # ... and "github" in our UA does not
    assert product_token(ua) == "untold"
    assert robots_url("https://N.example:8443/x/y?z") == "https://n.example:8443/robots.txt"


def test_robots_cache_fetches_each_origin_once() -> None:
    calls: list[str] = []

    async def fetch(url: str) -> FetchResult:
        calls.append(url)
        await asyncio.sleep(0.01)
        return _res(200, b"User-agent: *\nDisallow: /x\nSitemap: /s.xml\n")

    async def main() -> list[bool]:
        cache = RobotsCache(fetch)
        out = await asyncio.gather(*(cache.allowed(f"http://n.example/{p}", "untold")
                                     for p in ("x", "y", "x/z")))
        assert await cache.sitemaps("http://n.example/") == ["http://n.example/s.xml"]
        await cache.aclose()
        return list(out)

    assert asyncio.run(main()) == [False, True, False]
    assert calls == ["http://n.example/robots.txt"]
