"""TLS clients for tests of the example's censor: a GET naming any SNI, a context trusting
the example's CA, and the bytes of a Client Hello (from memory, no network)."""

from __future__ import annotations

import socket
import ssl

import pytest

from untold.demo.server import DemoServer


def tls_get(port: int, sni: str | None, host: str, path: str, ctx: ssl.SSLContext) -> bytes:
    """One GET over TLS to 127.0.0.1:``port`` naming ``sni`` in the Client Hello and
    ``host`` in the Host header; the whole response (b"" when closed unanswered)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname=sni) as tls:
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                    .encode())
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
        return data


def trusting(server: DemoServer, *, check_hostname: bool = True) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(server.ca_file))
    ctx.check_hostname = check_hostname  # off: a neutral SNI the certificate does not name
    return ctx


def client_hello(name: str) -> bytes:
    """The Client Hello ``ssl`` sends for ``name`` (from a memory BIO: no network)."""
    ctx = ssl.create_default_context()
    out = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), out, server_hostname=name)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    return out.read()
