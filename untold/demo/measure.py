"""Measure the example's reachability as a user would: untold's probe and a real control.

The demo's probe stands in the collector's network ("the example ISP"): it asks
that network's resolver (the censor's, ``DemoServer.dns_address``) and reaches
TLS sites through the censor (``DemoServer.tls_port``). The control is a real
``untold helper`` started on 127.0.0.1 with its private-address switch on (the
example lives on loopback): it resolves the outlets itself and reaches them
without the censor (``DemoServer.tls_direct_port``), as a helper abroad would.
Each run is dated at the example's clock, so the verdicts line up with what
the collector saw. This module holds the two views' options; the runs themselves
(helper and probe, through :mod:`untold.api`) are in ``untold.api._demo``.
"""

from __future__ import annotations

from typing import Any

from untold.demo import scenario as sc
from untold.probe.options import ProbeOptions

__all__ = ["HELPER_BURST", "HELPER_RATE_PER_S", "PROBE_USER_AGENT", "control_options",
           "probe_options"]

PROBE_USER_AGENT = "untold-demo/0.1"
# Loopback answers in milliseconds: short limits keep a slow machine from stalling the
# demo, and are still far above anything the example's server needs.
DNS_TIMEOUT_S = 2.0
CONNECT_TIMEOUT_S = 3.0
TLS_TIMEOUT_S = 3.0
HTTP_TIMEOUT_S = 10.0
# The helper's rate limit guards a public helper against scans; this one serves only
# the demo's own probe on loopback, which sends a whole run at once.
HELPER_RATE_PER_S = 1000.0
HELPER_BURST = 256


def control_options(server: Any) -> ProbeOptions:
    """The control's view: the outlets' real addresses, no censor on the path."""
    hosts = {o.domain: ["127.0.0.1"] for o in server.eco.outlets}
    return ProbeOptions(hosts=hosts, ports={"http": server.port, "https": server.tls_direct_port},
                        cafile=server.ca_file, dns_timeout=DNS_TIMEOUT_S,
                        connect_timeout=CONNECT_TIMEOUT_S, tls_timeout=TLS_TIMEOUT_S,
                        http_timeout=HTTP_TIMEOUT_S, user_agent=PROBE_USER_AGENT)


def probe_options(server: Any, control_url: str, token: str) -> ProbeOptions:
    """The probe's view: the example ISP's resolver and its censored path."""
    net = sc.PROBE_NETWORK
    return ProbeOptions(system_resolver=server.dns_address,
                        ports={"http": server.port, "https": server.tls_port},
                        cafile=server.ca_file, control=control_url, control_token=token,
                        dns_timeout=DNS_TIMEOUT_S, connect_timeout=CONNECT_TIMEOUT_S,
                        tls_timeout=TLS_TIMEOUT_S, http_timeout=HTTP_TIMEOUT_S,
                        user_agent=PROBE_USER_AGENT, probe_cc=net.cc, probe_asn=net.asn,
                        network=net.name, vantage=net.vantage)
