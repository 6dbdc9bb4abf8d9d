"""Who may ask the helper, how often, and what it may connect to for them.

``untold helper`` fetches URLs on request. Unguarded, that is an open proxy
and a port scanner aimed at the machine it runs on and its network. Three
guards stand in the way, each independent of the others:

* :class:`HelperPolicy`: only public unicast addresses (the shared policy of
  :mod:`untold.net.addresses`) on ports 80 and 443 (plus the ``--port``
  overrides and ``--allow-port``) are connected to, checked for every address
  right before connecting — DNS answers, the probe's endpoints and every
  redirect hop alike.
* A shared secret (:class:`HelperToken`): generated at first start, kept in a
  file only its owner can read, sent by probes as ``Authorization: Bearer``
  and compared in constant time.
* :class:`RateLimiter`: a token bucket per client address (per /64 for IPv6,
  where one client holds many addresses).
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import math
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from untold.collect.failures import ADDRESS_NOT_PUBLIC
from untold.errors import ProbeError, UsageError
from untold.net.addresses import parse_ip, refusal
from untold.probe.options import BEARER_TOKEN_RE, ProbeOptions

__all__ = [
    "ADDRESS_NOT_PUBLIC",
    "DEFAULT_PORTS",
    "PORT_NOT_ALLOWED",
    "RATE_BURST",
    "RATE_PER_S",
    "TOKEN_ENV",
    "TOKEN_FILE",
    "HelperPolicy",
    "HelperToken",
    "RateLimiter",
    "bearer_matches",
    "default_token_path",
    "plan_token",
    "save_token",
]

DEFAULT_PORTS = frozenset({80, 443})  # the web: anything else is a service, not a site
PORT_NOT_ALLOWED = "port_not_allowed"  # failure string: a port the helper does not connect to
TOKEN_ENV = "UNTOLD_HELPER_TOKEN"  # helper and probe read the token here (not on `ps`)
TOKEN_FILE = "helper-token"  # in the user's untold config directory
TOKEN_BYTES = 32  # 256 bits: not guessable at any request rate
MIN_TOKEN_CHARS = 16  # a chosen token shorter than this could be guessed
RATE_PER_S = 5.0  # requests per second per client, sustained: a probe waits, a scan crawls
RATE_BURST = 64  # a probe's first wave (its 64 URLs at once) passes without waiting
MAX_CLIENTS = 10_000  # buckets remembered; full (idle) ones are forgotten first


@dataclass(frozen=True)
class HelperPolicy:
    """What the helper connects to on a client's behalf.

    ``allow_private`` lifts the address check (tests on loopback, a lab network);
    ``exempt`` lifts it for a few networks only (tests that need one permitted
    loopback target while everything else stays refused).
    """

    allow_private: bool = False
    allow_ports: frozenset[int] = frozenset()  # beyond 80, 443 and the --port overrides
    exempt: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def __post_init__(self) -> None:
        bad = sorted(p for p in self.allow_ports if not 0 < p < 65536)
        if bad:
            raise UsageError(f"{bad[0]} is not a TCP port", source="--allow-port",
                             hint="give a number from 1 to 65535")

    def ports(self, opts: ProbeOptions) -> frozenset[int]:
        return DEFAULT_PORTS | set(opts.ports.values()) | self.allow_ports

    def address_refusal(self, ip: str) -> str | None:
        """Why ``ip`` may not be connected to (a human reason), or None."""
        if self.allow_private:
            return None
        addr = parse_ip(ip)
        if addr is not None and any(addr in n for n in self.exempt
                                    if n.version == addr.version):
            return None
        return refusal(ip)

    def checker(self, opts: ProbeOptions) -> Callable[[str, int], str | None]:
        """``check(ip, port) -> failure string | None``, run right before each connect."""
        allowed = self.ports(opts)

        def check(ip: str, port: int) -> str | None:
            if port not in allowed:
                return PORT_NOT_ALLOWED
            return ADDRESS_NOT_PUBLIC if self.address_refusal(ip) else None

        return check


# -- the shared secret -------------------------------------------------------------------


@dataclass(frozen=True)
class HelperToken:
    """The helper's token; ``created``: new, not yet saved to (nor read from) ``path``."""

    value: str = field(repr=False)
    path: Path | None = None
    created: bool = False


def default_token_path() -> Path:
    """``$UNTOLD_CONFIG_DIR`` or ``$XDG_CONFIG_HOME/untold`` (``~/.config/untold``)."""
    from untold.probe.consent import config_dir

    return config_dir() / TOKEN_FILE


