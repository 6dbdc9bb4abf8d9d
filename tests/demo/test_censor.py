"""The example's censor network on loopback: its resolver by the clock, the block page
on 127.0.0.2, the outage on every listener, the TLS files and the SNI parser.

Real sockets, real TLS (``ssl``) and real DNS (dnspython) on 127.0.0.0/8 only.
"""

from __future__ import annotations

import os
import random
import socket
import ssl
import stat
import struct
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import httpx
import pytest
from cryptography import x509

from tests.support.tls_client import client_hello, tls_get, trusting
from untold.demo import scenario as sc
from untold.demo.censor import (
    BLOCK_PAGE_IP,
    CA_NAME,
    client_hello_sni,
    make_tls_files,
    server_context,
)
from untold.demo.generator import Ecosystem, generate
from untold.demo.server import DemoServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

DNS_PLAN = next(b for b in sc.BLOCKS if b.kind == "dns_blockpage")
OUTAGE = next(b for b in sc.BLOCKS if b.kind == "outage")


@pytest.fixture(scope="module")
def eco() -> Ecosystem:
    return generate(scale=0.05)


@pytest.fixture()
def server(eco: Ecosystem) -> Iterator[DemoServer]:
    with DemoServer(eco) as s:
        yield s


def ask(server: DemoServer, name: str, rdtype: str = "A") -> dns.message.Message:
    ip, port = server.dns_address.rsplit(":", 1)
    assert ip == "127.0.0.1"
    return dns.query.udp(dns.message.make_query(name, rdtype), ip, port=int(port), timeout=3)


def addresses(reply: dns.message.Message) -> list[str]:
    return [r.address for rrset in reply.answer for r in rrset
            if rrset.rdtype == dns.rdatatype.A]


def test_resolver_answers_by_the_clock(server: DemoServer) -> None:
    name = f"{DNS_PLAN.outlet_id}.example"
    assert server.dns_block_method == "blockpage" and server.block_address == BLOCK_PAGE_IP
    for now, expected in ((DNS_PLAN.since - timedelta(seconds=1), "127.0.0.1"),
                          (DNS_PLAN.since, BLOCK_PAGE_IP),
                          (DNS_PLAN.until - timedelta(seconds=1), BLOCK_PAGE_IP),
                          (DNS_PLAN.until, "127.0.0.1")):
        server.now = now
        reply = ask(server, name)
        assert reply.rcode() == dns.rcode.NOERROR and addresses(reply) == [expected], now
        # the other outlets are untouched by this block; the collector still finds it
        assert addresses(ask(server, "meridian.example")) == ["127.0.0.1"]
        assert server.discoverable(DNS_PLAN.outlet_id, now)
    server.now = DNS_PLAN.since
    for rdtype in ("AAAA", "MX", "TXT"):  # a name with IPv4 only: NOERROR, no answer
        reply = ask(server, name, rdtype)
        assert reply.rcode() == dns.rcode.NOERROR and not reply.answer, rdtype
    for unknown in ("nosuch.example", "example.com", f"www.{name}"):
        assert ask(server, unknown).rcode() == dns.rcode.NXDOMAIN, unknown
    # names are case-insensitive, as in any resolver
    assert addresses(ask(server, name.upper())) == [BLOCK_PAGE_IP]


def test_resolver_ignores_what_is_not_a_query(server: DemoServer) -> None:
    ip, port = server.dns_address.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.sendto(b"\x00garbage", (ip, int(port)))
        with pytest.raises(TimeoutError):
            s.recvfrom(4096)
    assert addresses(ask(server, "ordo.example"))  # and keeps serving


@pytest.mark.parametrize("block_ip", [None, "192.0.2.1"])
def test_without_a_block_page_the_resolver_answers_nxdomain(eco: Ecosystem,
                                                           block_ip: str | None) -> None:
    # None: asked for none; 192.0.2.1 (TEST-NET, not an address of this machine): the
    # bind fails as 127.0.0.2's does where 127.0.0.1 is the only loopback address
    with DemoServer(eco, block_ip=block_ip) as server:
        assert server.block_address is None and server.dns_block_method == "nxdomain"
        name = f"{DNS_PLAN.outlet_id}.example"
        server.now = DNS_PLAN.since - timedelta(seconds=1)
        assert addresses(ask(server, name)) == ["127.0.0.1"]
        server.now = DNS_PLAN.since
        assert ask(server, name).rcode() == dns.rcode.NXDOMAIN
        assert ask(server, name, "AAAA").rcode() == dns.rcode.NXDOMAIN
        assert addresses(ask(server, "meridian.example")) == ["127.0.0.1"]


