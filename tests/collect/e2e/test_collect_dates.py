"""End to end: `untold collect` and `untold analyze` on outlets whose dates are only days,
zone-less local times, or re-listed by the feed (issue 10, case 4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.dated_server import serve, study_toml
from untold import api
from untold.store import open_store

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*UNTOLD, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_dates_by_precision_and_zone_through_the_collector(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    with serve() as port:
        study.write_text(study_toml(port), encoding="utf-8")
        r = _run("collect", str(study), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
    try:
        rows = {url: rest for url, *rest in store.conn.execute(  # type: ignore[attr-defined]
            "SELECT url, published, published_precision, published_source, "
            "published_disagreement FROM articles")}
    finally:
        store.close()
    assert rows == {
        # the page gives only the day, the feed the time: the feed's time, never midnight
        "http://dayfeed.example/news/1.html": ["2026-10-01T03:40:00Z", "time", "feed", None],
        # 02:30 in Bishkek on the page's day is 20:30 UTC the day before
        "http://dayfeed.example/news/2.html": ["2026-09-30T20:30:00Z", "time", "feed", None],
        # the feed re-listed an old piece: the page's own metadata stands, both are kept
        "http://dayfeed.example/news/3.html": [
            "2026-09-20T00:00:00Z", "day", "meta",
            "page meta 2026-09-20 vs feed 2026-10-05T08:00:00Z"],
        # zone-less local times of a Kazakh outlet are UTC+5, across midnight too
        "http://kz.example/news/1.html": ["2026-10-01T03:30:00Z", "time", "meta", None],
        "http://kz.example/news/2.html": ["2026-10-01T21:00:00Z", "time", "meta", None],
        # a bare day from page and sitemap stays a day
        "http://dayonly.example/news/1.html": ["2026-10-01T00:00:00Z", "day", "time", None],
    }

    r = _run("analyze", str(study), "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (flood,) = json.loads(r.stdout)
    # the day-only article (00:00 UTC labels its day) never wins over a timed one that day
    assert (flood["first_outlet"], flood["first_time"]) == ("kz", "2026-10-01T03:30:00Z")
    # per outlet, as stored: the day-only outlet's first article and lag are in days
    (result,) = api.story_results(study)
    cov = {c.outlet_id: c for c in result.coverage}
    assert (cov["dayonly"].first_precision, cov["dayonly"].first_time) == (
        "day", "2026-10-01T00:00:00Z")
    assert (cov["dayonly"].lag_hours, cov["dayonly"].lag_days) == (None, 0)
    assert (cov["dayfeed"].lag_hours, cov["dayfeed"].lag_days) == (pytest.approx(10 / 60), None)
    assert [c.reprints for c in cov.values()] == [0, 0, 0]
    assert result.first_report is not None and result.first_report.outlet_id == "kz"
