"""Each probe step against real servers on loopback (see conftest for the little internet)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography import x509

from tests.support.probe_lab import Net
from untold.errors import ProbeError, UsageError
from untold.probe.options import ProbeOptions
from untold.probe.runner import run_probe

pytestmark = pytest.mark.timeout(60)


def one(net: Net, url: str, **kw: Any) -> dict[str, Any]:
    [m] = run_probe([url], net.opts(**kw))
    return dict(m["test_keys"])


def test_reachable_https_site_has_every_step(net: Net) -> None:
    tk = one(net, "https://news.test/")
    engines = {q["engine"]: q for q in tk["queries"]}
    assert set(engines) == {"system", "udp"}
    assert engines["system"]["resolver_address"] == net.system_dns
    assert engines["udp"]["resolver_address"] == net.second_dns
    for q in engines.values():
        assert q["failure"] is None and q["answers"][0]["ipv4"] == "127.0.0.1"
    [tcp] = tk["tcp_connect"]
    assert (tcp["ip"], tcp["port"], tcp["status"]["success"]) == ("127.0.0.1", net.https_port,
                                                                  True)
    [tls] = tk["tls_handshakes"]
    assert tls["failure"] is None and tls["server_name"] == "news.test"
    assert tls["address"] == f"127.0.0.1:{net.https_port}"
    cert = x509.load_der_x509_certificate(base64.b64decode(tls["peer_certificates"][0]["data"]))
    assert "news.test" in cert.subject.rfc4514_string()
    [req] = tk["requests"]
    assert req["failure"] is None and req["response"]["code"] == 200
    assert "<title>news.test home</title>" in req["response"]["body"]
    assert req["request"]["url"] == "https://news.test/"
    x = tk["x_untold"]
    assert x["sni_retry"] == [] and x["control_vantage"] is None
    assert x["timing"]["tls_handshake_s"] > 0 and x["timing"]["body_bytes"] > 2000
    assert tk["control"] == {} and tk["control_failure"] is None


def test_redirects_are_followed_and_recorded_newest_first(net: Net) -> None:
    tk = one(net, "http://news.test/redirect")
    assert [r["response"]["code"] for r in tk["requests"]] == [200, 302]
    assert tk["requests"][0]["request"]["url"] == "http://news.test/"
    assert tk["tls_handshakes"] == []


def test_redirect_loop_is_a_failure_not_a_hang(net: Net) -> None:
    tk = one(net, "https://news.test/loop")
    assert tk["http_experiment_failure"] == "http_redirect_loop"


def test_body_is_capped(net: Net) -> None:
    tk = one(net, "https://news.test/big", max_body=50_000)
    resp = tk["requests"][0]["response"]
    assert resp["body_is_truncated"] is True
    assert 50_000 <= tk["x_untold"]["timing"]["body_bytes"] < 50_000 + 65_536


def test_dns_nxdomain_on_system_resolver_only(net: Net) -> None:
    tk = one(net, "https://censored.test/")
    by = {q["engine"]: q for q in tk["queries"]}
    assert by["system"]["failure"] == "dns_nxdomain_error" and by["system"]["answers"] == []
    assert by["udp"]["failure"] is None
    # the second resolver's address is still tried: it shows the site is there
    assert tk["tcp_connect"][0]["status"]["success"] is True
    assert tk["requests"][0]["failure"] == "dns_nxdomain_error"
    assert tk["dns_experiment_failure"] == "dns_nxdomain_error"


@pytest.mark.slow
def test_dns_timeout(net: Net) -> None:
    tk = one(net, "https://dnsdrop.test/")
    by = {q["engine"]: q for q in tk["queries"]}
    assert by["system"]["failure"] == "generic_timeout_error"
    assert by["udp"]["answers"][0]["ipv4"] == "127.0.0.1"


def test_connection_refused(net: Net) -> None:
    tk = one(net, "https://closed.test/")
    assert tk["tcp_connect"][0]["status"] == {"success": False, "failure": "connection_refused",
                                              "blocked": None}
    assert tk["tls_handshakes"] == [] and tk["x_untold"]["sni_retry"] == []
    assert tk["requests"][0]["failure"] == "connection_refused"


def test_untrusted_certificate_with_neutral_sni_retry(net: Net) -> None:
    tk = one(net, "https://evil.test/")
    assert tk["tls_handshakes"][0]["failure"] == "ssl_unknown_authority"
    [retry] = tk["x_untold"]["sni_retry"]
    assert retry["server_name"] == "example.com" and retry["failure"] is None
    assert retry["address"] == f"127.0.0.2:{net.https_port}"
    assert tk["requests"][0]["failure"] == "ssl_unknown_authority"


@pytest.mark.parametrize(("host", "failure"), [("sni.test", "connection_reset"),
                                               ("snidrop.test", "generic_timeout_error")])
@pytest.mark.slow
def test_sni_filtering_is_told_from_ip_blocking(net: Net, host: str, failure: str) -> None:
    tk = one(net, f"https://{host}/", neutral_sni="neutral.example")
    assert tk["tls_handshakes"][0]["failure"] == failure
    [retry] = tk["x_untold"]["sni_retry"]
    assert retry == {"address": retry["address"], "server_name": "neutral.example",
                     "failure": None, "t": retry["t"]}


def test_reset_after_request(net: Net) -> None:
    tk = one(net, "https://news.test/reset")
    assert tk["tls_handshakes"][0]["failure"] is None
    assert tk["requests"][0]["failure"] == "connection_reset"


def test_doh_second_resolver(net: Net) -> None:
    doh = f"https://doh.test:{net.https_port}/dns-query"
    tk = one(net, "https://censored.test/", resolver=doh, hosts={"doh.test": ["127.0.0.1"]})
    by = {q["engine"]: q for q in tk["queries"]}
    assert by["doh"]["resolver_address"] == doh
    assert by["doh"]["failure"] is None and by["doh"]["answers"][0]["ipv4"] == "127.0.0.1"


def test_static_hosts_replace_the_system_resolver(net: Net) -> None:
    tk = one(net, "https://news.test/", hosts={"news.test": ["127.0.0.4"]}, resolver=None)
    [q] = tk["queries"]
    assert q["engine"] == "static" and q["answers"][0]["ipv4"] == "127.0.0.4"
    assert tk["tcp_connect"][0]["status"]["failure"] == "connection_refused"


def test_baseline_timing_is_measured_once_and_shared(net: Net) -> None:
    ms = run_probe(["https://news.test/", "https://other.test/"],
                   net.opts(baseline="https://baseline.test/big"))
    timings = [m["test_keys"]["x_untold"]["timing"] for m in ms]
    assert timings[0]["baseline_tls_handshake_s"] > 0 and timings[0]["baseline_body_bps"] > 0
    assert timings[0]["baseline_tls_handshake_s"] == timings[1]["baseline_tls_handshake_s"]


@pytest.mark.slow
def test_per_host_limit_holds(net: Net) -> None:
    net.web.max_inflight.clear()
    urls = [f"https://other.test/slow{i}" for i in range(8)]
    net.web.cfg.delay = 0.15
    try:
        ms = run_probe(urls, net.opts(per_host=2, concurrency=50))
    finally:
        net.web.cfg.delay = 0.0
    assert all(m["test_keys"]["requests"][0]["response"]["code"] == 200 for m in ms)
    assert net.web.max_inflight["other.test"] == 2
    assert [m["input"] for m in ms] == urls


def test_one_dns_query_per_host_and_run(net: Net) -> None:
    before = net.dns.queries["other.test"]
    run_probe([f"https://other.test/a{i}" for i in range(5)], net.opts())
    assert net.dns.queries["other.test"] == before + 1


@pytest.mark.parametrize(("kw", "words"), [
    ({"resolver": "not-an-ip"}, "--resolver"),
    ({"hosts": {"a.test": ["nope"]}}, "static address"),
    ({"control": "ftp://x"}, "--control"),
])
def test_bad_options_are_named(kw: dict[str, Any], words: str) -> None:
    with pytest.raises(UsageError, match=words):
        ProbeOptions(**kw)


def test_bad_url_is_named(net: Net) -> None:
    with pytest.raises(ProbeError, match="ftp://x"):
        run_probe(["ftp://x"], net.opts())


def test_real_system_resolver_is_getaddrinfo(net: Net) -> None:
    tk = one(net, "http://localhost/", system_resolver=None, resolver=None)
    [q] = tk["queries"]
    assert (q["engine"], q["resolver_address"], q["failure"]) == ("system", "", None)
    assert "127.0.0.1" in [a["ipv4"] for a in q["answers"]]
    assert tk["requests"][0]["response"]["code"] == 200


def test_get_reuses_the_measured_connection(net: Net) -> None:
    """One connection per URL: the GET runs over the handshake the TLS step measured."""
    before = net.web.connections
    tk = one(net, "https://other.test/once")
    assert tk["requests"][0]["response"]["code"] == 200
    assert net.web.connections == before + 1


def test_small_baseline_page_gives_no_download_rate(net: Net) -> None:
    [m] = run_probe(["https://news.test/"], net.opts(baseline="https://baseline.test/"))
    timing = m["test_keys"]["x_untold"]["timing"]
    assert timing["baseline_tls_handshake_s"] > 0
    assert timing["baseline_body_bps"] is None  # 2 kB say nothing about the line's speed
    assert m["test_keys"]["x_untold"]["baseline"]["body_bytes"] < 64 * 1024
