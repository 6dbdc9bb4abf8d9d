"""``untold helper`` is no open proxy and no port scanner (issue 9, case 1).

A real helper on 127.0.0.1 and a real HTTP client. Every target here is on
loopback, which the helper refuses like any other non-public address, so each
refusal is checked where it matters: the loopback server it would have reached
counts its accepted connections, and that count must stay where it was. Where
a test needs one permitted target (a redirect whose *next* hop must be refused),
the helper's policy exempts exactly 127.0.0.1/32 and nothing else; 127.0.0.2 is
the "internal" address that must never be reached.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.probe_sites import Background, DnsServer
from untold import api
from untold.errors import ProbeError, UsageError
from untold.net.addresses import refusal
from untold.probe import control_server
from untold.probe.control import CONTROL_REFUSED, CONTROL_UNAUTHORIZED
from untold.probe.control_guard import (
    HelperPolicy,
    RateLimiter,
    bearer_matches,
    client_key,
    plan_token,
    save_token,
)
from untold.probe.control_server import HelperServer, start_helper
from untold.probe.options import ProbeOptions
from untold.probe.runner import run_probe

pytestmark = pytest.mark.timeout(90)
REPO = Path(__file__).resolve().parents[3]
TOKEN = "helper-secret-0123456789-abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ONLY_FIRST = HelperPolicy(exempt=(ipaddress.ip_network("127.0.0.1/32"),))


class _Site(ThreadingHTTPServer):
    """A loopback web server that counts the connections it accepts.

    ``/`` answers a page; ``/go?N`` redirects to ``routes[N]``.
    """

    daemon_threads = True

    def __init__(self, host: str, port: int, routes: dict[str, str] | None = None) -> None:
        self.accepted = 0
        self.routes = routes or {}
        super().__init__((host, port), _SiteHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.accepted += 1
        return True


class _SiteHandler(BaseHTTPRequestHandler):
    server: _Site

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        target = self.server.routes.get(self.path.partition("?")[2])
        if self.path.startswith("/go") and target:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><head><title>first page</title></head><body>hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _FlipDns(DnsServer):
    """Answers ``flip.test`` with 127.0.0.1 once, then with 127.0.0.2 (DNS rebinding)."""

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.queries["flip.test"] >= 1:
            self.zone["flip.test"] = ["127.0.0.2"]
        super().datagram_received(data, addr)


@dataclass
class Lab:
    port: int  # the web port of every site here (the helper's "http" port)
    first: _Site  # 127.0.0.1: the one permitted target (for ONLY_FIRST helpers)
    inside: _Site  # 127.0.0.2: internal, never to be reached
    odd: _Site  # 127.0.0.1 on a port that is not allowed
    dns: str
    bg: Background

    def opts(self, **kw: Any) -> ProbeOptions:
        return ProbeOptions(system_resolver=self.dns, ports={"http": self.port},
                            dns_timeout=0.5, connect_timeout=1.0, tls_timeout=1.0,
                            http_timeout=5.0, **kw)

    def helper(self, policy: HelperPolicy | None = None, **kw: Any) -> HelperServer:
        return start_helper("127.0.0.1:0", self.opts(), token=TOKEN, policy=policy,
                            **kw).start()

    def reached(self) -> tuple[int, int, int]:
        return self.first.accepted, self.inside.accepted, self.odd.accepted


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    first = _Site("127.0.0.1", 0)
    port = first.server_address[1]
    inside = _Site("127.0.0.2", port)
    odd = _Site("127.0.0.1", 0)
    first.routes.update({
        "inside": "http://inside.test/",  # a name that resolves to the internal address
        "literal": f"http://127.0.0.2:{port}/",
        "mapped": f"http://[::ffff:127.0.0.2]:{port}/",
        "port": f"http://first.test:{odd.server_address[1]}/",
        "self": "/",
    })
    zone: dict[str, Any] = {"first.test": ["127.0.0.1"], "inside.test": ["127.0.0.2"],
                            "localhost": ["127.0.0.1"], "flip.test": ["127.0.0.1"],
                            "mixed.test": ["127.0.0.2", "127.0.0.1"]}
    bg = Background()
    dns = _FlipDns(zone)
    dport = bg.run(dns.listen("127.0.0.1", 0))
    yield Lab(port, first, inside, odd, f"127.0.0.1:{dport}", bg)
    for s in (first, inside, odd):
        s.shutdown()
        s.server_close()
    bg.stop()


@pytest.fixture(scope="module")
def strict(lab: Lab) -> Iterator[HelperServer]:
    """The helper as deployed: public addresses only."""
    with lab.helper() as h:
        yield h


@pytest.fixture(scope="module")
def first_only(lab: Lab) -> Iterator[HelperServer]:
    with lab.helper(ONLY_FIRST) as h:
        yield h


def post(h: HelperServer, body: Any, headers: dict[str, str] | None = AUTH,
         raw: bytes | None = None) -> httpx.Response:
    content = raw if raw is not None else json.dumps(body).encode()
    return httpx.post(h.url, content=content, headers=headers, timeout=20)


def alive(h: HelperServer) -> bool:
    return httpx.get(h.url, timeout=5).json()["service"] == "untold helper"


# -- the token ---------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [None, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": TOKEN},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
def test_a_request_without_the_right_token_is_401_and_does_nothing(
        lab: Lab, first_only: HelperServer, headers: dict[str, str] | None) -> None:
    before = lab.reached()
    r = post(first_only, {"http_request": "http://first.test/"}, headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in r.json()["error"]
    assert lab.reached() == before


@pytest.mark.slow
def test_an_early_answer_reaches_a_client_that_is_still_sending_its_body(
        strict: HelperServer) -> None:
    """The 401 goes out before the body is read; the helper then reads and drops the
    rest, so the client, still sending, is not reset and gets its answer."""
    for _ in range(3):
        with socket.create_connection(_addr(strict), timeout=5) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n"
                      + b"a" * 30_000)
            time.sleep(0.3)  # the answer is sent meanwhile
            s.sendall(b"a" * 30_000)
            data = _read_all(s)
        assert data.startswith(b"HTTP/1.1 401") and b'"error"' in data


def test_the_right_token_gets_a_measurement(lab: Lab, first_only: HelperServer) -> None:
    before = lab.first.accepted
    r = post(first_only, {"http_request": "http://first.test/",
                          "http_request_headers": {"authorization": ["leak"]}},
             headers={"Authorization": f"bearer  {TOKEN}"})
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["http_request"]["title"] == "first page" and c["http_request"]["failure"] is None
    assert c["dns"]["addrs"] == ["127.0.0.1"]
    assert lab.first.accepted > before


def test_service_info_is_open_and_says_nothing_about_the_machine(strict: HelperServer) -> None:
    r = httpx.get(strict.url, timeout=5)
    assert r.status_code == 200
    assert set(r.json()) == {"service", "api", "post", "auth"}
    assert TOKEN not in r.text and "127.0.0.1" not in r.text
    assert r.headers["Server"] == "untold-helper"  # no software versions


def test_token_compare_is_exact() -> None:
    assert bearer_matches(f"Bearer {TOKEN}", TOKEN)
    assert not bearer_matches(f"Bearer {TOKEN[:-1]}", TOKEN)
    assert not bearer_matches("Bearer ", TOKEN)
    assert not bearer_matches("Bearer é" + TOKEN, TOKEN)
    assert not bearer_matches(None, TOKEN)


# -- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "[::1]", "[::ffff:127.0.0.1]",
                                  "[::ffff:7f00:2]", "[::127.0.0.1]"])
def test_a_non_public_ip_url_is_400_and_never_connected(lab: Lab, strict: HelperServer,
                                                       host: str) -> None:
    before = lab.reached()
    r = post(strict, {"http_request": f"http://{host}:{lab.port}/"})
    assert r.status_code == 400
    assert r.json()["failure"] == "address_not_public"
    assert lab.reached() == before


@pytest.mark.parametrize("host", ["localhost", "first.test", "inside.test", "mixed.test"])
def test_a_name_that_resolves_to_loopback_is_refused_after_dns(lab: Lab, strict: HelperServer,
                                                               host: str) -> None:
    before = lab.reached()
    r = post(strict, {"http_request": f"http://{host}/"})
    assert r.status_code == 200
    c = r.json()
    assert c["http_request"]["failure"] == "address_not_public"
    assert c["dns"]["addrs"] == []  # internal answers are not shown either
    assert c["tcp_connect"] == {}
    assert lab.reached() == before


def test_the_real_system_resolver_path_refuses_localhost(lab: Lab) -> None:
    opts = ProbeOptions(ports={"http": lab.port}, dns_timeout=2.0, connect_timeout=1.0)
    before = lab.reached()
    with start_helper("127.0.0.1:0", opts, token=TOKEN).start() as h:
        c = post(h, {"http_request": "http://localhost/"}).json()
    assert c["http_request"]["failure"] == "address_not_public"
    assert lab.reached() == before


def test_tcp_connect_endpoints_that_are_not_public_are_not_connected(
        lab: Lab, first_only: HelperServer) -> None:
    eps = ["127.0.0.2:80", f"127.0.0.2:{lab.port}", f"[::ffff:127.0.0.2]:{lab.port}",
           f"[::1]:{lab.port}"]
    before = lab.inside.accepted
    r = post(first_only, {"http_request": "http://first.test/", "tcp_connect": eps})
    assert r.status_code == 200, r.text
    tcp = r.json()["tcp_connect"]
    for ep in eps:
        assert tcp[ep] == {"status": False, "failure": "address_not_public"}, ep
    assert tcp[f"127.0.0.1:{lab.port}"] == {"status": True, "failure": None}  # exempt
    assert lab.inside.accepted == before


@pytest.mark.parametrize(("route", "failure"), [("inside", "address_not_public"),
                                                ("literal", "address_not_public"),
                                                ("mapped", "address_not_public"),
                                                ("port", "port_not_allowed")])
def test_a_redirect_hop_into_a_refused_address_or_port_is_stopped_there(
        lab: Lab, first_only: HelperServer, route: str, failure: str) -> None:
    """The first hop is permitted (127.0.0.1 is exempt); the hop it redirects to is
    checked again, right before connecting, and never reached."""
    first, before = lab.first.accepted, lab.reached()[1:]
    r = post(first_only, {"http_request": f"http://first.test/go?{route}"})
    assert r.status_code == 200, r.text
    h = r.json()["http_request"]
    assert h["failure"] == failure
    assert h["status_code"] == 302  # the hop before was measured as usual
    assert lab.first.accepted == first + 2  # its TCP step and the first hop of the GET
    assert lab.reached()[1:] == before  # neither 127.0.0.2 nor the odd port saw a thing


def test_a_redirect_within_the_permitted_target_is_followed(lab: Lab,
                                                            first_only: HelperServer) -> None:
    h = post(first_only, {"http_request": "http://first.test/go?self"}).json()["http_request"]
    assert (h["failure"], h["status_code"], h["title"]) == (None, 200, "first page")


def test_a_name_that_rebinds_to_an_internal_address_is_refused(
        lab: Lab, first_only: HelperServer) -> None:
    """Each resolution is checked where it is used: the second answer is refused."""
    before = lab.inside.accepted
    one = post(first_only, {"http_request": "http://flip.test/"}).json()
    assert one["http_request"]["title"] == "first page"
    two = post(first_only, {"http_request": "http://flip.test/"}).json()
    assert two["http_request"]["failure"] == "address_not_public"
    assert lab.inside.accepted == before


def test_the_per_hop_check_is_what_stops_the_redirect(lab: Lab) -> None:
    """The same redirect with every address allowed does reach 127.0.0.2: so the
    refusal above comes from the per-hop check, not from the test's setup."""
    before = lab.inside.accepted
    with lab.helper(HelperPolicy(allow_private=True)) as h:
        r = post(h, {"http_request": "http://first.test/go?inside"}).json()
    assert r["http_request"]["failure"] is None
    assert lab.inside.accepted == before + 1


