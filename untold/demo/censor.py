"""The example's simulated censor network: its TLS material, resolver and block page.

untold's probe measures the example's outlets from a network "behind a censor"
(``scenario.PROBE_NETWORK``), as a user's probe would from a censored ISP; the
parts here are what such a network has, on loopback:

* ``make_tls_files``: an "untold example CA", made at run time, and one leaf
  certificate for the https outlets. Only the CA certificate is public (a study
  trusts it with ``[fetch] ca_file``); the CA's private key never touches the disk,
  so nothing can sign another certificate under it after the run.
* ``client_hello_sni``: the server name a TLS Client Hello asks for, which is
  what an SNI-filtering middlebox reads before it resets the connection.
* ``Resolver``: the network's DNS resolver (UDP, dnspython) whose answers come
  from a function of the name, so ``DemoServer`` decides them by its clock.
* ``BlockPageServer``: the page the resolver's block answer points to, with the
  wording of a national block page (Russian and Kyrgyz) and a link to the
  regulator's registry (``scenario.BLOCK_PAGE_MARK``), served for every request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import selectors
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from untold.demo import scenario as sc
from untold.demo.listeners import Listener

__all__ = [
    "BLOCK_PAGE_HTML", "BLOCK_PAGE_IP", "CA_NAME", "BlockPageServer", "Resolver", "TlsFiles",
    "client_hello_sni", "make_tls_files", "peek_client_hello", "server_context",
]

CA_NAME = "untold example CA"
# TLS checks the real wall clock (not the example's): valid from a little before now,
# so a client whose clock is slightly behind still accepts it, for a year of reruns
CERT_NOT_BEFORE = dt.timedelta(hours=1)
CERT_LIFETIME = dt.timedelta(days=365)
# the block page's own address: another loopback address, as a block page is another
# host than the site; the same port numbers as the example's (the probe uses one per scheme)
BLOCK_PAGE_IP = "127.0.0.2"
DNS_TTL = 0  # the example's clock jumps between runs: answers must not be cached
TLS_RECORD_HEADER = 5  # content type (1), version (2), length (2)
TLS_HANDSHAKE = 22  # record content type of handshake messages
CLIENT_HELLO = 1  # handshake message type
SNI_EXTENSION = 0  # extension type server_name (RFC 6066)
HOST_NAME = 0  # server_name entry type host_name
# a Client Hello is one or a few records; more than this is not one worth waiting for
MAX_HELLO_BYTES = 4 * (16_384 + TLS_RECORD_HEADER)
HELLO_POLL_S = 0.005  # while a Client Hello is still arriving, look again this often
DNS_MAX_DATAGRAM = 4096  # EDNS sizes in use; queries are far smaller


# -- TLS material -------------------------------------------------------------------


@dataclass(frozen=True)
class TlsFiles:
    """Where ``make_tls_files`` wrote: the CA certificate (public) and the leaf's pair."""

    ca_file: Path
    cert_file: Path
    key_file: Path  # mode 0600


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_tls_files(directory: str | Path, names: Sequence[str]) -> TlsFiles:
    """A fresh example CA and a leaf certificate for ``names`` (DNS SANs), in ``directory``.

    The extensions are those strict verifiers (X509_STRICT) require, so every
    TLS client untold uses accepts the chain once it trusts the CA.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(_name(CA_NAME)).issuer_name(_name(CA_NAME))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - CERT_NOT_BEFORE).not_valid_after(now + CERT_LIFETIME)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(
              digital_signature=True, key_cert_sign=True, crl_sign=True,
              content_commitment=False, key_encipherment=False, data_encipherment=False,
              key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(_name(names[0] if names else CA_NAME)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - CERT_NOT_BEFORE).not_valid_after(now + CERT_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=False, crl_sign=False,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_ski), critical=False))
    if names:
        leaf = leaf.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    signed = leaf.sign(ca_key, hashes.SHA256())
    out = TlsFiles(d / "example-ca.pem", d / "leaf.pem", d / "leaf.key")
    out.ca_file.write_bytes(_pem(ca))
    out.cert_file.write_bytes(_pem(signed))
    # the key is created private (0600), never world-readable even for an instant
    fd = os.open(out.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)  # an older file of the same name keeps its mode
        fh.write(key.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    return out


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """A server context presenting the leaf certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files.cert_file, files.key_file)
    return ctx


