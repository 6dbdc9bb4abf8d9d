"""Faults: a revisit killed with SIGKILL resumes without duplicates; `untold watch`
stops cleanly on SIGTERM; planning uses the index; bad [revisit] settings are errors."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.editable_outlet import BASE, EDITED, EditableOutlet, study_toml
from untold import api
from untold.config import load_study
from untold.errors import ConfigError
from untold.timeutil import from_iso, to_iso

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]
N = 24
H = 3600


def _count(db: Path, sql: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0  # not created yet


def _site(srv: EditableOutlet) -> None:
    srv.pages = {"base": ("Авария на шахте", BASE), "edited": ("Авария на шахте", EDITED)}
    for i in range(N):
        srv.add(f"/news/a{i}.html", [(0, ("page", "base")), (H / 2, ("page", "edited"))],
                published=f"2026-10-05T08:{i:02d}:00Z")


@pytest.mark.timeout(180)
def test_killed_revisit_resumes_without_duplicate_versions(tmp_path: Path) -> None:
    with EditableOutlet() as srv:
        _site(srv)
        study = tmp_path / "study.toml"
        study.write_text(study_toml(srv.port, per_host=1, facts=False), encoding="utf-8")
        assert api.collect(study).articles_new == N
        db = tmp_path / "archive" / "archive.sqlite"
        conn = sqlite3.connect(db)
        origin = from_iso(conn.execute("SELECT MAX(fetched_at) FROM articles").fetchone()[0])
        conn.close()
        assert origin is not None
        srv.origin = origin
        srv.at(1)
        srv.delay = 0.25  # one request at a time to the host: the pass takes ~6 s
        now = to_iso(srv.now) or ""
        proc = subprocess.Popen([*UNTOLD, "revisit", str(study), "--now", now], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while _count(db, "SELECT COUNT(*) FROM revisit_checks") < 4:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the revisit never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        done = _count(db, "SELECT COUNT(*) FROM revisit_checks")
        assert 4 <= done < N, "the kill came too late to test anything"
        srv.delay = 0.0
        again = api.revisit(study, now=srv.now)
        assert again.due == N - done  # what was stored is not redone
        conn = sqlite3.connect(db)
        per_article = conn.execute(
            "SELECT t.article_id, COUNT(DISTINCT c.id), COUNT(DISTINCT v.id), "
            "COUNT(DISTINCT e.id) FROM revisit_tracking t "
            "LEFT JOIN revisit_checks c ON c.article_id = t.article_id "
            "LEFT JOIN article_versions v ON v.article_id = t.article_id "
            "LEFT JOIN edit_events e ON e.article_id = t.article_id "
            "GROUP BY t.article_id").fetchall()
        conn.close()
        assert len(per_article) == N
        assert all(r[1:] == (1, 1, 1) for r in per_article), per_article
        check = api.archive_check(study)
        assert check.ok and all("truncated record" in n for n in check.notes), check.lines()


@pytest.mark.timeout(120)
def test_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    with EditableOutlet() as srv:
        _site(srv)
        study = tmp_path / "study.toml"
        study.write_text(study_toml(srv.port, facts=False), encoding="utf-8")
        db = tmp_path / "archive" / "archive.sqlite"
        proc = subprocess.Popen([*UNTOLD, "watch", str(study), "--interval", "1h"],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 60
        while _count(db, "SELECT COUNT(*) FROM runs WHERE kind='revisit' "
                         "AND finished_at IS NOT NULL") < 1:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no pass finished"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
        assert "stopped after 1 passes" in stdout
        assert _count(db, "SELECT COUNT(*) FROM articles") == N
        assert _count(db, "SELECT COUNT(*) FROM runs WHERE finished_at IS NULL") == 0


def test_due_planning_uses_the_index(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from untold.store import open_store

    store = open_store(tmp_path / "a.sqlite")
    try:
        plan = " ".join(str(r[3]) for r in store.conn.execute(  # type: ignore[attr-defined]
            "EXPLAIN QUERY PLAN SELECT article_id FROM revisit_tracking WHERE next_due <= ? "
            "ORDER BY next_due", (to_iso(datetime.now(UTC)),)))
        assert "revisit_due" in plan, plan
    finally:
        store.close()


@pytest.mark.parametrize("body,needle", [
    ('[revisit]\nschedule = ["1d", "1h"]\n', "must increase"),
    ('[revisit]\nschedule = ["1 fortnight"]\n', "not a duration"),
    ('[revisit]\nshedule = ["1h"]\n', "unknown key"),
])
def test_bad_revisit_settings_are_clear_errors(tmp_path: Path, body: str, needle: str) -> None:
    p = tmp_path / "s.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_study(p)
    assert needle in str(exc.value)
    assert "s.toml" in str(exc.value)


def test_bad_fact_query_names_the_fact(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text('[[stories]]\nid = "s"\ntitle = "S"\nquery = "шахт*"\n'
                 '[stories.facts]\ndeaths = \'"число погибших\'\n', encoding="utf-8")
    (tmp_path / "s-archive").mkdir()
    from untold.store import open_store

    open_store(tmp_path / "s-archive" / "archive.sqlite").close()
    with pytest.raises(ConfigError) as exc:
        api.analyze_edits(p)
    assert "fact 'deaths'" in str(exc.value)
