"""`untold collect` fetches only the outlets' own sites, and only public addresses.

Case 2 of the hardening issue: a redirect from an outlet's page to an internal
address (127.0.0.2, localhost) was followed and the internal page stored as the
outlet's article. Now a redirect off the outlet's domains is recorded as
``redirect_off_site`` and its target never requested; and without ``[fetch]
allow_private = true`` nothing on loopback is connected to at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.internal_server import MARKER, InternalServer
from tests.support.outlet_site import OutletServer, article_html, study_toml
from untold.store import open_store

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]
REDIR = "redir.example"  # an outlet whose articles redirect


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


class RedirectingSite(OutletServer):
    """The demo site plus ``redir.example``, whose feed names four articles:
    0, 1 and 3 redirect to internal services, 2 moves to ``www.`` (on the site)."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: dict[str, str] = {}  # article path -> where it redirects

    def extra_host(self, h: Any, host: str, path: str) -> bool:
        if host not in (REDIR, f"www.{REDIR}"):
            return False
        if path == "/robots.txt":
            h.send(404, b"")
        elif path == "/rss.xml":
            items = "".join(f"<item><title>Item {i}</title><link>http://{REDIR}/news/{i}.html"
                            "</link></item>" for i in range(4))
            h.send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>r</title>'
                   f"{items}</channel></rss>".encode(), "application/rss+xml")
        elif host == REDIR and path in self.targets:
            h.send(302, b"", extra={"Location": self.targets[path]})
        elif host == f"www.{REDIR}" and path == "/news/2.html":
            h.send(200, article_html(REDIR, "en", 2).encode())
        else:
            h.send(404, b"not found")
        return True


@pytest.fixture()
def internal() -> Iterator[tuple[InternalServer, InternalServer]]:
    try:
        other = InternalServer("127.0.0.2")  # all of 127/8 is loopback on Linux
    except OSError:
        pytest.skip("cannot bind 127.0.0.2 here")
    with InternalServer("127.0.0.1") as local, other:
        yield local, other


def redirecting_study(tmp_path: Path, port: int) -> Path:
    text = study_toml(port, extra_hosts=(REDIR, f"www.{REDIR}"))
    assert "allow_private = true" in text  # a loopback study says so
    text += f"""
[[outlets]]
id = "redir"
name = "Redirecting News"
domains = ["{REDIR}"]
languages = ["en"]
homepage = "http://{REDIR}/"
feeds = ["http://{REDIR}/rss.xml"]
"""
    study = tmp_path / "study.toml"
    study.write_text(text, encoding="utf-8")
    return study


def test_redirect_off_the_outlets_domains_is_recorded_not_followed(
        tmp_path: Path, internal: tuple[InternalServer, InternalServer]) -> None:
    local, other = internal
    site = RedirectingSite()
    with site:
        site.targets = {
            "/news/0.html": f"http://127.0.0.2:{other.port}/secret.html",
            "/news/1.html": f"http://localhost:{local.port}/secret.html",
            "/news/2.html": f"http://www.{REDIR}/news/2.html",  # on the site: followed
            "/news/3.html": f"http://127.0.0.1:{local.port}/admin/",
        }
        study = redirecting_study(tmp_path, site.port)
        r = run_cli("collect", str(study), "--outlet", "redir", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert site.hits[(f"www.{REDIR}", "/news/2.html")] == 1
    # the internal services were never contacted
    assert (local.hits, local.accepts, other.hits, other.accepts) == (0, 0, 0, 0)

    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    conn = store.conn  # type: ignore[attr-defined]
    caps = {u: (s, f, d) for u, s, f, d in conn.execute(
        "SELECT url, status, failure, failure_detail FROM captures WHERE kind='article'")}
    for i in (0, 1, 3):
        status, failure, detail = caps[f"http://{REDIR}/news/{i}.html"]
        assert (status, failure) == (302, "redirect_off_site"), caps
        assert site.targets[f"/news/{i}.html"] in detail
    assert caps[f"http://{REDIR}/news/2.html"][1:] == (None, "")
    urls = [u for (u,) in conn.execute("SELECT url FROM articles WHERE outlet_id='redir'")]
    assert urls == [f"http://www.{REDIR}/news/2.html"]  # the on-site move is the article
    assert not conn.execute("SELECT 1 FROM articles WHERE text LIKE ? OR title LIKE ?",
                            (f"%{MARKER}%", f"%{MARKER}%")).fetchall()
    tries = dict(conn.execute("SELECT url, attempts FROM frontier WHERE outlet_id='redir'"))
    assert tries[f"http://{REDIR}/news/0.html"] == 1  # a failed attempt, like any failure
    store.close()

    # nothing of the internal page can be found or exported
    r = run_cli("search", str(study), MARKER, "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [] and MARKER not in r.stdout
    out = tmp_path / "articles.jsonl"
    r = run_cli("export", str(study), "--format", "jsonl", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    exported = out.read_text(encoding="utf-8")
    assert MARKER not in exported and "secret.html" not in exported
    assert f"http://www.{REDIR}/news/2.html" in exported
    r = run_cli("status", str(study), "--format", "json", cwd=tmp_path)
    rows = {row["outlet"]: row for row in json.loads(r.stdout)}
    assert rows["redir"]["failures"].get("redirect_off_site") == 3, rows["redir"]


def test_without_allow_private_a_loopback_outlet_is_refused(tmp_path: Path) -> None:
    with OutletServer() as site:
        text = study_toml(site.port)
        assert text.count("allow_private = true") == 1
        study = tmp_path / "study.toml"
        study.write_text(text.replace("allow_private = true", "allow_private = false"),
                         encoding="utf-8")
        r = run_cli("collect", str(study), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert not site.hits  # not one request: every connection was refused first

    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    conn = store.conn  # type: ignore[attr-defined]
    assert store.count_articles() == 0
    fails = conn.execute("SELECT failure, failure_detail, warc_file FROM captures").fetchall()
    assert fails and {f for f, _, _ in fails} == {"address_not_public"}
    assert all("127.0.0.1 is loopback" in d and "allow_private" in d for _, d, _ in fails)
    assert all(w for _, _, w in fails)  # each one is a measurement in the WARC
    store.close()
    # the same study file with the key set collects (the demo and tests set it)
    study.write_text(text, encoding="utf-8")
    with OutletServer() as site2:
        study.write_text(study_toml(site2.port), encoding="utf-8")
        r = run_cli("collect", str(study), "--outlet", "ru", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    assert store.count_articles() > 0
    store.close()
