"""`untold demo` as the README runs it: the whole pipeline on the bundled example, the
report's path as the last line, and every planted pattern found — nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

UNTOLD = [sys.executable, "-m", "untold"]
SCALE = "0.05"  # a twentieth of the ordinary news; the story and its patterns are whole


@pytest.mark.timeout(600)
def test_demo_finds_what_was_planted_and_prints_the_report_last(tmp_path: Path) -> None:
    dest = tmp_path / "demo"
    r = subprocess.run([*UNTOLD, "demo", str(dest), "--scale", SCALE], capture_output=True,
                       text=True, timeout=580, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    report = Path(r.stdout.strip().splitlines()[-1])
    assert report.suffix == ".html" and report.is_file()
    html = report.read_text(encoding="utf-8")
    assert "The execution video" in html and "Findings" in html
    assert "Traceback" not in r.stderr

    truth = json.loads((dest / "ground_truth.json").read_text(encoding="utf-8"))
    f = subprocess.run([*UNTOLD, "findings", str(dest / "study.toml"), "--format", "json"],
                       capture_output=True, text=True, timeout=300)
    assert f.returncode == 0, f.stderr
    found = json.loads(f.stdout)
    by_rule: dict[str, set[str]] = {}
    for x in found:
        by_rule.setdefault(x["rule"], set()).add(x["subject"])

    # the omission: exactly the outlets that leave the fact out
    assert by_rule.pop("omission.outlet") == set(truth["omission"]["outlets"])
    by_rule.pop("omission.group", None)  # their group as a whole, when it is clear enough
    # the silence after the warning: exactly the outlet that went quiet
    silent = by_rule.pop("silence.event_outlet")
    assert silent == {truth["silence"]["outlet"]}
    by_rule.pop("silence.event_group", None)
    # the edit that dropped the fact, and the deletions, each on the planted article
    edits = [x for x in found if x["kind"] == "edit"]
    assert edits and all(x["subject"] == truth["edits"][0]["outlet"] for x in edits)
    removed = [x for x in edits if x["rule"] == "edit.fact_removed"]
    assert len(removed) == 1 and truth["edits"][0]["fact"] in removed[0]["sentence"]
    deletions = {x["subject"] for x in found if x["kind"] == "deletion"}
    assert deletions == {d["outlet"] for d in truth["deletions"]}
    for rule in [k for k in by_rule if k.startswith(("edit.", "deletion."))]:
        by_rule.pop(rule)
    # nothing that was not planted
    assert by_rule == {}, by_rule
    _blocked_outlet_is_a_gap_not_a_silence(dest)


def _blocked_outlet_is_a_gap_not_a_silence(dest: Path) -> None:
    """The outlet blocked from mid-story on: its failed listings are recorded, the days
    it could not be reached are not observed, and no comparison counts them."""
    import sqlite3

    from untold.config import load_study
    from untold.demo import scenario as sc

    blocked, since, failure = sc.UNREACHABLE
    conn = sqlite3.connect(load_study(dest / "study.toml").db_path)
    try:
        failed = {f for (f,) in conn.execute(
            "SELECT failure FROM listing_observations WHERE outlet_id = ? AND ok = 0",
            (blocked,))}
        tests = [json.loads(v) for (v,) in conn.execute(
            "SELECT value FROM observations WHERE kind IN ('test', 'not_tested') "
            "AND key LIKE 'silence.%'")]
    finally:
        conn.close()
    assert failed == {failure}
    event = [t for t in tests if t["rule"] == "silence.event_outlet" and t["p_value"]]
    assert event and all(blocked in t["detail"]["outlets_left_out"] for t in event)
    for t in tests:  # every group holding it states how little of it was observed
        if t["rule"] == "silence.change_point" and t["subject"] == "group:international":
            assert t["detail"]["observed_share"] < 1 and t["detail"]["unobserved_count"] >= (
                sc.END - since).days
