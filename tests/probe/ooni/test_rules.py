"""Each rule on a minimal hand-made measurement (see conftest.mk)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from untold.probe import rules
from untold.probe.rules import RULES, RULES_VERSION, _predicates
from untold.probe.verdicts import Verdict, score

IP = "93.184.216.34"
Mk = Callable[..., dict[str, Any]]
Fail = Callable[..., None]


def test_rule_table_is_consistent() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    preds = _predicates()
    assert all(r.predicate in preds for r in RULES)
    assert all(r.blocking in ("dns", "tcp_ip", "http-failure", "http-diff", False, None)
               for r in RULES)
    assert RULES_VERSION and isinstance(RULES_VERSION, str)


def test_accessible(mk: Mk) -> None:
    v = score(mk())
    assert (v.cls, v.blocking, v.accessible, v.no_control) == ("accessible", False, True, False)
    assert v.rules_version == RULES_VERSION and v.rule == "http.accessible"
    assert isinstance(v, Verdict)


def test_dns_nxdomain(mk: Mk, fail: Fail) -> None:
    m = mk()
    q = m["test_keys"]["queries"][0]
    q["failure"], q["answers"] = "dns_nxdomain_error", None
    m["test_keys"]["tcp_connect"] = []
    fail(m, "dns_nxdomain_error")
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("dns_nxdomain", "dns", False)
    # the control cannot resolve it either: the name is gone, not blocked
    m["test_keys"]["control"]["dns"] = {"failure": "dns_name_error", "addrs": []}
    m["test_keys"]["control"]["http_request"] = {"failure": "dns_lookup_error",
                                                 "status_code": -1, "body_length": -1}
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("site_down", False, False)


def test_dns_timeout(mk: Mk, fail: Fail) -> None:
    m = mk()
    q = m["test_keys"]["queries"][0]
    q["failure"], q["answers"] = "generic_timeout_error", None
    m["test_keys"]["tcp_connect"] = []
    fail(m, "generic_timeout_error")
    assert score(m).cls == "dns_timeout"


@pytest.mark.parametrize("answer", ["10.1.2.3", "127.0.0.1", "192.168.0.1"])
def test_dns_bogon(mk: Mk, fail: Fail, answer: str) -> None:
    m = mk()
    m["test_keys"]["queries"][0]["answers"] = [{"answer_type": "A", "ipv4": answer}]
    m["test_keys"]["tcp_connect"] = [{"ip": answer, "port": 80,
                                      "status": {"success": False,
                                                 "failure": "connection_refused"}}]
    fail(m, "connection_refused")
    v = score(m)
    assert (v.cls, v.blocking) == ("dns_bogon", "dns")
    assert v.detail["answers"] == [answer]


def test_dns_blockpage_answer_and_control_seeing_it(mk: Mk, fail: Fail) -> None:
    m = mk("https://www.facebook.com/")
    m["test_keys"]["queries"][0]["answers"] = [{"answer_type": "A", "ipv4": "10.10.34.36"}]
    fail(m, "generic_timeout_error")
    v = score(m)
    assert (v.cls, v.blocking) == ("dns_blockpage", "dns")
    assert v.detail["fingerprint"] == "untold.ir_dns_10_10_34_36"
    # the same answer seen by the control is the site's own DNS: not a block page
    m["test_keys"]["control"]["dns"]["addrs"] = ["10.10.34.36"]
    assert score(m).cls != "dns_blockpage"


def test_dns_inconsistent_but_same_page_is_accessible(mk: Mk) -> None:
    m = mk()
    m["test_keys"]["queries"][0]["answers"] = [{"answer_type": "A", "ipv4": "130.192.182.17",
                                                "asn": 137}]
    assert score(m).cls == "accessible"  # a transparent proxy serving the real page
    m["test_keys"]["requests"][0]["response"]["body"] = "<title>Blocked</title>"
    m["test_keys"]["requests"][0]["response"]["headers"] = {"Content-Type": "text/html"}
    v = score(m)
    assert (v.cls, v.blocking) == ("dns_inconsistent", "dns")
    assert "http.diff" in v.detail["also"]


@pytest.mark.parametrize(("failure", "cls"), [("generic_timeout_error", "ip_blackhole"),
                                              ("connection_refused", "tcp_reset"),
                                              ("connection_reset", "tcp_reset")])
def test_tcp(mk: Mk, fail: Fail, failure: str, cls: str) -> None:
    m = mk()
    m["test_keys"]["tcp_connect"][0]["status"] = {"success": False, "failure": failure}
    fail(m, failure)
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == (cls, "tcp_ip", False)
    # the control cannot connect either: the server is down
    m["test_keys"]["control"]["tcp_connect"][f"{IP}:80"] = {"status": False,
                                                           "failure": failure}
    m["test_keys"]["control"]["http_request"] = {"failure": failure, "status_code": -1}
    assert score(m).cls == "site_down"


@pytest.mark.parametrize(("failure", "cls"), [("generic_timeout_error", "sni_filtering_drop"),
                                              ("connection_reset", "sni_filtering_reset"),
                                              ("eof_error", "sni_filtering_reset")])
def test_tls_with_control(mk: Mk, fail: Fail, failure: str, cls: str) -> None:
    m = mk("https://news.example/")
    m["test_keys"]["tls_handshakes"][0]["failure"] = failure
    fail(m, failure)
    v = score(m)
    assert (v.cls, v.blocking, v.rule) == (cls, "http-failure", v.rule)
    assert v.rule in ("tls.drop", "tls.reset")


def _sni_retry(m: dict[str, Any], failure: str | None) -> None:
    m["test_keys"]["x_untold"] = {"sni_retry": [
        {"address": f"{IP}:443", "server_name": "example.org", "failure": failure, "t": 0.2}]}


@pytest.mark.parametrize(("failure", "cls"), [("generic_timeout_error", "sni_filtering_drop"),
                                              ("connection_reset", "sni_filtering_reset")])
def test_sni_retry_needs_no_control(mk: Mk, fail: Fail, failure: str, cls: str) -> None:
    m = mk("https://news.example/")
    del m["test_keys"]["control"]
    m["test_keys"]["tls_handshakes"][0]["failure"] = failure
    fail(m, failure)
    assert score(m).cls == "control_failed"  # a failure alone proves nothing
    _sni_retry(m, None)
    v = score(m)
    assert (v.cls, v.blocking, v.no_control) == (cls, "http-failure", True)
    assert v.detail["neutral_sni"] == "example.org"
    _sni_retry(m, failure)  # the neutral name fails too: not SNI filtering
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("control_failed", None, None)


def test_tls_interception_records_issuer(mk: Mk, fail: Fail) -> None:
    x509 = pytest.importorskip("cryptography.x509")
    import base64
    import datetime as dt

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Qaznet Trust Network")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    m = mk("https://news.example/")
    tls = m["test_keys"]["tls_handshakes"][0]
    tls["failure"] = "ssl_unknown_authority"
    tls["peer_certificates"] = [{"format": "base64", "data": base64.b64encode(der).decode()}]
    fail(m, "ssl_unknown_authority")
    v = score(m)
    assert (v.cls, v.blocking) == ("tls_interception", "http-failure")
    assert v.detail["issuer"] == "CN=Qaznet Trust Network"


def test_http_blockpage_even_without_control(mk: Mk) -> None:
    m = mk()
    m["test_keys"]["requests"][0]["response"]["body"] = (
        "<html>Доступ к информационному ресурсу ограничен на основании Федерального закона"
        " от 27 июля 2006 г.</html>")
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("http_blockpage", "http-diff", False)
    assert v.detail["fingerprint"] == "untold.ru_rkn_law"
    del m["test_keys"]["control"]
    v = score(m)
    assert (v.cls, v.no_control) == ("http_blockpage", True)


def test_cdn_challenge_is_not_network_blocking(mk: Mk) -> None:
    m = mk()
    r = m["test_keys"]["requests"][0]["response"]
    r["code"], r["body"] = 503, "<html><head><title>Just a moment...</title></head></html>"
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("server_block_or_cdn_challenge", False, False)


def test_http_reset_after_request(mk: Mk, fail: Fail) -> None:
    m = mk()
    fail(m, "connection_reset")
    v = score(m)
    assert (v.cls, v.blocking) == ("http_reset_after_request", "http-failure")


def test_http_diff(mk: Mk) -> None:
    m = mk()
    r = m["test_keys"]["requests"][0]["response"]
    r["body"] = "<html><title>Notice</title>This page is not available.</html>"
    r["headers"] = {"Content-Type": "text/html"}
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("http_diff", "http-diff", False)
    assert v.detail["body_length_match"] is False and v.detail["title_match"] is False


def _timing(m: dict[str, Any], **t: float) -> None:
    m["test_keys"]["x_untold"] = {"timing": t, "control_vantage": "helper-fra"}


def test_throttling_from_untold_timing(mk: Mk) -> None:
    m = mk("https://news.example/")
    _timing(m, body_bytes=2_000_000, body_s=40.0, baseline_body_bps=1_000_000.0,
            tls_handshake_s=0.1, baseline_tls_handshake_s=0.1)
    v = score(m)
    assert (v.cls, v.blocking, v.accessible) == ("throttling", "http-failure", False)
    assert v.detail["control_vantage"] == "helper-fra"
    _timing(m, body_bytes=2_000_000, body_s=4.0, baseline_body_bps=1_000_000.0)
    assert score(m).cls == "accessible"  # 2x slower is within normal variance
    _timing(m, tls_handshake_s=9.0, baseline_tls_handshake_s=0.2)
    assert score(m).cls == "throttling"


def test_throttling_body_stalls(mk: Mk, fail: Fail) -> None:
    m = mk()
    fail(m, "generic_timeout_error", code=200)
    v = score(m)
    assert (v.cls, v.blocking) == ("throttling", "http-failure")


def test_control_failed_never_claims(mk: Mk, fail: Fail) -> None:
    m = mk()
    m["test_keys"]["control_failure"] = "connection_refused"
    m["test_keys"]["control"] = {}
    fail(m, "generic_timeout_error")
    v = score(m)
    assert (v.cls, v.blocking, v.accessible, v.no_control) == ("control_failed", None, None,
                                                                True)
    # a plain-HTTP success without a control could be a block page we do not know
    m = mk()
    del m["test_keys"]["control"]
    assert (score(m).blocking, score(m).accessible) == (None, None)
    # verified HTTPS is evidence on its own
    m = mk("https://news.example/")
    del m["test_keys"]["control"]
    v = score(m)
    assert (v.cls, v.accessible, v.no_control) == ("accessible", True, True)


def test_no_test_keys() -> None:
    v = score({"test_name": "web_connectivity", "input": "http://x/", "test_keys": None})
    assert (v.cls, v.blocking, v.accessible) == ("no_data", None, None)


def test_rules_version_is_recorded(mk: Mk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "RULES_VERSION", "9999.1.1")
    assert score(mk()).rules_version == "9999.1.1"


@pytest.mark.parametrize("x_untold", [
    None, 5, "x", [], {"sni_retry": 5}, {"sni_retry": {"a": 1}}, {"sni_retry": [None, 3]},
    {"timing": [1]}, {"timing": {"body_bytes": "big", "body_s": None}},
    {"timing": {"body_bytes": 10**6, "body_s": 0, "baseline_body_bps": 1e6}},
    {"timing": {"tls_handshake_s": True, "baseline_tls_handshake_s": 0.1}},
])
def test_malformed_x_untold_is_ignored(mk: Mk, x_untold: Any) -> None:
    m = mk("https://news.example/")
    m["test_keys"]["x_untold"] = x_untold
    assert score(m).cls == "accessible"


@pytest.mark.parametrize("test_keys", [None, [], "x", 3])
def test_malformed_test_keys(test_keys: Any) -> None:
    assert score({"test_keys": test_keys}).cls == "no_data"


def test_page_quoting_block_wording_is_not_a_block_page(mk: Mk) -> None:
    """A news article about blocking quotes the law; the control gets the same page."""
    m = mk()
    r = m["test_keys"]["requests"][0]["response"]
    r["body"] = r["body"].replace(
        "<p>All the news that fits.</p>",
        "<p>Доступ к информационному ресурсу ограничен на основании Федерального закона</p>", 1)
    m["test_keys"]["control"]["http_request"]["body_length"] = len(r["body"].encode())
    v = score(m)
    assert v.cls == "accessible", v.detail
    del m["test_keys"]["control"]  # nothing to compare with: the wording is the evidence
    assert score(m).cls == "http_blockpage"


def test_vague_words_need_a_control(mk: Mk) -> None:
    from untold.probe.fingerprints import parse_csv, split

    fp = split(parse_csv("name,scope,location_found,pattern_type,pattern\n"
                         "t.vbw,vbw,body,contains,has been blocked\n", source="t"))
    m = mk()
    m["test_keys"]["requests"][0]["response"]["body"] = "<p>This site has been blocked</p>"
    assert score(m, fingerprints=fp).cls == "http_blockpage"  # and the control's page differs
    del m["test_keys"]["control"]
    v = score(m, fingerprints=fp)
    assert (v.cls, v.blocking) == ("control_failed", None)


RKN_PAGE = ("<html><head><title>Доступ ограничен</title></head><body>Доступ к информационному"
            " ресурсу ограничен на основании Федерального закона</body></html>")
CENSOR_IP = "130.192.182.17"  # a public address (data only: nothing is sent to it)


def _answer_to_block_page(m: dict[str, Any]) -> None:
    """The probe's resolver answers the censor's address, which serves a block page."""
    tk = m["test_keys"]
    tk["queries"][0]["answers"] = [{"answer_type": "A", "ipv4": CENSOR_IP}]
    tk["tcp_connect"] = [{"ip": CENSOR_IP, "port": 80, "status": {"success": True,
                                                                  "failure": None}}]
    r = tk["requests"][0]["response"]
    r["body"], r["headers"] = RKN_PAGE, {"Content-Type": "text/html"}


def test_dns_answer_leading_to_a_block_page_is_dns_blocking(mk: Mk) -> None:
    m = mk()
    _answer_to_block_page(m)
    v = score(m)
    assert (v.rule, v.cls, v.blocking, v.accessible) == (
        "dns.inconsistent_blockpage", "dns_blockpage", "dns", False)
    assert v.detail["answers"] == [CENSOR_IP] and v.detail["control_addrs"] == [IP]
    assert v.detail["fingerprint"] == "untold.ru_rkn_law"
    assert "http.blockpage" in v.detail["also"]
    # without a control the page is the only evidence: a block page, method unknown
    no_ctl = {**m, "test_keys": {k: v for k, v in m["test_keys"].items() if k != "control"}}
    v = score(no_ctl)
    assert (v.rule, v.cls, v.blocking) == ("http.blockpage", "http_blockpage", "http-diff")
    # the answer is the control's: the block page came some other way (on the path)
    m["test_keys"]["control"]["dns"]["addrs"] = [CENSOR_IP]
    assert score(m).rule == "http.blockpage"


def test_dns_answer_to_an_unknown_page_is_not_a_block_page(mk: Mk) -> None:
    m = mk()
    _answer_to_block_page(m)
    r = m["test_keys"]["requests"][0]["response"]
    r["body"] = "<html><head><title>Welcome</title></head><body>Parked.</body></html>"
    v = score(m)
    assert (v.rule, v.cls) == ("dns.inconsistent", "dns_inconsistent")
    # a known false positive (a CDN's challenge) at the other address is not one either
    r["body"] = "<html><head><title>Just a moment...</title></head></html>"
    assert score(m).cls != "dns_blockpage"


def test_dns_answer_with_the_real_page_quoting_block_wording(mk: Mk) -> None:
    """A transparent proxy serves the real article, which quotes a block page."""
    m = mk()
    _answer_to_block_page(m)
    from tests.support.ooni_measurements import BODY, HEADERS

    r = m["test_keys"]["requests"][0]["response"]
    r["body"] = BODY.replace("<p>All the news that fits.</p>",
                             "<p>Доступ к информационному ресурсу ограничен на основании "
                             "Федерального закона</p>", 1)
    r["headers"] = dict(HEADERS)
    m["test_keys"]["control"]["http_request"]["body_length"] = len(r["body"].encode())
    assert score(m).cls == "accessible"
