"""``[fetch] ca_file``: CA certificates trusted besides the public roots (a lab, a local
mirror, the demo), relative to the study file, read when fetching starts.

A real TLS server on 127.0.0.1 with a certificate from a CA made in the test
(``untold.demo.censor.make_tls_files``); the collector through its real
transport, and the CLI as a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.support.fetching import fetch_one, settings
from untold.collect.failures import SSL_UNKNOWN_AUTHORITY
from untold.config import load_study
from untold.demo.censor import TlsFiles, make_tls_files, server_context
from untold.demo.listeners import TlsListener

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

HOST = "news.example"
PAGE = ("<html><head><title>Новости</title></head><body><h1>Новости</h1>"
        "<p>Главные новости дня.</p></body></html>").encode()


class _Page(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("lab-ca"), [HOST])


@pytest.fixture()
def site(tls_files: TlsFiles) -> Iterator[int]:
    srv = TlsListener(("127.0.0.1", 0), _Page, server_context(tls_files))
    srv.start()
    try:
        yield srv.port
    finally:
        srv.stop()


def test_the_lab_ca_is_trusted_only_with_ca_file(site: int, tls_files: TlsFiles,
                                                 tmp_path: Path) -> None:
    resolve = {HOST: f"127.0.0.1:{site}"}
    plain = fetch_one(settings(resolve=resolve, retries=0), tmp_path / "w1",
                      f"https://{HOST}/")
    assert plain.failure == SSL_UNKNOWN_AUTHORITY and plain.status is None
    lab = fetch_one(settings(resolve=resolve, ca_file=str(tls_files.ca_file)),
                    tmp_path / "w2", f"https://{HOST}/")
    assert lab.failure is None and lab.status == 200


def study_text(port: int, ca_file: str) -> str:
    return f"""[study]
name = "lab"
archive = "archive"

[fetch]
delay = 0.0
timeout = 5.0
retries = 0
resolve = {{ "{HOST}" = "127.0.0.1:{port}" }}
allow_private = true
ca_file = "{ca_file}"

[[outlets]]
id = "news"
name = "News"
domains = ["{HOST}"]
homepage = "https://{HOST}/"
"""


def untold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "untold", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=90)


def test_relative_ca_file_is_read_from_the_study_folder(site: int, tls_files: TlsFiles,
                                                        tmp_path: Path) -> None:
    study_dir = tmp_path / "study"
    (study_dir / "tls").mkdir(parents=True)
    (study_dir / "tls" / "lab.pem").write_bytes(tls_files.ca_file.read_bytes())
    study = study_dir / "study.toml"
    study.write_text(study_text(site, "tls/lab.pem"), encoding="utf-8")
    assert load_study(study).fetch.ca_file == str(study_dir / "tls" / "lab.pem")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = untold("collect", str(study), cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    import sqlite3

    with sqlite3.connect(study_dir / "archive" / "archive.sqlite") as db:
        got = db.execute("SELECT status, failure FROM captures WHERE url=?",
                         (f"https://{HOST}/",)).fetchall()
    assert got and all(row == (200, None) for row in got)


@pytest.mark.parametrize("content", [None, b"not a certificate\n", b"\xff\xfe binary",
                                     "directory"])
def test_a_bad_ca_file_is_one_clear_error(tmp_path: Path, content: bytes | str | None) -> None:
    ca = tmp_path / "lab.pem"
    if content == "directory":
        ca.mkdir()
    elif isinstance(content, bytes):
        ca.write_bytes(content)
    study = tmp_path / "study.toml"
    # nothing listens on port 9 of 127.0.0.1; the error comes before any connection
    study.write_text(study_text(9, "lab.pem"), encoding="utf-8")
    load_study(study)  # loading does not need the file: a study is read long after
    r = untold("collect", str(study), cwd=tmp_path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert str(ca) in lines[0] and "[fetch] ca_file" in lines[0], lines[0]
    assert "PEM file of CA certificates" in lines[0]  # the fix