# -- ports -------------------------------------------------------------------------------


def test_a_port_outside_80_443_and_the_overrides_is_refused(lab: Lab,
                                                            strict: HelperServer) -> None:
    odd = lab.odd.server_address[1]
    before = lab.reached()
    for body in ({"http_request": f"http://first.test:{odd}/"},
                 {"http_request": "https://first.test:22/"},
                 {"http_request": "http://first.test/", "tcp_connect": [f"127.0.0.1:{odd}"]}):
        r = post(strict, body)
        assert r.status_code == 400 and r.json()["failure"] == "port_not_allowed", body
    assert lab.reached() == before


@pytest.mark.slow
def test_allow_port_opens_exactly_that_port(lab: Lab) -> None:
    odd = lab.odd.server_address[1]
    policy = HelperPolicy(allow_ports=frozenset({odd}), exempt=ONLY_FIRST.exempt)
    before = lab.odd.accepted
    with lab.helper(policy) as h:
        c = post(h, {"http_request": f"http://first.test:{odd}/"}).json()
    assert c["http_request"]["title"] == "first page"
    assert lab.odd.accepted == before + 2  # the TCP step and the GET
    with pytest.raises(UsageError, match="allow-port"):
        HelperPolicy(allow_ports=frozenset({70000}))


# -- malformed requests ------------------------------------------------------------------

