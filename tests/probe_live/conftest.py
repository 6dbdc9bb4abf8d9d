"""A small internet on loopback: sites on 127.0.0.x, two DNS servers, a helper.

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

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.probe_live.sites import Background, DnsServer, SiteConfig, SniFilter, WebServer
from tests.probe_live.tlscerts import Certs, make_certs
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


@pytest.fixture(scope="session")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Net]:
    certs = make_certs(tmp_path_factory.mktemp("certs"), NAMES)
    bg = Background()
    web = WebServer(SiteConfig(zone=SECOND_ZONE, big_bytes=300_000))
    https_port = bg.run(web.listen("127.0.0.1", 0, certs.server_context()))
    http_port = bg.run(web.listen("127.0.0.1", 0, None))
    evil = WebServer(SiteConfig())
    bg.run(evil.listen("127.0.0.2", https_port, certs.server_context(evil=True)))
    bg.run(SniFilter(("127.0.0.1", https_port), b"sni.test", "reset")
           .listen("127.0.0.3", https_port))
    bg.run(SniFilter(("127.0.0.1", https_port), b"snidrop.test", "drop")
           .listen("127.0.0.5", https_port))
    bg.run(WebServer(SiteConfig(block_html=BLOCK_HTML)).listen("127.0.0.6", http_port, None))
    dns1 = DnsServer(SYSTEM_ZONE)
    p1 = bg.run(dns1.listen("127.0.0.1", 0))
    dns2 = DnsServer(SECOND_ZONE)
    p2 = bg.run(dns2.listen("127.0.0.1", 0))
    yield Net(certs, http_port, https_port, f"127.0.0.1:{p1}", f"127.0.0.1:{p2}", web, dns1,
              bg)
    bg.stop()


@pytest.fixture()
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user config dir, so consent records never touch the real one."""
    d = tmp_path / "config"
    monkeypatch.setenv("UNTOLD_CONFIG_DIR", str(d))
    return d
