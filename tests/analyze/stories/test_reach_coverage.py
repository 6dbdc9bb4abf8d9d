"""Coverage rows carry each outlet's reachability in the story's window, and an outlet
measured blocked or down on most of it is "unreachable", not silent.

A real archive (``tests.support.archives.reach``: 30 days from 1 February) with
verdicts stored through the real store. ``o3`` and ``o2`` publish nothing on the story;
``o3`` is blocked from day 10 (two thirds of the window), ``o2`` from day 20 (a third).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.archives.reach import DAYS, KZ, build, day, measure, twice_daily
from untold import api
from untold.analyze.coverage import (
    UNREACHABLE_FAILED_SHARE,
    FetchCounts,
    ReachSummary,
    coverage_status,
    window_days,
)
from untold.analyze.results import CoverageRow
from untold.analyze.story_store import load_story_result
from untold.config import load_study
from untold.store import open_store

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build(tmp_path_factory.mktemp("reach-coverage"), stop={"s1"},
                 silent=frozenset({"o2", "o3"}))
    measure(path, "o3", twice_daily(0, 9), "accessible")
    measure(path, "o3", twice_daily(10, DAYS - 1), "blocked")
    measure(path, "o2", twice_daily(0, 19), "accessible")
    measure(path, "o2", twice_daily(20, DAYS - 1), "blockpage", source="ooni", network=KZ)
    measure(path, "s1", twice_daily(20, DAYS - 1), "blocked")
    measure(path, "o1", twice_daily(0, DAYS - 1), "accessible")
    measure(path, "o1", [day(5, 12)], "unknown")  # a failed control: no state
    return path


def _rows(study: Path) -> dict[str, CoverageRow]:
    [result] = api.analyze(study)
    return {r.outlet_id: r for r in result.coverage}


def test_status_unreachable_when_blocked_on_most_of_the_window(study: Path) -> None:
    rows = _rows(study)
    o3 = rows["o3"]
    assert o3.matching == 0 and o3.fetch_failed == 0  # its fetches all answered ...
    assert o3.status == "unreachable"  # ... but it was measured blocked on 21 of 30 days
    assert o3.unreachable_days == 21  # from the last reachable measurement (day 9, 18:00)
    assert (o3.reach_measured, o3.reach_blocked, o3.reach_down, o3.reach_accessible) == (
        60, 40, 0, 20)
    [p] = o3.reach_periods
    assert (p["state"], p["source"], p["classes"], p["count"]) == (
        "blocked", "untold", ["sni_filtering_reset"], 40)
    assert p["start"] == "2026-02-10T18:00:00Z" and p["end"] == "2026-03-03T18:00:00Z"
    # blocked on a third of the window: still silent (the silence tests leave its
    # blocked days out; the status is the window's)
    o2 = rows["o2"]
    assert o2.status == "silent" and o2.unreachable_days == 11
    assert o2.reach_blocked == 20
    assert o2.reach_periods[0]["network"] == "KZ AS65002 Another ISP"
    assert o2.reach_periods[0]["classes"] == ["dns_blockpage"]
    # covered wins: it published on the story, however long it was blocked
    assert rows["s1"].status == "covered" and rows["s1"].unreachable_days == 11
    # reachable throughout; the failed control counts as measured, in no state
    o1 = rows["o1"]
    assert (o1.reach_measured, o1.reach_accessible, o1.reach_periods) == (61, 60, [])
    assert o1.unreachable_days == 0 and o1.status == "covered"
    assert (rows["s2"].reach_measured, rows["s2"].reach_periods) == (0, [])


@pytest.mark.slow
def test_reach_fields_stored_and_in_json(study: Path) -> None:
    [result] = api.analyze(study)
    assert api.story_results(study) == [result]  # stored and read back as computed
    proc = subprocess.run([sys.executable, "-m", "untold", "analyze", str(study),
                           "--format", "json"], capture_output=True, text=True, timeout=240,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    [story] = json.loads(proc.stdout)
    o3 = {c["outlet_id"]: c for c in story["coverage"]}["o3"]
    assert o3["status"] == "unreachable" and o3["unreachable_days"] == 21
    assert (o3["reach_measured"], o3["reach_blocked"], o3["reach_down"]) == (60, 40, 0)
    assert o3["reach_periods"][0]["classes"] == ["sni_filtering_reset"]
    assert story["unreachable"] == 1


def test_rows_stored_before_reachability_still_load(study: Path) -> None:
    api.analyze(study)
    st = load_study(study)
    conn = sqlite3.connect(st.db_path)
    try:  # as a run stored by an older untold: no reach fields
        conn.execute("UPDATE observations SET value = json_remove(value, '$.unreachable_days', "
                     "'$.reach_measured', '$.reach_blocked', '$.reach_down', "
                     "'$.reach_accessible', '$.reach_periods') WHERE kind = 'coverage'")
        conn.commit()
    finally:
        conn.close()
    store = open_store(st.db_path)
    try:
        got = load_story_result(store, "flood")
    finally:
        store.close()
    assert got is not None
    o3 = {r.outlet_id: r for r in got.coverage}["o3"]
    assert (o3.unreachable_days, o3.reach_measured, o3.reach_periods) == (0, 0, [])
    assert o3.status == "unreachable"  # as it was stored


def test_coverage_status_by_unreachable_share() -> None:
    fine = FetchCounts(ok=10)
    over = UNREACHABLE_FAILED_SHARE + 0.01
    assert coverage_status(0, 5, fine, over) == "unreachable"
    assert coverage_status(0, 5, fine, UNREACHABLE_FAILED_SHARE) == "silent"
    assert coverage_status(1, 5, fine, 1.0) == "covered"
    assert coverage_status(0, 0, fine, over) == "unreachable"
    assert coverage_status(0, 0, fine) == "no_output"
    assert ReachSummary(unreachable_days=3, window_days=4).share == 0.75
    assert ReachSummary().share == 0.0


def test_window_days_are_the_utc_days_touched() -> None:
    from datetime import UTC, datetime

    assert window_days(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 3, tzinfo=UTC)) == [
        "2026-02-01", "2026-02-02"]
    assert window_days(datetime(2026, 2, 1, 12, tzinfo=UTC),
                       datetime(2026, 2, 2, 1, tzinfo=UTC)) == ["2026-02-01", "2026-02-02"]
