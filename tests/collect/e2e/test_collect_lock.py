"""Two collectors on one study: the second stops with one line naming the first; a lock
left by a killed run is taken over. Nothing is fetched twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.outlet_server import OutletServer, study_toml
from untold.collect.runlock import RunLock, StudyBusyError

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]


def _wait_for_holder(lock: Path, timeout: float = 60.0) -> dict[str, object]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            info = json.loads(lock.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if info.get("pid"):
            return info
        time.sleep(0.05)
    raise AssertionError(f"nobody took {lock}")


def test_second_collect_is_refused_and_nothing_is_fetched_twice(tmp_path: Path) -> None:
    with OutletServer(article_delay=0.2) as site:
        study = tmp_path / "study.toml"
        study.write_text(study_toml(site.port, broken=False), encoding="utf-8")
        first = subprocess.Popen([*UNTOLD, "collect", str(study)], cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            info = _wait_for_holder(tmp_path / "archive" / ".collect.lock")
            assert info["pid"] == first.pid
            second = subprocess.run([*UNTOLD, "collect", str(study)], cwd=tmp_path,
                                    capture_output=True, text=True, timeout=120)
            assert second.returncode == 1, second.stderr
            lines = second.stderr.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in second.stderr, second.stderr
            assert "another 'untold collect' is running" in lines[0]
            assert f"pid {first.pid}" in lines[0]
            _, err = first.communicate(timeout=300)
            assert first.returncode == 0, err
        finally:
            if first.poll() is None:
                first.kill()
        articles = {p for (_h, p) in site.hits if p.startswith("/news/")}
        assert articles, "the first run fetched no article"
        twice = {k: n for k, n in site.hits.items() if k[1].startswith("/news/") and n > 1}
        assert not twice, twice
        # once the first run is done, a new run may start (and finds nothing new to fetch)
        again = subprocess.run([*UNTOLD, "collect", str(study)], cwd=tmp_path,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        twice = {k: n for k, n in site.hits.items() if k[1].startswith("/news/") and n > 1}
        assert not twice, twice


def test_lock_of_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from untold.collect.runlock import RunLock\n"
         "lock = RunLock(sys.argv[1], 'collect').acquire()\n"
         "print('held', flush=True)\n"
         "time.sleep(120)\n", str(archive)],
        stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StudyBusyError, match=f"pid {holder.pid}"):
            RunLock(archive, "collect").acquire()
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            holder.kill()
    # the dead run's note is still in the file, but its lock died with it
    assert (archive / ".collect.lock").read_text(encoding="utf-8")
    # and one process cannot take it twice
    with RunLock(archive, "collect"), pytest.raises(StudyBusyError):
        RunLock(archive, "collect").acquire()
    with RunLock(archive, "collect"):  # released on exit
        pass


def test_collect_and_revisit_locks_are_separate(tmp_path: Path) -> None:
    with RunLock(tmp_path, "collect"), RunLock(tmp_path, "revisit"):
        pass
