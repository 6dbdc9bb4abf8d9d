"""Serve the example ecosystem on 127.0.0.1 with a settable clock, behind a censor.

``DemoServer`` routes by Host header (the study maps every ``.example``
domain here with ``[fetch] resolve``) and counts requests per (host, path).
``server.now`` decides what exists: articles published at or before it, the
version of the edited article, whether a deleted article answers 404, a
redirect to the home page or a soft 404. Feeds, sitemaps and articles carry
ETag and Last-Modified and answer conditional requests with 304. Every
response's ``Date`` is ``server.now``.

Per outlet: ``/robots.txt`` (naming the sitemap), ``/rss.xml`` or
``/atom.xml``, ``/sitemap.xml`` (a urlset, or an index of
``/sitemaps/YYYY-MM.xml``), ``/`` (the latest headlines) and the articles.

The network around it (``untold.demo.censor``) does what ``scenario.BLOCKS``
plans, by the same clock, for the collector and untold's probe:

* ``port``: plain HTTP, for everyone.
* ``tls_port``: TLS through the censor: a Client Hello naming a ``tls_reset``
  outlet in its period is answered with a TCP reset; any other name (a neutral
  one too) gets the example CA's certificate and the same pages as ``port``.
* ``tls_direct_port``: the same TLS server without the censor (the control's path).
* ``dns_address``: the censored network's resolver: 127.0.0.1 for every outlet,
  but the block page's address (``block_address``, 127.0.0.2 on ``port``) for a
  ``dns_blockpage`` outlet in its period, or NXDOMAIN where 127.0.0.2 cannot be
  bound (``dns_block_method``).
* an ``outage`` outlet in its period is down from everywhere: every listener reads
  the request and closes the connection without an answer.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import hashlib
import socket
import tempfile
import threading
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from untold.demo import pages
from untold.demo import scenario as sc
from untold.demo.censor import (
    BLOCK_PAGE_IP,
    BlockPageServer,
    Resolver,
    TlsFiles,
    client_hello_sni,
    make_tls_files,
    peek_client_hello,
    server_context,
)
from untold.demo.generator import DemoArticle, Ecosystem, generate
from untold.demo.listeners import HANDSHAKE_TIMEOUT_S, Listener, TlsListener
from untold.demo.scenario import BlockPlan, DemoOutlet

__all__ = ["DemoServer"]

LOOPBACK = "127.0.0.1"
# the block page needs the plain port's number on 127.0.0.2 too; if something else
# holds it there, a new pair of ports is tried (rarely more than once)
PORT_PAIR_TRIES = 20


class DemoServer:
    """The example's outlets and their network on loopback. Use as a context manager:
    the listeners, the resolver and the TLS files exist inside the ``with`` block.

    ``tls_dir``: where to write the CA certificate and the leaf's certificate and
    key (None: a temporary directory, removed on exit). ``block_ip``: the block
    page's address (None: no block page; the resolver answers NXDOMAIN instead).
    """

    def __init__(self, eco: Ecosystem | None = None, *, now: datetime | None = None,
                 tls_dir: str | Path | None = None,
                 block_ip: str | None = BLOCK_PAGE_IP) -> None:
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
        # what the censor (or a site itself) does, by the clock; nothing without patterns
        self.blocks: tuple[BlockPlan, ...] = sc.BLOCKS if self.eco.patterns else ()
        self._tls_dir = Path(tls_dir) if tls_dir is not None else None
        self._block_ip = block_ip
        self._tls: TlsFiles | None = None
        self._stack: contextlib.ExitStack | None = None
        # set when the server starts (inside the with block)
        self.port = 0  # plain HTTP
        self.tls_port = 0  # TLS through the censor
        self.tls_direct_port = 0  # TLS without the censor
        self.dns_address = ""  # "127.0.0.1:N": the censored network's resolver
        self.block_address: str | None = None  # the block page's IP (on ``port``)
        self.dns_block_method = "nxdomain"  # "blockpage" | "nxdomain"

    def __enter__(self) -> DemoServer:
        with contextlib.ExitStack() as stack:
            tls_dir = self._tls_dir
            if tls_dir is None:
                tls_dir = Path(stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="untold-demo-tls-")))
            names = [o.domain for o in self.eco.outlets if o.https]
            self._tls = make_tls_files(tls_dir, names)
            ctx = server_context(self._tls)
            handler = self._handler()
            plain, block = self._bind_plain(handler)
            listeners: list[Listener] = [plain] + ([block] if block else [])
            stack.callback(_stop_all, listeners)  # registered before any starts
            tls = TlsListener((LOOPBACK, 0), handler, ctx, censor=self._censor,
                              name="untold-demo-tls")
            listeners.append(tls)
            direct = TlsListener((LOOPBACK, 0), handler, ctx, name="untold-demo-tls-direct")
            listeners.append(direct)
            resolver = stack.enter_context(Resolver(self.dns_answer, host=LOOPBACK))
            for lst in listeners:
                lst.start()
            self.port, self.tls_port, self.tls_direct_port = plain.port, tls.port, direct.port
            self.dns_address = resolver.address
            self.block_address = str(block.server_address[0]) if block else None
            self.dns_block_method = "blockpage" if block else "nxdomain"
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    def _bind_plain(self, handler: type[BaseHTTPRequestHandler]
                    ) -> tuple[Listener, BlockPageServer | None]:
        """The plain listener on 127.0.0.1, and the block page on the same port number
        at ``block_ip`` when that address can be bound."""
        for _ in range(PORT_PAIR_TRIES):
            plain = Listener((LOOPBACK, 0), handler)
            if self._block_ip is None:
                return plain, None
            try:
                return plain, BlockPageServer(self._block_ip, plain.port)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    return plain, None  # no such address here (e.g. macOS: 127.0.0.1 only)
                plain.server_close()  # taken there: try another port number
        return Listener((LOOPBACK, 0), handler), None

    @property
    def ca_file(self) -> Path:
        """The example CA's certificate (PEM), to trust for the https outlets."""
        if self._tls is None:
            raise RuntimeError("the server is not running: use 'with DemoServer(...) as s'")
        return self._tls.ca_file

    @property
    def now(self) -> datetime:
        """The server's clock: what exists, which version, who is blocked."""
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("server.now must be timezone-aware (e.g. datetime(..., tzinfo=UTC))")
        self._now = value

    # -- the censor and outages, by the clock --------------------------------------
    def block(self, outlet_id: str, kind: str, now: datetime | None = None) -> BlockPlan | None:
        """The ``kind`` plan acting on the outlet at ``now`` (its ``[since, until)``)."""
        now = now or self.now
        return next((b for b in self.blocks if b.outlet_id == outlet_id and b.kind == kind
                     and b.since <= now < b.until), None)

    def _blocked_host(self, host: str | None, kind: str) -> bool:
        o = self._outlets.get((host or "").lower().rstrip("."))
        return o is not None and self.block(o.id, kind) is not None

    def tls_blocked(self, sni: str | None) -> bool:
        """Whether the censor resets a Client Hello naming ``sni`` now."""
        return self._blocked_host(sni, "tls_reset")

    def down(self, host: str) -> bool:
        """Whether the outlet at ``host`` is down now (an outage: no answer from anywhere)."""
        return self._blocked_host(host, "outage")

    def _censor(self, sock: socket.socket) -> bool:
        return self.tls_blocked(client_hello_sni(peek_client_hello(sock, HANDSHAKE_TIMEOUT_S)))

    def dns_answer(self, name: str) -> list[str] | None:
        """The censored network's resolver: A records for ``name`` (None: NXDOMAIN)."""
        o = self._outlets.get(name.lower().rstrip("."))
        if o is None:
            return None
        if self.block(o.id, "dns_blockpage") is not None:
            return [self.block_address] if self.block_address else None
        return [LOOPBACK]

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
        else the home page's links. Nothing while the censor resets the outlet's TLS
        handshakes or the outlet is down; a DNS block does not stop the collector,
        which maps the names itself (``[fetch] resolve``) and never asks the resolver."""
        now = now or self.now
        o = self.eco.outlet(outlet_id)
        if self.block(o.id, "tls_reset", now) or self.block(o.id, "outage", now):
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
        """(status, body, headers) for a GET of ``path`` at ``host``."""
        now = self.now
        o = self._outlets.get(host)
        if o is None:
            return 404, b"no such site", {"Content-Type": "text/plain"}
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

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, *, head: bool) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                with server.lock:
                    server.hits[(host, self.path)] += 1
                if server.down(host):
                    # a front whose backend is down: the request is read, the connection
                    # closed without an answer (the same from every path)
                    self.close_connection = True
                    return
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


def _stop_all(listeners: list[Listener]) -> None:
    for lst in listeners:
        lst.stop()


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
