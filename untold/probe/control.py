"""The control: what a URL looks like from a network without the censor.

``untold helper --listen ADDR:PORT`` runs the helper (see
:mod:`untold.probe.control_server`) on a machine outside the censored
network; ``untold probe --control URL`` asks it about every URL it measures
and stores the answer in ``test_keys.control`` (or the reason it could not in
``control_failure``). The shapes are those of OONI's web-connectivity test
helper (oohelperd), so verdict rules read untold's and OONI's measurements alike.

API
---
``POST /`` (also ``/api/v1/websites``), body ``application/json``, at most 64 KiB::

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
``dns_name_error``), ``x_failure`` the precise one. A malformed request gets
``400 {"error": "..."}``. ``GET /`` answers ``{"service": "untold helper", ...}``.

The helper fetches URLs for whoever can reach it: it listens on 127.0.0.1
unless told otherwise, connects only to ports 80 and 443 (plus configured
overrides and the URL's own port), caps bodies and runs a bounded number of
measurements at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import urlsplit

from untold.errors import ProbeError
from untold.probe.dns import DNS_NXDOMAIN, Resolvers, addresses
from untold.probe.http import NETWORK_ERRORS, client_for, failure_of, fetch
from untold.probe.options import ProbeOptions, parse_hostport
from untold.probe.tcptls import connect

__all__ = ["CONTROL_BAD_RESPONSE", "MAX_ENDPOINTS", "ask_control", "measure_control",
           "parse_request"]

MAX_ENDPOINTS = 16  # a site has a handful of addresses; more is a scan, not a probe
CONTROL_BAD_RESPONSE = "control_bad_response"  # the helper answered, but not as specified
_PASSED_HEADERS = ("user-agent", "accept", "accept-language")  # nothing identifying


def parse_request(req: Any, opts: ProbeOptions) -> tuple[str, dict[str, str], list[str]]:
    """Validate a helper request: (url, headers, ["ip:port", ...]); ProbeError if bad."""
    if not isinstance(req, dict):
        raise ProbeError("the request body must be a JSON object")
    url = req.get("http_request")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") \
            or not urlsplit(url).hostname:
        raise ProbeError("http_request must be an http(s) URL with a host")
    headers: dict[str, str] = {}
    for k, v in (req.get("http_request_headers") or {}).items():
        if str(k).lower() in _PASSED_HEADERS:
            headers[str(k)] = str(v[0] if isinstance(v, list) and v else v)[:512]
    eps = req.get("tcp_connect") or []
    if not isinstance(eps, list) or len(eps) > MAX_ENDPOINTS:
        raise ProbeError(f"tcp_connect must be a list of at most {MAX_ENDPOINTS} ip:port")
    p = urlsplit(url)
    allowed = opts.allowed_ports() | ({p.port} if p.port else set())
    out: list[str] = []
    for e in eps:
        ip, port = parse_hostport(str(e), 0, what="tcp_connect entry")
        if port not in allowed:
            raise ProbeError(f"tcp_connect port {port} is not allowed",
                             hint=f"allowed: {sorted(allowed)}")
        out.append(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}")
    return url, headers, list(dict.fromkeys(out))


async def measure_control(req: Any, opts: ProbeOptions) -> dict[str, Any]:
    """The helper's side: DNS, TCP/TLS to every endpoint, and a GET, from here."""
    url, headers, eps = parse_request(req, opts)
    start = time.monotonic()
    p = urlsplit(url)
    host = p.hostname or ""
    port = opts.port_for(p.scheme, p.port)
    resolvers = Resolvers(opts, start)
    q = await resolvers.system(host)
    own = addresses(q)
    eps = list(dict.fromkeys([*eps, *(f"{a}:{port}" for a in own)]))[:MAX_ENDPOINTS]
    sni = host if p.scheme == "https" else None
    results = await asyncio.gather(*(
        connect(*parse_hostport(e, port, what="endpoint"), sni=sni, ctx=opts.verify_context,
                connect_timeout=opts.connect_timeout, tls_timeout=opts.tls_timeout,
                start=start) for e in eps))
    tcp = {e: {"status": r.tcp_ok, "failure": r.tcp["status"]["failure"]}
           for e, r in zip(eps, results, strict=True)}
    tls = {e: {"server_name": host, "status": r.tls_ok, "failure": (r.tls or {}).get("failure")}
           for e, r in zip(eps, results, strict=True) if r.tls is not None}
    good = [a for a in own if tcp.get(f"{a}:{port}", {}).get("status")]
    pins = {host: good[0]} if good else ({host: own[0]} if own else {})

    async def resolve(h: str) -> str | None:
        return next(iter(addresses(await resolvers.system(h))), None)

    fetched = await fetch(url, opts, pins=pins, resolve=resolve, start=start,
                          headers=headers) if own else None
    dns_failure = q["failure"]
    hs = next((r.tls_handshake_s for r in results if r.tls_handshake_s is not None), None)
    return {
        "dns": {"failure": None if dns_failure is None else
                ("dns_name_error" if dns_failure == DNS_NXDOMAIN else "unknown_error"),
                "addrs": own, "x_failure": dns_failure},
        "tcp_connect": tcp,
        "tls_handshake": tls,
        "http_request": {
            "body_length": fetched.body_bytes if fetched and not fetched.failure else -1,
            "failure": fetched.failure if fetched else dns_failure,
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


async def ask_control(url: str, endpoints: list[str], opts: ProbeOptions,
                      resolve: Any) -> tuple[dict[str, Any], str | None]:
    """The probe's side: (control, control_failure) for ``url``; never raises."""
    assert opts.control is not None
    body = {"http_request": url,
            "http_request_headers": {"User-Agent": [opts.user_agent],
                                     "Accept": ["text/html,*/*;q=0.8"]},
            "tcp_connect": endpoints[:MAX_ENDPOINTS]}
    # the helper runs every step itself, so it may take as long as all of them together
    budget = opts.dns_timeout + opts.connect_timeout + opts.tls_timeout + opts.http_timeout + 5
    host = (urlsplit(opts.control).hostname or "").lower()
    pins = {host: opts.hosts[host][0]} if opts.hosts.get(host) else {}
    try:
        async with client_for(opts, pins, resolve, timeout=budget) as client:
            resp = await client.post(opts.control, json=body)
            if resp.status_code != 200:
                return {}, CONTROL_BAD_RESPONSE
            reply = json.loads(resp.content)
    except (ValueError, UnicodeError):
        return {}, CONTROL_BAD_RESPONSE
    except NETWORK_ERRORS as exc:  # a helper out of reach is recorded, not raised
        return {}, failure_of(exc)
    return (reply, None) if _well_formed(reply) else ({}, CONTROL_BAD_RESPONSE)
