"""The helper's HTTP service (API in :mod:`untold.probe.control`).

A threading HTTP server: each request runs its measurement in its own event
loop on its own thread, at most ``MAX_JOBS`` at once (more wait), so a slow
site never stalls the others and the helper cannot be made to open
unbounded connections.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from untold.errors import ProbeError
from untold.probe.control import measure_control
from untold.probe.options import ProbeOptions, parse_hostport

__all__ = ["MAX_JOBS", "MAX_REQUEST_BYTES", "HelperServer", "start_helper"]

MAX_JOBS = 16  # measurements at once: each may hold up to 16 sockets for seconds
MAX_REQUEST_BYTES = 65_536  # a request names one URL and a few addresses
PATHS = ("/", "/api/v1/websites")


class _Handler(BaseHTTPRequestHandler):
    server: HelperServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _reply(self, code: int, obj: Any) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path not in PATHS:
            self._reply(404, {"error": "not found; POST a request to /"})
            return
        self._reply(200, {"service": "untold helper", "api": "oohelperd web connectivity",
                          "post": list(PATHS)})

    def do_POST(self) -> None:
        if self.path not in PATHS:
            self._reply(404, {"error": "not found; POST to /"})
            return
        try:
            n = int(self.headers.get("Content-Length") or "-1")
        except ValueError:
            n = -1
        if not 0 <= n <= MAX_REQUEST_BYTES:
            self._reply(413 if n > MAX_REQUEST_BYTES else 411,
                        {"error": f"send a JSON body of at most {MAX_REQUEST_BYTES} bytes "
                                  "with Content-Length"})
            return
        try:
            req = json.loads(self.rfile.read(n))
        except (ValueError, UnicodeError) as exc:
            self._reply(400, {"error": f"body is not JSON: {exc}"})
            return
        with self.server.jobs:
            try:
                result = asyncio.run(measure_control(req, self.server.opts))
            except ProbeError as exc:
                self._reply(400, {"error": str(exc)})
                return
        self._reply(200, result)


class HelperServer(ThreadingHTTPServer):
    """The helper service; ``url`` is where probes reach it."""

    daemon_threads = True

    def __init__(self, host: str, port: int, opts: ProbeOptions, *,
                 verbose: bool = False) -> None:
        super().__init__((host, port), _Handler)
        self.opts = opts
        self.verbose = verbose
        self.jobs = threading.BoundedSemaphore(MAX_JOBS)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        h = str(host)
        return f"http://{'[' + h + ']' if ':' in h else h}:{port}/"

    def start(self) -> HelperServer:
        """Serve on a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, name="untold-helper",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> HelperServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_helper(listen: str, opts: ProbeOptions, *, verbose: bool = False) -> HelperServer:
    """Bind the helper to ``ip:port`` (port 0 picks one); call ``serve_forever`` or ``start``."""
    host, port = parse_hostport(listen, 0, what="--listen")
    try:
        return HelperServer(host, port, opts, verbose=verbose)
    except OSError as exc:
        raise ProbeError(f"cannot listen on {listen}: {exc.strerror or exc}", source="--listen",
                         hint="pick a free port, or an address this machine has") from exc
