"""Real servers for probe tests: web (HTTP/HTTPS, DoH), DNS (UDP), an SNI-filtering proxy.

Each runs on an asyncio loop in a background thread (``Background``), or as a
process (``python -m tests.support.probe_sites CONFIG.json``) inside a network
namespace. All bind only to the addresses they are given.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
import ssl
import struct
import sys
import threading
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

MAX_HEAD = 16_384


@dataclass
class SiteConfig:
    delay: float = 0.0  # before every response: emulates a far-away server
    page_bytes: int = 2_000
    big_bytes: int = 300_000
    geoblock: list[str] = field(default_factory=list)  # client networks refused with 403
    zone: dict[str, Any] = field(default_factory=dict)  # for /dns-query (DoH)
    block_page: bool = False  # answer every request with a censor's block page
    block_html: str | None = None  # ... or with this page (a block page of one's own)
    rtt: float = 0.0  # held before the TLS handshake too: one round trip of a far network


class WebServer:
    """HTTP/1.1 (Connection: close) on plain and TLS sockets, routed by path."""

    def __init__(self, cfg: SiteConfig) -> None:
        self.cfg = cfg
        self.inflight: Counter[str] = Counter()
        self.max_inflight: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.servers: list[asyncio.Server] = []
        self.tasks: set[asyncio.Future[None]] = set()
        self.connections = 0  # accepted (and, for TLS, handshaken) connections

    async def listen(self, host: str, port: int, ctx: ssl.SSLContext | None) -> int:
        if self.cfg.rtt and ctx is not None:
            return await self._listen_late_tls(host, port, ctx)
        srv = await asyncio.start_server(self._conn, host, port, ssl=ctx, backlog=1024,
                                         reuse_address=True)
        self.servers.append(srv)
        return int(srv.sockets[0].getsockname()[1])

    async def _listen_late_tls(self, host: str, port: int, ctx: ssl.SSLContext) -> int:
        """Accept, wait one round trip, then start TLS: the ClientHello waits in the kernel."""
        loop = asyncio.get_running_loop()
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind((host, port))
        lsock.listen(1024)
        lsock.setblocking(False)

        async def late(conn: socket.socket) -> None:
            await asyncio.sleep(self.cfg.rtt)
            reader = asyncio.StreamReader()
            proto = asyncio.StreamReaderProtocol(reader)
            try:
                transport, _ = await loop.connect_accepted_socket(lambda: proto, conn, ssl=ctx)
            except (OSError, ssl.SSLError):
                conn.close()
                return
            await self._conn(reader, asyncio.StreamWriter(transport, proto, reader, loop))

        async def accept() -> None:
            try:
                while True:
                    conn, _ = await loop.sock_accept(lsock)
                    self.tasks.add(t := asyncio.ensure_future(late(conn)))
                    t.add_done_callback(self.tasks.discard)
            finally:
                lsock.close()

        self.tasks.add(asyncio.ensure_future(accept()))
        return int(lsock.getsockname()[1])

    async def _conn(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self._serve(r, w)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError,
                ssl.SSLError):
            pass  # clients of a probe test hang up in every way; the test checks the client
        finally:
            w.close()

    async def _serve(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        head = await r.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        hdrs = {k.strip().lower(): v.strip() for k, _, v in
                (ln.partition(":") for ln in lines[1:] if ln)}
        host = hdrs.get("host", "").split(":")[0].lower()
        body = await r.readexactly(int(hdrs.get("content-length", "0") or 0))
        path = target.split("?")[0]
        peer = w.get_extra_info("peername")[0]
        self.requests[host] += 1
        self.inflight[host] += 1
        self.max_inflight[host] = max(self.max_inflight[host], self.inflight[host])
        try:
            if self.cfg.delay or self.cfg.rtt:
                await asyncio.sleep(self.cfg.delay + self.cfg.rtt)
            if path == "/reset":
                _rst(w)
                return
            status, headers, payload = self._route(method, path, host, hdrs, body, peer)
        finally:
            self.inflight[host] -= 1
        head_out = [f"HTTP/1.1 {status}", f"Content-Length: {len(payload)}",
                    "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
        w.write(("\r\n".join(head_out) + "\r\n\r\n").encode() + payload)
        await w.drain()

    def _route(self, method: str, path: str, host: str, hdrs: dict[str, str], body: bytes,
               peer: str) -> tuple[str, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if self.cfg.block_html is not None:
            return "200 OK", html, self.cfg.block_html.encode()
        if self.cfg.block_page:
            # the wording Russian ISPs use (a fingerprint in untold's builtin set)
            return "200 OK", html, ("<html><head><title>Доступ ограничен</title></head><body>"
                                    "Доступ к информационному ресурсу ограничен на основании "
                                    "Федерального закона от 27.07.2006 № 149-ФЗ</body></html>"
                                    ).encode()
        if any(ipaddress.ip_address(peer) in ipaddress.ip_network(n) for n in self.cfg.geoblock):
            return "403 Forbidden", html, (b"<html><head><title>Not available in your region"
                                           b"</title></head><body>Sorry.</body></html>")
        if path == "/dns-query" and method == "POST":
            q = dns.message.from_wire(body)
            return "200 OK", {"Content-Type": "application/dns-message"}, \
                answer(q, self.cfg.zone).to_wire()
        if path == "/redirect":
            return "302 Found", {"Location": "/"}, b""
        if path == "/loop":
            return "302 Found", {"Location": "/loop"}, b""
        if path == "/big":
            return "200 OK", html, b"<html><head><title>big</title></head>" + \
                b"x" * self.cfg.big_bytes
        title = f"{host} home" if path == "/" else f"{host} {path}"
        filler = b"<p>" + b"news " * (self.cfg.page_bytes // 5) + b"</p>"
        return "200 OK", html, (f"<html><head><title>{title}</title></head><body>".encode()
                                + filler + b"</body></html>")


def _rst(w: asyncio.StreamWriter) -> None:
    """Close with a TCP reset, as a censor's injected RST looks to the client."""
    sock = w.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    w.transport.abort()


