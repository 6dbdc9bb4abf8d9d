"""HTTP predicates: block pages, failures, differences from the control, site down."""

from __future__ import annotations

from untold.probe.fingerprints import Fingerprints
from untold.probe.ooni_obs import Obs
from untold.probe.rules_common import (
    RESETS,
    TIMEOUTS,
    Detail,
    Predicate,
    blockpage_response,
    comparisons,
    control_fetched,
    ctl,
    fetched,
    http_matches,
    step_of,
)

__all__ = ["PREDICATES"]


def http_blockpage(o: Obs, fp: Fingerprints) -> Detail | None:
    hit = blockpage_response(o, fp)
    if hit is None:
        return None
    r, f = hit
    return {"url": r.url, "fingerprint": f.name, "location": f.location,
            "expected_countries": list(f.countries)}


def cdn_challenge(o: Obs, fp: Fingerprints) -> Detail | None:
    r = o.final
    f = fp.match_http(r.body, r.headers) if r is not None else None
    if r is None or f is None or not f.false_positive:
        return None
    return {"url": r.url, "fingerprint": f.name, "status": r.code}


def accessible_https(o: Obs, fp: Fingerprints) -> Detail | None:
    """A fetch over verified TLS reached the real server (or one holding its key)."""
    r = fetched(o)
    if r is None or not r.url.startswith("https://"):
        return None
    return {"url": r.url, "status": r.code, "why": "fetched over verified HTTPS"}


def no_control(o: Obs, fp: Fingerprints) -> Detail | None:
    c = o.control
    if c is not None and c.failure is None:
        return None
    return {"control_failure": None if c is None else c.failure,
            "probe_failure": o.http_failure,
            "why": "no control to compare with: blocking cannot be told from a site fault"}


def throttling_timeout(o: Obs, fp: Fingerprints) -> Detail | None:
    """Headers arrived, then the body stalled until the timeout; the control got it."""
    r = o.final
    c = ctl(o)
    if (r is None or r.code <= 0 or (r.failure or "").split(" ")[0] not in TIMEOUTS
            or not control_fetched(o) or c.http_body_length <= 0):
        return None
    return {"url": r.url, "status": r.code, "failure": r.failure,
            "body_bytes": len((r.body or "").encode()),
            "control_body_length": c.http_body_length}


def _probe_step(o: Obs) -> str | None:
    if o.http_failure is not None:
        return step_of(o.http_failure)
    if not o.tcp and not o.requests:
        return "none"  # nothing was attempted (no usable address)
    return None


def site_down(o: Obs, fp: Fingerprints) -> Detail | None:
    """The probe failed and the control failed at the same step or earlier."""
    c = ctl(o)
    step = _probe_step(o)
    if step is None or c.http_failure is None:
        return None
    why = None
    if c.dns_failure is not None or not c.dns_addrs:
        why = "the control could not resolve the name"
    elif c.tcp and all(v is not None for v in c.tcp.values()):
        why = "the control could not connect"
    elif c.tls and any(v is not None for v in c.tls.values()):
        why = "the control's TLS handshake failed"
    elif step in ("http", "none"):
        why = "the control's HTTP fetch failed too"
    if why is None:
        return None
    return {"probe_failure": o.http_failure, "control_failure": c.http_failure, "why": why}


def http_reset_after_request(o: Obs, fp: Fingerprints) -> Detail | None:
    f = (o.http_failure or "").split(" ")[0]
    if f in RESETS and control_fetched(o):
        return {"failure": o.http_failure}
    return None


def probe_error(o: Obs, fp: Fingerprints) -> Detail | None:
    """The probe's own software failed ("unknown_failure <exception text>")."""
    f = o.http_failure or ""
    if f.startswith("unknown_failure") and control_fetched(o):
        return {"failure": f, "why": "the probe's own software failed; nothing was measured"}
    return None


def http_failure(o: Obs, fp: Fingerprints) -> Detail | None:
    if o.http_failure is not None and control_fetched(o):
        return {"failure": o.http_failure, "step": step_of(o.http_failure)}
    return None


def control_http_failed(o: Obs, fp: Fingerprints) -> Detail | None:
    if o.http_failure is not None and not control_fetched(o):
        return {"probe_failure": o.http_failure, "control_failure": ctl(o).http_failure,
                "why": "both fetches failed and the control says nothing about why"}
    return None


def http_diff(o: Obs, fp: Fingerprints) -> Detail | None:
    r = fetched(o)
    if r is None or http_matches(o) is not False:
        return None
    return {"url": r.url, **comparisons(o, r)}


def accessible(o: Obs, fp: Fingerprints) -> Detail | None:
    r = fetched(o)
    if r is None or not http_matches(o):
        return None
    return {"url": r.url, **comparisons(o, r)}


PREDICATES: dict[str, Predicate] = {
    "http_blockpage": http_blockpage,
    "cdn_challenge": cdn_challenge,
    "accessible_https": accessible_https,
    "no_control": no_control,
    "throttling_timeout": throttling_timeout,
    "site_down": site_down,
    "http_reset_after_request": http_reset_after_request,
    "probe_error": probe_error,
    "http_failure": http_failure,
    "control_http_failed": control_http_failed,
    "http_diff": http_diff,
    "accessible": accessible,
}
