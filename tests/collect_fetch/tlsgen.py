"""Certificates made in the test run: a CA, a leaf it signs, and a self-signed cert."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.collect_fetch.tlsmaterial import TlsMaterial


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
          issuer_key: ec.EllipticCurvePrivateKey, sans: list[x509.GeneralName],
          ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
         .issuer_name(issuer).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(hours=1))
         .not_valid_after(now + dt.timedelta(days=1))
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


def _server_ctx(tmp: Path, name: str, cert: x509.Certificate,
                key: ec.EllipticCurvePrivateKey) -> ssl.SSLContext:
    cf, kf = tmp / f"{name}.crt", tmp / f"{name}.key"
    cf.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    kf.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cf, kf)
    return ctx


def make_tls(tmp: Path) -> TlsMaterial:
    """A test CA, a news.example leaf it signs, and a self-signed 127.0.0.1 cert."""
    ca_key = _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "untold test CA")])
    ca = _cert("untold test CA", ca_key, ca_name, ca_key, [], ca=True)
    leaf_key = _key()
    leaf = _cert("news.example", leaf_key, ca_name, ca_key,
                 [x509.DNSName("news.example")], ca=False)
    ss_key = _key()
    ss_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    ss = _cert("localhost", ss_key, ss_name, ss_key,
               [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
               ca=False)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    client = ssl.create_default_context(cadata=ca_pem.decode())
    return TlsMaterial(ca_pem, client, _server_ctx(tmp, "leaf", leaf, leaf_key),
                       _server_ctx(tmp, "self", ss, ss_key))
