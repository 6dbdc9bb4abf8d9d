"""TLS material handed to tests (plain data; made by tlsgen)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass


@dataclass
class TlsMaterial:
    ca_pem: bytes
    ca_context: ssl.SSLContext  # a client context trusting only the test CA
    server_context: ssl.SSLContext  # cert for news.example, signed by the test CA
    self_signed_context: ssl.SSLContext  # self-signed cert for 127.0.0.1 / localhost
