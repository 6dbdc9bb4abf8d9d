"""The probe tests' small internet on loopback: its names, zones, block page and ``Net``
(the ``net`` fixture that starts it is in tests/probe/live/conftest.py).

127.0.0.1  the real sites (HTTP and HTTPS, certificates from the test CA; DoH)
127.0.0.2  the same names with a certificate from a CA nobody trusts (interception)
127.0.0.3  a relay that resets TLS handshakes naming sni.test (SNI filtering)
127.0.0.5  a relay that swallows handshakes naming snidrop.test
127.0.0.4  nothing listens (connection refused)
127.0.0.6  a censor's block page (HTTP, every path) carrying ``BLOCK_MARK``; the system
           resolver sends dnsblock.test here, the second resolver to the real site
Both HTTP and HTTPS use the same port numbers on every address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tests.support.probe_sites import Background, DnsServer, WebServer
from tests.support.tls import Certs
from untold.probe.options import ProbeOptions

NAMES = ["news.test", "evil.test", "sni.test", "snidrop.test", "closed.test", "doh.test",
         "baseline.test", "other.test", "censored.test", "dnsdrop.test", "dnsblock.test"]
SYSTEM_ZONE: dict[str, Any] = {
    "news.test": ["127.0.0.1"], "www.news.test": ["127.0.0.1"], "other.test": ["127.0.0.1"],
    "baseline.test": ["127.0.0.1"], "doh.test": ["127.0.0.1"],
    "evil.test": ["127.0.0.2"], "sni.test": ["127.0.0.3"], "snidrop.test": ["127.0.0.5"],
    "closed.test": ["127.0.0.4"], "dnsdrop.test": "drop", "censored.test": "nxdomain",
    "dnsblock.test": ["127.0.0.6"],
}
SECOND_ZONE: dict[str, Any] = {**SYSTEM_ZONE, "censored.test": ["127.0.0.1"],
                               "dnsdrop.test": ["127.0.0.1"], "dnsblock.test": ["127.0.0.1"]}
# the lab censor's block page names its registry with this (in no builtin fingerprint:
# a test installs one for it)
BLOCK_MARK = "registry.blocked.lab.test"
BLOCK_HTML = (f"<html><head><title>Access restricted</title></head><body><p>Access to this "
              f"resource is restricted. See {BLOCK_MARK}</p></body></html>")


@dataclass
class Net:
    certs: Certs
    http_port: int
    https_port: int
    system_dns: str
    second_dns: str
    web: WebServer
    dns: DnsServer
    bg: Background

    def opts(self, **kw: Any) -> ProbeOptions:
        base = ProbeOptions(system_resolver=self.system_dns, resolver=self.second_dns,
                            ports={"http": self.http_port, "https": self.https_port},
                            cafile=self.certs.ca_file, dns_timeout=0.5, connect_timeout=1.0,
                            tls_timeout=1.0, http_timeout=5.0)
        return replace(base, **kw)
