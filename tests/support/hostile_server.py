"""A deliberately hostile HTTP/1.1 server on 127.0.0.1 for fetcher tests.

Raw sockets, one thread per connection, one request per connection
(``Connection: close``), so every misbehaviour is byte-exact: silence,
dripping, floods, bombs, resets, loops. Routing is by path, and robots.txt
also by Host header (``r404.example``, ``r500.example``). It counts hits per
path, connections accepted, requests in flight (max reached), request start
times and the bytes of the flood sent.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable

BOMB = gzip.compress(b"\0" * 10_000_000, compresslevel=9)  # ~10 KB on the wire
PAGE = "<html><head><title>Новости</title></head><body><p>Привет, мир! Hello.</p></body></html>"
ROBOTS = ("User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n\n"
          "Sitemap: /sitemap.xml\nSitemap: http://other.example/s.xml\n")


class Request:
    def __init__(self, method: str, path: str, headers: dict[str, str]) -> None:
        self.method, self.path, self.headers = method, path, headers

    @property
    def host(self) -> str:
        return self.headers.get("host", "").split(":")[0]


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk or len(data) > 65536:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, path, _ = head[0].split(" ", 2)
    headers = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return Request(method, path, headers)


def _response(status: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
              length: int | None = None) -> bytes:
    hs = [*(headers or []), ("Content-Length", str(len(body) if length is None else length)),
          ("Connection", "close")]
    return (f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hs)
            + "\r\n").encode("latin-1") + body


def _rst_close(conn: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a middlebox tearing down the flow does."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class HostileServer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.ssl_context = ssl_context
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.last_headers: dict[str, dict[str, str]] = {}
        self.starts: list[tuple[str, float]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.flood_sent = 0
        self.accepts = 0  # TCP connections accepted (requests or not)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.sock.close()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepts += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.ssl_context is not None:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            req = _read_request(conn)
            if req is None:
                conn.close()
                return
            with self.lock:
                self.hits[req.path] += 1
                self.hosts.append(req.headers.get("host", ""))
                self.last_headers[req.path] = req.headers
                self.starts.append((req.path, time.monotonic()))
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                self._route(conn, req)
            finally:
                with self.lock:
                    self.in_flight -= 1
            conn.close()
        except (OSError, ssl.SSLError, ValueError):
            conn.close()

    def _route(self, conn: socket.socket, req: Request) -> None:
        path = req.path.split("?")[0]
        handler: Callable[[socket.socket, Request], None] | None = getattr(
            self, "h_" + path.strip("/").split("/")[0].replace("-", "_").replace(".", "_"), None)
        if handler is None:
            conn.sendall(_response("404 Not Found", b"not here"))
        else:
            handler(conn, req)

    # -- endpoints ------------------------------------------------------------
    def h_robots_txt(self, conn: socket.socket, req: Request) -> None:
        if req.host == "r404.example":
            conn.sendall(_response("404 Not Found", b"no robots"))
        elif req.host == "r500.example":
            conn.sendall(_response("500 Internal Server Error", b"oops"))
        else:
            conn.sendall(_response("200 OK", ROBOTS.encode(), [("Content-Type", "text/plain")]))

    def h_(self, conn: socket.socket, req: Request) -> None:  # "/": echo the Host header
        body = f"host={req.headers.get('host', '')}".encode()
        conn.sendall(_response("200 OK", body, [("Content-Type", "text/plain")]))

    def h_page(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", PAGE.encode(),
                               [("Content-Type", "text/html; charset=utf-8")]))

    h_private = h_page

    def h_gzpage(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", gzip.compress(PAGE.encode()),
                               [("Content-Type", "text/html; charset=utf-8"),
                                ("Content-Encoding", "gzip")]))

    def h_badgzip(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", b"\x1f\x8b\x08\x00" + b"\xff" * 64,
                               [("Content-Encoding", "gzip")]))

    def h_brotli(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", b"\x0b\x02\x80hello\x03", [("Content-Encoding", "br")]))

    def h_silent(self, conn: socket.socket, req: Request) -> None:
        self.stop.wait(30)  # accept, read the request, never answer

    def h_drip_head(self, conn: socket.socket, req: Request) -> None:
        for b in _response("200 OK", b"x" * 100):
            if self.stop.wait(1.0):
                return
            conn.sendall(bytes([b]))

    def h_drip_body(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", headers=[("Content-Type", "text/plain")], length=1000))
        for _ in range(1000):
            conn.sendall(b"x")
            if self.stop.wait(1.0):
                return

    def h_huge(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", headers=[("Content-Type", "text/plain")],
                               length=2 * 1024**3))
        chunk = b"a" * 65536
        for _ in range(2 * 1024**3 // len(chunk)):
            conn.sendall(chunk)  # raises once the client hangs up
            with self.lock:
                self.flood_sent += len(chunk)

    def h_bomb(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", BOMB, [("Content-Type", "text/html"),
                                                ("Content-Encoding", "gzip")]))

    def h_loop_a(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("302 Found", headers=[("Location", "/loop-b")]))

    def h_loop_b(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("301 Moved Permanently",
                               headers=[("Location", self.url("/loop-a"))]))

    def h_chain(self, conn: socket.socket, req: Request) -> None:
        n = int(req.path.rsplit("/", 1)[1])
        if n == 0:
            conn.sendall(_response("200 OK", b"end of chain", [("Content-Type", "text/plain")]))
        else:
            conn.sendall(_response("307 Temporary Redirect",
                                   headers=[("Location", f"/chain/{n - 1}")]))

    def h_to(self, conn: socket.socket, req: Request) -> None:
        """``/to?URL``: a 302 to URL (as given, unquoted)."""
        target = req.path.partition("?")[2]
        conn.sendall(_response("302 Found", headers=[("Location", target)]))

    def h_reset(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("200 OK", b"y" * 1000, [("Content-Type", "text/plain")],
                               length=100_000))
        time.sleep(0.05)
        _rst_close(conn)

    def h_reset_early(self, conn: socket.socket, req: Request) -> None:
        _rst_close(conn)  # request read, no response at all

    def h_flaky(self, conn: socket.socket, req: Request) -> None:
        if self.hits[req.path] == 1:
            conn.sendall(_response("503 Service Unavailable", b"busy", [("Retry-After", "0")]))
        else:
            conn.sendall(_response("200 OK", b"fine now", [("Content-Type", "text/plain")]))

    def h_always503(self, conn: socket.socket, req: Request) -> None:
        conn.sendall(_response("503 Service Unavailable", b"busy", [("Retry-After", "3600")]))

    def h_etag(self, conn: socket.socket, req: Request) -> None:
        if req.headers.get("if-none-match") == '"v1"':
            conn.sendall(_response("304 Not Modified", headers=[("ETag", '"v1"')], length=0)
                         .replace(b"Content-Length: 0\r\n", b""))
        else:
            conn.sendall(_response("200 OK", b"versioned", [("ETag", '"v1"'),
                                                            ("Content-Type", "text/plain")]))

    def h_slow(self, conn: socket.socket, req: Request) -> None:
        time.sleep(0.3)
        conn.sendall(_response("200 OK", b"slow", [("Content-Type", "text/plain")]))
