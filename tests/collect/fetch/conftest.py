"""Fixtures for fetcher/WARC tests: hostile loopback servers and TLS material (the
helpers that run fetches and read WARCs back are in tests/support/fetching.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hostile_server import HostileServer
from tests.support.tls import TlsMaterial


@pytest.fixture()
def server() -> Iterator[HostileServer]:
    with HostileServer() as s:
        yield s


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    pytest.importorskip("cryptography", reason="TLS tests make certificates with cryptography")
    from tests.support.tls import make_tls

    return make_tls(tmp_path_factory.mktemp("tls"))
