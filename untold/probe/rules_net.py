"""TCP and TLS predicates, and untold's own SNI-retry and timing evidence."""

from __future__ import annotations

from typing import Any

from untold.models.rules import Threshold
from untold.probe.fingerprints import Fingerprints
from untold.probe.ooni_obs import Obs, Tls
from untold.probe.rules_common import (
    CERT_FAILURES,
    REFUSED,
    RESETS,
    TIMEOUTS,
    Detail,
    Predicate,
    control_fetched,
    ctl,
)

__all__ = ["PREDICATES", "THROTTLE_RATIO", "THROTTLING_THRESHOLDS", "TLS_SLOW_RATIO"]

# A body rate below a tenth of the same vantage's baseline is not congestion:
# ordinary variance between sites stays within a few times (Russia's 2021
# Twitter throttling cut rates to ~1/100).
THROTTLE_RATIO = 10.0
# Rates measured on less than this are dominated by TCP slow start, not policy.
THROTTLE_MIN_BYTES = 64 * 1024
# A handshake this many times slower than the baseline handshake (and slower
# than TLS_SLOW_MIN_S outright) means the flow was held, not just far away.
TLS_SLOW_RATIO = 8.0
TLS_SLOW_MIN_S = 2.0
# What the timing rule (``throttling``) reads, each with why.
THROTTLING_THRESHOLDS = (
    Threshold("throttle_ratio", THROTTLE_RATIO,
              "a body rate below a tenth of this vantage's baseline is not congestion"),
    Threshold("throttle_min_bytes", THROTTLE_MIN_BYTES,
              "rates measured on less are dominated by TCP slow start, not policy"),
    Threshold("tls_slow_ratio", TLS_SLOW_RATIO,
              "a handshake this many times slower than the baseline was held, not far"),
    Threshold("tls_slow_min_s", TLS_SLOW_MIN_S,
              "a handshake faster than this outright is not evidence of holding"),
)


def _fails(f: str | None, kinds: frozenset[str]) -> bool:
    return f is not None and f.split(" ")[0] in kinds


def _tcp(o: Obs, kinds: frozenset[str], *, redirect: bool) -> Detail | None:
    """All connects to a host failed like ``kinds`` while the control connected
    (input host: the same endpoints; redirect targets: the control's fetch)."""
    c = ctl(o)
    hosts = {o.host: [t for t in o.tcp if t.ip in o.probe_addrs()]}
    for q in o.queries:
        if q.hostname != o.host:
            hosts.setdefault(q.hostname, []).extend(t for t in o.tcp if t.ip in q.addrs)
    for host, conns in hosts.items():
        if not conns or (host == o.host) == redirect:
            continue
        if not all(_fails(t.failure, kinds) for t in conns):
            continue
        if host == o.host:
            ok = [t.address for t in conns if c.tcp.get(t.address, "missing") is None]
        else:
            ok = [t.address for t in conns] if control_fetched(o) else []
        if ok:
            return {"hostname": host, "endpoints": [t.address for t in conns],
                    "failure": conns[0].failure, "control_connected": ok}
    return None


def _tls_control_ok(o: Obs, t: Tls) -> bool:
    c = ctl(o)
    if c.tls is not None and t.address in c.tls:
        return c.tls[t.address] is None
    return control_fetched(o)  # redirect targets, or a control without TLS checks


def _tls(o: Obs, kinds: frozenset[str]) -> Detail | None:
    # only addresses the system resolver gave (untold also tries a second
    # resolver's; the control checks only the system's)
    ips = {a for q in o.queries for a in q.addrs}
    for t in o.tls:
        if ips and t.address.rsplit(":", 1)[0].strip("[]") not in ips:
            continue
        if _fails(t.failure, kinds) and _tls_control_ok(o, t):
            d: Detail = {"address": t.address, "server_name": t.server_name,
                         "failure": t.failure}
            if t.issuer:
                d["issuer"] = t.issuer
            return d
    return None


def _sni_retry(o: Obs, kinds: frozenset[str]) -> Detail | None:
    """The real name failed on an address where a neutral name succeeded: the
    filter reads the SNI (needs no control: the retry is its own control)."""
    raw = o.x_untold.get("sni_retry")
    retries = [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []
    for t in o.tls:
        if not _fails(t.failure, kinds):
            continue
        for r in retries:
            if r.get("address") == t.address and r.get("failure") is None:
                return {"address": t.address, "server_name": t.server_name,
                        "failure": t.failure, "neutral_sni": r.get("server_name")}
    return None


def _num(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def throttling(o: Obs, fp: Fingerprints) -> Detail | None:
    t = o.x_untold.get("timing")
    if not isinstance(t, dict):
        return None
    got, secs, base = _num(t, "body_bytes"), _num(t, "body_s"), _num(t, "baseline_body_bps")
    if got and secs and base and got >= THROTTLE_MIN_BYTES and got / secs * THROTTLE_RATIO < base:
        return {"body_bps": round(got / secs), "baseline_body_bps": base,
                "threshold_ratio": THROTTLE_RATIO}
    hs, bhs = _num(t, "tls_handshake_s"), _num(t, "baseline_tls_handshake_s")
    if hs and bhs and hs >= TLS_SLOW_MIN_S and hs > bhs * TLS_SLOW_RATIO:
        return {"tls_handshake_s": hs, "baseline_tls_handshake_s": bhs,
                "threshold_ratio": TLS_SLOW_RATIO}
    return None


PREDICATES: dict[str, Predicate] = {
    "sni_retry_reset": lambda o, fp: _sni_retry(o, RESETS),
    "sni_retry_drop": lambda o, fp: _sni_retry(o, TIMEOUTS),
    "throttling": throttling,
    "ip_blackhole": lambda o, fp: _tcp(o, TIMEOUTS, redirect=False),
    "tcp_reset": lambda o, fp: _tcp(o, REFUSED | RESETS, redirect=False),
    "ip_blackhole_redirect": lambda o, fp: _tcp(o, TIMEOUTS, redirect=True),
    "tcp_reset_redirect": lambda o, fp: _tcp(o, REFUSED | RESETS, redirect=True),
    "sni_reset": lambda o, fp: _tls(o, RESETS),
    "sni_drop": lambda o, fp: _tls(o, TIMEOUTS),
    "tls_interception": lambda o, fp: _tls(o, CERT_FAILURES),
}
