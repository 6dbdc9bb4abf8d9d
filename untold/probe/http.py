"""The HTTP(S) GET step: redirects followed (bounded), body capped, each hop recorded.

Entries follow OONI's ``requests`` (df-001), newest first. The first hop
connects to an address the DNS step chose (``pin``); later hops to other
hosts are resolved by the run's system resolver, and the port overrides of
the options apply throughout, so tests stay on loopback.

``check(ip, port)`` (the helper's policy, :mod:`untold.probe.control_guard`)
runs right before every connection, on the very address connected to: a
redirect hop to a name that resolves, or re-resolves (DNS rebinding), to an
internal address is refused there, and nothing is sent to it.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpcore
import httpx

from untold.collect.failures import (
    HTTP_BODY_TOO_LARGE,
    HTTP_REDIRECT_LOOP,
    HTTP_TOO_MANY_REDIRECTS,
    TIMEOUT,
    classify_exception,
    exception_chain,
)
from untold.collect.transport import PoolTransport
from untold.probe.ooni_obs import is_ip
from untold.probe.options import ProbeOptions

__all__ = ["BODY_KEPT_BYTES", "NETWORK_ERRORS", "Check", "Fetched", "Refused", "client_for",
           "fetch", "request_entry", "title_of"]

BODY_KEPT_BYTES = 128_000  # stored in the measurement: block pages fit, whole sites do not
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)

Resolve = Callable[[str], Awaitable[str | None]]  # host -> an address, or None
Handoff = tuple[str, int, httpcore.AsyncNetworkStream]  # (host, port, open connection)
Check = Callable[[str, int], str | None]  # (ip, port) -> failure string if refused


class Refused(OSError):
    """A connection the policy forbids; raised before anything is sent.

    ``failure`` is the stable string recorded (``address_not_public``,
    ``port_not_allowed``).
    """

    def __init__(self, failure: str, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


def _refused_in(exc: BaseException) -> Refused | None:
    return next((e for e in exception_chain(exc) if isinstance(e, Refused)), None)


# what a GET over a hostile network can raise; our custom transport passes httpcore's own
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, httpx.HTTPError, httpx.InvalidURL, httpx.StreamError,
    httpcore.ProtocolError, httpcore.NetworkError, httpcore.TimeoutException,
    httpcore.UnsupportedProtocol, httpcore.PoolTimeout, anyio.EndOfStream,
    anyio.BrokenResourceError, anyio.ClosedResourceError, UnicodeError,
)


def failure_of(exc: BaseException) -> str:
    """The failure string; a policy refusal, then a timeout first (a stalled TLS read
    also carries an SSLError)."""
    refused = _refused_in(exc)
    if refused is not None:
        return refused.failure
    if isinstance(exc, httpx.TimeoutException | httpcore.TimeoutException | TimeoutError):
        return TIMEOUT
    return classify_exception(exc)[0]


def title_of(body: bytes) -> str:
    m = _TITLE.search(body[:BODY_KEPT_BYTES])
    if not m:
        return ""
    return " ".join(unescape(m.group(1).decode("utf-8", "replace")).split())[:200]


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects each host to the address the probe chose for it (the URL keeps the name)."""

    def __init__(self, pins: dict[str, str], resolve: Resolve,
                 handoff: Handoff | None = None, check: Check | None = None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self.pins = pins
        self.resolve = resolve
        self.handoff = handoff
        self.check = check

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        key = host.lower().strip("[]").rstrip(".")
        if self.handoff is not None and (key, port) == self.handoff[:2]:
            stream, self.handoff = self.handoff[2], None
            return _Measured(stream)
        ip = key if is_ip(key) else self.pins.get(key)
        if ip is None:
            ip = await self.resolve(key)
            if ip is None:
                raise OSError(f"could not resolve {host}")  # classified as unknown_failure
            self.pins[key] = ip
        # on the address connected to, whatever named it (a handoff above is the probe's
        # own measured connection; the helper never passes one)
        if self.check is not None:
            failure = self.check(ip, port)
            if failure is not None:
                raise Refused(failure, f"{host}:{port} ({ip}) refused before connecting")
        return await self._inner.connect_tcp(ip, port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        raise OSError("unix sockets are not probed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Measured(httpcore.AsyncNetworkStream):
    """A connection the TCP/TLS step opened (and verified): TLS is already on."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self.inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self.inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return self.inner  # the handshake was made, with this name and this context

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


@dataclass
class Fetched:
    """What the GET found: the OONI entries plus what the timing needs."""

    requests: list[dict[str, Any]] = field(default_factory=list)  # newest first
    failure: str | None = None
    status: int | None = None
    body_bytes: int = 0
    body_s: float | None = None
    title: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def request_entry(url: str, headers: dict[str, str], t0: float, t: float,
                  failure: str | None, response: dict[str, Any] | None) -> dict[str, Any]:
    return {"failure": failure, "t0": round(t0, 6), "t": round(t, 6),
            "request": {"method": "GET", "url": url, "headers": headers, "body": "",
                        "tor": {"is_tor": False, "exit_ip": None, "exit_name": None},
                        "x_transport": "tcp"},
            "response": response}


def client_for(opts: ProbeOptions, pins: dict[str, str], resolve: Resolve, *,
               timeout: float | None = None, handoff: Handoff | None = None,
               check: Check | None = None) -> httpx.AsyncClient:
    """An httpx client whose connections go to ``pins`` (else ``resolve``), TLS verified;
    the first connection to ``handoff``'s (host, port) is its already open stream;
    ``check`` may refuse any connection right before it is made."""
    pool = httpcore.AsyncConnectionPool(
        ssl_context=opts.verify_context, max_connections=4, http1=True, http2=False,
        retries=0, network_backend=_PinnedBackend(dict(pins), resolve, handoff, check))
    t = httpx.Timeout(timeout or opts.http_timeout, connect=opts.connect_timeout)
    return httpx.AsyncClient(transport=PoolTransport(pool), timeout=t, follow_redirects=False)


def _with_port(url: str, opts: ProbeOptions) -> str:
    """The URL with the port override of its scheme written in (only when overridden)."""
    p = urlsplit(url)
    if p.port is not None or p.scheme not in opts.ports or p.hostname is None:
        return url
    netloc = f"{p.netloc}:{opts.ports[p.scheme]}"
    return p._replace(netloc=netloc).geturl()


async def fetch(url: str, opts: ProbeOptions, *, pins: dict[str, str], resolve: Resolve,
                start: float, handoff: Handoff | None = None,
                headers: dict[str, str] | None = None, check: Check | None = None) -> Fetched:
    """GET ``url`` following redirects; never raises for network trouble.

    ``handoff`` (host, port, stream) is a connection already open to the first hop's
    host; it is used (and closed) instead of opening another. ``check`` is asked
    before every connection of every hop (a refusal ends the fetch with its failure).
    """
    out = Fetched()
    headers = {"User-Agent": opts.user_agent, "Accept": "text/html,*/*;q=0.8",
               "Accept-Language": "*", **(headers or {})}
    seen: set[str] = set()
    async with client_for(opts, pins, resolve, handoff=handoff, check=check) as client:
        current = url
        for _hop in range(opts.max_redirects + 1):
            seen.add(current)
            t0 = time.monotonic() - start
            try:
                nxt = await _one(client, current, headers, opts, out, t0, start)
            except NETWORK_ERRORS as exc:  # each becomes an OONI failure string
                out.failure = failure_of(exc)
                out.requests.insert(0, request_entry(current, headers, t0,
                                                     time.monotonic() - start, out.failure,
                                                     None))
                return out
            if nxt is None:
                return out
            if nxt in seen:
                out.failure = out.requests[0]["failure"] = HTTP_REDIRECT_LOOP
                return out
            current = nxt
        out.failure = out.requests[0]["failure"] = HTTP_TOO_MANY_REDIRECTS
    return out


async def _one(client: httpx.AsyncClient, url: str, headers: dict[str, str],
               opts: ProbeOptions, out: Fetched, t0: float, start: float) -> str | None:
    """One hop: record it; the next URL when it redirects."""
    async with client.stream("GET", _with_port(url, opts), headers=headers) as resp:
        b0 = time.monotonic()
        body = bytearray()
        truncated = False
        async for chunk in resp.aiter_bytes():
            body.extend(chunk)
            if len(body) >= opts.max_body:
                truncated = True
                break
        body_s = time.monotonic() - b0
    raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]
    rheaders = dict(raw)  # as sent (case kept), the last of repeated names; all in the list
    kept = bytes(body[:BODY_KEPT_BYTES])
    out.requests.insert(0, request_entry(url, headers, t0, time.monotonic() - start, None, {
        "code": resp.status_code, "headers": rheaders,
        "body": kept.decode("utf-8", "replace"),
        "body_is_truncated": truncated or len(body) > BODY_KEPT_BYTES,
        "headers_list": [list(kv) for kv in raw],
        "x_body_length": len(body)}))
    out.status, out.headers = resp.status_code, rheaders
    out.body_bytes, out.body_s, out.title = len(body), body_s, title_of(bytes(body))
    if truncated:
        out.requests[0]["x_failure_note"] = HTTP_BODY_TOO_LARGE  # capped, not failed
    location = resp.headers.get("location")
    if resp.status_code in (301, 302, 303, 307, 308) and location:
        return urljoin(url, location)
    return None
