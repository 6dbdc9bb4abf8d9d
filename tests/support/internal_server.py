"""A stand-in for an internal service (an admin page, cloud metadata) on loopback.

It serves an article-like page with a marker word on every path and counts the
connections it accepts and the requests it answers, so a test can prove that
untold never reached it: a redirect or a link that leads here must not be
followed.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["MARKER", "InternalServer"]

MARKER = "Internalsecretmarker"  # one word: findable by search, in no other page
SECRET_HTML = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
               f"<title>{MARKER} admin console</title></head><body><article>"
               f"<h1>{MARKER} admin console</h1>"
               + "".join(f"<p>The internal {MARKER} service holds configuration number {i} "
                         "for every machine of the private network behind the firewall, "
                         "and it must never be published as a news article.</p>"
                         for i in range(8))
               + "</article></body></html>")


class _Counting(ThreadingHTTPServer):
    daemon_threads = True
    accepts = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        got = super().get_request()
        self.accepts += 1
        return got


class InternalServer:
    """Threaded HTTP server on ``host`` (a loopback address); ``hits`` counts requests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits = 0
        self.lock = threading.Lock()
        self.httpd = _Counting((host, 0), self._handler())
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def accepts(self) -> int:
        return self.httpd.accepts

    def __enter__(self) -> InternalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.hits += 1
                body = SECRET_HTML.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return H