def test_block_page_answers_every_request_at_its_address(server: DemoServer) -> None:
    assert server.block_address is not None
    base = f"http://{server.block_address}:{server.port}"
    with httpx.Client(timeout=10) as c:
        for method, path, host in (("GET", "/", "ordo.example"),
                                   ("GET", "/news/2026/10/09/a.html?x=1", "ordo.example"),
                                   ("POST", "/search", "anything.example"),
                                   ("GET", "/", "")):
            r = c.request(method, base + path, headers={"Host": host} if host else {})
            assert r.status_code == 200, (method, path)
            page = r.text
            assert f'href="https://{sc.BLOCK_PAGE_MARK}/' in page
            assert "Доступ к информационному ресурсу ограничен" in page  # Russian
            assert "Маалыматтык ресурска кирүү чектелген" in page  # Kyrgyz
        head = c.head(base + "/")
        assert head.status_code == 200 and not head.content
    # the site's own address does not serve it
    with httpx.Client(timeout=10) as c:
        r = c.get(f"http://127.0.0.1:{server.port}/", headers={"Host": "ordo.example"})
        assert r.status_code == 200 and sc.BLOCK_PAGE_MARK not in r.text


def plain_get(server: DemoServer, host: str) -> int:
    with httpx.Client(timeout=10) as c:
        return c.get(f"http://127.0.0.1:{server.port}/", headers={"Host": host}).status_code


def test_outage_closes_that_outlet_on_every_listener_in_its_period(server: DemoServer) -> None:
    host = f"{OUTAGE.outlet_id}.example"
    # an http outlet: the certificate does not name it, so the name is not checked here
    ctx = trusting(server, check_hostname=False)
    tls_ports = (server.tls_port, server.tls_direct_port)
    for now in (OUTAGE.since - timedelta(seconds=1), OUTAGE.until):
        server.now = now
        assert plain_get(server, host) == 200, now
        for port in tls_ports:
            assert tls_get(port, host, host, "/", ctx).startswith(b"HTTP/1.1 200"), now
        assert server.discoverable(OUTAGE.outlet_id)
    server.now = OUTAGE.since
    hits = server.hits[(host, "/")]
    # the request is read, then the connection closes with no answer (not a reset)
    with pytest.raises(httpx.RemoteProtocolError):
        plain_get(server, host)
    for port in tls_ports:  # after a completed handshake, from the censored path and not
        assert tls_get(port, host, host, "/", ctx) == b"", port
    assert server.hits[(host, "/")] == hits + 3
    assert server.discoverable(OUTAGE.outlet_id) == set()
    # the others are up meanwhile
    assert plain_get(server, "meridian.example") == 200
    for port in tls_ports:
        assert tls_get(port, "eurasia.example", "meridian.example", "/", ctx).startswith(
            b"HTTP/1.1 200")


def test_tls_files(tmp_path: Path, eco: Ecosystem) -> None:
    names = [o.domain for o in sc.OUTLETS if o.https]
    d = tmp_path / "tls"
    with DemoServer(eco, tls_dir=d) as server:
        assert server.ca_file == d / "example-ca.pem"
        assert server.ca_file.is_file()
    # files written where asked stay; the CA's private key was never written
    assert {p.name for p in d.iterdir()} == {"example-ca.pem", "leaf.pem", "leaf.key"}
    assert b"PRIVATE KEY" not in (d / "example-ca.pem").read_bytes()
    assert b"PRIVATE KEY" not in (d / "leaf.pem").read_bytes()
    assert stat.S_IMODE(os.stat(d / "leaf.key").st_mode) == 0o600
    ca = x509.load_pem_x509_certificate((d / "example-ca.pem").read_bytes())
    leaf = x509.load_pem_x509_certificate((d / "leaf.pem").read_bytes())
    assert ca.subject.rfc4514_string() == f"CN={CA_NAME}" and leaf.issuer == ca.subject
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(sans.get_values_for_type(x509.DNSName)) == sorted(names)
    now = datetime.now(UTC)
    for cert in (ca, leaf):  # TLS checks the real clock, not the example's
        assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
        assert cert.not_valid_after_utc - now > timedelta(days=300)
    # a rewrite over an old, readable key file leaves it private too
    (d / "leaf.key").chmod(0o644)
    make_tls_files(d, names)
    assert stat.S_IMODE(os.stat(d / "leaf.key").st_mode) == 0o600
    # without tls_dir: a temporary directory, gone after the run
    with DemoServer(eco) as server:
        tmp_ca = server.ca_file
        assert tmp_ca.is_file()
    assert not tmp_ca.parent.exists()