# -- reading the Client Hello ---------------------------------------------------------


def _hello_bytes(data: bytes) -> tuple[bytes, int | None]:
    """The handshake bytes in the leading TLS records of ``data``, and how many bytes
    of ``data`` the whole Client Hello takes (None: ``data`` is not a TLS handshake)."""
    if not data or data[0] != TLS_HANDSHAKE:
        return b"", None
    body = bytearray()
    pos = 0
    while True:
        if pos + TLS_RECORD_HEADER > len(data):
            return bytes(body), pos + TLS_RECORD_HEADER  # the next header is still to come
        ctype, _, length = struct.unpack_from("!BHH", data, pos)
        if ctype != TLS_HANDSHAKE:
            return bytes(body), pos  # the handshake records end here: nothing more to wait for
        end = pos + TLS_RECORD_HEADER + length
        body += data[pos + TLS_RECORD_HEADER:end]
        if end > len(data):
            return bytes(body), end
        if len(body) >= 4 and len(body) >= 4 + int.from_bytes(body[1:4], "big"):
            return bytes(body), end
        pos = end


def client_hello_sni(data: bytes) -> str | None:
    """The host name in the SNI extension of the TLS Client Hello at the start of
    ``data`` (lowercase, no trailing dot), or None: no Client Hello, no SNI, a
    truncated or malformed message. Never raises."""
    try:
        return _sni(_hello_bytes(bytes(data))[0])
    except (IndexError, ValueError, struct.error):
        return None


def _sni(hs: bytes) -> str | None:
    if len(hs) < 4 or hs[0] != CLIENT_HELLO:
        return None
    end = min(len(hs), 4 + int.from_bytes(hs[1:4], "big"))
    pos = 4 + 2 + 32  # client_version, random
    pos += 1 + hs[pos]  # session_id
    pos += 2 + int.from_bytes(hs[pos:pos + 2], "big")  # cipher_suites
    pos += 1 + hs[pos]  # compression_methods
    if pos + 2 > end:
        return None  # no extensions
    ext_end = min(end, pos + 2 + int.from_bytes(hs[pos:pos + 2], "big"))
    pos += 2
    while pos + 4 <= ext_end:
        etype, elen = struct.unpack_from("!HH", hs, pos)
        pos += 4
        if etype == SNI_EXTENSION:
            lst_end = min(pos + elen, pos + 2 + int.from_bytes(hs[pos:pos + 2], "big"))
            q = pos + 2
            while q + 3 <= lst_end:
                kind, nlen = hs[q], int.from_bytes(hs[q + 1:q + 3], "big")
                raw = hs[q + 3:q + 3 + nlen]
                if kind == HOST_NAME and len(raw) == nlen and nlen:
                    name = raw.decode("ascii").lower().rstrip(".")
                    return name or None
                q += 3 + nlen
            return None
        pos += elen
    return None


def peek_client_hello(sock: socket.socket, timeout: float) -> bytes:
    """The first bytes the client sent, without taking them from the socket (MSG_PEEK),
    waited for until a whole Client Hello is there, the peer stops, or ``timeout``.

    Whatever is read stays queued for the TLS handshake that follows. b"" when
    the client sent nothing in time or closed.
    """
    deadline = time.monotonic() + timeout
    data = b""
    try:
        sock.settimeout(timeout)
        while True:
            data = sock.recv(MAX_HELLO_BYTES, socket.MSG_PEEK)
            if not data:
                return b""
            _, need = _hello_bytes(data)
            if need is None or len(data) >= min(need, MAX_HELLO_BYTES):
                return data
            left = deadline - time.monotonic()
            if left <= 0:
                return data
            time.sleep(min(HELLO_POLL_S, left))  # the rest is on its way
    except OSError:  # timed out, or the client is gone
        return data


# -- the network's resolver -----------------------------------------------------------


