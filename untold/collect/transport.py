"""The HTTP transport of the fetcher: httpcore with ``[fetch] resolve`` applied.

``resolve`` maps ``host`` or ``host:port`` to ``ip:port`` (like curl
--resolve): the TCP connection goes to the mapped address while the URL, the
Host header and TLS (SNI and certificate verification) keep the original
name, so a local mirror or the demo site is fetched exactly as the real site.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import certifi
import httpcore
import httpx

from untold.config import FetchSettings
from untold.errors import InputError

__all__ = ["KEEPALIVE_EXPIRY", "PoolTransport", "ResolvingBackend", "build_transport"]

KEEPALIVE_EXPIRY = 5.0  # idle connections closed after this: servers drop them anyway

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
    """Connects ``host[:port]`` to the ``ip[:port]`` of settings.resolve (curl --resolve)."""

    def __init__(self, resolve: Mapping[str, str]) -> None:
        self._inner = httpcore.AnyIOBackend()
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

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None
                          ) -> httpcore.AsyncNetworkStream:
        host, port = self.lookup(host, port) or (host, port)
        return await self._inner.connect_tcp(host, port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

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


def build_transport(settings: FetchSettings, *,
                    ssl_context: ssl.SSLContext | None = None) -> httpx.AsyncBaseTransport:
    """The transport ``Fetcher`` uses: HTTP/1.1, verified TLS, settings.resolve applied.

    ``ssl_context`` replaces the certifi roots (tests pass one trusting their CA).
    """
    ctx = ssl_context or ssl.create_default_context(cafile=certifi.where())
    backend = ResolvingBackend(settings.resolve)
    pool = httpcore.AsyncConnectionPool(
        ssl_context=ctx, max_connections=settings.concurrency,
        keepalive_expiry=KEEPALIVE_EXPIRY, http1=True, http2=False, retries=0,
        network_backend=backend)
    return PoolTransport(pool)
