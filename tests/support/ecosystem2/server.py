"""Serve ecosystem 2 on 127.0.0.1 with a settable clock.

``EcoServer`` routes by Host header and decides from ``server.now`` what
exists: articles published by then, the edited article's version, deleted
articles (410 or a redirect to the home page), the flaky outlet's 503s
during ``scenario.OUTAGE``. Feeds, sitemaps and articles answer conditional
requests (ETag, and Last-Modified where the site sends it) with 304.

The blocked outlet has a port of its own (the study resolves its domain
there): from ``scenario.BLOCK_AT`` on, the port is held by a socket that is
bound but not listening, so every connection is refused, as by a firewall
that rejects.
"""

from __future__ import annotations

import bisect
import hashlib
import socket
import sys
import threading
from collections import Counter
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.ecosystem2 import pages
from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2.generator import Article, Ecosystem, generate

__all__ = ["EcoServer"]

Response = tuple[int, bytes, dict[str, str]]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client hanging up (the collector's limits) is ordinary; anything else is shown
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Door:
    """One listening port that can be shut (connections refused) and opened again."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.handler = handler
        self.httpd: _QuietServer | None = _QuietServer(("127.0.0.1", 0), handler)
        self.port: int = self.httpd.server_address[1]
        self.holder: socket.socket | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.httpd is not None and self.thread is None:
            self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
            self.thread.start()

    def _stop(self) -> None:
        if self.httpd is not None:
            if self.thread is not None:  # shutdown() waits for a serve_forever() loop
                self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
            self.thread = None

    def shut(self) -> None:
        """Refuse connections: stop listening but keep the port bound."""
        if self.httpd is None:
            return
        self._stop()
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", self.port))  # bound, never listen(): SYNs get a RST
        self.holder = holder

    def open(self) -> None:
        if self.httpd is not None:
            return
        if self.holder is not None:
            self.holder.close()
            self.holder = None
        self.httpd = _QuietServer(("127.0.0.1", self.port), self.handler)

    def close(self) -> None:
        self._stop()
        if self.holder is not None:
            self.holder.close()
            self.holder = None


class EcoServer:
    """Ecosystem 2's outlets on loopback. Use as a context manager."""

    def __init__(self, eco: Ecosystem | None = None, *, now: datetime | None = None) -> None:
        self.eco = eco or generate()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self._outlets = {o.domain: o for o in self.eco.outlets}
        self._articles: dict[str, list[Article]] = {o.id: [] for o in self.eco.outlets}
        for a in self.eco.articles:
            self._articles[a.outlet_id].append(a)
        self._times = {k: [a.published for a in v] for k, v in self._articles.items()}
        self._paths = {(a.outlet_id, a.path): a for a in self.eco.articles}
        handler = self._handler()
        self._main = _Door(handler)
        self._blocked = _Door(handler)
        self.port = self._main.port
        self.blocked_port = self._blocked.port
        self._entered = False
        self._now = sc.START
        self.now = now or sc.START

    def __enter__(self) -> EcoServer:
        self._main.start()
        self._blocked.start()
        self._entered = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._main.close()
        self._blocked.close()

    def ports(self) -> dict[str, int]:
        """The port each outlet's domain must resolve to."""
        return {o.domain: self.blocked_port if o.id == sc.BLOCKED else self.port
                for o in self.eco.outlets}

    @property
    def now(self) -> datetime:
        """The server's clock: what exists, which version, who answers."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("server.now must be timezone-aware")
        self._now = value
        if value >= sc.BLOCK_AT:
            self._blocked.shut()
        else:
            self._blocked.open()
            if self._entered:
                self._blocked.start()

    # -- what exists at a time ------------------------------------------------------------
    def published(self, outlet_id: str, now: datetime | None = None) -> list[Article]:
        """The outlet's articles published at or before ``now`` (deleted ones too)."""
        k = bisect.bisect_right(self._times[outlet_id], now or self.now)
        return self._articles[outlet_id][:k]

    def live(self, outlet_id: str, now: datetime | None = None) -> list[Article]:
        """Published and not deleted: what feeds, sitemaps and home pages list."""
        now = now or self.now
        return [a for a in self.published(outlet_id, now)
                if a.deleted_at is None or now < a.deleted_at]

    def listed(self, outlet_id: str, now: datetime | None = None) -> set[str]:
        """Article URLs the outlet's listings that the study names (feed, else sitemap,
        else the home page) show at ``now``; nothing when it refuses or fails then."""
        now = now or self.now
        o = self.eco.outlet(outlet_id)
        if (o.id == sc.BLOCKED and now >= sc.BLOCK_AT) or self._outage(o.id, now):
            return set()
        live = self.live(o.id, now)
        if o.sitemap and (o.sitemap_in_study or not o.feed):
            found = live
        elif o.feed:
            found = list(reversed(live))[:o.feed_items]
        else:
            found = live[-pages.HOME_ITEMS:]
        return {self.eco.url(a) for a in found}

    @staticmethod
    def _outage(outlet_id: str, now: datetime) -> bool:
        return outlet_id == sc.FLAKY and sc.OUTAGE[0] <= now < sc.OUTAGE[1]

    # -- responses ------------------------------------------------------------------------
    def respond(self, host: str, path: str, headers: Any) -> Response:
        """(status, body, headers) for a GET of ``path`` on ``host`` at ``self.now``."""
        now = self.now
        o = self._outlets.get(host)
        html = "text/html; charset=utf-8"
        if o is None:
            return 404, b"no such site", {"Content-Type": "text/plain"}
        if self._outage(o.id, now):
            return 503, pages.outage_page(o).encode(), {"Content-Type": html,
                                                        "Retry-After": "3600"}
        path = path.split("?", 1)[0].split("#", 1)[0]
        xml = "application/xml; charset=utf-8"
        if path == "/robots.txt":
            sm = f"Sitemap: {o.base}/sitemap.xml\n" if o.sitemap else ""
            text = f"User-agent: *\nDisallow: /search\n{sm}"
            return 200, text.encode(), {"Content-Type": "text/plain; charset=utf-8"}
        if path == "/":
            return 200, pages.home_page(o, self.live(o.id, now)).encode(), {"Content-Type": html}
        feed = {"rss": "/rss.xml", "atom": "/feed.atom"}.get(o.feed or "")
        if feed and path == feed:
            body, last = pages.feed_xml(o, self.live(o.id, now))
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
        if o.sitemap == "index" and path.startswith("/sitemap-") and path.endswith(".xml"):
            month = path[len("/sitemap-"):-4]
            live = [a for a in self.live(o.id, now) if f"{a.published:%Y-%m}" == month]
            if live:
                body, last = pages.sitemap_xml(o, live)
                return _conditional(headers, body, last, xml)
        art = self._paths.get((o.id, path))
        if art is not None and art.published <= now:
            if art.deleted_at is None or now < art.deleted_at:
                body, modified = pages.article_page(self.eco, art, now)
                return _conditional(headers, body, modified, html)
            if art.deletion == "redirect_home":
                return 301, b"", {"Location": f"{o.base}/", "Content-Type": html}
            return 410, pages.gone_page(o).encode(), {"Content-Type": html}
        return 404, pages.not_found_page(o).encode(), {"Content-Type": html}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass  # requests are counted in server.hits

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, *, head: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server.lock:
                    server.hits[(host, self.path)] += 1
                status, body, extra = server.respond(host, self.path, self.headers)
                self.send_response(status)
                for k, v in extra.items():
                    self.send_header(k, v)
                if status != 304:  # a 304 has no body and must not describe one
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)

        return Handler


def _conditional(headers: Any, body: str, last: datetime | None, ctype: str) -> Response:
    """200 with validators, or 304 when the request's validators still hold
    (If-None-Match decides when sent, as RFC 9110 says)."""
    data = body.encode("utf-8")
    etag = '"' + hashlib.sha256(data).hexdigest()[:24] + '"'
    out = {"Content-Type": ctype, "ETag": etag, "Cache-Control": "max-age=60"}
    if last is not None:
        out["Last-Modified"] = format_datetime(last.replace(microsecond=0), usegmt=True)
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return (304, b"", out) if etag in tags or "*" in tags else (200, data, out)
    ims = headers.get("If-Modified-Since")
    if ims and last is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            since = None  # unreadable: answer in full, as servers do
        if since is not None and since.tzinfo is not None and \
                last.replace(microsecond=0) <= since:
            return 304, b"", out
    return 200, data, out
