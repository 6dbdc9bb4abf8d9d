"""The issuer of a TLS certificate recorded in an OONI measurement.

OONI stores ``peer_certificates`` as ``{"format": "base64", "data": DER}``.
The issuer names who minted an intercepting certificate (a national CA, a
middlebox vendor), which is worth keeping in a ``tls_interception`` verdict.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

__all__ = ["issuer_of"]


def issuer_of(cert: Any) -> str | None:
    """RFC 4514 issuer of a base64 DER certificate, or None if it cannot be read."""
    if not isinstance(cert, dict) or not isinstance(cert.get("data"), str):
        return None
    try:
        der = base64.b64decode(cert["data"], validate=False)
    except (binascii.Error, ValueError):
        return None  # a damaged certificate: the verdict stands without its issuer
    try:
        from cryptography import x509
    except ImportError:
        return None  # cryptography is optional (dev extra); the issuer is a nicety
    try:
        return x509.load_der_x509_certificate(der).issuer.rfc4514_string()
    except ValueError:
        return None  # not DER: keep the verdict, drop the issuer
