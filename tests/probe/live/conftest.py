"""A small internet on loopback: sites on 127.0.0.x, two DNS servers, a helper
(its map, names and zones: tests/support/probe_lab.py).

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
from pathlib import Path

import pytest

from tests.support.probe_lab import BLOCK_HTML, NAMES, SECOND_ZONE, SYSTEM_ZONE, Net
from tests.support.probe_sites import Background, DnsServer, SiteConfig, SniFilter, WebServer
from tests.support.tls import make_certs


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
