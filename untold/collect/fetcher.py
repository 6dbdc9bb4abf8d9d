"""Polite HTTP fetching that survives hostile servers and archives every attempt.

Stages of ``Fetcher.fetch(url)``:

1. Check the URL (http/https with a host) and, when asked, robots.txt (fetched
   through this same Fetcher, so robots.txt is archived too).
2. Take a per-host slot, wait out the per-host delay, take a global slot.
3. Send one GET under an overall deadline (``timeout`` per attempt: a server
   that never answers or drips bytes is cut off) and stream the body through
   a bounded decoder: ``max_body`` counts decoded bytes; a high
   decoded/encoded ratio is a decompression bomb.
4. Archive the attempt (response, or failure) to WARC before anything else.
5. Retry transient failures (connect timeout, reset/EOF before a response,
   429/502/503/504) with exponential backoff and jitter; follow redirects by
   hand, archiving each hop and detecting loops. When the caller says which
   hosts are the site's (``site``: an outlet's domains, see ``site_matcher``),
   a redirect anywhere else is not followed: ``redirect_off_site``.
6. Return a ``FetchResult`` pointing at the archived record.

Only public addresses are connected to unless ``settings.allow_private``:
the network backend (``collect.transport``) checks every address a name
resolves to at connect time and connects to the checked address, so neither a
link, a redirect nor a DNS answer reaches loopback, private or link-local
hosts; a refusal is the measurement ``address_not_public`` (never retried).

TLS is always verified against certifi's (Mozilla's) roots, never retried
without: an unknown authority is a measurement (``ssl_unknown_authority``).
Only a study that sets ``http_fallback`` has a URL whose https failed at the TLS
layer fetched again over plain http (``fetch_with_fallback``; both archived).
Proxy variables in the environment are ignored: a measurement must leave from
this machine. ``settings.resolve`` maps ``host[:port]`` to ``ip[:port]`` in a
network backend, so the URL, Host header and TLS SNI keep the original host.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from untold.collect import failures as F
from untold.collect.decoding import BodyDecoder
from untold.collect.robots import RobotsCache, robots_url
from untold.collect.transport import ResolvingBackend, build_transport
from untold.collect.warcwriter import WarcLocation, WarcWriter
from untold.config import FetchSettings
from untold.errors import FetchError, InputError
from untold.models import FetchResult
from untold.net.addresses import parse_ip

__all__ = ["BOMB_MIN_DECODED", "BOMB_RATIO", "TLS_LAYER_FAILURES", "Fetcher", "SiteCheck",
           "build_transport", "plain_http_url", "site_matcher"]

BOMB_RATIO = 100  # decoded/encoded: HTML and XML compress 3-15x; 100x is padding or a bomb
BOMB_MIN_DECODED = 256 * 1024  # below this a high ratio is harmless (a page of spaces)
BACKOFF_BASE = 0.5  # seconds before the first retry (doubles each retry, with jitter)
BACKOFF_MAX = 30.0  # longest backoff between two attempts
RETRY_AFTER_CAP = 60.0  # a longer Retry-After is not waited for: the attempt stands
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_FAILURES = frozenset({F.CONNECTION_RESET, F.EOF_ERROR, F.CONNECTION_ABORTED,
                                F.DNS_TEMPORARY})  # retried only when no response came
# Failures of TLS itself, after TCP connected: with ``settings.http_fallback`` these
# (and only these: not timeouts, refusals or resets) send the fetch on to plain http
TLS_LAYER_FAILURES = frozenset({F.SSL_FAILED_HANDSHAKE, F.SSL_INVALID_CERTIFICATE,
                                F.SSL_INVALID_HOSTNAME, F.SSL_UNKNOWN_AUTHORITY})
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"  # only what BodyDecoder can decode in bounded steps

# Which hosts are "the site" for a fetch: a redirect to any other host is not followed.
SiteCheck = Callable[[str], bool]

_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    httpx.HTTPError, httpx.InvalidURL, httpcore.NetworkError, httpcore.ProtocolError,
    httpcore.TimeoutException, httpcore.UnsupportedProtocol, OSError, TimeoutError,
    EOFError, InputError,
)


@dataclass
class _Attempt:
    """One request and what came back; archived before it is used."""

    url: str
    fetched_at: datetime
    request_headers: dict[str, str] = field(default_factory=dict)
    connected: bool = False
    ip: str | None = None
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    decoded: list[bytes] | None = None  # None: not content-encoded, the raw bytes are it
    truncated: str | None = None
    failure: str | None = None
    detail: str = ""
    loc: WarcLocation | None = None

    def payload(self) -> bytes:
        return b"".join(self.raw if self.decoded is None else self.decoded)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def header_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.headers:
            k = k.lower()
            out[k] = f"{out[k]}, {v}" if k in out else v
        return out


class _HostGate:
    def __init__(self, per_host: int) -> None:
        self.sem = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Fetcher:
    """Polite, archiving HTTP client; use as ``async with Fetcher(...) as f``."""

    def __init__(self, settings: FetchSettings, warc: WarcWriter, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings
        self.warc = warc
        self._transport = transport
        # what a fetch is dated at (WARC-Date, the capture's time): the wall clock, or a
        # simulated one (the demo steps through its example's two months)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(settings.concurrency)
        self._gates: dict[str, _HostGate] = {}
        self._robots = RobotsCache(lambda u: self.fetch(u, check_robots=False))
        self._rng = random.Random()
        self._resolver = ResolvingBackend(settings.resolve)
        # hosts whose https failed at the TLS layer in this run (http_fallback only)
        self._tls_failed: set[str] = set()

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            transport=self._transport or build_transport(self.settings),
            follow_redirects=False, trust_env=False, timeout=self.settings.timeout,
            headers={"User-Agent": self.settings.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": ACCEPT_ENCODING})
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._robots.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self.warc.sync()

    async def robots_sitemaps(self, host_url: str) -> list[str]:
        """Sitemaps listed in the robots.txt of ``host_url``'s origin (FetchError if unfetchable).

        With ``settings.http_fallback``, an https robots.txt that fails at the TLS layer
        is asked for over http (both fetches are archived).
        """
        try:
            return await self._robots.sitemaps(host_url)
        except FetchError as exc:
            plain = self._fallback(host_url) if exc.failure in TLS_LAYER_FAILURES else None
            if plain is None:
                raise
            self._tls_failed.add(_host_key(host_url))
            return await self._robots.sitemaps(plain)

    async def fetch_with_fallback(self, url: str, **kw: Any) -> list[FetchResult]:
        """``fetch(url, **kw)``, and when the study allows it (``settings.http_fallback``)
        and https failed at the TLS layer, the same URL over plain http.

        Returns every fetch made, in order; the last is the outcome. Each is archived
        (WARC) by ``fetch``; the caller stores each as a capture, so the failed https
        attempt stays evidence next to the http page. Once a host's https has failed
        at the TLS layer in this run, its other https URLs go to http directly (one
        fetch, not a failed handshake before every page).
        """
        plain = self._fallback(url)
        if plain is None:
            return [await self.fetch(url, **kw)]
        if _host_key(url) in self._tls_failed:
            return [await self.fetch(plain, **kw)]
        first = await self.fetch(url, **kw)
        if first.failure not in TLS_LAYER_FAILURES:
            return [first]
        self._tls_failed.add(_host_key(url))
        return [first, await self.fetch(plain, **kw)]

    def _fallback(self, url: str) -> str | None:
        """The http URL to fall back to from ``url`` (None: not allowed or none)."""
        return plain_http_url(url) if self.settings.http_fallback else None

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    check_robots: bool = True, site: SiteCheck | None = None) -> FetchResult:
        """GET ``url`` politely and archive every attempt and hop before returning.

        Network, TLS, HTTP and robots.txt trouble never raises: it is the
        result's ``failure``. ``settings.timeout`` bounds each attempt of each
        hop. With ``site`` (a host -> on-site? test, e.g. ``site_matcher(domains)``)
        a redirect to a host off the site is archived and not followed: the result
        is that redirect with failure ``redirect_off_site``. Raises ``StoreError``
        only when the WARC cannot be written.
        """
        start = time.monotonic()
        cond = {}
        if etag:
            cond["If-None-Match"] = etag
        if last_modified:
            cond["If-Modified-Since"] = last_modified
        chain: list[str] = []
        seen: set[str] = set()
        current = url
        for hop in range(self.settings.max_redirects + 1):
            bad = self._invalid(current)
            if bad is None and check_robots and self.settings.respect_robots:
                bad = await self._robots_verdict(current)
            if bad is not None:
                return self._refused(url, current, chain, bad, start)
            seen.add(self._canonical(current))
            att = await self._with_retries(current, cond, hop)
            location = att.header("location")
            if att.failure or att.status not in REDIRECT_STATUSES or not location:
                return self._result(url, att, chain, start)
            chain.append(current)
            nxt = urljoin(current, location.strip())
            if self._invalid(nxt) is not None:
                att.failure, att.detail = F.INVALID_URL, f"redirect to {nxt!r}"
            elif site is not None and not site(urlsplit(nxt).hostname or ""):
                att.failure = F.REDIRECT_OFF_SITE
                att.detail = f"{current} -> {nxt}: off the site's domains, not followed"
            elif self._canonical(nxt) in seen:
                att.failure, att.detail = F.HTTP_REDIRECT_LOOP, f"{current} -> {nxt}"
            elif hop == self.settings.max_redirects:
                att.failure = F.HTTP_TOO_MANY_REDIRECTS
                att.detail = f"more than {self.settings.max_redirects} redirects"
            if att.failure:
                return self._result(url, att, chain, start)
            current = nxt
        raise AssertionError("unreachable: the last hop returns")

    # -- stages -------------------------------------------------------------
    @staticmethod
    def _canonical(url: str) -> str:
        try:
            return str(httpx.URL(url).copy_with(fragment=None))
        except (httpx.InvalidURL, ValueError):
            return url

    @staticmethod
    def _invalid(url: str) -> tuple[str, str] | None:
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            httpx.URL(url)
        except (ValueError, httpx.InvalidURL) as exc:
            return F.INVALID_URL, f"{url!r}: {exc}"
        return None if ok else (F.INVALID_URL, f"{url!r} is not an http(s) URL with a host")

    async def _robots_verdict(self, url: str) -> tuple[str, str] | None:
        rules = await self._robots.rules(url)
        if rules.failure is not None:
            # unreachable robots.txt: not fetched (RFC 9309 §2.3.1.4), and the network
            # failure is the measurement, not a policy refusal
            return rules.failure, f"robots.txt unreachable ({rules.detail}); page not fetched"
        if rules.allowed(url, self.settings.user_agent):
            return None
        return F.ROBOTS_DISALLOWED, f"disallowed by {robots_url(url)} (HTTP {rules.status})"

    def _refused(self, url: str, current: str, chain: list[str], why: tuple[str, str],
                 start: float) -> FetchResult:
        """A fetch not attempted (bad URL, robots.txt): archived as metadata only."""
        now = self._clock()
        loc = self.warc.write_failure(url=current, method="GET", request_headers={},
                                      failure=why[0], detail=why[1], fetched_at=now, ip=None,
                                      request_attempted=False)
        return FetchResult(url=url, final_url=current, status=None, headers={}, body=b"",
                           fetched_at=now, failure=why[0], failure_detail=why[1],
                           redirects=tuple(chain), warc_file=loc.warc_file,
                           warc_offset=loc.offset, warc_length=loc.length, sha256=loc.sha256,
                           warc_sha256=loc.member_sha256, record_id=loc.record_id,
                           elapsed_s=time.monotonic() - start)

    def _result(self, url: str, att: _Attempt, chain: list[str], start: float) -> FetchResult:
        assert att.loc is not None
        return FetchResult(
            url=url, final_url=att.url, status=att.status, headers=att.header_dict(),
            body=b"" if att.failure else att.payload(), fetched_at=att.fetched_at,
            failure=att.failure, failure_detail=att.detail, redirects=tuple(chain),
            warc_file=att.loc.warc_file, warc_offset=att.loc.offset,
            warc_length=att.loc.length, sha256=att.loc.sha256,
            warc_sha256=att.loc.member_sha256, record_id=att.loc.record_id,
            elapsed_s=time.monotonic() - start, not_modified=att.status == 304)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """Per-host slot, then the per-host delay between starts, then a global slot."""
        host = (urlsplit(url).hostname or "").lower()
        gate = self._gates.setdefault(host, _HostGate(self.settings.per_host))
        loop = asyncio.get_running_loop()
        async with gate.sem:
            async with gate.lock:
                wait = gate.next_start - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                # the global slot is taken before the clock restarts, so the delay
                # separates real starts even when global slots are scarce
                await self._global.acquire()
                gate.next_start = loop.time() + self.settings.delay
            try:
                yield
            finally:
                self._global.release()

    def _retry_delay(self, att: _Attempt, n: int) -> float | None:
        """Seconds to wait before retrying ``att`` (the n-th retry), or None: do not retry."""
        if att.status is not None:
            if att.failure or att.status not in RETRY_STATUSES:
                return None
            after = _retry_after(att.header("retry-after"))
            if after is not None:
                return after if after <= RETRY_AFTER_CAP else None
        elif not (att.failure in TRANSIENT_FAILURES
                  or (att.failure == F.TIMEOUT and not att.connected)):
            return None  # a server that accepted and then stalled is not retried
        backoff = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** n)
        return backoff * (0.5 + self._rng.random() / 2)

    async def _with_retries(self, url: str, cond: dict[str, str], hop: int) -> _Attempt:
        n = 0
        while True:
            async with self._slot(url):
                att = await self._attempt(url, cond, hop, n)
            delay = self._retry_delay(att, n) if n < self.settings.retries else None
            if delay is None:
                return att
            n += 1
            await asyncio.sleep(delay)

    async def _attempt(self, url: str, cond: dict[str, str], hop: int, n: int) -> _Attempt:
        """One GET under the overall deadline; archived before returning."""
        assert self._client is not None, "use 'async with Fetcher(...)'"
        att = _Attempt(url=url, fetched_at=self._clock())
        try:
            request = self._client.build_request("GET", url, headers=cond)
            att.url = str(request.url.copy_with(fragment=None))
            att.request_headers = {k.decode("latin-1"): v.decode("latin-1")
                                   for k, v in request.headers.raw}
            parts = request.url
            mapped = self._resolver.lookup(parts.host, parts.port or
                                           (443 if parts.scheme == "https" else 80))
            att.ip = mapped[0] if mapped else (
                parts.host if parse_ip(parts.host) is not None else None)

            async def trace(event: str, info: dict[str, Any]) -> None:
                if event == "connection.connect_tcp.complete":
                    att.connected = True
                    att.ip = _peer_ip(info.get("return_value")) or att.ip

            request.extensions["trace"] = trace
            async with asyncio.timeout(self.settings.timeout):
                response = await self._client.send(request, stream=True)
                try:
                    att.connected = True
                    att.ip = _peer_ip(response.extensions.get("network_stream")) or att.ip
                    att.status, att.reason = response.status_code, response.reason_phrase
                    att.http_version = response.http_version
                    att.headers = [(k.decode("latin-1"), v.decode("latin-1"))
                                   for k, v in response.headers.raw]
                    await self._read_body(response, att)
                finally:
                    await response.aclose()
        except _NETWORK_ERRORS as exc:
            att.failure, att.detail = F.classify_exception(exc)
            refused = F.not_public_error(exc)
            if refused is not None and refused.refused:
                att.ip = refused.refused[0][0]  # the address that was not connected to
            if isinstance(exc, InputError):
                att.failure, att.truncated = F.HTTP_DECODING_ERROR, "unspecified"
            elif att.status is not None and att.truncated is None:
                att.truncated = "time" if att.failure == F.TIMEOUT else "disconnect"
        self._archive(att, hop, n)
        return att

    async def _read_body(self, response: httpx.Response, att: _Attempt) -> None:
        """Stream the body, stopping at max_body decoded bytes or at a bomb."""
        limit = self.settings.max_body

        def stop(failure: str, detail: str) -> None:
            att.truncated = "length"
            if att.failure is None:  # an earlier, more specific failure stands
                att.failure, att.detail = failure, detail

        try:
            dec = BodyDecoder(response.headers.get("content-encoding", ""))
        except InputError as exc:
            dec = BodyDecoder("")  # keep the raw bytes as evidence, bounded by max_body
            att.failure, att.detail = F.HTTP_DECODING_ERROR, exc.message
        if dec.coding:
            att.decoded = []
        too_large = f"body larger than max_body={limit} bytes (decoded)"
        async for chunk in response.aiter_raw():
            att.raw.append(chunk)
            for piece in dec.feed(chunk):
                if att.decoded is not None:
                    att.decoded.append(piece)
                if (dec.decoded_out > BOMB_MIN_DECODED
                        and dec.decoded_out > BOMB_RATIO * max(1, dec.encoded_consumed)):
                    return stop(F.HTTP_DECOMPRESSION_BOMB,
                                f"{dec.encoded_consumed} bytes inflated to more than "
                                f"{dec.decoded_out} (over {BOMB_RATIO}x)")
                if dec.decoded_out > limit:
                    return stop(F.HTTP_BODY_TOO_LARGE, too_large)
        tail = dec.flush()
        if att.decoded is not None:
            att.decoded.append(tail)
        if dec.decoded_out > limit:
            stop(F.HTTP_BODY_TOO_LARGE, too_large)

    def _archive(self, att: _Attempt, hop: int, n: int) -> None:
        extra = {"redirect_hop": str(hop), "attempt": str(n + 1)}
        if att.status is None:
            att.loc = self.warc.write_failure(
                url=att.url, method="GET", request_headers=att.request_headers,
                failure=att.failure or F.UNKNOWN_FAILURE, detail=att.detail,
                fetched_at=att.fetched_at, ip=att.ip, extra=extra,
                # refused by the address policy: no connection, so no request was sent
                request_attempted=att.failure != F.ADDRESS_NOT_PUBLIC)
            return
        if att.failure:
            extra.update(failure=att.failure, detail=att.detail)
        sha = None if att.failure == F.HTTP_DECODING_ERROR else \
            hashlib.sha256(att.payload()).hexdigest()
        att.loc = self.warc.write_exchange(
            url=att.url, method="GET", request_headers=att.request_headers,
            status=att.status, reason=att.reason, response_headers=att.headers,
            body=b"".join(att.raw), fetched_at=att.fetched_at, ip=att.ip, extra=extra,
            truncated=att.truncated, payload_sha256=sha, http_version=att.http_version)


def plain_http_url(url: str) -> str | None:
    """``url`` over plain http: ``https://host[:443]/p?q`` -> ``http://host/p?q``.

    None when ``url`` is not https, or names a port other than 443 (what listens
    for http there cannot be guessed).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or port not in (None, 443):
        return None
    host = parts.netloc.rpartition("@")[2]
    if port is not None:
        host = host.rsplit(":", 1)[0]
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit(("http", netloc, parts.path, parts.query, parts.fragment))


