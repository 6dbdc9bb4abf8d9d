"""`untold import` on real WARC files: the ones untold's own collector wrote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.outlet_server import OUTLETS, OutletServer, study_toml
from untold.store import open_store

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_import_collected_warcs_into_another_study(tmp_path: Path) -> None:
    with OutletServer() as site:
        crawl = tmp_path / "crawl.toml"
        crawl.write_text(study_toml(site.port, "crawl-archive", broken=False), "utf-8")
        assert run_cli("collect", str(crawl), cwd=tmp_path).returncode == 0
    warcs = sorted((tmp_path / "crawl-archive" / "warc").glob("*.warc.gz"))
    assert warcs
    total = sum(n for _, n, _ in OUTLETS.values())

    # a study naming only two of the outlets: the rest become uncurated outlets
    only = tmp_path / "two.toml"
    only.write_text('[study]\narchive = "two-archive"\n\n[[outlets]]\nid = "ru"\nname = "RU"\n'
                    'domains = ["ru.example"]\n\n[[outlets]]\nid = "kk"\nname = "KK"\n'
                    'domains = ["kk.example"]\n', "utf-8")
    r = run_cli("import", str(only), *map(str, warcs), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = open_store(tmp_path / "two-archive" / "archive.sqlite", readonly=True)
    assert s.count_articles() == total
    curated = dict(s.conn.execute("SELECT id, curated FROM outlets").fetchall())  # type: ignore[attr-defined]
    assert curated["ru"] == 1 and curated["kk"] == 1
    assert sum(1 for v in curated.values() if v == 0) == 2  # en.example, ky.example
    s.close()

    # importing again stores nothing twice
    r = run_cli("import", str(only), *map(str, warcs), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = open_store(tmp_path / "two-archive" / "archive.sqlite", readonly=True)
    assert s.count_articles() == total
    s.close()

    # --only-study-outlets keeps the study's two outlets and skips the others
    only2 = tmp_path / "only.toml"
    only2.write_text(only.read_text("utf-8").replace("two-archive", "only-archive"), "utf-8")
    r = run_cli("import", str(only2), "--only-study-outlets", *map(str, warcs), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = open_store(tmp_path / "only-archive" / "archive.sqlite", readonly=True)
    by = dict(s.conn.execute(  # type: ignore[attr-defined]
        "SELECT outlet_id, COUNT(*) FROM articles GROUP BY outlet_id").fetchall())
    assert by == {"ru": OUTLETS["ru.example"][1], "kk": OUTLETS["kk.example"][1]}
    r = run_cli("status", str(only2), cwd=tmp_path)
    assert r.returncode == 0 and "ru" in r.stdout