MALFORMED: list[tuple[str, bytes]] = [
    ("a list", b'["not", "an", "object"]'),
    ("a string", b'"http://first.test/"'),
    ("headers as a list", json.dumps({"http_request": "http://first.test/",
                                      "http_request_headers": ["User-Agent", "x"]}).encode()),
    ("a header value object", json.dumps({"http_request": "http://first.test/",
                                          "http_request_headers": {"Accept": {"a": 1}}}).encode()),
    ("a header with a newline", json.dumps({"http_request": "http://first.test/",
                                            "http_request_headers": {
                                                "User-Agent": "a\r\nX-Injected: 1"}}).encode()),
    ("tcp_connect of dicts", json.dumps({"http_request": "http://first.test/",
                                         "tcp_connect": [{"ip": "127.0.0.1"}]}).encode()),
    ("tcp_connect of ints", json.dumps({"http_request": "http://first.test/",
                                        "tcp_connect": [443]}).encode()),
    ("tcp_connect a string", json.dumps({"http_request": "http://first.test/",
                                         "tcp_connect": "127.0.0.1:80"}).encode()),
    ("url a number", b'{"http_request": 42}'),
    ("url missing", b'{"tcp_connect": []}'),
    ("url with a bad port", b'{"http_request": "http://first.test:99999/"}'),
    ("url with a newline", b'{"http_request": "http://first.test/\\r\\nHost: x"}'),
    ("url not http", b'{"http_request": "file:///etc/passwd"}'),
    ("url too long", json.dumps({"http_request": "http://first.test/" + "a" * 5000}).encode()),
    ("not JSON", b"{nope"),
    ("not UTF-8", b'{"http_request": "\xff\xfe"}'),
    ("empty", b""),
    ("nested deeply", b"[" * 30_000 + b"]" * 30_000),
    ("nested deeply in an object", b'{"http_request_headers": ' + b'{"a": ' * 8_000
     + b"1" + b"}" * 8_001),
]


