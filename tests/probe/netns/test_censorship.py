"""One test per blocking type, on a real censoring router in network namespaces.

Each checks what the probe observed (the failure at the right step) and the
exact class of untold's verdict (``untold.probe.verdicts.score``).
"""

from __future__ import annotations

from typing import Any

import pytest

from untold.probe.verdicts import score

pytestmark = [pytest.mark.slow, pytest.mark.netns, pytest.mark.timeout(120)]

Results = dict[str, dict[str, Any]]
CENSORSHIP = {"dns_nxdomain", "dns_timeout", "dns_bogon", "dns_inconsistent", "dns_error",
              "ip_blackhole", "tcp_reset", "sni_filtering_reset", "sni_filtering_drop",
              "tls_interception", "http_blockpage", "http_reset_after_request", "throttling",
              "http_failure", "http_diff"}


def tk(results: Results, case: str) -> dict[str, Any]:
    return dict(results[case]["measurement"]["test_keys"])


def cls(results: Results, case: str) -> str:
    v = results[case]["verdict"]
    # the CLI's verdict is the engine's: scoring the stored measurement again agrees
    assert score(results[case]["measurement"]).cls == v["cls"]
    return str(v["cls"])


def system_query(t: dict[str, Any]) -> dict[str, Any]:
    return next(q for q in t["queries"] if q["engine"] == "system")


def test_accessible_site(results: Results) -> None:
    t = tk(results, "accessible")
    assert t["requests"][0]["response"]["code"] == 200 and t["control_failure"] is None
    assert results["accessible"]["verdict"]["blocking"] is False
    assert cls(results, "accessible") not in CENSORSHIP


def test_dns_nxdomain(results: Results) -> None:
    assert system_query(tk(results, "dns_nxdomain"))["failure"] == "dns_nxdomain_error"
    assert cls(results, "dns_nxdomain") == "dns_nxdomain"


def test_dns_timeout(results: Results) -> None:
    assert system_query(tk(results, "dns_timeout"))["failure"] == "generic_timeout_error"
    assert cls(results, "dns_timeout") == "dns_timeout"


def test_dns_bogon_answer(results: Results) -> None:
    q = system_query(tk(results, "dns_bogon"))
    assert [a["ipv4"] for a in q["answers"]] == ["127.0.0.1"]
    assert cls(results, "dns_bogon") == "dns_bogon"


def test_ip_blackhole(results: Results) -> None:
    t = tk(results, "ip_blackhole")
    assert t["tcp_connect"][0]["status"]["failure"] == "generic_timeout_error"
    assert cls(results, "ip_blackhole") == "ip_blackhole"


def test_tcp_reset(results: Results) -> None:
    t = tk(results, "tcp_reset")
    assert t["tcp_connect"][0]["status"]["failure"] == "connection_refused"
    assert cls(results, "tcp_reset") == "tcp_reset"


@pytest.mark.parametrize(("case", "failure", "expected"), [
    ("sni_reset", "connection_reset", "sni_filtering_reset"),
    ("sni_drop", "generic_timeout_error", "sni_filtering_drop"),
])
def test_sni_filtering(results: Results, case: str, failure: str, expected: str) -> None:
    t = tk(results, case)
    assert t["tcp_connect"][0]["status"]["success"] is True
    assert t["tls_handshakes"][0]["failure"] == failure
    [retry] = t["x_untold"]["sni_retry"]
    assert retry["server_name"] == "example.com" and retry["failure"] is None
    assert cls(results, case) == expected


def test_tls_interception_by_untrusted_ca(results: Results) -> None:
    t = tk(results, "tls_interception")
    assert t["tls_handshakes"][0]["failure"] == "ssl_unknown_authority"
    assert t["control"]["tls_handshake"] and all(
        v["status"] for v in t["control"]["tls_handshake"].values())
    assert cls(results, "tls_interception") == "tls_interception"


def test_http_block_page(results: Results) -> None:
    t = tk(results, "http_blockpage")
    assert "ограничен" in t["requests"][0]["response"]["body"]
    assert cls(results, "http_blockpage") == "http_blockpage"


def test_http_reset_after_request(results: Results) -> None:
    t = tk(results, "http_reset")
    assert t["tcp_connect"][0]["status"]["success"] is True
    assert t["requests"][0]["failure"] == "connection_reset"
    assert cls(results, "http_reset") == "http_reset_after_request"


def test_throttling(results: Results) -> None:
    timing = tk(results, "throttling")["x_untold"]["timing"]
    assert timing["body_bytes"] > 200_000 and timing["baseline_body_bps"] > 0
    rate = timing["body_bytes"] / timing["body_s"]
    assert rate * 10 < timing["baseline_body_bps"]
    assert cls(results, "throttling") == "throttling"


def test_site_down_is_not_censorship(results: Results) -> None:
    t = tk(results, "site_down")
    assert t["tcp_connect"][0]["status"]["failure"] == "connection_refused"
    assert t["control"]["http_request"]["failure"] == "connection_refused"
    assert cls(results, "site_down") == "site_down"


def test_blocked_control_is_said(results: Results) -> None:
    t = tk(results, "control_blocked")
    assert t["control"] == {} and t["control_failure"] == "connection_refused"
    assert results["control_blocked"]["verdict"]["no_control"] is True
    assert cls(results, "control_blocked") not in CENSORSHIP


def test_server_side_geoblock_is_not_censorship(results: Results) -> None:
    t = tk(results, "geoblock")
    assert t["requests"][0]["response"]["code"] == 403
    assert t["control"]["http_request"]["status_code"] == 200
    v = results["geoblock"]["verdict"]
    assert v["blocking"] in (False, None)
    assert cls(results, "geoblock") not in CENSORSHIP
