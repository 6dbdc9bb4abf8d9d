"""DNS predicates: NXDOMAIN, timeouts, bogons, block-page answers, inconsistency."""

from __future__ import annotations

from untold.probe.fingerprints import Fingerprints
from untold.probe.ooni_obs import Obs, Query, is_bogon
from untold.probe.rules_common import (
    NXDOMAIN,
    TIMEOUTS,
    Detail,
    Predicate,
    blockpage_response,
    control_fetched,
    ctl,
    http_matches,
)

__all__ = ["PREDICATES", "dns_consistency"]


def _control_resolves(o: Obs, q: Query) -> bool:
    """The control found addresses for this name (for redirect targets, which the
    control does not resolve separately, its fetch of the whole chain succeeded)."""
    c = ctl(o)
    if q.hostname == o.host:
        return c.dns_failure is None and bool(c.dns_addrs)
    return control_fetched(o)


def _failed_lookups(o: Obs) -> list[Query]:
    """One failed query per name that got no address from any query (an AAAA
    "no answer" beside a working A lookup is not a failure)."""
    out: dict[str, Query] = {}
    resolved = {q.hostname for q in o.queries if q.addrs}
    for q in o.queries:
        if q.failure and q.hostname not in resolved and q.hostname not in out:
            out[q.hostname] = q
    return list(out.values())


def _failed(o: Obs, kinds: frozenset[str] | None) -> Detail | None:
    for q in _failed_lookups(o):
        f = (q.failure or "").split(" ")[0]
        hit = f in kinds if kinds is not None else f not in NXDOMAIN | TIMEOUTS
        if hit and _control_resolves(o, q):
            return {"hostname": q.hostname, "failure": q.failure,
                    "control_addrs": ctl(o).dns_addrs}
    return None


def dns_nxdomain(o: Obs, fp: Fingerprints) -> Detail | None:
    return _failed(o, NXDOMAIN)


def dns_timeout(o: Obs, fp: Fingerprints) -> Detail | None:
    return _failed(o, TIMEOUTS)


def dns_error(o: Obs, fp: Fingerprints) -> Detail | None:
    return _failed(o, None)


def dns_blockpage(o: Obs, fp: Fingerprints) -> Detail | None:
    """A fingerprinted answer, unless the control got it too (then it is the
    site's own DNS, e.g. a name that really points at 127.0.0.1)."""
    c = o.control
    seen = set(c.dns_addrs) if c is not None and c.failure is None else set()
    for q in o.queries:
        for ip in q.addrs:
            f = fp.match_dns(ip)
            if f is not None and not f.false_positive and ip not in seen:
                return {"hostname": q.hostname, "answer": ip, "fingerprint": f.name,
                        "expected_countries": list(f.countries)}
    return None


def dns_bogon(o: Obs, fp: Fingerprints) -> Detail | None:
    """Private/loopback answers the control did not get, and none that it did.
    (A site on a private network, as in a lab or an intranet, is private for
    the control too: only answers that differ count.)"""
    control = set(ctl(o).dns_addrs)
    addrs = o.probe_addrs()
    bogons = [a for a in addrs if is_bogon(a) and a not in control]
    if bogons and control and not control & set(addrs):
        return {"hostname": o.host, "answers": bogons, "control_addrs": sorted(control)}
    return None


def dns_consistency(o: Obs) -> tuple[str | None, str]:
    """("consistent" | "inconsistent" | None, why) for the input host's answers.

    Consistent when an address is one the control saw, shares an AS with the
    control's addresses (CDNs answer differently by location), or completed a
    verified TLS handshake for the host (a valid certificate proves the server).
    """
    c = ctl(o)
    addrs = o.probe_addrs()
    if not addrs:
        return None, "no answers"
    if (c.dns_failure or "").split(" ")[0] in NXDOMAIN:
        return "inconsistent", "the control's resolver says the name does not exist"
    if not c.dns_addrs:
        return None, "the control has no addresses"
    if set(addrs) & set(c.dns_addrs):
        return "consistent", "shared address"
    probe_asns = {asn for q in o.input_queries() for asn in q.asns.values()}
    if probe_asns & {c.asns[a] for a in c.dns_addrs if a in c.asns}:
        return "consistent", "shared AS"
    tls_ok = {t.address.rsplit(":", 1)[0].strip("[]") for t in o.tls
              if t.failure is None and t.server_name == o.host}
    if tls_ok & set(addrs):
        return "consistent", "verified TLS handshake with a resolved address"
    return "inconsistent", "no shared address or AS and no verified TLS"


def dns_inconsistent_blockpage(o: Obs, fp: Fingerprints) -> Detail | None:
    """Answers unlike the control's, and what was fetched from them is a
    fingerprinted block page: the resolver sent the probe to the censor's page
    (the method is DNS; the page is the evidence that it is not a CDN's answer)."""
    state, why = dns_consistency(o)
    if state != "inconsistent":
        return None
    hit = blockpage_response(o, fp)
    if hit is None:
        return None
    r, f = hit
    return {"hostname": o.host, "answers": o.probe_addrs(),
            "control_addrs": ctl(o).dns_addrs, "why": why, "url": r.url,
            "fingerprint": f.name, "location": f.location,
            "expected_countries": list(f.countries)}


def dns_inconsistent(o: Obs, fp: Fingerprints) -> Detail | None:
    """Unexpected answers, unless the page came back the same as the control's
    (a transparent proxy that serves the real site is not blocking)."""
    state, why = dns_consistency(o)
    if state != "inconsistent" or http_matches(o):
        return None
    return {"hostname": o.host, "answers": o.probe_addrs(),
            "control_addrs": ctl(o).dns_addrs, "why": why}


PREDICATES: dict[str, Predicate] = {
    "dns_blockpage": dns_blockpage,
    "dns_inconsistent_blockpage": dns_inconsistent_blockpage,
    "dns_nxdomain": dns_nxdomain,
    "dns_timeout": dns_timeout,
    "dns_error": dns_error,
    "dns_bogon": dns_bogon,
    "dns_inconsistent": dns_inconsistent,
}
