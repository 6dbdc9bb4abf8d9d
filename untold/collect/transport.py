"""The HTTP transport of the fetcher: httpcore with ``[fetch] resolve`` and the
address policy applied in its network backend.

``resolve`` maps ``host`` or ``host:port`` to ``ip:port`` (like curl
--resolve): the TCP connection goes to the mapped address while the URL, the
Host header and TLS (SNI and certificate verification) keep the original
name, so a local mirror or the demo site is fetched exactly as the real site.

The address policy (``untold.net.addresses``) is enforced at connect time:
the backend resolves the name itself, checks every address, and connects to
the exact address it checked, so no name (and no DNS answer that changes
between a check and the connect: DNS rebinding) can lead the collector to
loopback, private, link-local or reserved addresses unless ``[fetch]
allow_private`` says so. httpcore starts TLS on the returned stream with the
URL's host name, so connecting to an IP keeps SNI and verification intact.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import anyio
import certifi
import httpcore
import httpx
from anyio.abc import TaskGroup

from untold.collect.failures import AddressNotPublicError
from untold.config import FetchSettings
from untold.errors import ConfigError, InputError
from untold.net.addresses import parse_ip, refusal

__all__ = ["HAPPY_EYEBALLS_DELAY", "KEEPALIVE_EXPIRY", "PoolTransport", "ResolvingBackend",
           "build_transport", "load_ca_file"]

KEEPALIVE_EXPIRY = 5.0  # idle connections closed after this: servers drop them anyway
# RFC 8305 (happy eyeballs): the next address is tried when the previous one has not
# answered after this long, so a black-holed IPv6 route costs 0.25 s, not the timeout
HAPPY_EYEBALLS_DELAY = 0.25


def _split_hostport(text: str) -> tuple[str, int | None]:
    text = text.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else None
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, None


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    """Connects ``host[:port]`` to the ``ip[:port]`` of settings.resolve (curl --resolve),
    and only to addresses the policy allows (public ones, unless ``allow_private``)."""

    def __init__(self, resolve: Mapping[str, str], *, allow_private: bool = False) -> None:
        self._inner = httpcore.AnyIOBackend()
        self.allow_private = allow_private
        self._map: dict[tuple[str, int | None], tuple[str, int | None]] = {}
        for key, target in resolve.items():
            try:
                self._map[_split_hostport(key)] = _split_hostport(target)
            except ValueError as exc:
                raise InputError(f"bad [fetch] resolve entry {key!r} = {target!r}",
                                 hint="write it as \"host[:port]\" = \"ip:port\"") from exc

    def lookup(self, host: str, port: int) -> tuple[str, int] | None:
        host = host.lower().rstrip(".")
        hit = self._map.get((host, port)) or self._map.get((host, None))
        return (hit[0], hit[1] or port) if hit else None

    def refusal(self, ip: str) -> str | None:
        """Why ``ip`` may not be connected to (None: it may): the address policy."""
        return None if self.allow_private else refusal(ip)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The IP addresses ``host`` stands for, in resolver order (no duplicates).

        An IP literal is itself; a name is resolved off the event loop. A failed
        lookup raises ``httpcore.ConnectError`` from the ``socket.gaierror``.
        """
        if parse_ip(host) is not None:
            return [host.strip("[]")]
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        out: list[str] = []
        for info in infos:
            ip = str(info[4][0])
            if ip not in out:
                out.append(ip)
        return out

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        """Resolve, check every address, connect to the first allowed one that answers.

        Refused addresses are skipped; when every address is refused,
        ``AddressNotPublicError`` (nothing was connected to). When every allowed
        address fails, the last connect error, as a ``ConnectError``/``ConnectTimeout``.
        """
        name, mapped = host, self.lookup(host, port)
        host, port = mapped or (host, port)
        try:
            with anyio.fail_after(timeout):
                ips = await self.addresses(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host}: timed out") from exc
        refused = [(ip, why) for ip in ips if (why := self.refusal(ip)) is not None]
        allowed = [ip for ip in ips if ip not in dict(refused)]
        if allowed:
            # the checked addresses themselves, never the name again: a second lookup
            # could answer differently (DNS rebinding)
            return await self._connect_first(allowed, port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)
        if refused:
            raise AddressNotPublicError(name, port, refused,
                                        via="[fetch] resolve" if mapped else None)
        raise httpcore.ConnectError(f"{host} resolved to no address")

    async def _connect_first(self, ips: list[str], port: int,
                             **kw: Any) -> httpcore.AsyncNetworkStream:
        """Connect to ``ips`` in order, each started ``HAPPY_EYEBALLS_DELAY`` after the
        previous unless that one failed first; the first connection wins, the others
        are cancelled or closed. All failing: the last error, as httpcore raised it."""
        won: list[httpcore.AsyncNetworkStream] = []
        errors: list[Exception] = []

        async def attempt(ip: str, done: anyio.Event, tg: TaskGroup) -> None:
            try:
                stream = await self._inner.connect_tcp(ip, port, **kw)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                errors.append(exc)
                return
            finally:
                done.set()
            if won:
                await stream.aclose()  # a slower address answered too
            else:
                won.append(stream)
                tg.cancel_scope.cancel()

        async with anyio.create_task_group() as tg:
            for ip in ips:
                done = anyio.Event()
                tg.start_soon(attempt, ip, done, tg)
                with anyio.move_on_after(HAPPY_EYEBALLS_DELAY):
                    await done.wait()
        if won:
            return won[0]
        raise errors[-1] if errors else httpcore.ConnectError(f"no connection to {ips}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout=timeout,
                                                     socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        await self._inner.aclose()


class PoolTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool with our network backend (public APIs only)."""

    def __init__(self, pool: httpcore.AsyncConnectionPool) -> None:
        self.pool = pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                           port=request.url.port, target=request.url.raw_path)
        req = httpcore.Request(method=request.method, url=url, headers=request.headers.raw,
                               content=request.stream,
                               extensions=request.extensions)
        resp = await self.pool.handle_async_request(req)
        return httpx.Response(status_code=resp.status, headers=resp.headers,
                              stream=_Stream(resp.stream), extensions=resp.extensions)

    async def aclose(self) -> None:
        await self.pool.aclose()


def load_ca_file(ctx: ssl.SSLContext, path: str) -> None:
    """Trust the PEM CA certificates in ``path`` in ``ctx`` too; ConfigError naming the
    file when it is missing, unreadable or holds no certificate."""
    hint = ("give [fetch] ca_file a PEM file of CA certificates (relative to the study "
            "file), or remove the key to trust the public roots only")
    try:
        text = Path(path).read_bytes().decode("ascii")
    except FileNotFoundError as exc:
        raise ConfigError("[fetch] ca_file not found", source=path, hint=hint) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("[fetch] ca_file is not a PEM file (PEM is ASCII text)",
                          source=path, hint=hint) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read [fetch] ca_file: {exc.strerror or exc}",
                          source=path, hint=hint) from exc
    try:
        ctx.load_verify_locations(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigError("[fetch] ca_file holds no valid PEM certificate", source=path,
                          hint=hint) from exc


def build_transport(settings: FetchSettings, *,
                    ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncBaseTransport:
    """The transport ``Fetcher`` uses: HTTP/1.1, verified TLS, settings.resolve and the
    address policy (settings.allow_private) applied.

    ``ssl_context`` replaces the certifi roots (tests pass one trusting their CA);
    without it, the CAs of settings.ca_file are trusted besides them.
    """
    ctx = ssl_context
    if ctx is None:
        ctx = ssl.create_default_context(cafile=certifi.where())
        if settings.ca_file:
            load_ca_file(ctx, settings.ca_file)
    backend = ResolvingBackend(settings.resolve, allow_private=settings.allow_private)
    pool = httpcore.AsyncConnectionPool(
        ssl_context=ctx, max_connections=settings.concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY, http1=True, http2=False, retries=0,
        network_backend=backend)
    return PoolTransport(pool)
