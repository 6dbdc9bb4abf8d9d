"""The control: what a URL looks like from a network without the censor.

``untold helper --listen ADDR:PORT`` runs the helper (see
:mod:`untold.probe.control_server`) on a machine outside the censored
network; ``untold probe --control URL --token TOKEN`` asks it about every URL
it measures and stores the answer in ``test_keys.control`` (or the reason it
could not in ``control_failure``). The shapes are those of OONI's
web-connectivity test helper (oohelperd), so verdict rules read untold's and
OONI's measurements alike.

API
---
``POST /`` (also ``/api/v1/websites``), header ``Authorization: Bearer TOKEN``,
body ``application/json``, at most 64 KiB::

    {"http_request": "https://news.example/",          # required, http or https
     "http_request_headers": {"User-Agent": ["..."]},   # optional; lists or strings
     "tcp_connect": ["203.0.113.5:443", ...]}           # the probe's addresses, <= 16

Reply ``200 application/json``::

    {"dns": {"failure": null | "dns_name_error" | "unknown_error", "addrs": ["ip", ...],
             "x_failure": null | "<untold/OONI failure string>"},
     "tcp_connect": {"ip:port": {"status": true, "failure": null}, ...},
     "tls_handshake": {"ip:port": {"server_name": "...", "status": true, "failure": null}},
     "http_request": {"body_length": 1234, "failure": null, "title": "...",
                      "headers": {"Name": "value"}, "status_code": 200,
                      "discovered_h3_endpoint": ""},
     "ip_info": {},
     "x_untold": {"tls_handshake_s": 0.05, "body_bytes": 1234, "body_s": 0.01}}

``tcp_connect`` covers the probe's addresses and the helper's own (on the
URL's port); ``dns.failure`` uses oohelperd's legacy names (NXDOMAIN is
``dns_name_error``), ``x_failure`` the precise one. ``GET /`` answers
``{"service": "untold helper", ...}`` without a token and says nothing about
the machine or its settings.

What the helper refuses
-----------------------
It measures public unicast addresses on ports 80 and 443 only (plus its
``--port`` overrides and ``--allow-port``; ``--allow-private`` lifts the
address rule for tests on loopback). The check runs on the address actually
connected to, right before connecting, so a name that resolves or re-resolves
(DNS rebinding) to an internal address gains nothing. Where the request itself
asks for something refused, the reply is an error; where the world leads there
(a DNS answer, a probe's address, a redirect), the measurement records it as a
failure and nothing is connected to:

* ``400 {"error": "...", "failure": "address_not_public"}``: the URL's host is
  an IP literal that is not public (``127.0.0.1``, ``[::ffff:10.0.0.1]``, ...).
* ``400 {..., "failure": "port_not_allowed"}``: the URL's port, or a
  ``tcp_connect`` entry's port, is not one the helper connects to.
* ``400 {..., "failure": "bad_request"}``: not JSON, nested too deeply, a
  field of the wrong type (a list where an object belongs, ...), a bad URL.
* ``tcp_connect`` entry ``{"status": false, "failure": "address_not_public"}``:
  a probe's address that is not public (a censor's bogon answer, typically).
* ``dns.addrs`` lists the public answers only; when there is none but the name
  resolved, ``http_request.failure`` is ``address_not_public`` (no GET).
* ``http_request.failure`` ``address_not_public`` / ``port_not_allowed``: a
  redirect hop led there; the hops before it are measured as usual.

Other errors: ``401`` (no or wrong token), ``429`` with ``Retry-After`` (too
many requests from one client), ``408`` (request not received in time),
``411``/``413`` (no length, or too long), ``500`` (a fault of the helper, logged
there); every error body is ``{"error": "..."}`` JSON.

The probe records a control it could not use in ``control_failure``:
``control_unauthorized`` (401), ``control_rate_limited`` (still 429 after
waiting), ``control_refused`` (the helper would not measure this URL: a 400
for an address or port, or a 200 whose fetch was refused), ``control_bad_response``
(anything else unexpected), or the network failure reaching the helper.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from untold.errors import ProbeError, UntoldError
from untold.net.addresses import parse_ip
from untold.probe.control_guard import ADDRESS_NOT_PUBLIC, PORT_NOT_ALLOWED, HelperPolicy
from untold.probe.dns import DNS_NXDOMAIN, Resolvers, addresses
from untold.probe.http import NETWORK_ERRORS, client_for, failure_of, fetch
from untold.probe.options import ProbeOptions, parse_hostport
from untold.probe.tcptls import TcpTls, connect

__all__ = ["BAD_REQUEST", "CONTROL_BAD_RESPONSE", "CONTROL_RATE_LIMITED", "CONTROL_REFUSED",
           "CONTROL_UNAUTHORIZED", "MAX_ENDPOINTS", "ControlRequest", "RequestRefused",
           "ask_control", "measure_control", "parse_request"]

MAX_ENDPOINTS = 16  # a site has a handful of addresses; more is a scan, not a probe
MAX_URL_CHARS = 4096  # far beyond any news URL; bounds what the helper is asked to send
MAX_HEADERS = 32  # request headers looked at: a probe sends two or three
MAX_HEADER_CHARS = 512  # per passed header value: a User-Agent, not a payload
BAD_REQUEST = "bad_request"  # a request the API does not allow (shape, type, URL)
CONTROL_BAD_RESPONSE = "control_bad_response"  # the helper answered, but not as specified
CONTROL_UNAUTHORIZED = "control_unauthorized"  # the helper refused this probe's token
CONTROL_RATE_LIMITED = "control_rate_limited"  # still "too many requests" after waiting
CONTROL_REFUSED = "control_refused"  # the helper will not measure this address or port
# the probe waits out the helper's Retry-After this long in all before giving up on it
MAX_RATE_WAIT_S = 60.0
_PASSED_HEADERS = ("user-agent", "accept", "accept-language")  # nothing identifying
_REFUSALS = (ADDRESS_NOT_PUBLIC, PORT_NOT_ALLOWED)


class RequestRefused(ProbeError):
    """A helper request refused as a whole (HTTP 400); ``failure`` is its stable string."""

    def __init__(self, failure: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.failure = failure


@dataclass(frozen=True)
class ControlRequest:
    """A validated helper request."""

    url: str
    headers: dict[str, str]
    endpoints: list[tuple[str, int]]  # the probe's (ip, port), in its order, no repeats


def _bad(message: str, hint: str | None = None) -> RequestRefused:
    return RequestRefused(BAD_REQUEST, message, hint=hint)


def _url(raw: Any) -> tuple[str, str, int | None, str]:
    """(url, host, explicit port, scheme) of a request's ``http_request``."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_URL_CHARS:
        raise _bad(f"http_request must be an http(s) URL of at most {MAX_URL_CHARS} "
                   "characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in raw):
        raise _bad("http_request must not contain spaces or control characters")
    try:
        p = urlsplit(raw)
        host, port = p.hostname, p.port
    except ValueError as exc:
        raise _bad(f"http_request is not a valid URL: {exc}") from exc
    if p.scheme not in ("http", "https") or not host:
        raise _bad("http_request must be an http(s) URL with a host")
    return raw, host, port, p.scheme


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_HEADERS:
        raise _bad("http_request_headers must be an object of name: [values] "
                   f"(at most {MAX_HEADERS} names)")
    out: dict[str, str] = {}
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise _bad(f"http_request_headers {name[:40]!r} must be a string or a list of "
                       "strings")
        if name.lower() in _PASSED_HEADERS and values:
            v = values[0][:MAX_HEADER_CHARS]
            if any(ord(c) < 32 or ord(c) == 127 for c in v):
                raise _bad(f"http_request_headers {name!r} has control characters")
            out[name] = v
    return out


def parse_request(req: Any, opts: ProbeOptions,
                  policy: HelperPolicy | None = None) -> ControlRequest:
    """Validate a helper request; :class:`RequestRefused` (-> 400) when it cannot be run."""
    policy = policy or HelperPolicy()
    if not isinstance(req, dict):
        raise _bad("the request body must be a JSON object")
    url, host, explicit, scheme = _url(req.get("http_request"))
    headers = _headers(req.get("http_request_headers"))
    allowed = policy.ports(opts)
    port = opts.port_for(scheme, explicit)
    if port not in allowed:
        raise RequestRefused(PORT_NOT_ALLOWED, f"http_request port {port} is not allowed",
                             hint=f"this helper connects to ports {sorted(allowed)}")
    why = policy.address_refusal(host) if is_literal(host) else None
    if why:
        raise RequestRefused(ADDRESS_NOT_PUBLIC, f"http_request host {host} is {why}: the "
                             "helper measures public addresses only")
    eps = req.get("tcp_connect")
    eps = [] if eps is None else eps
    if not isinstance(eps, list) or len(eps) > MAX_ENDPOINTS:
        raise _bad(f"tcp_connect must be a list of at most {MAX_ENDPOINTS} ip:port")
    out: list[tuple[str, int]] = []
    for e in eps:
        if not isinstance(e, str):
            raise _bad("tcp_connect entries must be \"ip:port\" strings",
                       hint="e.g. \"203.0.113.5:443\" or \"[2001:db8::5]:443\"")
        try:
            ip, p = parse_hostport(e, 0, what="tcp_connect entry")
        except UntoldError as exc:
            raise _bad(exc.message, hint=exc.hint) from exc
        if p not in allowed:
            raise RequestRefused(PORT_NOT_ALLOWED, f"tcp_connect port {p} is not allowed",
                                 hint=f"allowed: {sorted(allowed)}")
        out.append((ip, p))
    return ControlRequest(url, headers, list(dict.fromkeys(out)))


def is_literal(host: str) -> bool:
    return parse_ip(host) is not None


def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


async def measure_control(req: ControlRequest, opts: ProbeOptions,
                          policy: HelperPolicy | None = None) -> dict[str, Any]:
    """The helper's side: DNS, TCP/TLS to every permitted endpoint, and a GET, from here."""
    policy = policy or HelperPolicy()
    check = policy.checker(opts)
    url, headers = req.url, req.headers
    start = time.monotonic()
    p = urlsplit(url)
    host = p.hostname or ""
    port = opts.port_for(p.scheme, p.port)
    resolvers = Resolvers(opts, start)
    q = await resolvers.system(host)
    found = addresses(q)
    # non-public answers are neither connected to nor shown: the helper's view of
    # internal names is not for whoever asks
    own = [a for a in found if policy.address_refusal(a) is None]
    eps = list(dict.fromkeys([*req.endpoints, *((a, port) for a in own)]))[:MAX_ENDPOINTS]
    sni = host if p.scheme == "https" else None

    async def one(ip: str, ep_port: int) -> TcpTls | str:
        refused = check(ip, ep_port)
        if refused is not None:
            return refused  # nothing is sent to a refused address
        return await connect(ip, ep_port, sni=sni, ctx=opts.verify_context,
                             connect_timeout=opts.connect_timeout,
                             tls_timeout=opts.tls_timeout, start=start)

    results = await asyncio.gather(*(one(ip, ep_port) for ip, ep_port in eps))
    tcp: dict[str, dict[str, Any]] = {}
    tls: dict[str, dict[str, Any]] = {}
    for (ip, ep_port), r in zip(eps, results, strict=True):
        key = _ep(ip, ep_port)
        if isinstance(r, str):
            tcp[key] = {"status": False, "failure": r}
            continue
        tcp[key] = {"status": r.tcp_ok, "failure": r.tcp["status"]["failure"]}
        if r.tls is not None:
            tls[key] = {"server_name": host, "status": r.tls_ok,
                        "failure": r.tls.get("failure")}
    good = [a for a in own if tcp.get(_ep(a, port), {}).get("status")]
    pins = {host: good[0]} if good else ({host: own[0]} if own else {})

    async def resolve(h: str) -> str | None:
        """A redirect hop's address: a permitted one if any (``check`` judges it again)."""
        hop = addresses(await resolvers.system(h))
        return next((a for a in hop if policy.address_refusal(a) is None),
                    hop[0] if hop else None)

    fetched = await fetch(url, opts, pins=pins, resolve=resolve, start=start,
                          headers=headers, check=check) if own else None
    dns_failure = q["failure"]
    http_failure = (fetched.failure if fetched else
                    ADDRESS_NOT_PUBLIC if found else dns_failure)
    hs = next((r.tls_handshake_s for r in results
               if isinstance(r, TcpTls) and r.tls_handshake_s is not None), None)
    return {
        "dns": {"failure": None if dns_failure is None else
                ("dns_name_error" if dns_failure == DNS_NXDOMAIN else "unknown_error"),
                "addrs": own, "x_failure": dns_failure},
        "tcp_connect": tcp,
        "tls_handshake": tls,
        "http_request": {
            "body_length": fetched.body_bytes if fetched and not fetched.failure else -1,
            "failure": http_failure,
            "title": fetched.title if fetched else "",
            "headers": fetched.headers if fetched else {},
            "status_code": fetched.status if fetched and fetched.status else -1,
            "discovered_h3_endpoint": ""},
        "ip_info": {},
        "x_untold": {"tls_handshake_s": hs,
                     "body_bytes": fetched.body_bytes if fetched else 0,
                     "body_s": fetched.body_s if fetched else None},
    }


def _well_formed(reply: Any) -> bool:
    return (isinstance(reply, dict) and isinstance(reply.get("dns"), dict)
            and isinstance(reply.get("tcp_connect"), dict)
            and isinstance(reply.get("http_request"), dict))


def _retry_after(value: str | None) -> float:
    """Seconds a 429 asks to wait (delta-seconds; a date or nonsense counts as 1 s)."""
    try:
        return min(max(float(value or "1"), 0.1), MAX_RATE_WAIT_S)
    except ValueError:
        return 1.0


def _refusal_of(resp_content: bytes) -> str:
    try:
        body = json.loads(resp_content)
    except (ValueError, UnicodeError, RecursionError):
        return CONTROL_BAD_RESPONSE
    failure = body.get("failure") if isinstance(body, dict) else None
    return CONTROL_REFUSED if failure in _REFUSALS else CONTROL_BAD_RESPONSE


async def ask_control(url: str, endpoints: list[str], opts: ProbeOptions,
                      resolve: Any) -> tuple[dict[str, Any], str | None]:
    """The probe's side: (control, control_failure) for ``url``; never raises."""
    assert opts.control is not None
    body = {"http_request": url,
            "http_request_headers": {"User-Agent": [opts.user_agent],
                                     "Accept": ["text/html,*/*;q=0.8"]},
            "tcp_connect": endpoints[:MAX_ENDPOINTS]}
    auth = {"Authorization": f"Bearer {opts.control_token}"} if opts.control_token else {}
    # the helper runs every step itself, so it may take as long as all of them together
    budget = opts.dns_timeout + opts.connect_timeout + opts.tls_timeout + opts.http_timeout + 5
    host = (urlsplit(opts.control).hostname or "").lower()
    pins = {host: opts.hosts[host][0]} if opts.hosts.get(host) else {}
    waited = 0.0
    try:
        async with client_for(opts, pins, resolve, timeout=budget) as client:
            while True:
                resp = await client.post(opts.control, json=body, headers=auth)
                if resp.status_code != 429:
                    break
                wait = _retry_after(resp.headers.get("retry-after"))
                if waited + wait > MAX_RATE_WAIT_S:
                    return {}, CONTROL_RATE_LIMITED
                await asyncio.sleep(wait)  # the helper said when: a probe waits its turn
                waited += wait
            if resp.status_code in (401, 403):
                return {}, CONTROL_UNAUTHORIZED
            if resp.status_code == 400:
                return {}, _refusal_of(resp.content)
            if resp.status_code != 200:
                return {}, CONTROL_BAD_RESPONSE
            reply = json.loads(resp.content)
    except (ValueError, UnicodeError, RecursionError):
        return {}, CONTROL_BAD_RESPONSE
    except NETWORK_ERRORS as exc:  # a helper out of reach is recorded, not raised
        return {}, failure_of(exc)
    if not _well_formed(reply):
        return {}, CONTROL_BAD_RESPONSE
    if reply["http_request"].get("failure") in _REFUSALS:
        return reply, CONTROL_REFUSED  # the helper did not see the page: no usable control
    return reply, None