def check_token_text(token: str, what: str) -> str:
    """``token`` if it can be a helper token; UsageError naming ``what`` otherwise."""
    if not BEARER_TOKEN_RE.fullmatch(token):
        raise UsageError("the token has characters a Bearer token cannot carry",
                         source=what, hint="use letters, digits and . _ ~ + / = - only")
    if len(token) < MIN_TOKEN_CHARS:
        raise UsageError(f"the token is shorter than {MIN_TOKEN_CHARS} characters",
                         source=what, hint="a short token can be guessed; omit it and the "
                                           "helper generates one")
    return token


def _read_token(path: Path) -> str:
    try:
        st = path.stat()
        if stat.S_IMODE(st.st_mode) & 0o077:
            raise ProbeError("the token file can be read by other users", source=str(path),
                             hint=f"run 'chmod 600 {path}', or delete it for a new token")
        text = path.read_text("ascii").strip()
    except (OSError, UnicodeError) as exc:
        raise ProbeError(f"cannot read the token file: {getattr(exc, 'strerror', None) or exc}",
                         source=str(path), hint="fix or delete it; a new one is generated"
                         ) from exc
    if not BEARER_TOKEN_RE.fullmatch(text) or len(text) < MIN_TOKEN_CHARS:
        raise ProbeError("the token file does not hold a token", source=str(path),
                         hint="delete it and start the helper again to generate one")
    return text


def plan_token(token: str | None = None, token_file: Path | None = None) -> HelperToken:
    """The token to use: ``token`` as given, else the one in ``token_file`` (default
    :func:`default_token_path`), else a new one (saved by :func:`save_token`)."""
    if token is not None:
        if token_file is not None:
            raise UsageError("give a token or a token file, not both", source="--token",
                             hint="--token (or UNTOLD_HELPER_TOKEN) sets it; --token-file "
                                  "names where it is kept")
        return HelperToken(check_token_text(token, "--token"))
    path = token_file if token_file is not None else default_token_path()
    if path.exists() or path.is_symlink():
        return HelperToken(_read_token(path), path)
    return HelperToken(secrets.token_urlsafe(TOKEN_BYTES), path, created=True)


def save_token(tok: HelperToken) -> HelperToken:
    """Write a new token to its file, readable by its owner only (0600).

    If another helper created the file meanwhile, its token wins (returned, not created).
    """
    if not tok.created or tok.path is None:
        return tok
    path = tok.path
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return HelperToken(_read_token(path), path)
    except OSError as exc:
        raise ProbeError(f"cannot write the token file: {exc.strerror or exc}",
                         source=str(path), hint="give a writable --token-file, or --token"
                         ) from exc
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(tok.value + "\n")
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise ProbeError(f"cannot write the token file: {exc.strerror or exc}",
                         source=str(path)) from exc
    return tok


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries ``token`` (constant-time compare)."""
    if not header:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    # latin-1: how http.client decoded the header, so every value encodes back
    return hmac.compare_digest(given.strip().encode("latin-1", "replace"),
                                  token.encode("latin-1"))


# -- rate limit --------------------------------------------------------------------------


def client_key(ip: str) -> str:
    """The bucket of a client address: IPv4 as is, IPv6 by its /64."""
    addr = parse_ip(ip)
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr) if addr is not None else ip


class RateLimiter:
    """Token bucket per client: ``burst`` requests at once, then ``rate_per_s``."""

    def __init__(self, rate_per_s: float = RATE_PER_S, burst: int = RATE_BURST, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not (math.isfinite(rate_per_s) and rate_per_s > 0):
            raise UsageError(f"{rate_per_s} is not a positive number", source="--rate",
                             hint=f"requests per second per client, e.g. {RATE_PER_S}")
        if burst < 1:
            raise UsageError(f"{burst} is less than 1", source="--burst",
                             hint=f"requests a client may send at once, e.g. {RATE_BURST}")
        self.rate = rate_per_s
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, client_ip: str) -> float:
        """Spend one request of ``client_ip``'s: 0.0 if allowed, else seconds to wait."""
        key = client_key(client_ip)
        with self._lock:
            now = self._clock()
            tokens, when = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - when) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._forget(now)
            return wait

    def _forget(self, now: float) -> None:
        full = [k for k, (t, w) in self._buckets.items()
                if t + (now - w) * self.rate >= self.burst]
        for k in full:  # a full bucket is the same as none
            del self._buckets[k]
        if len(self._buckets) > MAX_CLIENTS:  # a flood from many addresses: oldest go
            keep = sorted(self._buckets.items(), key=lambda kv: kv[1][1])[-MAX_CLIENTS // 2:]
            self._buckets = dict(keep)
