"""The probe's rule table (untold.probe.rules.TABLE): its invariants, its vocabularies,
and every rule reachable through ``evaluate`` with the verdict it names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.ooni_measurements import IP, fail_request, measurement
from untold.analyze.reachability import NOT_DOWN_CLASSES
from untold.models.rules import parse_version
from untold.probe import rules, rules_common, rules_net
from untold.probe.rules import (
    NO_DATA,
    NO_MATCH,
    RULES,
    TABLE,
    Blocking,
    Observation,
    VerdictClass,
    _predicates,
    evaluate,
)


def test_the_table_keeps_its_invariants() -> None:
    assert TABLE.problems() == []
    assert parse_version(TABLE.version)[0] == "probe" and TABLE.version == rules.RULES_VERSION
    # evaluate tries the rules with a predicate, in the table's order; the two verdicts
    # it gives itself close the table
    assert TABLE.rules[:-2] == RULES and TABLE.rules[-2:] == (NO_DATA, NO_MATCH)
    assert all(r.predicate for r in RULES) and not NO_DATA.predicate and not NO_MATCH.predicate


def test_every_predicate_named_exists_and_every_predicate_is_named() -> None:
    preds = _predicates()
    named = [r.predicate for r in RULES]
    assert len(named) == len(set(named))
    assert set(named) == set(preds)


def test_vocabularies_cover_what_the_rules_give() -> None:
    assert all(isinstance(r.cls, VerdictClass) for r in TABLE)
    assert all(r.blocking in (None, False) or isinstance(r.blocking, Blocking) for r in TABLE)
    assert all(r.accessible in (None, False, True) for r in TABLE)
    # no class or blocking method that no rule gives
    assert {r.cls for r in TABLE} == set(VerdictClass)
    assert {r.blocking for r in TABLE if isinstance(r.blocking, Blocking)} == set(Blocking)
    assert all(set(r.evidence) <= {str(o) for o in Observation} and r.evidence for r in TABLE)
    # other layers name classes by their stored strings: they are classes
    assert {str(c) for c in VerdictClass} >= NOT_DOWN_CLASSES


def test_thresholds_are_the_constants_the_predicates_compare_against() -> None:
    compared = {"body_proportion_min": rules_common.BODY_PROPORTION_MIN,
                "title_word_min": rules_common.TITLE_WORD_MIN}
    timing = {"throttle_ratio": rules_net.THROTTLE_RATIO,
              "throttle_min_bytes": rules_net.THROTTLE_MIN_BYTES,
              "tls_slow_ratio": rules_net.TLS_SLOW_RATIO,
              "tls_slow_min_s": rules_net.TLS_SLOW_MIN_S}
    by_rule = {r.id: {t.name: t.value for t in r.thresholds} for r in TABLE if r.thresholds}
    assert by_rule == {
        "dns.inconsistent_blockpage": compared, "http.blockpage": compared,
        "dns.inconsistent": compared, "http.diff": compared, "http.accessible": compared,
        "http.throttling_baseline": timing}


def _measurement(control: bool) -> dict[str, Any]:
    tk: dict[str, Any] = {"queries": [], "tcp_connect": [], "requests": []}
    if control:
        tk["control"] = {"http_request": {"status_code": 200, "body_length": 10}}
    return {"input": "https://news.example/", "test_name": "web_connectivity",
            "test_keys": tk}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_each_rule_gives_its_verdict_through_evaluate(
        rule: rules.BlockingRule, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this rule's predicate holds: the verdict is the rule's, with the stored
    strings themselves (not enum members); without a control only the rules that need
    none can give it."""
    def holds(o: object, fp: object) -> dict[str, Any] | None:
        return {"seen": True}

    def fails(o: object, fp: object) -> dict[str, Any] | None:
        return None

    fired = {name: holds if name == rule.predicate else fails for name in _predicates()}
    monkeypatch.setattr(rules, "_predicates", lambda: fired)
    v = evaluate(_measurement(control=True))
    assert (v.rule, v.rules_version, v.cls, v.blocking, v.accessible, v.detail) == (
        rule.id, rules.RULES_VERSION, rule.cls, rule.blocking, rule.accessible, {"seen": True})
    assert type(v.cls) is str and (v.blocking is None or type(v.blocking) in (str, bool))
    v = evaluate(_measurement(control=False))
    assert v.rule == (NO_MATCH.id if rule.needs_control else rule.id) and v.no_control


def test_the_verdicts_evaluate_gives_itself() -> None:
    v = evaluate({"input": "https://news.example/", "test_keys": None})
    assert (v.rule, v.cls, v.blocking, v.accessible) == (NO_DATA.id, "no_data", None, None)
    assert type(v.cls) is str


# The rules no case of tests/probe/ooni gives from a whole measurement: each here, from a
# hand-made one (the addresses are data only: nothing is sent anywhere).


def test_a_failed_lookup_the_control_resolved_is_dns_error() -> None:
    m = measurement()
    q = m["test_keys"]["queries"][0]
    q["failure"], q["answers"] = "dns_server_failure", None
    m["test_keys"]["tcp_connect"] = []
    fail_request(m, "dns_server_failure")
    v = evaluate(m)
    assert (v.rule, v.cls, v.blocking, v.accessible) == ("dns.error", "dns_error", "dns", False)


@pytest.mark.parametrize(("failure", "rule", "cls"), [
    ("generic_timeout_error", "tcp.blackhole_redirect", "ip_blackhole"),
    ("connection_refused", "tcp.reset_redirect", "tcp_reset")])
def test_connects_to_a_redirect_target_failing_are_an_http_failure(
        failure: str, rule: str, cls: str) -> None:
    """The input's endpoints connect; the page redirects to another host whose connects
    fail while the control fetched the whole chain: OONI says http-failure, so does untold."""
    m = measurement()
    tk = m["test_keys"]
    target = "93.184.216.99"
    tk["queries"].append({"hostname": "media.example", "query_type": "A", "engine": "system",
                          "failure": None,
                          "answers": [{"answer_type": "A", "ipv4": target, "asn": 15133}]})
    tk["tcp_connect"].append({"ip": target, "port": 443,
                              "status": {"success": False, "failure": failure}})
    first = tk["requests"][0]
    first["response"] = {"code": 302, "body": "",
                         "headers": {"Location": "https://media.example/a"}}
    tk["requests"].insert(0, {"failure": failure,
                              "request": {"url": "https://media.example/a", "method": "GET"},
                              "response": {"code": 0, "body": "", "headers": {}}})
    tk["http_experiment_failure"] = failure
    v = evaluate(m)
    assert (v.rule, v.cls, v.blocking, v.accessible) == (rule, cls, "http-failure", False)
    assert v.detail["hostname"] == "media.example" and IP not in v.detail["endpoints"][0]


def test_a_measurement_no_rule_reads_is_unclassified() -> None:
    """Connects worked, the control fetched the page, but the probe recorded no request:
    nothing says what happened."""
    m = measurement()
    m["test_keys"]["requests"] = []
    v = evaluate(m)
    assert (v.rule, v.cls, v.blocking, v.accessible) == (NO_MATCH.id, "unknown", None, None)
