"""untold's blocking rules as data: ids, classes, OONI mapping, evaluated in order.

Each rule names a predicate (``rules_dns``, ``rules_net``, ``rules_http``) that
reads the observations of one measurement and returns evidence (a dict) or
None. The first rule that matches gives the verdict; later matches are listed
under ``detail["also"]`` (a DNS verdict that also saw a TLS reset says so).

Without a control (none sent, or it failed) only self-evident rules run:
fingerprinted block pages, untold's own SNI retry and timing baseline, and a
fetch over verified HTTPS. Everything else is ``control_failed`` with
``blocking`` and ``accessible`` null: a failure alone cannot tell censorship
from a site that is down. Bump RULES_VERSION whenever a rule or threshold changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from untold.models import Verdict

if TYPE_CHECKING:
    from untold.probe.fingerprints import Fingerprints
    from untold.probe.rules_common import Predicate

__all__ = ["RULES", "RULES_VERSION", "Rule", "evaluate"]

# Compared as a string (the store keeps the greatest): a date, plus a letter for a
# second change on one day ("2026.11.25b").
RULES_VERSION = "2026.12.02"


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    cls: str
    blocking: str | bool | None
    accessible: bool | None
    predicate: str
    needs_control: bool = True


_D, _T, _HF, _HD = "dns", "tcp_ip", "http-failure", "http-diff"

RULES: tuple[Rule, ...] = (
    Rule("dns.blockpage", "an answer is a known block-page address", "dns_blockpage",
         _D, False, "dns_blockpage", False),
    # before http.blockpage: with a control, a block page reached through answers unlike
    # the control's is DNS blocking (OONI: "dns"); without one http.blockpage says it
    Rule("dns.inconsistent_blockpage",
         "answers unlike the control's lead to a page matching a block-page fingerprint",
         "dns_blockpage", _D, False, "dns_inconsistent_blockpage"),
    Rule("http.blockpage", "a response in the chain matches a block-page fingerprint",
         "http_blockpage", _HD, False, "http_blockpage", False),
    Rule("http.cdn_challenge", "the server (a CDN) refused the probe: a known false positive",
         "server_block_or_cdn_challenge", False, False, "cdn_challenge", False),
    Rule("tls.sni_retry_reset", "TLS reset with the real name, fine with a neutral name",
         "sni_filtering_reset", _HF, False, "sni_retry_reset", False),
    Rule("tls.sni_retry_drop", "TLS timed out with the real name, fine with a neutral name",
         "sni_filtering_drop", _HF, False, "sni_retry_drop", False),
    Rule("http.throttling_baseline", "far slower than this vantage's baseline",
         "throttling", _HF, False, "throttling", False),
    Rule("http.accessible_https", "fetched over verified HTTPS", "accessible",
         False, True, "accessible_https", False),
    Rule("control.failed", "no usable control: blocking cannot be told from a fault",
         "control_failed", None, None, "no_control", False),
    Rule("dns.nxdomain", "the name does not exist here but does for the control",
         "dns_nxdomain", _D, False, "dns_nxdomain"),
    Rule("dns.timeout", "the lookup timed out; the control resolved the name",
         "dns_timeout", _D, False, "dns_timeout"),
    Rule("dns.error", "the lookup failed; the control resolved the name",
         "dns_error", _D, False, "dns_error"),
    Rule("dns.bogon", "private/loopback answers; the control got public ones",
         "dns_bogon", _D, False, "dns_bogon"),
    Rule("dns.inconsistent", "answers unlike the control's and the page is not the same",
         "dns_inconsistent", _D, False, "dns_inconsistent"),
    Rule("tcp.blackhole", "connects time out where the control connects",
         "ip_blackhole", _T, False, "ip_blackhole"),
    Rule("tcp.reset", "connects are refused/reset where the control connects",
         "tcp_reset", _T, False, "tcp_reset"),
    # the control tests only the input's endpoints: after a redirect OONI calls it
    # an HTTP failure, and so does untold
    Rule("tcp.blackhole_redirect", "connects to a redirect target time out",
         "ip_blackhole", _HF, False, "ip_blackhole_redirect"),
    Rule("tcp.reset_redirect", "connects to a redirect target are refused/reset",
         "tcp_reset", _HF, False, "tcp_reset_redirect"),
    Rule("tls.reset", "TLS reset after the Client Hello; the control's handshake worked",
         "sni_filtering_reset", _HF, False, "sni_reset"),
    Rule("tls.drop", "TLS timed out after the Client Hello; the control's handshake worked",
         "sni_filtering_drop", _HF, False, "sni_drop"),
    Rule("tls.interception", "an untrusted certificate; the control's was trusted",
         "tls_interception", _HF, False, "tls_interception"),
    Rule("http.throttling_timeout", "headers came, the body stalled; the control got it",
         "throttling", _HF, False, "throttling_timeout"),
    Rule("site.down", "the control failed at the same step or earlier", "site_down",
         False, False, "site_down"),
    Rule("http.reset_after_request", "the connection was reset after the request",
         "http_reset_after_request", _HF, False, "http_reset_after_request"),
    Rule("probe.error", "the probe's own software failed", "probe_error",
         None, None, "probe_error"),
    Rule("http.failure", "the fetch failed; the control's worked", "http_failure",
         _HF, False, "http_failure"),
    Rule("control.http_failed", "both fetches failed, no step evidence", "control_failed",
         None, None, "control_http_failed"),
    Rule("http.diff", "the page differs from the control's (status, length, headers, title)",
         "http_diff", _HD, False, "http_diff"),
    Rule("http.accessible", "the page matches the control's", "accessible",
         False, True, "accessible"),
)

NO_DATA = Rule("measurement.no_data", "the measurement holds no test keys", "no_data",
               None, None, "")
NO_MATCH = Rule("measurement.unclassified", "no rule matched", "unknown", None, None, "")


def _predicates() -> dict[str, Predicate]:
    from untold.probe import rules_dns, rules_http, rules_net

    return {**rules_dns.PREDICATES, **rules_net.PREDICATES, **rules_http.PREDICATES}


def _verdict(rule: Rule, no_control: bool, detail: dict[str, Any]) -> Verdict:
    return Verdict(rule.id, RULES_VERSION, rule.blocking, rule.accessible, rule.cls,
                   no_control, detail)


def evaluate(m: dict[str, Any], *, fingerprints: Fingerprints | None = None) -> Verdict:
    from untold.probe.fingerprints import Fingerprints
    from untold.probe.ooni_obs import derive

    if not isinstance(m.get("test_keys"), dict):
        return _verdict(NO_DATA, True, {})
    fp = fingerprints if fingerprints is not None else Fingerprints.builtin()
    obs = derive(m)
    no_control = obs.control is None or obs.control.failure is not None
    preds = _predicates()
    first: tuple[Rule, dict[str, Any]] | None = None
    also: list[str] = []
    for rule in RULES:
        if rule.needs_control and no_control:
            continue
        detail = preds[rule.predicate](obs, fp)
        if detail is None:
            continue
        if first is None:
            first = (rule, detail)
        elif rule.blocking not in (None, False):
            also.append(rule.id)
    if first is None:
        return _verdict(NO_MATCH, no_control, {})
    rule, detail = first
    if also:
        detail = {**detail, "also": also}
    if obs.x_untold.get("control_vantage"):
        detail = {**detail, "control_vantage": obs.x_untold["control_vantage"]}
    return _verdict(rule, no_control, detail)
