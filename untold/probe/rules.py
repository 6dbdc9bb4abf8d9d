"""untold's blocking rules as data: ids, classes, OONI mapping, evaluated in order.

Each rule (a :class:`BlockingRule`, the shape of ``untold.models.rules``) names
a predicate (``rules_dns``, ``rules_net``, ``rules_http``) that reads the
observations of one measurement and returns evidence (a dict) or None. The
first rule that matches gives the verdict; later matches are listed under
``detail["also"]`` (a DNS verdict that also saw a TLS reset says so).

Without a control (none sent, or it failed) only self-evident rules run:
fingerprinted block pages, untold's own SNI retry and timing baseline, and a
fetch over verified HTTPS. Everything else is ``control_failed`` with
``blocking`` and ``accessible`` null: a failure alone cannot tell censorship
from a site that is down. Bump RULES_VERSION whenever a rule or threshold changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from untold.models import Verdict
from untold.models.rules import Rule, RuleTable
from untold.probe.rules_common import COMPARISON_THRESHOLDS
from untold.probe.rules_net import THROTTLING_THRESHOLDS

if TYPE_CHECKING:
    from untold.probe.fingerprints import Fingerprints
    from untold.probe.rules_common import Predicate

__all__ = ["RULES", "RULES_VERSION", "TABLE", "Blocking", "BlockingRule", "Observation",
           "VerdictClass", "evaluate"]

# probe-<YYYYMMDD>: the day of the change, fixed width, because the store keeps per
# measurement the verdict of the greatest version as a string (a second change on one
# day takes the next day's number). Up to probe-20261202 versions were the bare date
# ("2026.12.02"), which every probe-<n> sorts above. Rules unchanged since 2026.12.02.
RULES_VERSION = "probe-20261202"


class VerdictClass(StrEnum):
    """untold's class of a verdict (``Verdict.cls``), finer than OONI's ``blocking``."""

    ACCESSIBLE = "accessible"
    DNS_BLOCKPAGE = "dns_blockpage"
    DNS_NXDOMAIN = "dns_nxdomain"
    DNS_TIMEOUT = "dns_timeout"
    DNS_ERROR = "dns_error"
    DNS_BOGON = "dns_bogon"
    DNS_INCONSISTENT = "dns_inconsistent"
    IP_BLACKHOLE = "ip_blackhole"
    TCP_RESET = "tcp_reset"
    SNI_FILTERING_RESET = "sni_filtering_reset"
    SNI_FILTERING_DROP = "sni_filtering_drop"
    TLS_INTERCEPTION = "tls_interception"
    HTTP_BLOCKPAGE = "http_blockpage"
    HTTP_RESET_AFTER_REQUEST = "http_reset_after_request"
    HTTP_FAILURE = "http_failure"
    HTTP_DIFF = "http_diff"
    THROTTLING = "throttling"
    SERVER_BLOCK_OR_CDN_CHALLENGE = "server_block_or_cdn_challenge"
    SITE_DOWN = "site_down"
    CONTROL_FAILED = "control_failed"
    PROBE_ERROR = "probe_error"
    NO_DATA = "no_data"
    UNKNOWN = "unknown"


class Blocking(StrEnum):
    """OONI's ``blocking`` values that name a method (else False: none, None: unknown)."""

    DNS = "dns"
    TCP_IP = "tcp_ip"
    HTTP_FAILURE = "http-failure"
    HTTP_DIFF = "http-diff"


class Observation(StrEnum):
    """The parts of a measurement a rule reads (its ``evidence``)."""

    DNS = "queries"
    TCP = "tcp_connect"
    TLS = "tls_handshakes"
    HTTP = "requests"
    CONTROL = "control"
    FINGERPRINTS = "fingerprints"
    SNI_RETRY = "x_untold.sni_retry"
    TIMING = "x_untold.timing"
    TEST_KEYS = "test_keys"


@dataclass(frozen=True, kw_only=True)
class BlockingRule(Rule[str]):
    """A blocking rule: ``condition`` names its predicate ("" for the two verdicts
    ``evaluate`` gives itself); it concludes a class and OONI's blocking/accessible."""

    cls: VerdictClass
    blocking: Blocking | Literal[False] | None
    accessible: bool | None
    needs_control: bool = True

    @property
    def predicate(self) -> str:
        return self.condition


