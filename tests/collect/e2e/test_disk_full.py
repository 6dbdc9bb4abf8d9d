"""A full disk during `untold collect` and `untold import`: one message, exit 1, nothing
half-written, and a clean resume once space is back.

The archive lives on a small tmpfs mounted by the test (root only), filled with a ballast
file until little space is left; deleting the ballast is "space is back".
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.outlet_server import OUTLETS, OutletServer, study_toml
from untold import api

UNTOLD = [sys.executable, "-m", "untold"]
FS_SIZE = "8m"  # the whole small disk
LEFT_FOR_COLLECT = 300 * 1024  # free bytes left by the ballast: the run needs about 1.5 MB
LEFT_FOR_IMPORT = 150 * 1024


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_SIZE}", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(mnt: Path, leave: int) -> Path:
    """A ballast file that leaves about ``leave`` bytes free on ``mnt``."""
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    ballast = mnt / "ballast"
    with open(ballast, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return ballast


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _assert_one_disk_full_line(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "never retrieved" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "disk is full" in lines[0] or "No space left on device" in lines[0], lines[0]


def _counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as c:
        articles, urls = c.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone()
        caps = c.execute("SELECT COUNT(*) - COUNT(DISTINCT url) FROM captures "
                         "WHERE kind='article' AND failure IS NULL").fetchone()[0]
    return articles, urls, caps


@pytest.mark.slow
def test_collect_on_a_full_disk_stops_with_one_line_and_resumes(tmp_path: Path,
                                                               small_disk: Path) -> None:
    total = sum(n for _, n, _ in OUTLETS.values())
    with OutletServer() as site:
        study = tmp_path / "study.toml"
        study.write_text(study_toml(site.port, archive=str(small_disk / "archive"),
                                    broken=False), encoding="utf-8")
        api.open_archive(study).close()  # the archive exists (migrated) before space runs out
        ballast = _fill(small_disk, LEFT_FOR_COLLECT)
        r = _run("collect", str(study), cwd=tmp_path)
        _assert_one_disk_full_line(r)
        ballast.unlink()  # space is back
        r = _run("collect", str(study), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    articles, urls, dup_caps = _counts(small_disk / "archive" / "archive.sqlite")
    assert articles == urls == total
    assert dup_caps == 0  # no page was fetched and stored twice
    r = _run("check", str(study), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_import_on_a_full_disk_stops_with_one_line_and_resumes(tmp_path: Path,
                                                              small_disk: Path) -> None:
    with OutletServer() as site:  # a crawl to import: the collector's own WARC files
        src = tmp_path / "src.toml"
        src.write_text(study_toml(site.port, archive=str(tmp_path / "src"), broken=False),
                       encoding="utf-8")
        assert _run("collect", str(src), cwd=tmp_path).returncode == 0
    warcs = sorted(str(p) for p in (tmp_path / "src" / "warc").glob("*.warc.gz"))
    total = _counts(tmp_path / "src" / "archive.sqlite")[0]
    study = tmp_path / "study.toml"
    study.write_text(src.read_text(encoding="utf-8").replace(
        str(tmp_path / "src"), str(small_disk / "archive")), encoding="utf-8")
    api.open_archive(study).close()
    ballast = _fill(small_disk, LEFT_FOR_IMPORT)
    r = _run("import", str(study), *warcs, "--workers", "1", cwd=tmp_path)
    _assert_one_disk_full_line(r)
    ballast.unlink()
    r = _run("import", str(study), *warcs, "--workers", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    articles, urls, _ = _counts(small_disk / "archive" / "archive.sqlite")
    assert articles == urls == total