class Resolver:
    """A UDP DNS server on ``host`` (127.0.0.1, a random port) in a background thread.

    ``answer(name)`` decides: a list of IPv4 addresses (A answers; other types get
    NOERROR with no answer), or None for NXDOMAIN. Use as a context manager.
    """

    def __init__(self, answer: Callable[[str], list[str] | None], *,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind((host, port))
        except OSError:
            self.sock.close()
            raise
        self.sock.setblocking(False)
        self.address = "{}:{}".format(*self.sock.getsockname()[:2])
        self.queries = 0
        self._wake_r, self._wake_w = socket.socketpair()
        self.thread = threading.Thread(target=self._serve, name="untold-demo-dns", daemon=True)

    def __enter__(self) -> Resolver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.thread.is_alive():
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")
            self.thread.join(5)
        for s in (self.sock, self._wake_r, self._wake_w):
            s.close()

    def reply(self, wire: bytes) -> bytes | None:
        """The answer to one query datagram (None: not a query, it is ignored)."""
        try:
            q = dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError):
            return None  # not DNS: a real resolver drops it too
        if q.flags & dns.flags.QR or len(q.question) != 1:
            return None
        r = dns.message.make_response(q)
        r.flags |= dns.flags.RA
        question = q.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        addrs = self.answer(name)
        if addrs is None:
            r.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.A and question.rdclass == dns.rdataclass.IN:
            r.answer.append(dns.rrset.from_text_list(question.name, DNS_TTL, "IN", "A", addrs))
        return r.to_wire()

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(self.sock, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in sel.select()}
                if self._wake_r in ready:
                    return
                try:
                    wire, peer = self.sock.recvfrom(DNS_MAX_DATAGRAM)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    return  # closed under us
                self.queries += 1
                out = self.reply(wire)
                if out is not None:
                    with contextlib.suppress(OSError):
                        self.sock.sendto(out, peer)


# -- the block page -------------------------------------------------------------------

# a fictional regulator's page in the wording national block pages use (access restricted
# under the law, the decision listed in a registry, how to appeal); the link to the
# registry is what the example's block-page fingerprint matches
BLOCK_PAGE_HTML = f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<!-- the untold example's simulated censor: the regulator and its registry are fictional -->
<title>Доступ ограничен · Кирүү чектелген</title>
</head>
<body>
<h1>Доступ к информационному ресурсу ограничен</h1>
<p>Доступ к запрашиваемому ресурсу ограничен по решению уполномоченного государственного
органа в соответствии с законом «Об информации».</p>
<p>Сведения о решении и о порядке его обжалования опубликованы в Едином реестре
ограниченных ресурсов: <a href="https://{sc.BLOCK_PAGE_MARK}/?lang=ru">{sc.BLOCK_PAGE_MARK}</a>.</p>
<hr>
<h1 lang="ky">Маалыматтык ресурска кирүү чектелген</h1>
<p lang="ky">Суралган ресурска кирүү ыйгарым укуктуу мамлекеттик органдын чечими менен
«Маалымат жөнүндө» мыйзамга ылайык чектелген.</p>
<p lang="ky">Чечим жана ага даттануу тартиби тууралуу маалымат чектелген ресурстардын
бирдиктүү реестринде жарыяланган: <a href="https://{sc.BLOCK_PAGE_MARK}/?lang=ky">{sc.BLOCK_PAGE_MARK}</a>.</p>
<p><small>Агентство по надзору в сфере связи и информации ·
Байланыш жана маалымат чөйрөсүндөгү көзөмөл агенттиги</small></p>
</body>
</html>
"""


class _BlockPageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _page(self, *, body: bool) -> None:
        data = BLOCK_PAGE_HTML.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(data)
        self.close_connection = True

    def do_GET(self) -> None:
        self._page(body=True)

    def do_POST(self) -> None:
        self._page(body=True)

    def do_HEAD(self) -> None:
        self._page(body=False)


class BlockPageServer(Listener):
    """The block page for every request, on ``(ip, port)``; raises OSError when the
    address cannot be bound (e.g. a machine with 127.0.0.1 as its only loopback)."""

    def __init__(self, ip: str, port: int) -> None:
        super().__init__((ip, port), _BlockPageHandler, name="untold-demo-blockpage")