def answer(q: dns.message.Message, zone: dict[str, Any]) -> dns.message.Message:
    """The reply for ``q`` from ``zone`` (name -> [ip] | "nxdomain" | "servfail")."""
    reply = dns.message.make_response(q)
    name = q.question[0].name.to_text().rstrip(".").lower()
    entry = zone.get(name, "nxdomain")
    if entry == "nxdomain":
        reply.set_rcode(dns.rcode.NXDOMAIN)
    elif entry == "servfail":
        reply.set_rcode(dns.rcode.SERVFAIL)
    elif q.question[0].rdtype == dns.rdatatype.A:
        reply.answer.append(dns.rrset.from_text_list(q.question[0].name, 60, "IN", "A",
                                                     list(entry)))
    return reply


class DnsServer(asyncio.DatagramProtocol):
    """UDP DNS from a dict; a name mapped to "drop" is never answered (a timeout)."""

    def __init__(self, zone: dict[str, Any], delay: float = 0.0) -> None:
        self.zone = zone
        self.delay = delay
        self.transport: asyncio.DatagramTransport | None = None
        self.queries: Counter[str] = Counter()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            q = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return  # not DNS: a real server ignores it too
        name = q.question[0].name.to_text().rstrip(".").lower()
        self.queries[name] += 1
        if self.zone.get(name) == "drop":
            return
        assert self.transport is not None
        wire = answer(q, self.zone).to_wire()
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, self.transport.sendto, wire, addr)
        else:
            self.transport.sendto(wire, addr)

    async def listen(self, host: str, port: int) -> int:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(host, port))
        return int(transport.get_extra_info("sockname")[1])


class SniFilter:
    """A TCP relay to ``upstream`` that resets or stalls handshakes naming a blocked host."""

    def __init__(self, upstream: tuple[str, int], blocked: bytes, mode: str) -> None:
        self.upstream, self.blocked, self.mode = upstream, blocked, mode

    async def listen(self, host: str, port: int) -> int:
        srv = await asyncio.start_server(self._conn, host, port)
        return int(srv.sockets[0].getsockname()[1])

    async def _conn(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            hello = await asyncio.wait_for(r.read(4096), 5)
            if self.blocked in hello:
                if self.mode == "reset":
                    _rst(w)
                else:
                    await asyncio.sleep(30)  # swallow it: the client times out
                return
            ur, uw = await asyncio.open_connection(*self.upstream)
            uw.write(hello)
            await asyncio.gather(_pipe(r, uw), _pipe(ur, w))
        except (OSError, TimeoutError):
            pass  # a relay's peers may vanish at any time
        finally:
            w.close()


async def _pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    finally:
        w.close()


class Background:
    """An event loop on a daemon thread, for servers used by synchronous tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def stop(self) -> None:
        async def cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


async def _serve_from_config(cfg: dict[str, Any], certs: dict[str, str]) -> None:
    """Process mode: bind what ``cfg`` lists, print "ready", serve until killed."""
    ctx_ok = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx_ok.load_cert_chain(certs["leaf_cert"], certs["leaf_key"])
    ctx_evil = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx_evil.load_cert_chain(certs["evil_cert"], certs["evil_key"])
    for web in cfg.get("web", []):
        ws = WebServer(SiteConfig(**web.get("site", {})))
        for ip, port, tls in web["binds"]:
            ctx = {"ok": ctx_ok, "evil": ctx_evil}.get(tls) if tls else None
            await ws.listen(ip, port, ctx)
    for d in cfg.get("dns", []):
        await DnsServer(d["zone"], d.get("delay", 0.0)).listen(d["ip"], d["port"])
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        conf = json.load(f)
    asyncio.run(_serve_from_config(conf, conf["certs"]))
