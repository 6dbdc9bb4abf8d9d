"""DNS steps of the probe: the system resolver and a second, user-named resolver.

Each lookup returns one OONI ``queries`` entry (df-002): ``engine`` is
``system`` (getaddrinfo, or the ``system_resolver`` stand-in), ``udp``,
``doh`` or ``static`` (the user's host map), ``failure`` uses OONI's DNS
error strings. Only IPv4 (A) is asked for: many probe networks have no IPv6
route, and an unreachable IPv6 address would read as blocking.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import dns.asyncquery
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

from untold.collect.failures import TIMEOUT, classify_exception
from untold.probe.ooni_obs import is_ip
from untold.probe.options import ProbeOptions, parse_hostport

__all__ = [
    "DNS_NO_ANSWER",
    "DNS_NXDOMAIN",
    "DNS_REFUSED",
    "DNS_SERVER_MISBEHAVING",
    "DNS_SERVFAIL",
    "Lookup",
    "Resolvers",
]

# OONI df-007 DNS failures
DNS_NXDOMAIN = "dns_nxdomain_error"
DNS_NO_ANSWER = "dns_no_answer"
DNS_REFUSED = "dns_refused_error"
DNS_SERVFAIL = "dns_servfail_error"
DNS_SERVER_MISBEHAVING = "dns_server_misbehaving"

_RCODE_FAILURES = {
    dns.rcode.NXDOMAIN: DNS_NXDOMAIN,
    dns.rcode.REFUSED: DNS_REFUSED,
    dns.rcode.SERVFAIL: DNS_SERVFAIL,
}

Lookup = dict[str, Any]  # one OONI queries entry
DOH_MEDIA_TYPE = "application/dns-message"


def _entry(host: str, engine: str, resolver: str, failure: str | None, addrs: list[str],
           t0: float, t: float) -> Lookup:
    return {
        "hostname": host, "query_type": "A", "engine": engine,
        "resolver_address": resolver, "failure": failure,
        "answers": [{"answer_type": "A", "ipv4": a, "ttl": None} for a in addrs],
        "t0": round(t0, 6), "t": round(t, 6),
    }


def addresses(entry: Lookup) -> list[str]:
    return [a["ipv4"] for a in entry.get("answers") or [] if a.get("ipv4")]


class Resolvers:
    """The run's resolvers, with one shared lookup per (engine, host) and run.

    Many URLs of a host share one lookup: a network observer sees one query
    per host and run, as from a browser, and the probe does not flood resolvers.
    """

    def __init__(self, opts: ProbeOptions, start: float) -> None:
        self.opts = opts
        self.start = start
        self._cache: dict[tuple[str, str], asyncio.Future[Lookup]] = {}

    def _now(self) -> float:
        return time.monotonic() - self.start

    async def _shared(self, key: tuple[str, str], make: Any) -> Lookup:
        fut = self._cache.get(key)
        if fut is None:
            fut = asyncio.ensure_future(make())
            self._cache[key] = fut
        return dict(await asyncio.shield(fut))

    async def system(self, host: str) -> Lookup:
        """The lookup a browser on this network would make."""
        host = host.lower().strip("[]").rstrip(".")
        if is_ip(host):  # an address in the URL: nothing to look up
            t = self._now()
            return _entry(host, "system", "", None, [host], t, t)
        if host in self.opts.hosts:
            t = self._now()
            return _entry(host, "static", "", None, list(self.opts.hosts[host]), t, t)
        if self.opts.system_resolver:
            ip, port = parse_hostport(self.opts.system_resolver, 53, what="--system-resolver")
            return await self._shared(("system", host),
                                      lambda: self._udp(host, ip, port, "system"))
        return await self._shared(("system", host), lambda: self._getaddrinfo(host))

    async def second(self, host: str) -> Lookup | None:
        """The lookup through the user's named resolver (None when none is named)."""
        r = self.opts.resolver
        if not r:
            return None
        host = host.lower().strip("[]").rstrip(".")
        if is_ip(host):
            return None
        if r.startswith("https://"):
            return await self._shared(("doh", host), lambda: self._doh(host, r))
        ip, port = parse_hostport(r, 53, what="--resolver")
        return await self._shared(("udp", host), lambda: self._udp(host, ip, port, "udp"))

    async def _getaddrinfo(self, host: str) -> Lookup:
        t0 = self._now()
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, family=socket.AF_INET, type=socket.SOCK_STREAM),
                self.opts.dns_timeout)
        except (OSError, TimeoutError) as exc:
            failure = TIMEOUT if isinstance(exc, TimeoutError) else classify_exception(exc)[0]
            return _entry(host, "system", "", failure, [], t0, self._now())
        addrs = list(dict.fromkeys(str(i[4][0]) for i in infos))
        return _entry(host, "system", "", None if addrs else DNS_NO_ANSWER, addrs, t0,
                      self._now())

    async def _udp(self, host: str, ip: str, port: int, engine: str) -> Lookup:
        t0 = self._now()
        where = f"{ip}:{port}" if ":" not in ip else f"[{ip}]:{port}"
        q = dns.message.make_query(host, dns.rdatatype.A)
        try:
            reply = await dns.asyncquery.udp(q, ip, port=port, timeout=self.opts.dns_timeout)
        except dns.exception.Timeout:
            return _entry(host, engine, where, TIMEOUT, [], t0, self._now())
        except (OSError, dns.exception.DNSException) as exc:
            return _entry(host, engine, where, _dns_failure(exc), [], t0, self._now())
        return _from_reply(host, engine, where, reply, t0, self._now())

    async def _doh(self, host: str, url: str) -> Lookup:
        """RFC 8484 POST over the probe's own HTTP client (pins, ports and CA apply)."""
        from untold.probe.http import NETWORK_ERRORS, client_for

        t0 = self._now()
        doh_host = (urlsplit(url).hostname or "").lower()
        pins = {doh_host: self.opts.hosts[doh_host][0]} if self.opts.hosts.get(doh_host) else {}
        q = dns.message.make_query(host, dns.rdatatype.A)
        q.id = 0  # RFC 8484 4.1: 0 keeps the request cacheable

        async def resolve(h: str) -> str | None:
            return next(iter(addresses(await self.system(h))), None)

        try:
            async with client_for(self.opts, pins, resolve, timeout=self.opts.dns_timeout) as c:
                resp = await c.post(url, content=q.to_wire(), headers={
                    "Content-Type": DOH_MEDIA_TYPE, "Accept": DOH_MEDIA_TYPE})
            if resp.status_code != 200:
                return _entry(host, "doh", url, DNS_SERVER_MISBEHAVING, [], t0, self._now())
            reply = dns.message.from_wire(resp.content)
        except (dns.exception.DNSException, ValueError) as exc:
            return _entry(host, "doh", url, _dns_failure(exc), [], t0, self._now())
        except NETWORK_ERRORS as exc:
            return _entry(host, "doh", url, classify_exception(exc)[0], [], t0, self._now())
        return _from_reply(host, "doh", url, reply, t0, self._now())


def _dns_failure(exc: BaseException) -> str:
    if isinstance(exc, dns.exception.Timeout):
        return TIMEOUT
    if isinstance(exc, dns.exception.FormError | dns.message.ShortHeader | dns.message.BadEDNS):
        return DNS_SERVER_MISBEHAVING
    return classify_exception(exc)[0]


def _from_reply(host: str, engine: str, where: str, reply: dns.message.Message, t0: float,
                t: float) -> Lookup:
    failure = _RCODE_FAILURES.get(reply.rcode())
    if failure is None and reply.rcode() != dns.rcode.NOERROR:
        failure = DNS_SERVER_MISBEHAVING
    addrs: list[str] = []
    if failure is None:
        for rrset in reply.answer:
            if rrset.rdtype == dns.rdatatype.A:
                addrs.extend(r.address for r in rrset)
        if not addrs:
            failure = DNS_NO_ANSWER
    return _entry(host, engine, where, failure, list(dict.fromkeys(addrs)), t0, t)
