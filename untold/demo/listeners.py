"""Threaded HTTP listeners for the example that stop cleanly, and one behind TLS.

``Listener`` is a ``ThreadingHTTPServer`` whose ``stop()`` ends its accept loop,
then its open connections (an idle keep-alive client would otherwise hold a
worker forever) and joins every thread it started: a test or a demo run
leaves no thread or socket behind.

``TlsListener`` does the TLS handshake in the worker thread (never in the accept
loop, so a slow or silent client holds only its own connection) and hands the
TLS socket to the same request handler as the plain listener. Before the
handshake it can ask ``censor(sock)``, which may peek at the Client Hello
(``untold.demo.censor.peek_client_hello``): True closes the connection with a
TCP reset, unanswered, as an SNI-filtering middlebox does.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HANDSHAKE_TIMEOUT_S", "Listener", "TlsListener", "reset"]

# a client that connects and says nothing is dropped after this (a real server's
# handshake timeout); it holds only its own worker thread meanwhile
HANDSHAKE_TIMEOUT_S = 10.0
JOIN_TIMEOUT_S = 5.0  # stop(): a worker still busy after its socket was shut is left


def reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (SO_LINGER 0), as a censor's injected RST looks."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Listener(ThreadingHTTPServer):
    """A threaded HTTP server on ``address`` with ``start()``/``stop()``.

    Binding happens in the constructor (an unbindable address raises OSError
    there); the accept loop runs in a thread from ``start()``.
    """

    daemon_threads = True  # tracked and joined by stop(), not by the interpreter
    block_on_close = False
    # the collector (64 at once), the probe and the control connect together: with
    # socketserver's default backlog of 5 the kernel drops SYNs and each dropped one
    # costs the client a one-second retransmission
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 name: str = "untold-demo-http") -> None:
        self._guard = threading.Lock()
        self._open: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._closing = False
        super().__init__(address, handler)
        self.port: int = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, name=name, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """Stop accepting, end open connections, join every thread; safe to call twice."""
        if self.thread.is_alive():
            self.shutdown()
            self.thread.join(JOIN_TIMEOUT_S)
        self.server_close()
        with self._guard:
            self._closing = True
            open_now, workers = list(self._open), list(self._workers)
        for s in open_now:
            with contextlib.suppress(OSError, ValueError):
                # the plain socket call, also for a TLS socket: wakes its reader at once
                socket.socket.shutdown(s, socket.SHUT_RDWR)
        for t in workers:
            t.join(JOIN_TIMEOUT_S)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that hang up (the collector's limits, a reset, a probe's timeout) and
        # connections ended by stop() are ordinary here; anything else is still printed
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError) or (self._closing and isinstance(exc, ValueError)):
            return
        super().handle_error(request, client_address)

    def track(self, sock: socket.socket, *, was: socket.socket | None = None) -> bool:
        """Count ``sock`` as open (in place of ``was``); False once stop() has begun."""
        with self._guard:
            if was is not None:
                self._open.discard(was)
            if self._closing:
                return False
            self._open.add(sock)
            return True

    def untrack(self, sock: socket.socket) -> None:
        with self._guard:
            self._open.discard(sock)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.track(request):
            self.shutdown_request(request)
            return
        t = threading.Thread(target=self._work, args=(request, client_address), daemon=True)
        with self._guard:
            self._workers.add(t)
        t.start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            self.untrack(request)
            with self._guard:
                self._workers.discard(threading.current_thread())


class TlsListener(Listener):
    """``Listener`` behind TLS. ``censor(sock)`` is asked before the handshake (it may peek
    at what the client sent, never read it): True resets the connection unanswered."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 context: ssl.SSLContext, *,
                 censor: Callable[[socket.socket], bool] | None = None,
                 name: str = "untold-demo-tls") -> None:
        self.context = context
        self.censor = censor
        super().__init__(address, handler, name=name)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # here, in the connection's worker thread: the Client Hello may be slow to come
        if self.censor is not None and self.censor(request):
            reset(request)
            return
        request.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            return  # a failed handshake (the client's choice or its timeout): closed already
        try:
            if self.track(tls, was=request):
                tls.settimeout(None)
                super().finish_request(tls, client_address)
        finally:
            self.untrack(tls)
            with contextlib.suppress(OSError):
                socket.socket.shutdown(tls, socket.SHUT_WR)
            tls.close()
