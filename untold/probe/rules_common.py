"""Helpers shared by the rule predicates: control evidence, HTTP comparison, block pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from untold.models.rules import Threshold
from untold.probe.fingerprints import Fingerprint, Fingerprints
from untold.probe.ooni_obs import Control, Obs, Request

__all__ = ["BODY_PROPORTION_MIN", "COMPARISON_THRESHOLDS", "Detail", "Predicate",
           "blockpage_response", "control_fetched", "ctl", "fetched", "http_matches",
           "step_of"]

Detail = dict[str, Any]
Predicate = Callable[[Obs, Fingerprints], Detail | None]

# OONI's threshold: a body within 70 % of the control's length is "the same page"
# (dynamic pages vary; a block page is usually a tiny fraction of the real one).
BODY_PROPORTION_MIN = 0.7
# Title words shorter than this are too common ("the", "news") to tell pages apart.
TITLE_WORD_MIN = 5
# What every rule that compares a page with the control's page reads.
COMPARISON_THRESHOLDS = (
    Threshold("body_proportion_min", BODY_PROPORTION_MIN,
              "OONI's: a body within 70 % of the control's length is the same page"),
    Threshold("title_word_min", TITLE_WORD_MIN,
              "shorter title words are too common to tell pages apart"),
)

# Headers every server sends; only the others say which server answered (OONI's list).
COMMON_HEADERS = frozenset({
    "date", "content-type", "server", "cache-control", "vary", "set-cookie", "location",
    "expires", "x-powered-by", "content-encoding", "last-modified", "accept-ranges",
    "pragma", "x-frame-options", "etag", "x-content-type-options", "age", "via",
    "p3p", "x-xss-protection", "content-language", "cf-ray", "strict-transport-security",
    "link", "x-varnish", "content-length", "connection", "transfer-encoding",
})

NXDOMAIN = frozenset({"dns_nxdomain_error", "android_dns_cache_no_data", "dns_name_error"})
TIMEOUTS = frozenset({"generic_timeout_error", "dns_timeout_error", "dns_timeout"})
RESETS = frozenset({"connection_reset", "eof_error", "connection_aborted"})
REFUSED = frozenset({"connection_refused", "connection_refused_error", "connect_error"})
CERT_FAILURES = frozenset({"ssl_unknown_authority", "ssl_invalid_hostname",
                           "ssl_invalid_certificate", "ssl_failed_handshake"})


def ctl(o: Obs) -> Control:
    """The control; rules that need it run only when it is present and did not fail."""
    assert o.control is not None
    return o.control


def control_fetched(o: Obs) -> bool:
    c = o.control
    return c is not None and c.http_failure is None and c.http_status > 0


def fetched(o: Obs) -> Request | None:
    """The final request of the classic chain when it completed with a response."""
    r = o.final
    if r is None or r.failure is not None or r.code <= 0:
        return None
    if o.http_failure is not None:  # a later hop (a redirect) failed
        return None
    return r


def step_of(failure: str) -> str:
    """Which step a failure string belongs to: dns, tcp, tls or http."""
    f = failure.split(" ")[0].rstrip(":")
    if f.startswith("dns_") or f in NXDOMAIN:
        return "dns"
    if f.startswith("ssl_"):
        return "tls"
    if f in REFUSED:
        return "tcp"
    return "http"


def _title_match(probe: str | None, control: str | None) -> bool | None:
    if not probe or not control:
        return None
    words = [w for w in re.findall(r"\w+", control.lower()) if len(w) >= TITLE_WORD_MIN]
    if not words:
        return None
    have = set(re.findall(r"\w+", probe.lower()))
    return all(w in have for w in words)


def _headers_match(probe: dict[str, str], control: dict[str, str]) -> bool | None:
    if not probe or not control:
        return None
    ours = set(probe) - COMMON_HEADERS
    theirs = set(control) - COMMON_HEADERS
    if not ours and not theirs:
        return True
    return bool(ours & theirs)


def comparisons(o: Obs, r: Request) -> Detail:
    """Status, body length, headers and title compared with the control."""
    c = ctl(o)
    rep = o.reported
    out: Detail = {"status_code_match": r.code == c.http_status}
    if isinstance(rep.get("body_length_match"), bool):
        out["body_length_match"] = rep["body_length_match"]
    elif r.body is not None and c.http_body_length > 0:
        a, b = len(r.body.encode()), c.http_body_length
        out["body_proportion"] = round(min(a, b) / max(a, b), 4)
        out["body_length_match"] = out["body_proportion"] > BODY_PROPORTION_MIN
    else:
        out["body_length_match"] = None
    for key, fn in (("headers_match", lambda: _headers_match(r.headers, c.http_headers)),
                    ("title_match", lambda: _title_match(r.title, c.http_title))):
        out[key] = rep[key] if isinstance(rep.get(key), bool) else fn()
    return out


def http_matches(o: Obs) -> bool | None:
    """OONI's rule: same status and (same length or same headers or same title)."""
    r = fetched(o)
    if r is None or not control_fetched(o):
        return None
    cmp = comparisons(o, r)
    return bool(cmp["status_code_match"] and (cmp["body_length_match"] or cmp["headers_match"]
                                              or cmp["title_match"]))


def _same_as_control(o: Obs) -> bool:
    """The final page is the control's page: same status, length and title.
    (A news article may quote a block page's wording; the control sees it too.)"""
    r = fetched(o)
    if r is None or not control_fetched(o):
        return False
    cmp = comparisons(o, r)
    return bool(cmp["status_code_match"] and cmp["body_length_match"] and cmp["title_match"])


def blockpage_response(o: Obs, fp: Fingerprints) -> tuple[Request, Fingerprint] | None:
    """The first response in the chain that matches a block-page fingerprint (not a
    known false positive), unless it is the control's own page."""
    same = _same_as_control(o)
    # a vague word ("blocked") is evidence only beside a control that saw a different page
    vague = control_fetched(o) and o.control is not None and o.control.failure is None
    for i, r in enumerate(o.requests):  # the whole chain: block pages often come by redirect
        if i == 0 and same:
            continue
        f = fp.match_http(r.body, r.headers, vague=vague)
        if f is not None and not f.false_positive:
            return r, f
    return None
