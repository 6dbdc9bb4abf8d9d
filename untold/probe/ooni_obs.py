"""Observations derived from the raw ``test_keys`` of a Web Connectivity measurement.

The rules never read OONI's own conclusions (``blocking``, ``accessible``,
``dns_consistency``); they read what the probe and the control saw. Versions
differ in shape (0.0.1 python, 0.3/0.4 MK/Go, 0.5 "LTE" with tags and
transaction ids), so everything is normalised here, tolerating nulls.

The one exception is the probe's own HTTP comparison fields
(``body_length_match`` and friends): published bodies are often trimmed
("..." in old reports), so when the probe reported a comparison made on the
full body, that comparison is used; otherwise untold compares itself.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from untold.probe.ooni_values import as_dict as _dict
from untold.probe.ooni_values import as_int as _int
from untold.probe.ooni_values import dicts as _dicts
from untold.probe.ooni_values import failure as _fail
from untold.probe.ooni_values import headers as _headers
from untold.probe.ooni_values import tags as _tags
from untold.probe.ooni_values import text as _text

__all__ = ["Control", "Obs", "Query", "Request", "Tcp", "Tls", "derive", "is_bogon"]

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


@dataclass
class Query:
    hostname: str
    failure: str | None
    addrs: list[str]
    asns: dict[str, int]


@dataclass
class Tcp:
    ip: str
    port: int
    failure: str | None
    tid: int | None

    @property
    def address(self) -> str:
        return f"[{self.ip}]:{self.port}" if ":" in self.ip else f"{self.ip}:{self.port}"


@dataclass
class Tls:
    address: str
    server_name: str
    failure: str | None
    tid: int | None
    issuer: str | None = None


@dataclass
class Request:
    url: str
    failure: str | None
    code: int
    body: str | None
    headers: dict[str, str]
    address: str | None
    tid: int | None

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def title(self) -> str | None:
        m = _TITLE.search(self.body or "")
        return m.group(1).strip() if m else None


@dataclass
class Control:
    failure: str | None
    dns_failure: str | None
    dns_addrs: list[str]
    tcp: dict[str, str | None]             # "ip:port" -> failure (None: connected)
    tls: dict[str, str | None] | None      # None: this control version does no TLS
    http_failure: str | None
    http_status: int
    http_body_length: int
    http_title: str | None
    http_headers: dict[str, str]
    asns: dict[str, int]


@dataclass
class Obs:
    """Everything the rules look at, from one measurement."""

    input: str
    host: str
    test_version: str
    queries: list[Query] = field(default_factory=list)
    tcp: list[Tcp] = field(default_factory=list)
    tls: list[Tls] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)   # final request first (OONI order)
    http_failure: str | None = None     # the probe's HTTP experiment failure string
    control: Control | None = None
    reported: dict[str, Any] = field(default_factory=dict)  # probe's full-body comparisons
    x_untold: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> Request | None:
        return self.requests[0] if self.requests else None

    def input_queries(self) -> list[Query]:
        return [q for q in self.queries if q.hostname == self.host]

    def probe_addrs(self) -> list[str]:
        return [a for q in self.input_queries() for a in q.addrs]


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host.lower()


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_bogon(ip: str) -> bool:
    """Private, loopback, link-local, reserved... : never a public web server."""
    try:
        a = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return not a.is_global or a.is_multicast


def _tagged(tk: dict[str, Any]) -> bool:
    """v0.5 tags the system-resolver path "classic" (other resolvers' addresses are
    probed too, untagged); older versions have one path and no tags."""
    return any("classic" in _tags(e) for key in ("queries", "tcp_connect", "tls_handshakes",
                                                 "requests") for e in _dicts(tk.get(key)))


def _classic(entries: list[dict[str, Any]], tagged: bool) -> list[dict[str, Any]]:
    if tagged:
        return [e for e in entries if "classic" in _tags(e)]
    return [e for e in entries if e.get("engine") not in ("doh", "udp")]


def _issuer(tls: dict[str, Any]) -> str | None:
    certs = tls.get("peer_certificates")
    if not isinstance(certs, list) or not certs:
        return None
    from untold.probe.ooni_certs import issuer_of

    return issuer_of(certs[0])


def _queries(tk: dict[str, Any], tagged: bool) -> list[Query]:
    out = []
    for q in _classic(_dicts(tk.get("queries")), tagged):
        if q.get("query_type") not in (None, "A", "AAAA", "ANY"):
            continue
        addrs, asns = [], {}
        for a in _dicts(q.get("answers")):
            ip = a.get("ipv4") or a.get("ipv6")
            if isinstance(ip, str) and is_ip(ip):
                addrs.append(ip)
                if isinstance(a.get("asn"), int) and a["asn"] > 0:
                    asns[ip] = a["asn"]
        out.append(Query(str(q.get("hostname") or "").lower(), _fail(q.get("failure")), addrs, asns))
    return out


def _control(tk: dict[str, Any]) -> Control | None:
    c = tk.get("control")
    if not isinstance(c, dict) or not c:
        return None if tk.get("control_failure") is None else _empty_control(tk)
    dns = _dict(c.get("dns"))
    http = _dict(c.get("http_request"))
    tcp = _dict(c.get("tcp_connect"))
    tls_raw = c.get("tls_handshake")
    tls = _dict(tls_raw) if isinstance(tls_raw, dict) else None
    ipinfo = _dict(c.get("ip_info"))
    raw_addrs = dns.get("addrs")
    addrs: list[Any] = raw_addrs if isinstance(raw_addrs, list) else []
    return Control(
        failure=_fail(tk.get("control_failure")),
        dns_failure=_fail(dns.get("failure")),
        dns_addrs=[a for a in addrs if isinstance(a, str) and is_ip(a)],
        tcp={k: (None if v.get("status") is True else _fail(v.get("failure")) or "unknown_failure")
             for k, v in tcp.items() if isinstance(v, dict)},
        tls=None if tls is None else {
            k: (None if v.get("status") is True else _fail(v.get("failure")) or "unknown_failure")
            for k, v in tls.items() if isinstance(v, dict)},
        http_failure=_fail(http.get("failure")),
        http_status=_int(http.get("status_code")),
        http_body_length=_int(http.get("body_length"), -1),
        http_title=http.get("title") if isinstance(http.get("title"), str) else None,
        http_headers=_headers(http.get("headers")),
        asns={k: v["asn"] for k, v in ipinfo.items()
              if isinstance(v, dict) and isinstance(v.get("asn"), int) and v["asn"] > 0},
    )


def _empty_control(tk: dict[str, Any]) -> Control:
    return Control(_fail(tk.get("control_failure")), None, [], {}, None, None, 0, -1, None, {}, {})


def derive(m: dict[str, Any]) -> Obs:
    """Observations of one measurement; ``test_keys`` must be a dict (caller checks)."""
    tk: dict[str, Any] = m["test_keys"]
    url = str(m.get("input") or "")
    obs = Obs(input=url, host=host_of(url), test_version=str(m.get("test_version") or ""))
    tagged = _tagged(tk)
    obs.queries = _queries(tk, tagged)
    for t in _classic(_dicts(tk.get("tcp_connect")), tagged):
        st = _dict(t.get("status"))
        ok = st.get("success") is True or (st.get("failure") is None and "success" not in st)
        obs.tcp.append(Tcp(str(t.get("ip")), _int(t.get("port")),
                           None if ok else (_fail(st.get("failure")) or "unknown_failure"),
                           t.get("transaction_id")))
    for s in _classic(_dicts(tk.get("tls_handshakes")), tagged):
        obs.tls.append(Tls(str(s.get("address")), str(s.get("server_name") or ""),
                           _fail(s.get("failure")), s.get("transaction_id"), _issuer(s)))
    for r in _classic(_dicts(tk.get("requests")), tagged):
        req = _dict(r.get("request"))
        resp = _dict(r.get("response"))
        body = resp.get("body")
        obs.requests.append(Request(
            url=str(req.get("url") or url), failure=_fail(r.get("failure")),
            code=_int(resp.get("code")), body=None if body is None else _text(body),
            headers=_headers(resp.get("headers")),
            address=r.get("address") if isinstance(r.get("address"), str) else None,
            tid=r.get("transaction_id")))
    obs.http_failure = _fail(tk.get("http_experiment_failure"))
    if obs.final is not None and obs.final.failure is not None:
        obs.http_failure = obs.final.failure
    obs.control = _control(tk)
    obs.reported = {k: tk.get(k) for k in ("body_length_match", "headers_match",
                                           "title_match", "status_code_match")}
    xu = tk.get("x_untold")
    obs.x_untold = xu if isinstance(xu, dict) else {}
    return obs
