"""TCP connect and TLS handshake steps, OONI ``tcp_connect``/``tls_handshakes`` shaped.

For an https URL the handshake runs on the connection just opened, with the
URL's host as SNI and full certificate verification. When it fails, a fresh
connection to the same address tries again with a neutral SNI and no
verification: if that completes, the address is reachable and the name was
filtered (SNI filtering); if it fails too, the address itself is blocked.

A connection can be kept open (``keep=True``) and handed to the GET (as OONI
v0.5 does): the page is then fetched over the very handshake that was
measured, with one connection to the site instead of two.
"""

from __future__ import annotations

import base64
import contextlib
import ssl
import time
from typing import Any

import anyio
import httpcore

from untold.collect.failures import TIMEOUT, classify_exception

__all__ = ["TcpTls", "close_quietly", "connect", "handshake_only"]

# what connecting and handshaking through httpcore's backend can raise
_ERRORS: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, ssl.SSLError, httpcore.ConnectError, httpcore.ConnectTimeout,
    httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
    anyio.ClosedResourceError, anyio.BrokenResourceError,
)


class TcpTls:
    """Results of one address: its tcp_connect entry and, for TLS, the handshake.

    ``stream`` is the open connection when the caller asked to keep it and every
    step worked; whoever takes it closes it (``aclose``).
    """

    def __init__(self) -> None:
        self.tcp: dict[str, Any] = {}
        self.tls: dict[str, Any] | None = None
        self.tls_handshake_s: float | None = None
        self.stream: httpcore.AsyncNetworkStream | None = None
        self.ready_at = 0.0  # monotonic time the last step completed

    @property
    def tcp_ok(self) -> bool:
        return bool(self.tcp["status"]["success"])

    @property
    def tls_ok(self) -> bool:
        return self.tls is not None and self.tls["failure"] is None

    async def aclose(self) -> None:
        if self.stream is not None:
            stream, self.stream = self.stream, None
            await close_quietly(stream)


async def close_quietly(stream: httpcore.AsyncNetworkStream) -> None:
    """Close a connection; closing it twice, or a peer gone already, is no failure."""
    with contextlib.suppress(*_ERRORS):  # the peer's side of closing is not measured
        await stream.aclose()


def _tls_entry(address: str, sni: str, failure: str | None, t0: float, t: float,
               sslobj: Any, no_verify: bool) -> dict[str, Any]:
    certs: list[dict[str, str]] = []
    version = cipher = alpn = None
    if sslobj is not None:
        der = sslobj.getpeercert(binary_form=True)
        if der:
            certs.append({"data": base64.b64encode(der).decode(), "format": "base64"})
        version = sslobj.version()
        c = sslobj.cipher()
        cipher = c[0] if c else None
        alpn = sslobj.selected_alpn_protocol()
    return {"address": address, "server_name": sni, "failure": failure,
            "t0": round(t0, 6), "t": round(t, 6), "tls_version": version,
            "cipher_suite": cipher, "negotiated_protocol": alpn or "",
            "no_tls_verify": no_verify, "peer_certificates": certs}


def _failure(exc: BaseException) -> str:
    # a timed-out handshake carries the SSLWantReadError it was waiting on: a timeout first
    if isinstance(exc, httpcore.TimeoutException | TimeoutError):
        return TIMEOUT
    return classify_exception(exc)[0]


def _fmt(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


async def connect(ip: str, port: int, *, sni: str | None, ctx: ssl.SSLContext | None,
                  connect_timeout: float, tls_timeout: float, start: float,
                  keep: bool = False) -> TcpTls:
    """TCP connect to ``ip:port`` and, when ``sni`` is given, a TLS handshake on it."""
    out = TcpTls()
    t0 = time.monotonic() - start
    try:
        stream = await httpcore.AnyIOBackend().connect_tcp(ip, port, timeout=connect_timeout)
    except _ERRORS as exc:
        out.tcp = {"ip": ip, "port": port, "t0": round(t0, 6),
                   "t": round(time.monotonic() - start, 6),
                   "status": {"success": False, "failure": _failure(exc),
                              "blocked": None}}
        return out
    out.tcp = {"ip": ip, "port": port, "t0": round(t0, 6),
               "t": round(time.monotonic() - start, 6),
               "status": {"success": True, "failure": None, "blocked": None}}
    out.stream = stream
    if sni is not None and ctx is not None:
        h0 = time.monotonic()
        address = f"{_fmt(ip)}:{port}"
        no_verify = ctx.verify_mode == ssl.CERT_NONE
        try:
            # on failure httpcore closes the connection itself
            out.stream = await stream.start_tls(ctx, server_hostname=sni, timeout=tls_timeout)
        except _ERRORS as exc:
            out.stream = None
            out.tls = _tls_entry(address, sni, _failure(exc), h0 - start,
                                 time.monotonic() - start, None, no_verify)
            return out
        out.tls_handshake_s = time.monotonic() - h0
        out.tls = _tls_entry(address, sni, None, h0 - start, time.monotonic() - start,
                             out.stream.get_extra_info("ssl_object"), no_verify)
    out.ready_at = time.monotonic()
    if not keep:
        await out.aclose()
    return out


async def handshake_only(ip: str, port: int, sni: str, ctx: ssl.SSLContext, *,
                         connect_timeout: float, tls_timeout: float,
                         start: float) -> dict[str, Any]:
    """A fresh connection and handshake (the neutral-SNI retry): ``{address, server_name,
    failure, t}``; a failed connect counts as the retry's failure."""
    r = await connect(ip, port, sni=sni, ctx=ctx, connect_timeout=connect_timeout,
                      tls_timeout=tls_timeout, start=start)
    failure = r.tcp["status"]["failure"] if not r.tcp_ok else (r.tls or {}).get("failure")
    return {"address": f"{_fmt(ip)}:{port}", "server_name": sni, "failure": failure,
            "t": round(time.monotonic() - start, 6)}