def _host_key(url: str) -> str:
    """The host and port a TLS failure is remembered for (``https://a/`` = ``https://a:443/``)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 443
    except ValueError:
        port = 443
    return f"{(parts.hostname or '').lower()}:{port}"


def _bare_host(host: str) -> str:
    """``host`` for comparing sites: lower case, no port, brackets, ``www.`` or final dot."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    host = host.removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def site_matcher(domains: Iterable[str]) -> SiteCheck:
    """Whether a host is one of ``domains`` or a subdomain of one (``www.`` ignored).

    The same test ``Study.outlet_for_host`` applies to choose an outlet, so a
    redirect between http and https, to ``www.`` or to another subdomain of an
    outlet's domain stays on the site; any other host is off it.
    """
    own = tuple({b for d in domains if (b := _bare_host(d))})

    def on_site(host: str) -> bool:
        bare = _bare_host(host)
        return bool(bare) and any(bare == d or bare.endswith("." + d) for d in own)

    return on_site


def _peer_ip(stream: Any) -> str | None:
    """The remote IP of an httpcore network stream, if it says."""
    if stream is None or not hasattr(stream, "get_extra_info"):
        return None
    addr = stream.get_extra_info("server_addr")
    return str(addr[0]) if isinstance(addr, tuple) and addr else None
