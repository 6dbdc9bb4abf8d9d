"""The helper's HTTP service (API in :mod:`untold.probe.control`).

A threading HTTP server: each request runs its measurement in its own event
loop on its own thread, at most ``MAX_JOBS`` at once (more wait), so a slow
site never stalls the others and the helper cannot be made to open
unbounded connections.

It faces whoever can reach it, so before any work: at most
``MAX_CONNECTIONS`` open connections (more get a 503), a rate limit per
client (429 with ``Retry-After``), the whole request read within
``REQUEST_READ_S`` (a slow sender is cut off: slowloris), a bounded body, and
the token for every measurement. Every answer, errors included, is JSON; an
unexpected fault is logged and answered with a 500, never a dropped connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import socket
import socketserver
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from untold.errors import ProbeError
from untold.probe.control import BAD_REQUEST, RequestRefused, measure_control, parse_request
from untold.probe.control_guard import HelperPolicy, HelperToken, RateLimiter, bearer_matches
from untold.probe.options import ProbeOptions, parse_hostport

__all__ = ["MAX_CONNECTIONS", "MAX_JOBS", "MAX_REQUEST_BYTES", "REQUEST_READ_S",
           "HelperServer", "start_helper"]

MAX_JOBS = 16  # measurements at once: each may hold up to 16 sockets for seconds
MAX_REQUEST_BYTES = 65_536  # a request names one URL and a few addresses
MAX_CONNECTIONS = 256  # open client connections (a thread each); a probe opens <= 64
REQUEST_READ_S = 10.0  # a whole request (line, headers, body) arrives well within this
SOCKET_IDLE_S = 30.0  # one read or write stalled this long: the peer is gone
# after an early answer (401, 413, 429) the unread rest of the request is read and dropped
# for this long, so closing does not reset the connection before the client reads the answer
LINGER_S = 1.0
LINGER_BYTES = 2 * MAX_REQUEST_BYTES  # ... and at most this much of it
PATHS = ("/", "/api/v1/websites")
_AUTH_HINT = ("send 'Authorization: Bearer TOKEN' (untold probe --token TOKEN); "
              "the token is in the helper's token file")


class _Handler(BaseHTTPRequestHandler):
    server: HelperServer
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_IDLE_S
    server_version = "untold-helper"  # the Server header: no Python or library versions

    def version_string(self) -> str:
        return self.server_version

    # -- plumbing ------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def handle_one_request(self) -> None:
        # the deadline covers waiting for the request too: idle keep-alive ends with it
        self._cut = threading.Event()
        self._replied = False
        self._timer = threading.Timer(self.server.read_deadline_s, self._stop_reading)
        self._timer.daemon = True
        self._timer.start()
        try:
            super().handle_one_request()
        finally:
            self._timer.cancel()

    def _stop_reading(self) -> None:
        """The request did not arrive in time: its pending and further reads see EOF."""
        self._cut.set()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RD)

    def _reply(self, code: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self._replied = True
        if code >= 400:
            self.close_connection = True  # an unread body must not be taken for a request
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, headers, method) as JSON too."""
        self.close_connection = True
        self._reply(code, {"error": message or HTTPStatus(code).phrase, "failure": BAD_REQUEST})

    def _guarded(self, work: Any) -> None:
        """Rate limit, then ``work``; any fault becomes a 500 reply, not a lost connection."""
        try:
            if self._cut.is_set():
                self._reply(408, {"error": "the request did not arrive in time"})
                return
            wait = self.server.limiter.take(self.client_address[0])
            if wait > 0:
                self._reply(429, {"error": "too many requests from this address; retry later"},
                            {"Retry-After": str(max(1, math.ceil(wait)))})
                return
            work()
        except Exception:
            sys.stderr.write(f"untold helper: internal error on {self.command} {self.path[:200]}"
                             f"\n{traceback.format_exc()}")
            self.close_connection = True
            if not self._replied:
                with contextlib.suppress(OSError):
                    self._reply(500, {"error": "internal error of the helper (logged there)"})

    # -- methods -------------------------------------------------------------------
    def do_GET(self) -> None:
        self._timer.cancel()
        self._guarded(self._get)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        self._guarded(self._post)

    def _get(self) -> None:
        if self.path not in PATHS:
            self._reply(404, {"error": "not found; POST a request to /"})
            return
        # nothing about the machine, its settings or its version: only how to talk to it
        self._reply(200, {"service": "untold helper", "api": "oohelperd web connectivity",
                          "post": list(PATHS), "auth": "Authorization: Bearer <token>"})

    def _post(self) -> None:
        if self.path not in PATHS:
            self._reply(404, {"error": "not found; POST to /"})
            return
        if not bearer_matches(self.headers.get("Authorization"), self.server.token):
            self._reply(401, {"error": "missing or wrong token", "hint": _AUTH_HINT},
                        {"WWW-Authenticate": 'Bearer realm="untold helper"'})
            return
        body = self._body()
        if body is None:
            return
        try:
            req = json.loads(body)
        except RecursionError:
            self._reply(400, {"error": "body is nested too deeply", "failure": BAD_REQUEST})
            return
        except (ValueError, UnicodeError) as exc:
            self._reply(400, {"error": f"body is not JSON: {str(exc)[:200]}",
                              "failure": BAD_REQUEST})
            return
        try:
            parsed = parse_request(req, self.server.opts, self.server.policy)
        except RequestRefused as exc:
            self._reply(400, {"error": str(exc), "failure": exc.failure})
            return
        with self.server.jobs:
            result = asyncio.run(measure_control(parsed, self.server.opts, self.server.policy))
        self._reply(200, result)

    def _body(self) -> bytes | None:
        """The request body, read within the request's deadline; None once answered."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._reply(411, {"error": "send the body with Content-Length, not chunked"})
            return None
        try:
            n = int(self.headers.get("Content-Length") or "-1")
        except ValueError:
            n = -1
        if not 0 <= n <= MAX_REQUEST_BYTES:
            self._reply(413 if n > MAX_REQUEST_BYTES else 411,
                        {"error": f"send a JSON body of at most {MAX_REQUEST_BYTES} bytes "
                                  "with Content-Length"})
            return None
        try:
            data = self.rfile.read(n)
        except OSError:  # a timeout or a reset: nobody is there to answer
            self.close_connection = True
            self._replied = True
            return None
        if len(data) < n or self._cut.is_set():
            self._reply(408, {"error": "the request body did not arrive in time"})
            return None
        self._timer.cancel()  # the measurement may take longer than reading did
        return data


class HelperServer(ThreadingHTTPServer):
    """The helper service; ``url`` is where probes reach it, ``token`` what they send."""

    daemon_threads = True
    request_queue_size = 128  # connections the kernel holds while the accept loop catches up

    def __init__(self, host: str, port: int, opts: ProbeOptions, *, token: str,
                 policy: HelperPolicy | None = None, limiter: RateLimiter | None = None,
                 verbose: bool = False, max_connections: int = MAX_CONNECTIONS,
                 read_deadline_s: float = REQUEST_READ_S) -> None:
        if not token:
            raise ProbeError("the helper needs a token", hint="give token=...")
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.opts = opts
        self.token = token
        self.token_info: HelperToken | None = None  # where the token came from (CLI, api)
        self.policy = policy or HelperPolicy()
        self.limiter = limiter or RateLimiter()
        self.verbose = verbose
        self.read_deadline_s = read_deadline_s
        self.jobs = threading.BoundedSemaphore(MAX_JOBS)
        self._slots = threading.BoundedSemaphore(max_connections)
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # not HTTPServer's: its getfqdn() would ask DNS about the listening address
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._busy(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _busy(self, request: socket.socket) -> None:
        """Too many connections: a short 503 from the accept loop, then close."""
        body = b'{"error": "the helper is busy; retry later"}'
        head = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                b"Retry-After: 1\r\nConnection: close\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n")
        with contextlib.suppress(OSError):
            request.settimeout(1.0)
            request.sendall(head + body)
            request.shutdown(socket.SHUT_WR)
        self.close_request(request)  # no lingering here: this is the accept loop

    def shutdown_request(self, request: Any) -> None:
        """Close after the answer went out, reading (and dropping) what the client still
        sends meanwhile: closing with unread data would reset the connection and the
        client could lose the answer (a 401 or 429 before its body was read)."""
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
            request.settimeout(LINGER_S)
            deadline = time.monotonic() + LINGER_S
            drained = 0
            while drained < LINGER_BYTES and time.monotonic() < deadline:
                chunk = request.recv(65_536)
                if not chunk:
                    break
                drained += len(chunk)
        self.close_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # a client that went away: nothing to log
            return
        super().handle_error(request, client_address)

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


def start_helper(listen: str, opts: ProbeOptions, *, token: str,
                 policy: HelperPolicy | None = None, limiter: RateLimiter | None = None,
                 verbose: bool = False, max_connections: int = MAX_CONNECTIONS,
                 read_deadline_s: float = REQUEST_READ_S) -> HelperServer:
    """Bind the helper to ``ip:port`` (port 0 picks one); call ``serve_forever`` or ``start``.

    ``token`` is required: there is no helper without one. ``policy`` defaults to
    public addresses on ports 80/443, ``limiter`` to ``RATE_PER_S``/``RATE_BURST``.
    """
    host, port = parse_hostport(listen, 0, what="--listen")
    try:
        return HelperServer(host, port, opts, token=token, policy=policy, limiter=limiter,
                            verbose=verbose, max_connections=max_connections,
                            read_deadline_s=read_deadline_s)
    except OSError as exc:
        raise ProbeError(f"cannot listen on {listen}: {exc.strerror or exc}", source="--listen",
                         hint="pick a free port, or an address this machine has") from exc
