"""The control helper as a real HTTP service on loopback, and the probe asking it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.probe_lab import Net
from untold.errors import ProbeError
from untold.probe.control_guard import HelperPolicy
from untold.probe.control_server import HelperServer, start_helper
from untold.probe.runner import run_probe

pytestmark = pytest.mark.timeout(60)
TOKEN = "test-token-0123456789abcdef"  # the helper's shared secret in these tests
LOOPBACK_OK = HelperPolicy(allow_private=True)  # every site here is on loopback


@pytest.fixture(scope="module")
def helper(net: Net) -> Iterator[HelperServer]:
    # the helper sees the honest resolver: the system resolver's censorship is not there
    opts = net.opts(system_resolver=net.second_dns, resolver=None)
    with start_helper("127.0.0.1:0", opts, token=TOKEN, policy=LOOPBACK_OK).start() as srv:
        yield srv


def post(helper: HelperServer, body: Any) -> httpx.Response:
    return httpx.post(helper.url, content=json.dumps(body), timeout=20,
                      headers={"Authorization": f"Bearer {TOKEN}"})


def test_helper_answers_in_oohelperd_shape(net: Net, helper: HelperServer) -> None:
    ep = f"127.0.0.1:{net.https_port}"
    r = post(helper, {"http_request": "https://news.test/", "http_request_headers": {},
                      "tcp_connect": [ep]})
    assert r.status_code == 200
    c = r.json()
    assert c["dns"] == {"failure": None, "addrs": ["127.0.0.1"], "x_failure": None}
    assert c["tcp_connect"] == {ep: {"status": True, "failure": None}}
    assert c["tls_handshake"][ep] == {"server_name": "news.test", "status": True,
                                      "failure": None}
    h = c["http_request"]
    assert (h["status_code"], h["title"], h["failure"]) == (200, "news.test home", None)
    assert h["body_length"] > 2000 and h["headers"]["Content-Type"].startswith("text/html")


def test_helper_reports_nxdomain_with_oohelperd_name(helper: HelperServer) -> None:
    c = post(helper, {"http_request": "https://nowhere.test/", "tcp_connect": []}).json()
    assert c["dns"]["failure"] == "dns_name_error"
    assert c["dns"]["x_failure"] == "dns_nxdomain_error"
    assert c["http_request"]["failure"] == "dns_nxdomain_error"


@pytest.mark.parametrize(("body", "words"), [
    ({"http_request": "file:///etc/passwd"}, "http"),
    ({"http_request": "https://news.test/", "tcp_connect": ["10.0.0.1:22"]}, "port 22"),
    ({"http_request": "https://news.test/", "tcp_connect": ["x:443"]}, "not an IP"),
    ({"http_request": "https://news.test/", "tcp_connect": [f"10.0.0.{i}:443"
                                                           for i in range(17)]}, "at most"),
    (["not", "an", "object"], "JSON object"),
])
def test_helper_refuses_bad_requests_clearly(helper: HelperServer, body: Any,
                                             words: str) -> None:
    r = post(helper, body)
    assert r.status_code == 400 and words in r.json()["error"]


def test_helper_refuses_non_json_and_big_bodies(helper: HelperServer) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(helper.url, content=b"{nope", timeout=5, headers=auth).status_code == 400
    assert httpx.post(helper.url, content=b"x" * 70_000, timeout=5,
                      headers=auth).status_code == 413
    assert httpx.get(helper.url, timeout=5).json()["service"] == "untold helper"
    assert httpx.get(helper.url + "other", timeout=5).status_code == 404


def test_probe_puts_the_controls_answer_in_test_keys(net: Net, helper: HelperServer) -> None:
    [m] = run_probe(["https://censored.test/"], net.opts(control=helper.url,
                                                          control_token=TOKEN))
    tk = m["test_keys"]
    assert tk["control_failure"] is None
    assert tk["control"]["dns"]["addrs"] == ["127.0.0.1"]  # the helper's honest answer
    assert tk["control"]["http_request"]["status_code"] == 200
    assert tk["x_untold"]["control_vantage"] == helper.url
    # while the probe's own system resolver was censored
    assert tk["queries"][0]["failure"] == "dns_nxdomain_error"


def test_unreachable_control_is_recorded_as_control_failure(net: Net) -> None:
    [m] = run_probe(["https://news.test/"],
                    net.opts(control=f"http://127.0.0.4:{net.http_port}/",
                             control_token=TOKEN))
    assert m["test_keys"]["control"] == {}
    assert m["test_keys"]["control_failure"] == "connection_refused"


def test_listen_on_a_taken_port_is_a_clear_error(helper: HelperServer, net: Net) -> None:
    port = helper.server_address[1]
    with pytest.raises(ProbeError, match="cannot listen"):
        start_helper(f"127.0.0.1:{port}", net.opts(), token=TOKEN)