@pytest.mark.parametrize(("what", "raw"), MALFORMED, ids=[m[0] for m in MALFORMED])
@pytest.mark.slow
def test_a_malformed_request_is_a_400_with_json_and_the_helper_lives_on(
        lab: Lab, strict: HelperServer, what: str, raw: bytes) -> None:
    before = lab.reached()
    r = post(strict, None, raw=raw)
    assert r.status_code == 400, (what, r.status_code, r.text)
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["error"]
    assert lab.reached() == before
    assert alive(strict)


def test_a_huge_body_is_413_with_json(strict: HelperServer) -> None:
    r = post(strict, None, raw=b"{" + b" " * 200_000 + b"}")
    assert r.status_code == 413 and "at most" in r.json()["error"]
    r = httpx.post(strict.url, content=iter([b"{}"]), headers=AUTH, timeout=5)  # chunked
    assert r.status_code == 411 and r.json()["error"]
    assert alive(strict)


def test_http_level_garbage_gets_json_too(strict: HelperServer) -> None:
    r = httpx.request("PUT", strict.url, content=b"{}", headers=AUTH, timeout=5)
    assert r.status_code == 501 and r.json()["error"]
    with socket.create_connection(_addr(strict), timeout=5) as s:
        s.sendall(b"NONSENSE\r\n\r\n")
        data = _read_all(s)
    assert b'"error"' in data
    assert alive(strict)


