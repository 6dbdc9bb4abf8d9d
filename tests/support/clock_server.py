"""A loopback HTTP server with a settable clock, for sites simulated in tests.

What a subclass serves is decided by its ``respond(host, path)`` at ``self.now``;
every response's ``Date`` header is ``self.now``, so a collector pass runs "at" a
simulated time as the demo's server does.
"""

from __future__ import annotations

import threading
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

__all__ = ["ClockServer"]


class ClockServer:
    """Serves ``respond(host, path) -> (status, text, content type)`` on 127.0.0.1."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, host: str, path: str) -> tuple[int, str, str]:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                return format_datetime(site.now, usegmt=True)  # the simulated clock

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                status, text, ctype = site.respond(host, self.path)
                body = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return H