_D, _T, _HF, _HD = Blocking.DNS, Blocking.TCP_IP, Blocking.HTTP_FAILURE, Blocking.HTTP_DIFF
V, OB = VerdictClass, Observation
_CMP = COMPARISON_THRESHOLDS


def _rule(id: str, description: str, cls: VerdictClass, blocking: Blocking | Literal[False] | None,
          accessible: bool | None, predicate: str, needs_control: bool = True, *,
          evidence: tuple[Observation, ...], thresholds: tuple[Any, ...] = ()) -> BlockingRule:
    return BlockingRule(id=id, description=description, condition=predicate, cls=cls,
                        blocking=blocking, accessible=accessible, needs_control=needs_control,
                        evidence=tuple(str(e) for e in evidence), thresholds=thresholds)


TABLE: RuleTable[BlockingRule] = RuleTable("probe", RULES_VERSION, (
    _rule("dns.blockpage", "an answer is a known block-page address", V.DNS_BLOCKPAGE,
          _D, False, "dns_blockpage", False, evidence=(OB.DNS, OB.CONTROL, OB.FINGERPRINTS)),
    # before http.blockpage: with a control, a block page reached through answers unlike
    # the control's is DNS blocking (OONI: "dns"); without one http.blockpage says it
    _rule("dns.inconsistent_blockpage",
          "answers unlike the control's lead to a page matching a block-page fingerprint",
          V.DNS_BLOCKPAGE, _D, False, "dns_inconsistent_blockpage",
          evidence=(OB.DNS, OB.TLS, OB.HTTP, OB.CONTROL, OB.FINGERPRINTS), thresholds=_CMP),
    _rule("http.blockpage", "a response in the chain matches a block-page fingerprint",
          V.HTTP_BLOCKPAGE, _HD, False, "http_blockpage", False,
          evidence=(OB.HTTP, OB.CONTROL, OB.FINGERPRINTS), thresholds=_CMP),
    _rule("http.cdn_challenge", "the server (a CDN) refused the probe: a known false positive",
          V.SERVER_BLOCK_OR_CDN_CHALLENGE, False, False, "cdn_challenge", False,
          evidence=(OB.HTTP, OB.FINGERPRINTS)),
    _rule("tls.sni_retry_reset", "TLS reset with the real name, fine with a neutral name",
          V.SNI_FILTERING_RESET, _HF, False, "sni_retry_reset", False,
          evidence=(OB.TLS, OB.SNI_RETRY)),
    _rule("tls.sni_retry_drop", "TLS timed out with the real name, fine with a neutral name",
          V.SNI_FILTERING_DROP, _HF, False, "sni_retry_drop", False,
          evidence=(OB.TLS, OB.SNI_RETRY)),
    _rule("http.throttling_baseline", "far slower than this vantage's baseline",
          V.THROTTLING, _HF, False, "throttling", False, evidence=(OB.TIMING,),
          thresholds=THROTTLING_THRESHOLDS),
    _rule("http.accessible_https", "fetched over verified HTTPS", V.ACCESSIBLE,
          False, True, "accessible_https", False, evidence=(OB.HTTP,)),
    _rule("control.failed", "no usable control: blocking cannot be told from a fault",
          V.CONTROL_FAILED, None, None, "no_control", False, evidence=(OB.CONTROL, OB.HTTP)),
    _rule("dns.nxdomain", "the name does not exist here but does for the control",
          V.DNS_NXDOMAIN, _D, False, "dns_nxdomain", evidence=(OB.DNS, OB.CONTROL)),
    _rule("dns.timeout", "the lookup timed out; the control resolved the name",
          V.DNS_TIMEOUT, _D, False, "dns_timeout", evidence=(OB.DNS, OB.CONTROL)),
    _rule("dns.error", "the lookup failed; the control resolved the name",
          V.DNS_ERROR, _D, False, "dns_error", evidence=(OB.DNS, OB.CONTROL)),
    _rule("dns.bogon", "private/loopback answers; the control got public ones",
          V.DNS_BOGON, _D, False, "dns_bogon", evidence=(OB.DNS, OB.CONTROL)),
    _rule("dns.inconsistent", "answers unlike the control's and the page is not the same",
          V.DNS_INCONSISTENT, _D, False, "dns_inconsistent",
          evidence=(OB.DNS, OB.TLS, OB.HTTP, OB.CONTROL), thresholds=_CMP),
    _rule("tcp.blackhole", "connects time out where the control connects",
          V.IP_BLACKHOLE, _T, False, "ip_blackhole", evidence=(OB.DNS, OB.TCP, OB.CONTROL)),
    _rule("tcp.reset", "connects are refused/reset where the control connects",
          V.TCP_RESET, _T, False, "tcp_reset", evidence=(OB.DNS, OB.TCP, OB.CONTROL)),
    # the control tests only the input's endpoints: after a redirect OONI calls it
    # an HTTP failure, and so does untold
    _rule("tcp.blackhole_redirect", "connects to a redirect target time out",
          V.IP_BLACKHOLE, _HF, False, "ip_blackhole_redirect",
          evidence=(OB.DNS, OB.TCP, OB.CONTROL)),
    _rule("tcp.reset_redirect", "connects to a redirect target are refused/reset",
          V.TCP_RESET, _HF, False, "tcp_reset_redirect", evidence=(OB.DNS, OB.TCP, OB.CONTROL)),
    _rule("tls.reset", "TLS reset after the Client Hello; the control's handshake worked",
          V.SNI_FILTERING_RESET, _HF, False, "sni_reset", evidence=(OB.DNS, OB.TLS, OB.CONTROL)),
    _rule("tls.drop", "TLS timed out after the Client Hello; the control's handshake worked",
          V.SNI_FILTERING_DROP, _HF, False, "sni_drop", evidence=(OB.DNS, OB.TLS, OB.CONTROL)),
    _rule("tls.interception", "an untrusted certificate; the control's was trusted",
          V.TLS_INTERCEPTION, _HF, False, "tls_interception",
          evidence=(OB.DNS, OB.TLS, OB.CONTROL)),
    _rule("http.throttling_timeout", "headers came, the body stalled; the control got it",
          V.THROTTLING, _HF, False, "throttling_timeout", evidence=(OB.HTTP, OB.CONTROL)),
    _rule("site.down", "the control failed at the same step or earlier", V.SITE_DOWN,
          False, False, "site_down", evidence=(OB.TCP, OB.HTTP, OB.CONTROL)),
    _rule("http.reset_after_request", "the connection was reset after the request",
          V.HTTP_RESET_AFTER_REQUEST, _HF, False, "http_reset_after_request",
          evidence=(OB.HTTP, OB.CONTROL)),
    _rule("probe.error", "the probe's own software failed", V.PROBE_ERROR,
          None, None, "probe_error", evidence=(OB.HTTP, OB.CONTROL)),
    _rule("http.failure", "the fetch failed; the control's worked", V.HTTP_FAILURE,
          _HF, False, "http_failure", evidence=(OB.HTTP, OB.CONTROL)),
    _rule("control.http_failed", "both fetches failed, no step evidence", V.CONTROL_FAILED,
          None, None, "control_http_failed", evidence=(OB.HTTP, OB.CONTROL)),
    _rule("http.diff", "the page differs from the control's (status, length, headers, title)",
          V.HTTP_DIFF, _HD, False, "http_diff", evidence=(OB.HTTP, OB.CONTROL),
          thresholds=_CMP),
    _rule("http.accessible", "the page matches the control's", V.ACCESSIBLE,
          False, True, "accessible", evidence=(OB.HTTP, OB.CONTROL), thresholds=_CMP),
    # given by evaluate itself, not by a predicate
    _rule("measurement.no_data", "the measurement holds no test keys", V.NO_DATA,
          None, None, "", evidence=(OB.TEST_KEYS,)),
    _rule("measurement.unclassified", "no rule matched", V.UNKNOWN, None, None, "",
          evidence=(OB.TEST_KEYS,)),
))

# The rules evaluate tries, in order (those with a predicate).
RULES: tuple[BlockingRule, ...] = tuple(r for r in TABLE if r.predicate)
NO_DATA = TABLE["measurement.no_data"]
NO_MATCH = TABLE["measurement.unclassified"]


def _predicates() -> dict[str, Predicate]:
    from untold.probe import rules_dns, rules_http, rules_net

    return {**rules_dns.PREDICATES, **rules_net.PREDICATES, **rules_http.PREDICATES}


def _verdict(rule: BlockingRule, no_control: bool, detail: dict[str, Any]) -> Verdict:
    # the stored strings themselves (StrEnum values), not the members
    blocking = rule.blocking.value if isinstance(rule.blocking, Blocking) else rule.blocking
    return Verdict(rule.id, RULES_VERSION, blocking, rule.accessible, rule.cls.value,
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
    first: tuple[BlockingRule, dict[str, Any]] | None = None
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