@pytest.mark.slow
def test_an_unexpected_fault_is_a_500_with_json_not_a_dropped_connection(
        lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: Any, **kw: Any) -> dict[str, Any]:
        raise RuntimeError("a bug")

    with lab.helper(ONLY_FIRST) as h:
        monkeypatch.setattr(control_server, "measure_control", broken)
        r = post(h, {"http_request": "http://first.test/"})
        assert r.status_code == 500 and "internal error" in r.json()["error"]
        assert "a bug" not in r.text  # details go to the helper's log, not to the client
        assert alive(h)


# -- floods and slow clients -------------------------------------------------------------


@pytest.mark.slow
def test_too_many_requests_from_one_client_get_429_with_retry_after(lab: Lab) -> None:
    with lab.helper(limiter=RateLimiter(rate_per_s=0.2, burst=3)) as h:
        codes = [httpx.get(h.url, timeout=5).status_code for _ in range(3)]
        r = post(h, {"http_request": "http://first.test/"}, headers=None)  # counts too
        assert codes == [200, 200, 200] and r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1 and "too many" in r.json()["error"]
        # another client address has its own bucket
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:
            assert other.get(h.url, timeout=5).status_code == 200


def test_rate_limiter_refills_and_groups_ipv6_by_64() -> None:
    now = [0.0]
    rl = RateLimiter(rate_per_s=2.0, burst=2, clock=lambda: now[0])
    assert [rl.take("192.0.2.1") for _ in range(2)] == [0.0, 0.0]
    assert rl.take("192.0.2.1") == pytest.approx(0.5)
    assert rl.take("192.0.2.2") == 0.0
    now[0] += 0.5
    assert rl.take("192.0.2.1") == 0.0
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    with pytest.raises(UsageError, match="--rate"):
        RateLimiter(rate_per_s=0)
    with pytest.raises(UsageError, match="--burst"):
        RateLimiter(burst=0)


def _addr(h: HelperServer) -> tuple[str, int]:
    return str(h.server_address[0]), int(h.server_address[1])


def _read_all(s: socket.socket, limit: float = 5.0) -> bytes:
    s.settimeout(limit)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            return data + b"<timeout>"
        if not chunk:
            return data
        data += chunk


