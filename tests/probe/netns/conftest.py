"""Build the censored network once per module, probe every case once, share the results."""

from __future__ import annotations

import contextlib
import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.netns_lab import (
    CLIENT,
    CONTROL_BLOCKED,
    CONTROL_OK,
    HELPER_PORT,
    HELPER_TOKEN,
    HONEST_DNS,
    NET_C,
    NET_S,
    ROUTER_C,
    Lab,
    missing_prerequisite,
)
from tests.support.tls import make_certs
from untold.probe.options import ProbeOptions

# name -> address on the server; every case has its own site so one probe run covers all
SITES = {
    "news.test": 10, "blackhole.test": 11, "tcpreset.test": 12, "snireset.test": 13,
    "snidrop.test": 14, "intercept.test": 15, "blockpage.test": 16, "httpreset.test": 17,
    "throttle.test": 18, "down.test": 19, "geo.test": 20, "baseline.test": 22,
    "nx.test": 23, "dnsdrop.test": 24, "bogon.test": 25,
}
THROTTLE_RATE = "4mbit"  # 300 kB in ~0.6 s: far below the unthrottled baseline, still quick
BIG_BYTES = 300_000


def ip(name: str) -> str:
    return f"{NET_S}.{SITES[name]}"


def _offset(hello: bytes, needle: bytes) -> int:
    at = hello.find(needle)
    assert at >= 0, "the name is not in the ClientHello"
    return at * 8


def client_hello(ca: Path, sni: str) -> bytes:
    """The first bytes the probe sends for ``sni``: same Python, same OpenSSL, same context."""
    ctx = ProbeOptions(cafile=ca).verify_context
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni)
    with contextlib.suppress(ssl.SSLWantReadError):  # written; the answer never comes
        obj.do_handshake()
    return out.read()


def _hexval(b: bytes) -> str:
    return "0x" + b.hex()


