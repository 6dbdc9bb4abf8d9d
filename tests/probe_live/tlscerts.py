"""Certificates made in the test run: a trusted test CA, a censor's CA, and leaves they sign."""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, names: list[str], ca: bool
          ) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(hours=1))
         .not_valid_after(now + dt.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                            critical=False)
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
    sans = [*names, *(f"*.{n}" for n in names)]
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
