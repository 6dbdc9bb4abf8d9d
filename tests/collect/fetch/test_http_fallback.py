"""https -> http fallback (``[fetch] http_fallback``): only for failures of TLS itself,
only when the study allows it, and both attempts kept as evidence.

Real servers on loopback: a TLS server whose certificate the client does not trust
(a certificate error), a server that answers a TLS ClientHello in plain HTTP (a
failed handshake, as a site with http on its https port does), and a plain HTTP
server for the fallback. ``resolve`` maps news.example's ports 443 and 80 to them,
so the URLs are the ordinary ``https://news.example/...`` an outlet defaults to.
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.fetching import failures_for, run_fetches, settings, warc_records
from tests.support.hostile_server import PAGE, HostileServer
from tests.support.tls import TlsMaterial
from untold.collect.fetcher import TLS_LAYER_FAILURES, Fetcher, plain_http_url
from untold.config import load_study
from untold.models import FetchResult

pytestmark = pytest.mark.timeout(120)

ARTICLE = ("<html><head><title>Граждане вернулись домой</title></head><body><article>"
           "<h1>Граждане вернулись домой</h1>"
           + "".join(f"<p>Абзац {i}: более ста граждан вернулись домой после долгой поездки, "
                     "сообщили в министерстве иностранных дел в понедельник утром.</p>"
                     for i in range(8))
           + "</article></body></html>")
FEED = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        "<link>https://news.example/</link><item><title>Граждане вернулись домой</title>"
        "<link>https://news.example/a1</link><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate>"
        "</item></channel></rss>")


class NotTlsServer:
    """Answers whatever arrives (a TLS ClientHello) with plain HTTP: the client's
    handshake fails ("wrong version number"), as on a site serving http on 443."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepts = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> NotTlsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepts += 1
            try:
                conn.settimeout(2)
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            finally:
                conn.close()


class PlainSite:
    """news.example over plain HTTP: robots.txt, a feed, an article; counts hits."""

    def __init__(self) -> None:
        hits: list[str] = []
        self.hits = hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body, ctype = {
                    "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain"),
                    "/feed.xml": (FEED.encode(), "application/rss+xml"),
                    "/a1": (ARTICLE.encode(), "text/html; charset=utf-8"),
                    "/page": (PAGE.encode(), "text/html; charset=utf-8"),
                }.get(self.path, (b"", ""))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", ctype or "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PlainSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def plain() -> Iterator[PlainSite]:
    with PlainSite() as p:
        yield p


def _resolve(tls_port: int, http_port: int) -> dict[str, str]:
    return {"news.example:443": f"127.0.0.1:{tls_port}",
            "news.example:80": f"127.0.0.1:{http_port}"}


def test_the_http_url_of_an_https_url() -> None:
    assert plain_http_url("https://news.example/a?b=1#c") == "http://news.example/a?b=1#c"
    assert plain_http_url("https://news.example:443/") == "http://news.example/"
    assert plain_http_url("HTTPS://[::1]/x") == "http://[::1]/x"
    assert plain_http_url("https://news.example:8443/") is None  # what listens on http there?
    assert plain_http_url("http://news.example/") is None
    assert plain_http_url("https://news.example:99999/") is None


@pytest.mark.parametrize("kind", ["handshake", "certificate"])
@pytest.mark.slow
def test_a_tls_failure_falls_back_to_http_and_both_are_archived(
        tmp_path: Path, tls: TlsMaterial, plain: PlainSite, kind: str) -> None:
    server: Any = NotTlsServer() if kind == "handshake" else \
        HostileServer(ssl_context=tls.server_context)  # signed by a CA nobody trusts
    with server:
        st = settings(resolve=_resolve(server.port, plain.port), http_fallback=True,
                      retries=0)
        results = run_fetches(st, tmp_path, lambda f: f.fetch_with_fallback(
            "https://news.example/page"))
        accepted = server.accepts
    first, last = results
    assert accepted >= 1  # https was really tried
    expected = "ssl_failed_handshake" if kind == "handshake" else "ssl_unknown_authority"
    assert first.failure == expected and first.failure in TLS_LAYER_FAILURES
    assert first.url == "https://news.example/page"
    assert last.ok and last.url == "http://news.example/page" and last.body == PAGE.encode()
    assert plain.hits == ["/robots.txt", "/page"]
    recs = warc_records(tmp_path)
    # the https robots.txt failed first (the page was not asked for without it) ...
    assert [f["failure"] for f in failures_for(recs, "https://news.example/robots.txt")] == [
        expected]
    assert failures_for(recs, "https://news.example/page")[0]["failure"] == expected
    # ... and the http page is archived as a response
    assert [r.status for r in recs if r.type == "response"
            and r.uri == "http://news.example/page"] == ["200"]


