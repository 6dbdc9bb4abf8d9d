"""Certificates made in the test run, for every test that needs TLS on loopback.

Two shapes of the same material, both from one certificate builder:

- ``make_tls`` (fetcher tests): a test CA, a ``news.example`` leaf it signs and a
  self-signed ``127.0.0.1``/``localhost`` certificate, as ready ``ssl`` contexts
  (``TlsMaterial``).
- ``make_certs`` (probe tests, the netns lab, the probe benchmark): a trusted test CA,
  a leaf for the given names (and their subdomains), and the same names signed by a
  censor's CA nobody trusts (TLS interception), as PEM files (``Certs``), since the
  servers that use them may run in another process.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Certificates outlive any test run (a slow session on two busy cores included) but are
# never long-lived: they are made per run and thrown away with its temporary folder.
VALID_FOR = dt.timedelta(days=2)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, sans: list[x509.GeneralName], ca: bool
          ) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(hours=1))
         .not_valid_after(now + VALID_FOR)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if ca:
        b = b.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                            critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(c: x509.Certificate) -> bytes:
    return c.public_bytes(serialization.Encoding.PEM)


def _keypem(k: ec.EllipticCurvePrivateKey) -> bytes:
    return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                           serialization.NoEncryption())


def _dns(names: list[str]) -> list[x509.GeneralName]:
    return [x509.DNSName(n) for n in names]


# --- ssl contexts for in-process servers (fetcher tests) ---------------------------

@dataclass
class TlsMaterial:
    ca_pem: bytes
    ca_context: ssl.SSLContext  # a client context trusting only the test CA
    server_context: ssl.SSLContext  # cert for news.example, signed by the test CA
    self_signed_context: ssl.SSLContext  # self-signed cert for 127.0.0.1 / localhost


def _server_ctx(tmp: Path, name: str, cert: x509.Certificate,
                key: ec.EllipticCurvePrivateKey) -> ssl.SSLContext:
    cf, kf = tmp / f"{name}.crt", tmp / f"{name}.key"
    cf.write_bytes(_pem(cert))
    kf.write_bytes(_keypem(key))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cf, kf)
    return ctx


def make_tls(tmp: Path) -> TlsMaterial:
    """A test CA, a news.example leaf it signs, and a self-signed 127.0.0.1 cert."""
    ca_key = _key()
    ca = _cert("untold test CA", ca_key, "untold test CA", ca_key, [], ca=True)
    leaf_key = _key()
    leaf = _cert("news.example", leaf_key, "untold test CA", ca_key, _dns(["news.example"]),
                 ca=False)
    ss_key = _key()
    ss = _cert("localhost", ss_key, "localhost", ss_key,
               [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
               ca=False)
    ca_pem = _pem(ca)
    client = ssl.create_default_context(cadata=ca_pem.decode())
    return TlsMaterial(ca_pem, client, _server_ctx(tmp, "leaf", leaf, leaf_key),
                       _server_ctx(tmp, "self", ss, ss_key))


# --- PEM files for servers in other processes (probe tests, netns lab) ----------------

@dataclass
class Certs:
    ca_file: Path  # the test CA clients are told to trust
    leaf_cert: Path  # signed by the test CA for every name given
    leaf_key: Path
    evil_cert: Path  # same names, signed by a CA nobody trusts (TLS interception)
    evil_key: Path

    def server_context(self, evil: bool = False) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if evil:
            ctx.load_cert_chain(self.evil_cert, self.evil_key)
        else:
            ctx.load_cert_chain(self.leaf_cert, self.leaf_key)
        return ctx


def make_certs(tmp: Path, names: list[str]) -> Certs:
    """A test CA and a leaf for ``names`` (plus *.names), and an untrusted look-alike."""
    tmp.mkdir(parents=True, exist_ok=True)
    sans = _dns([*names, *(f"*.{n}" for n in names)])
    ca_key, evil_ca_key = _key(), _key()
    ca = _cert("untold probe test CA", ca_key, "untold probe test CA", ca_key, [], ca=True)
    leaf_key = _key()
    leaf = _cert(names[0], leaf_key, "untold probe test CA", ca_key, sans, ca=False)
    evil_key = _key()
    evil = _cert(names[0], evil_key, "censor CA", evil_ca_key, sans, ca=False)
    out = Certs(tmp / "ca.pem", tmp / "leaf.pem", tmp / "leaf.key", tmp / "evil.pem",
                tmp / "evil.key")
    out.ca_file.write_bytes(_pem(ca))
    out.leaf_cert.write_bytes(_pem(leaf) + _pem(ca))
    out.leaf_key.write_bytes(_keypem(leaf_key))
    out.evil_cert.write_bytes(_pem(evil))
    out.evil_key.write_bytes(_keypem(evil_key))
    return out
