"""Settings of the live probe and of its control helper.

Every network address the probe would choose by itself can be overridden
(resolver address, a static host map, the ports of http/https), so tests
and local mirrors keep all traffic on loopback or in their own namespaces.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

import certifi

from untold.config import DEFAULT_USER_AGENT
from untold.errors import UsageError

__all__ = [
    "BEARER_TOKEN_RE",
    "DEFAULT_NEUTRAL_SNI",
    "ProbeOptions",
    "parse_hostport",
]

# A name nearly every network lets through: a handshake with it that succeeds where the
# real name fails shows the name (SNI), not the address, is filtered.
DEFAULT_NEUTRAL_SNI = "example.com"
DNS_TIMEOUT_S = 5.0  # a resolver that has not answered in 5 s is treated as not answering
CONNECT_TIMEOUT_S = 10.0  # OONI's probe gives TCP connect 10-15 s before calling it a timeout
TLS_TIMEOUT_S = 10.0  # likewise for the TLS handshake
HTTP_TIMEOUT_S = 30.0  # one GET including redirects and the (capped) body
MAX_BODY_BYTES = 2_000_000  # read this much of a page: enough to time a download, not a DoS
MAX_REDIRECTS = 10  # browsers stop at ~20; a news home page needs at most a few
GLOBAL_CONCURRENCY = 64  # URLs measured at once; a home connection copes with this many
PER_HOST_CONCURRENCY = 4  # URLs of one host at once: a probe must not look like a flood
# RFC 6750 b64token: what an Authorization: Bearer header can carry as it is
BEARER_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+/=-]+")


def parse_hostport(text: str, default_port: int, *, what: str) -> tuple[str, int]:
    """``ip[:port]`` or ``[v6]:port`` -> (ip, port); a clear error otherwise."""
    t = text.strip()
    try:
        if t.startswith("["):
            host, _, rest = t[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else default_port
        elif t.count(":") == 1:
            host, p = t.split(":")
            port = int(p)
        else:
            host, port = t, default_port
        ipaddress.ip_address(host)
        if not 0 <= port < 65536:
            raise ValueError(port)
    except ValueError as exc:
        raise UsageError(f"{what} {text!r} is not an IP address with an optional port",
                         source=what, hint="write it as 1.2.3.4, 1.2.3.4:53 or [::1]:53") from exc
    return host, port


@dataclass(frozen=True)
class ProbeOptions:
    """How to probe. Defaults suit a real measurement from a user's own network."""

    # second resolver: "ip[:port]" (DNS over UDP) or an https:// URL (DNS over HTTPS)
    resolver: str | None = None
    # stand-in for the system resolver ("ip[:port]", UDP): tests, or a network's own resolver
    system_resolver: str | None = None
    hosts: dict[str, list[str]] = field(default_factory=dict)  # static host -> addresses
    ports: dict[str, int] = field(default_factory=dict)  # scheme -> port, e.g. {"https": 8443}
    cafile: Path | None = None  # extra CA to trust (tests); certifi's roots otherwise
    neutral_sni: str = DEFAULT_NEUTRAL_SNI
    control: str | None = None  # URL of an `untold helper`
    control_token: str | None = field(default=None, repr=False)  # its secret (Bearer)
    baseline: str | None = None  # URL on an unblocked host: timing reference on this network
    dns_timeout: float = DNS_TIMEOUT_S
    connect_timeout: float = CONNECT_TIMEOUT_S
    tls_timeout: float = TLS_TIMEOUT_S
    http_timeout: float = HTTP_TIMEOUT_S
    max_body: int = MAX_BODY_BYTES
    max_redirects: int = MAX_REDIRECTS
    concurrency: int = GLOBAL_CONCURRENCY
    per_host: int = PER_HOST_CONCURRENCY
    user_agent: str = DEFAULT_USER_AGENT
    probe_cc: str = "ZZ"  # OONI's "unknown" country; the user may name theirs
    probe_asn: str = "AS0"
    network: str = ""
    vantage: str | None = None  # free label of where the probe ran

    def __post_init__(self) -> None:
        for label, value in (("--resolver", self.resolver),
                             ("--system-resolver", self.system_resolver)):
            if value and not value.startswith("https://"):
                parse_hostport(value, 53, what=label)
        if self.system_resolver and self.system_resolver.startswith("https://"):
            raise UsageError("the system resolver stand-in must be ip[:port] (DNS over UDP)",
                             source=self.system_resolver)
        for host, addrs in self.hosts.items():
            for a in addrs:
                try:
                    ipaddress.ip_address(a)
                except ValueError as exc:
                    raise UsageError(f"static address {a!r} for {host!r} is not an IP address",
                                     source="--resolve", hint="write HOST=IP") from exc
        for url, what in ((self.control, "--control"), (self.baseline, "--baseline")):
            if url and urlsplit(url).scheme not in ("http", "https"):
                raise UsageError(f"{what} {url!r} is not an http(s) URL", source=what)
        if self.control_token is not None:
            if not self.control:
                raise UsageError("a token is for a helper: it needs --control URL",
                                 source="--token", hint="name the helper with --control")
            if not BEARER_TOKEN_RE.fullmatch(self.control_token):
                raise UsageError("the token has characters a Bearer token cannot carry",
                                 source="--token", hint="copy the token the helper printed, "
                                                        "or its token file's content")
        if self.cafile is not None and not Path(self.cafile).is_file():
            raise UsageError("CA file not found", source=str(self.cafile),
                             hint="give a PEM file with --cafile")
        if self.concurrency < 1 or self.per_host < 1:
            raise UsageError("concurrency limits must be at least 1", source="--concurrency")

    def port_for(self, scheme: str, explicit: int | None) -> int:
        """The port to use for a URL: its own, the override for its scheme, or the default."""
        if explicit is not None:
            return explicit
        return self.ports.get(scheme, 443 if scheme == "https" else 80)

    @cached_property
    def verify_context(self) -> ssl.SSLContext:
        """Verifying TLS context, built once per run (loading roots costs milliseconds)."""
        ctx = ssl.create_default_context(cafile=certifi.where())
        if self.cafile is not None:
            ctx.load_verify_locations(cafile=str(self.cafile))
        return ctx

    @cached_property
    def noverify_context(self) -> ssl.SSLContext:
        """For the neutral-SNI retry: only whether a handshake completes matters there."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
