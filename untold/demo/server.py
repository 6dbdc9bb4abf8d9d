"""Serve the example ecosystem on 127.0.0.1 with a settable clock.

``DemoServer`` routes by Host header (the study maps every ``.example``
domain here with ``[fetch] resolve``) and counts requests per (host, path).
``server.now`` decides what exists: articles published at or before it, the
version of the edited article, whether a deleted article answers 404, a
redirect to the home page or a soft 404, and whether the unreachable outlet
resets every connection. Feeds, sitemaps and articles carry ETag and
Last-Modified and answer conditional requests with 304. Every response's
``Date`` is ``server.now``.

Per outlet: ``/robots.txt`` (naming the sitemap), ``/rss.xml`` or
``/atom.xml``, ``/sitemap.xml`` (a urlset, or an index of
``/sitemaps/YYYY-MM.xml``), ``/`` (the latest headlines) and the articles.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import socket
import struct
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from untold.demo import pages
from untold.demo import scenario as sc
from untold.demo.generator import DemoArticle, Ecosystem, generate
from untold.demo.scenario import DemoOutlet

__all__ = ["DemoServer"]


class _Reset(Exception):
    """Raised in a handler to end its connection with a TCP reset."""


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up (the collector's size or time limits, or the blocked
        # outlet's resets) is ordinary here; anything else is still printed
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class DemoServer:
    """The example's outlets on one loopback port. Use as a context manager."""

    def __init__(self, eco: Ecosystem | None = None, *, now: datetime | None = None) -> None:
        self.eco = eco or generate()
        self._now = sc.END
        self.now = now or sc.END
        self.hits: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self._outlets = {o.domain: o for o in self.eco.outlets}
        self._articles: dict[str, list[DemoArticle]] = {o.id: [] for o in self.eco.outlets}
        for a in self.eco.articles:
            self._articles[a.outlet_id].append(a)
        self._times = {k: [a.published for a in v] for k, v in self._articles.items()}
        self._paths = {(a.outlet_id, a.path): a for a in self.eco.articles}
        oid, since, _ = sc.UNREACHABLE
        self.unreachable: dict[str, datetime] = {oid: since} if self.eco.patterns else {}
        self.httpd = _QuietServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def now(self) -> datetime:
        """The server's clock: what exists, which version, who is blocked."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("server.now must be timezone-aware (e.g. datetime(..., tzinfo=UTC))")
        self._now = value

    # -- what exists at self.now -------------------------------------------------
    def published(self, outlet_id: str, now: datetime | None = None) -> list[DemoArticle]:
        """The outlet's articles published at or before ``now`` (deleted ones too)."""
        now = now or self.now
        k = bisect.bisect_right(self._times[outlet_id], now)
        return self._articles[outlet_id][:k]

    def live(self, outlet_id: str, now: datetime | None = None) -> list[DemoArticle]:
        """Published and not (yet) deleted: what feeds, sitemaps and home pages list."""
        now = now or self.now
        return [a for a in self.published(outlet_id, now)
                if a.deleted_at is None or now < a.deleted_at]

    def discoverable(self, outlet_id: str, now: datetime | None = None) -> set[str]:
        """Article URLs untold's collector finds at ``now``, as its discovery works:
        feeds, then the study's sitemaps (robots.txt's only when there is no feed),
        else the home page's links; nothing while the outlet is unreachable."""
        now = now or self.now
        o = self.eco.outlet(outlet_id)
        if o.id in self.unreachable and now >= self.unreachable[o.id]:
            return set()
        live = self.live(o.id, now)
        if o.sitemap and (o.sitemap_in_study or not o.feed):
            found = live
        elif o.feed:
            found = pages.recent(live, now)
        else:
            found = live[-sc.HOME_ITEMS:]
        return {self.url(a) for a in found}

    def url(self, a: DemoArticle) -> str:
        return self.eco.outlet(a.outlet_id).base + a.path

    # -- responses -----------------------------------------------------------------
    def respond(self, host: str, path: str, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) for a GET; raises _Reset for a blocked outlet."""
        now = self.now
        o = self._outlets.get(host)
        if o is None:
            return 404, b"no such site", {"Content-Type": "text/plain"}
        if o.id in self.unreachable and now >= self.unreachable[o.id]:
            raise _Reset(host)
        path = path.split("?", 1)[0].split("#", 1)[0]
        html = "text/html; charset=utf-8"
        xml = "application/xml; charset=utf-8"
        if path == "/robots.txt":
            sm = f"Sitemap: {o.base}/sitemap.xml\n" if o.sitemap else ""
            text = f"User-agent: *\nDisallow: /search\n{sm}"
            return 200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"}
        if path == "/":
            return 200, pages.home_page(o, self.live(o.id, now)).encode(), {"Content-Type": html}
        feed = {"rss": "/rss.xml", "atom": "/atom.xml"}.get(o.feed or "")
        if feed and path == feed:
            body, last = pages.feed_xml(o, self.live(o.id, now), now)
            ctype = "application/atom+xml" if o.feed == "atom" else "application/rss+xml"
            return _conditional(headers, body, last, f"{ctype}; charset=utf-8")
        if o.sitemap and path == "/sitemap.xml":
            live = self.live(o.id, now)
            if o.sitemap == "index":
                months: dict[str, datetime] = {}
                for a in live:
                    months[f"{a.published:%Y-%m}"] = a.published
                body, last = pages.sitemap_index_xml(o, sorted(months.items()))
            else:
                body, last = pages.sitemap_xml(o, live)
            return _conditional(headers, body, last, xml)
        if o.sitemap == "index" and path.startswith("/sitemaps/") and path.endswith(".xml"):
            month = path[len("/sitemaps/"):-4]
            live = [a for a in self.live(o.id, now) if f"{a.published:%Y-%m}" == month]
            if live:
                body, last = pages.sitemap_xml(o, live)
                return _conditional(headers, body, last, xml)
        art = self._paths.get((o.id, path))
        if art is not None and art.published <= now:
            if art.deleted_at is None or now < art.deleted_at:
                body, last = pages.article_page(self.eco, art, self.live(o.id, now), now)
                return _conditional(headers, body, last, html)
            if art.deletion == "redirect_home":
                return 301, b"", {"Location": f"{o.base}/", "Content-Type": html}
            if art.deletion == "soft_404":
                return 200, pages.not_found_page(o).encode(), {"Content-Type": html}
        return self.not_found(o)

    def not_found(self, o: DemoOutlet) -> tuple[int, bytes, dict[str, str]]:
        status = 200 if o.soft_404 else 404
        return status, pages.not_found_page(o).encode(), {"Content-Type":
                                                           "text/html; charset=utf-8"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass  # the tests count requests in server.hits instead

            def date_time_string(self, timestamp: float | None = None) -> str:
                # the Date header tells the server's clock, not the machine's: a listing
                # fetched in a pass is dated at the pass time, as a live site's would be
                return format_datetime(server.now.astimezone(UTC).replace(microsecond=0),
                                       usegmt=True)

            def handle(self) -> None:
                # a _Reset means the connection is already gone, reset on purpose
                with contextlib.suppress(_Reset):
                    super().handle()

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, *, head: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server.lock:
                    server.hits[(host, self.path)] += 1
                try:
                    status, body, extra = server.respond(host, self.path, self.headers)
                except _Reset:
                    # like a middlebox that resets the connection on seeing the host
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    raise
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                if status != 304:  # a 304 has no body and must not describe one
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)

        return Handler


def _conditional(headers: Any, body: str, last: datetime,
                 ctype: str) -> tuple[int, bytes, dict[str, str]]:
    """200 with validators, or 304 when the request's validators still hold."""
    data = body.encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
    out = {"Content-Type": ctype, "ETag": etag,
           "Last-Modified": format_datetime(last.replace(microsecond=0), usegmt=True),
           "Cache-Control": "max-age=60"}
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return (304, b"", out) if etag in tags or "*" in tags else (200, data, out)
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            since = None  # an unreadable date: answer in full, as servers do
        if since is not None and since.tzinfo is not None and \
                last.replace(microsecond=0) <= since:
            return 304, b"", out
    return 200, data, out