@pytest.mark.slow
def test_a_slow_body_is_cut_off_with_408(lab: Lab) -> None:
    with lab.helper(read_deadline_s=0.5) as h:
        with socket.create_connection(_addr(h), timeout=5) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                      + b"\r\nContent-Length: 100\r\n\r\n{\"http_request\"")
            t0 = time.monotonic()
            data = _read_all(s)
        assert data.startswith(b"HTTP/1.1 408") and b'"error"' in data
        assert time.monotonic() - t0 < 4
        with socket.create_connection(_addr(h), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # headers that never end
            data = _read_all(s)
        assert b"<timeout>" not in data  # closed by the helper, not left hanging
        assert alive(h)


@pytest.mark.slow
def test_connections_beyond_the_cap_get_503(lab: Lab) -> None:
    with lab.helper(max_connections=2) as h:
        held = [socket.create_connection(_addr(h), timeout=5) for _ in range(2)]
        try:
            time.sleep(0.2)
            with socket.create_connection(_addr(h), timeout=5) as s:
                data = _read_all(s)
            assert data.startswith(b"HTTP/1.1 503") and b"busy" in data
        finally:
            for s in held:
                s.close()
        time.sleep(0.3)
        assert alive(h)


# -- the probe's side --------------------------------------------------------------------


def test_the_probe_records_a_refused_token_as_control_unauthorized(
        lab: Lab, first_only: HelperServer) -> None:
    [m] = run_probe(["http://first.test/"], lab.opts(control=first_only.url,
                                                      control_token="not-the-token-1234567"))
    assert m["test_keys"]["control_failure"] == CONTROL_UNAUTHORIZED
    [m] = run_probe(["http://first.test/"], lab.opts(control=first_only.url))  # none at all
    assert m["test_keys"]["control_failure"] == CONTROL_UNAUTHORIZED
    [m] = run_probe(["http://first.test/"], lab.opts(control=first_only.url,
                                                      control_token=TOKEN))
    assert m["test_keys"]["control_failure"] is None
    assert m["test_keys"]["control"]["http_request"]["title"] == "first page"


def test_the_probe_records_a_refused_target_as_control_refused(
        lab: Lab, strict: HelperServer) -> None:
    for url in ("http://first.test/", f"http://127.0.0.1:{lab.port}/"):
        [m] = run_probe([url], lab.opts(control=strict.url, control_token=TOKEN))
        assert m["test_keys"]["control_failure"] == CONTROL_REFUSED, url


@pytest.mark.slow
def test_the_probe_waits_out_the_rate_limit(lab: Lab) -> None:
    with lab.helper(ONLY_FIRST, limiter=RateLimiter(rate_per_s=2.0, burst=1)) as h:
        ms = run_probe(["http://first.test/a", "http://first.test/b"],
                       lab.opts(control=h.url, control_token=TOKEN))
    assert [m["test_keys"]["control_failure"] for m in ms] == [None, None]


# -- the address policy itself -----------------------------------------------------------


@pytest.mark.parametrize(("ip", "why"), [
    ("10.0.0.1", "private"), ("10.255.0.9", "private"), ("172.16.0.1", "private"),
    ("172.31.255.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("100.64.0.1", "shared"), ("100.127.0.1", "shared"),
    ("224.0.0.1", "multicast"), ("239.1.2.3", "multicast"), ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"), ("127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
    ("::ffff:10.0.0.1", "private"), ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("fc00::1", "private"), ("fd00::1", "private"), ("::1", "loopback"),
    ("ff02::1", "multicast"),
])
def test_the_helper_policy_refuses_every_non_public_range(lab: Lab, ip: str, why: str) -> None:
    reason = refusal(ip)
    assert reason is not None and reason.startswith(why)
    check = HelperPolicy().checker(lab.opts())
    assert check(ip, 443) == "address_not_public"
    assert check(ip, 80) == "address_not_public"
    assert HelperPolicy(allow_private=True).checker(lab.opts())(ip, 443) is None


def test_the_helper_policy_passes_public_addresses_on_web_ports_only(lab: Lab) -> None:
    check = HelperPolicy().checker(lab.opts())
    for ip in ("8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"):
        assert check(ip, 443) is None and check(ip, 80) is None
        assert check(ip, lab.port) is None  # the --port override is a web port too
        assert check(ip, 22) == "port_not_allowed"
        assert check(ip, 8080) == "port_not_allowed"
    assert ONLY_FIRST.address_refusal("127.0.0.1") is None
    assert ONLY_FIRST.address_refusal("127.0.0.2") == "loopback"


# -- the token file ----------------------------------------------------------------------


def test_a_token_is_generated_once_into_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "helper-token"
    tok = plan_token(None, path)
    assert tok.created and not path.exists()  # written only once the helper listens
    saved = save_token(tok)
    assert saved.created and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == tok.value and len(tok.value) >= 40
    again = plan_token(None, path)
    assert not again.created and again.value == tok.value


@pytest.mark.slow
def test_bad_tokens_and_token_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="shorter"):
        plan_token("short")
    with pytest.raises(UsageError, match="characters"):
        plan_token("has spaces in it 0123456789")
    with pytest.raises(UsageError, match="not both"):
        plan_token(TOKEN, tmp_path / "t")
    loose = tmp_path / "loose"
    loose.write_text(TOKEN)
    loose.chmod(0o644)
    with pytest.raises(ProbeError, match="chmod 600"):
        plan_token(None, loose)
    empty = tmp_path / "empty"
    empty.write_text("")
    empty.chmod(0o600)
    with pytest.raises(ProbeError, match="does not hold a token"):
        plan_token(None, empty)
    with pytest.raises(ProbeError, match="needs a token"):
        HelperServer("127.0.0.1", 0, ProbeOptions(), token="")


@pytest.mark.slow
def test_the_library_helper_is_safe_by_default(tmp_path: Path, lab: Lab) -> None:
    path = tmp_path / "helper-token"
    h = api.start_probe_helper("127.0.0.1:0", lab.opts(), token_file=path).start()
    try:
        assert h.token_info.created and path.read_text().strip() == h.token
        assert not h.policy.allow_private
        before = lab.reached()
        assert httpx.post(h.url, json={"http_request": "http://first.test/"},
                          timeout=5).status_code == 401
        r = httpx.post(h.url, json={"http_request": f"http://127.0.0.1:{lab.port}/"},
                       headers={"Authorization": f"Bearer {h.token}"}, timeout=5)
        assert r.status_code == 400 and lab.reached() == before
    finally:
        h.stop()


# -- the command line --------------------------------------------------------------------


def _env(cfg: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "UNTOLD_HELPER_TOKEN"}
    return {**env, "UNTOLD_CONFIG_DIR": str(cfg), "COLUMNS": "200", **extra}


def _start_helper_cli(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str],
                                                                     list[str]]:
    """Start ``untold helper``; its stderr lines up to "listening on"."""
    p = subprocess.Popen([sys.executable, "-m", "untold", "helper", "--listen", "127.0.0.1:0",
                          *args], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    assert p.stderr is not None
    lines: list[str] = []
    while True:
        line = p.stderr.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "listening on" in line:
            break
    return p, lines


def _stop(p: subprocess.Popen[str]) -> str:
    p.terminate()
    _, rest = p.communicate(timeout=10)
    return rest


@pytest.mark.slow
def test_cli_first_start_prints_the_token_once_and_keeps_it_private(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    p, lines = _start_helper_cli([], _env(cfg))
    _stop(p)
    path = cfg / "helper-token"
    token = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sum(token in ln for ln in lines) == 1, lines
    assert any(str(path) in ln and "only this once" in ln for ln in lines)
    assert "listening on http://127.0.0.1:" in lines[-1]
    p, lines = _start_helper_cli([], _env(cfg))
    url = lines[-1].rsplit(" ", 1)[1]
    try:
        assert not any(token in ln for ln in lines), lines
        assert any(str(path) in ln for ln in lines)
        r = httpx.post(url, json={"http_request": "http://first.test/"}, timeout=5,
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200  # the saved token is the one in use
    finally:
        _stop(p)


@pytest.mark.slow
def test_cli_allow_private_warns(tmp_path: Path) -> None:
    p, lines = _start_helper_cli(["--allow-private", "--token", TOKEN], _env(tmp_path))
    _stop(p)
    assert any(ln.startswith("warning: --allow-private") and "tests" in ln for ln in lines)
    assert not (tmp_path / "helper-token").exists()  # a given token is not written
    p, lines = _start_helper_cli([], _env(tmp_path, UNTOLD_HELPER_TOKEN=TOKEN))
    _stop(p)
    assert not any("warning" in ln for ln in lines)
    assert any("UNTOLD_HELPER_TOKEN" in ln for ln in lines) and not any(TOKEN in ln
                                                                        for ln in lines)


@pytest.mark.parametrize(("args", "words"), [
    (["--token", "short"], "shorter than 16"),
    (["--rate", "0"], "--rate"),
    (["--burst", "0"], "--burst"),
    (["--allow-port", "0"], "--allow-port"),
    (["--listen", "nowhere:80"], "--listen"),
])
@pytest.mark.slow
def test_cli_bad_helper_options_are_usage_errors(tmp_path: Path, args: list[str],
                                                 words: str) -> None:
    r = subprocess.run([sys.executable, "-m", "untold", "helper", *args], cwd=REPO,
                       env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.slow
def test_cli_probe_with_a_wrong_token_says_so(lab: Lab, first_only: HelperServer,
                                              tmp_path: Path) -> None:
    args = [sys.executable, "-m", "untold", "probe", "http://first.test/", "--system-resolver",
            lab.dns, "--port", f"http={lab.port}", "--timeout", "1", "--control",
            first_only.url, "--i-understand", "--format", "json"]
    r = subprocess.run([*args, "--token", "not-the-token-1234567"], cwd=REPO,
                       env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert CONTROL_UNAUTHORIZED in r.stderr and "--token" in r.stderr
    assert "Traceback" not in r.stderr
    rows = json.loads(r.stdout)  # the measurement is still printed (and kept)
    assert rows[0]["measurement"]["test_keys"]["control_failure"] == CONTROL_UNAUTHORIZED
    r = subprocess.run(args, cwd=REPO, env=_env(tmp_path, UNTOLD_HELPER_TOKEN=TOKEN),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["measurement"]["test_keys"]["control_failure"] is None