def ruleset(ca: Path) -> str:
    """The censor: everything matches only traffic entering from the client ("rc")."""
    sni_r, sni_d = b"snireset.test", b"snidrop.test"
    off_r = _offset(client_hello(ca, sni_r.decode()), sni_r)
    off_d = _offset(client_hello(ca, sni_d.decode()), sni_d)
    get = b"GET /forbidden"
    return f"""
table inet censor {{
  chain censor_fwd {{
    type filter hook forward priority 0; policy accept;
    iifname "rc" ip daddr {ip('blackhole.test')} drop
    iifname "rc" ip daddr {ip('tcpreset.test')} tcp flags syn reject with tcp reset
    iifname "rc" ip daddr {ip('snireset.test')} tcp dport 443 @ih,{off_r},{len(sni_r) * 8} {_hexval(sni_r)} reject with tcp reset
    iifname "rc" ip daddr {ip('snidrop.test')} tcp dport 443 @ih,{off_d},{len(sni_d) * 8} {_hexval(sni_d)} drop
    iifname "rc" ip daddr {ip('httpreset.test')} tcp dport 80 @ih,0,{len(get) * 8} {_hexval(get)} reject with tcp reset
    iifname "rc" ip daddr {CONTROL_BLOCKED} tcp dport {HELPER_PORT} reject with tcp reset
  }}
  chain censor_in {{
    type filter hook input priority 0; policy accept;
    iifname "rc" udp dport 53 @ih,96,64 {_hexval(bytes([7]) + b"dnsdrop")} drop
  }}
}}
table ip censor_nat {{
  chain censor_pre {{
    type nat hook prerouting priority -100;
    iifname "rc" ip daddr {ip('intercept.test')} tcp dport 443 dnat to {ROUTER_C}:8443
    iifname "rc" ip daddr {ip('blockpage.test')} tcp dport 80 dnat to {ROUTER_C}:8080
  }}
}}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
        ) -> Iterator[tuple[Lab, Path]]:
    why = missing_prerequisite()
    if why:
        pytest.skip(f"network-namespace censorship tests skipped: {why}")
    tmp = tmp_path_factory.mktemp("netns")
    lab = Lab(tmp)
    request.addfinalizer(lab.close)  # before building: a half-built lab is removed too
    certs = make_certs(tmp / "certs", list(SITES))
    lab.build([ip(n) for n in SITES])  # down.test's address exists; nothing listens there
    lab.nft("r", ruleset(certs.ca_file))
    for cmd in (["qdisc", "add", "dev", "rc", "root", "handle", "1:", "htb", "default", "20"],
                ["class", "add", "dev", "rc", "parent", "1:", "classid", "1:10", "htb", "rate",
                 THROTTLE_RATE],
                ["class", "add", "dev", "rc", "parent", "1:", "classid", "1:20", "htb", "rate",
                 "10gbit"],
                ["filter", "add", "dev", "rc", "parent", "1:", "protocol", "ip", "prio", "1",
                 "u32", "match", "ip", "src", f"{ip('throttle.test')}/32", "flowid", "1:10"]):
        lab.sh("tc", *cmd, ns="r")
    honest = [f"--address=/{n}/{ip(n)}" for n in SITES]
    lab.dnsmasq("s", HONEST_DNS, *honest)
    lab.dnsmasq("r", ROUTER_C, f"--server={HONEST_DNS}", "--address=/nx.test/",
                "--address=/bogon.test/127.0.0.1")
    c = {"leaf_cert": str(certs.leaf_cert), "leaf_key": str(certs.leaf_key),
         "evil_cert": str(certs.evil_cert), "evil_key": str(certs.evil_key)}
    normal = [ip(n) for n in SITES if n not in ("down.test", "geo.test")]
    lab.sites("s", {"certs": c, "web": [
        {"site": {"big_bytes": BIG_BYTES},
         "binds": [[a, p, "ok" if p == 443 else None] for a in normal for p in (80, 443)]},
        {"site": {"geoblock": [f"{NET_C}.0/24"]},
         "binds": [[ip("geo.test"), 80, None], [ip("geo.test"), 443, "ok"]]},
    ]}, "sites-server")
    lab.sites("r", {"certs": c, "web": [
        {"site": {"block_page": True}, "binds": [[ROUTER_C, 8080, None]]},
        {"site": {}, "binds": [[ROUTER_C, 8443, "evil"]]},
    ]}, "sites-censor")
    lab.helper(certs.ca_file)
    yield lab, certs.ca_file


URLS = {
    "accessible": "https://news.test/",
    "dns_nxdomain": "https://nx.test/",
    "dns_timeout": "https://dnsdrop.test/",
    "dns_bogon": "https://bogon.test/",
    "ip_blackhole": "https://blackhole.test/",
    "tcp_reset": "https://tcpreset.test/",
    "sni_reset": "https://snireset.test/",
    "sni_drop": "https://snidrop.test/",
    "tls_interception": "https://intercept.test/",
    "http_blockpage": "http://blockpage.test/",
    "http_reset": "http://httpreset.test/forbidden",
    "throttling": "https://throttle.test/big",
    "site_down": "https://down.test/",
    "geoblock": "https://geo.test/",
}


@pytest.fixture(scope="module")
def results(lab: tuple[Lab, Path]) -> dict[str, dict[str, Any]]:
    """Two probe runs at once: every case with a reachable control, and one with a blocked one."""
    the_lab, ca = lab
    common = ["--system-resolver", ROUTER_C, "--resolver", HONEST_DNS, "--cafile", str(ca),
              "--baseline", "https://baseline.test/big", "--timeout", "2",
              "--http-timeout", "10", "--cc", "ZZ", "--vantage", f"netns {CLIENT}",
              "--token", HELPER_TOKEN]
    main = the_lab.probe(list(URLS.values()),
                         [*common, "--control", f"http://{CONTROL_OK}:{HELPER_PORT}/"], "probe")
    blocked = the_lab.probe(["https://news.test/"],
                            [*common, "--control", f"http://{CONTROL_BLOCKED}:{HELPER_PORT}/"],
                            "probe-blocked-control")
    out: dict[str, dict[str, Any]] = {}
    for p, log, keys in ((main, "probe", list(URLS)), (blocked, "probe-blocked-control",
                                                       ["control_blocked"])):
        stdout, _ = p.communicate(timeout=80)
        assert p.returncode == 0, (the_lab.tmp / f"{log}.log").read_text()
        rows = json.loads(stdout)
        out.update(zip(keys, rows, strict=True))
    return out