def test_no_fallback_unless_the_study_allows_it(tmp_path: Path, plain: PlainSite) -> None:
    with NotTlsServer() as server:
        st = settings(resolve=_resolve(server.port, plain.port), retries=0)
        assert st.http_fallback is False  # the default
        results = run_fetches(st, tmp_path, lambda f: f.fetch_with_fallback(
            "https://news.example/page"))
    assert [r.failure for r in results] == ["ssl_failed_handshake"]
    assert plain.hits == []  # never a cleartext request the study did not allow


@pytest.mark.slow
def test_only_tls_failures_fall_back(tmp_path: Path, plain: PlainSite) -> None:
    """A refusal or a timeout is no TLS failure: it may be blocking, and http would not
    tell it apart. Nothing listens on the closed port; the silent one completes TCP
    (the kernel's backlog) and never answers the ClientHello: a handshake that stalls
    is a timeout, not a failed handshake (as SNI filtering by dropping looks)."""
    closed = socket.create_server(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        for port, expected in ((closed_port, "connection_refused"),
                               (silent.getsockname()[1], "generic_timeout_error")):
            st = settings(resolve=_resolve(port, plain.port), http_fallback=True,
                          retries=0, timeout=0.5)
            results = run_fetches(st, tmp_path / str(port), lambda f: f.fetch_with_fallback(
                "https://news.example/page", check_robots=False))
            assert [r.failure for r in results] == [expected], results
    finally:
        silent.close()
    assert plain.hits == []


@pytest.mark.slow
def test_a_host_whose_tls_failed_goes_to_http_directly(tmp_path: Path,
                                                        plain: PlainSite) -> None:
    with NotTlsServer() as server:
        st = settings(resolve=_resolve(server.port, plain.port), http_fallback=True,
                      retries=0)

        async def two(f: Fetcher) -> tuple[list[FetchResult], list[FetchResult]]:
            return (await f.fetch_with_fallback("https://news.example/page"),
                    await f.fetch_with_fallback("https://news.example/a1"))

        one, other = run_fetches(st, tmp_path, two)
        accepted = server.accepts
    assert [r.url for r in one] == ["https://news.example/page", "http://news.example/page"]
    assert [r.url for r in other] == ["http://news.example/a1"] and other[0].ok
    assert accepted == 1  # one failed handshake (robots.txt), not one per page


def _study(tmp: Path, tls_port: int, http_port: int, fallback: bool) -> Path:
    path = tmp / "study.toml"
    resolve = ", ".join(f'"{k}" = "{v}"' for k, v in _resolve(tls_port, http_port).items())
    path.write_text(f"""
[study]
name = "fallback"
archive = "archive"

[fetch]
allow_private = true
delay = 0.0
retries = 0
timeout = 5.0
http_fallback = {"true" if fallback else "false"}
resolve = {{ {resolve} }}

[[outlets]]
id = "news"
name = "News"
domains = ["news.example"]
languages = ["ru"]
feeds = ["https://news.example/feed.xml"]
""", encoding="utf-8")
    return path


def _captures(study: Path) -> list[tuple[str, str, int | None, str | None]]:
    conn = sqlite3.connect(load_study(study).db_path)
    try:
        return conn.execute("SELECT url, kind, status, failure FROM captures "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()


def test_collect_stores_both_attempts_as_captures(tmp_path: Path, plain: PlainSite) -> None:
    from untold import api

    with NotTlsServer() as server:
        study = _study(tmp_path, server.port, plain.port, fallback=True)
        stats = api.collect(study)
    assert stats.articles_new == 1, stats
    assert _captures(study) == [
        ("https://news.example/feed.xml", "feed", None, "ssl_failed_handshake"),
        ("http://news.example/feed.xml", "feed", 200, None),
        # the feed's https link: the host's TLS failed already, so straight to http
        ("http://news.example/a1", "article", 200, None),
    ]
    conn = sqlite3.connect(load_study(study).db_path)
    try:
        assert conn.execute("SELECT url FROM articles").fetchall() == [
            ("http://news.example/a1",)]
    finally:
        conn.close()


@pytest.mark.slow
def test_collect_without_fallback_records_the_tls_failure_only(tmp_path: Path,
                                                               plain: PlainSite) -> None:
    from untold import api

    with NotTlsServer() as server:
        study = _study(tmp_path, server.port, plain.port, fallback=False)
        stats = api.collect(study)
    assert stats.articles_new == 0
    assert _captures(study) == [
        ("https://news.example/feed.xml", "feed", None, "ssl_failed_handshake")]
    assert plain.hits == []