def test_the_server_leaves_no_thread_or_listener(eco: Ecosystem) -> None:
    before = set(threading.enumerate())
    with DemoServer(eco, now=sc.START) as server:  # before any block: every path answers
        ports = (server.port, server.tls_port, server.tls_direct_port)
        # an idle keep-alive client on every listener must not hold the exit
        plain = httpx.Client(base_url=f"http://127.0.0.1:{server.port}")
        assert plain.get("/", headers={"Host": "ordo.example"}).status_code == 200
        idle = []
        for port in ports[1:]:
            raw = socket.create_connection(("127.0.0.1", port))
            idle.append(trusting(server).wrap_socket(raw, server_hostname="eurasia.example"))
    assert set(threading.enumerate()) <= before
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    plain.close()
    for s in idle:
        s.close()


# -- the Client Hello's name ----------------------------------------------------------

def records(handshake: bytes, cut: int) -> bytes:
    """``handshake`` in two TLS records, split at ``cut`` (a fragmented Client Hello)."""
    def rec(body: bytes) -> bytes:
        return struct.pack("!BHH", 22, 0x0301, len(body)) + body
    return rec(handshake[:cut]) + rec(handshake[cut:])


def test_sni_of_real_client_hellos() -> None:
    for name in ("eurasia.example", "example.com", "a-very-long-label." * 10 + "example"):
        hello = client_hello(name)
        assert client_hello_sni(hello) == name
        # split over two records, anywhere in the message
        body = hello[5:]
        for cut in (1, 10, 60, len(body) - 1):
            assert client_hello_sni(records(body, cut)) == name, cut
        # the client's case does not matter (names are case-insensitive)
        assert client_hello_sni(client_hello(name.upper())) == name
    # no SNI: an IP address as the server name, or none at all
    assert client_hello_sni(client_hello("127.0.0.1")) is None
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    out = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), out)
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    assert client_hello_sni(out.read()) is None


def test_sni_parser_never_raises_on_garbage() -> None:
    hello = client_hello("eurasia.example")
    rng = random.Random(16)
    samples = [b"", b"\x16", b"\x16\x03\x01", b"GET / HTTP/1.1\r\nHost: eurasia.example\r\n\r\n",
               b"\x16\x03\x01\xff\xff" + b"\x01" * 40, b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",
               bytes(hello[:5]) + b"\x02" + hello[6:]]  # a ServerHello's type
    samples += [hello[:n] for n in range(len(hello))]  # every truncation
    samples += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
                for _ in range(300)]
    samples += [b"\x16\x03\x01" + bytes(rng.randrange(256) for _ in range(rng.randrange(600)))
                for _ in range(300)]
    for n in range(0, len(hello), 7):  # one byte flipped anywhere
        b = bytearray(hello)
        b[n] ^= 0xFF
        samples.append(bytes(b))
    for sample in samples:
        got = client_hello_sni(sample)
        assert got is None or isinstance(got, str)
    # a truncated hello gives the name only once the name itself is complete
    assert {client_hello_sni(hello[:n]) for n in range(len(hello))} <= {None, "eurasia.example"}
    # a name that is not ASCII (not a valid host name) is no name
    i = hello.index(b"eurasia.example")
    assert client_hello_sni(hello[:i] + "é".encode("latin-1") + hello[i + 1:]) is None


def test_server_context_serves_the_leaf(tmp_path: Path) -> None:
    files = make_tls_files(tmp_path, ["news.example"])
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        conn, _ = srv.accept()
        try:
            with server_context(files).wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"ok")
        except BaseException as exc:  # reported to the test
            errors.append(exc)

    t = threading.Thread(target=serve)
    t.start()
    ctx = ssl.create_default_context(cafile=str(files.ca_file))
    # strict chain checks too, as newer Pythons apply by default
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    with socket.create_connection(("127.0.0.1", port)) as raw, \
            ctx.wrap_socket(raw, server_hostname="news.example") as tls:
        assert tls.recv(2) == b"ok"
    t.join(10)
    srv.close()
    assert not errors
