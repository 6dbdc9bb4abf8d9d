"""`untold demo` as the README runs it: the whole pipeline on the bundled example, the
report's path as the last line, and every planted pattern found — nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

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
    _verdicts_match_the_planted_blocking(dest, truth)
    _report_shows_reachability_beside_coverage(html, truth)
    _coverage_counts_the_blocked_windows(dest, truth)


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


def _expected(row: dict[str, object], truth: dict[str, object]) -> str:
    """The class a verdict must have: the planted period's, else reachable."""
    planted = truth["blocking"] if row["source"] == "untold" else truth["ooni"]
    assert isinstance(planted, list)
    for p in planted:
        if (p["outlet"] == row["outlet_id"] and p["probe_asn"] == row["probe_asn"]
                and p["since"] <= str(row["measured_at"]) < p["until"]):
            return str(p["expect_class"])
    return "accessible"


def _verdicts_match_the_planted_blocking(dest: Path, truth: dict[str, object]) -> None:
    """Every measurement of untold's probe (the example ISP, with a real control) and of
    the bundled OONI data has the verdict the planted periods call for, and nothing else
    is reported: TLS reset and block page are blocking, the outage is not."""
    from collections import Counter

    from untold.config import load_study
    from untold.demo import scenario as sc
    from untold.store import open_store

    store = open_store(load_study(dest / "study.toml").db_path, readonly=True)
    try:
        rows = store.reachability()  # type: ignore[attr-defined]
    finally:
        store.close()
    untold_rows = [r for r in rows if r["source"] == "untold"]
    ooni_rows = [r for r in rows if r["source"] == "ooni"]
    # every outlet's home page at every probe time, dated at the example's clock
    assert len(untold_rows) == len(sc.OUTLETS) * len(sc.probe_times())
    assert {r["measured_at"] for r in untold_rows} == {
        t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in sc.probe_times()}
    assert ooni_rows and {r["probe_asn"] for r in ooni_rows} == {sc.OONI_NETWORK.asn}
    wrong = [(r["outlet_id"], r["source"], r["measured_at"], r["class"], _expected(r, truth))
             for r in rows if r["class"] != _expected(r, truth)]
    assert wrong == [], wrong[:10]
    seen = Counter((r["outlet_id"], r["class"]) for r in rows if r["class"] != "accessible")
    for p in [*truth["blocking"], *truth["ooni"]]:  # type: ignore[misc]
        assert seen[(p["outlet"], p["expect_class"])] > 0, p
    # blocking vs outage: the blocking verdicts say so, the outage's do not
    for r in rows:
        if r["class"] == "site_down":
            assert r["blocking"] is False and r["accessible"] is False
        elif r["class"] != "accessible":
            assert r["blocking"] not in (None, False), r
    for r in ooni_rows:  # OONI's own verdicts come along, side by side with untold's
        assert r["ooni_accessible"] is (r["class"] == "accessible")


def _report_shows_reachability_beside_coverage(html: str, truth: dict[str, object]) -> None:
    assert "No reachability measurements" not in html
    section = html[html.index('id="reachability"'):]
    for p in truth["blocking"]:  # type: ignore[attr-defined]
        assert p["expect_class"] in section
    assert "could not be reached" in html


def _coverage_counts_the_blocked_windows(dest: Path, truth: dict[str, object]) -> None:
    """The story's coverage rows carry the fetches (dated at the example's clock) and the
    days each planted outlet could not be reached; every other outlet was reachable."""
    a = subprocess.run([*UNTOLD, "analyze", str(dest / "study.toml"), "--format", "json"],
                       capture_output=True, text=True, timeout=300)
    assert a.returncode == 0, a.stderr
    stories = json.loads(a.stdout)
    stories = stories.get("stories", stories) if isinstance(stories, dict) else stories
    rows = {r["outlet_id"]: r for r in stories[0]["coverage"]}
    planted = {p["outlet"]: p for p in truth["blocking"]}  # type: ignore[attr-defined]
    for oid, r in rows.items():
        assert r["fetch_ok"] > 0, r  # fetches dated inside the window
        if oid not in planted:
            # (a revisit's read on a reused connection fails now and then, as it did before
            # the example was measured: rare, and never a planted failure kind)
            assert r["unreachable_days"] == 0 and r["fetch_failed"] <= r["fetch_ok"] / 100, r
            assert not {"connection_reset", "eof_error"} & set(r["failure_kinds"]), r
            assert r["reach_blocked"] == r["reach_down"] == 0 < r["reach_measured"], r
            continue
        assert r["unreachable_days"] > 0, r
        if planted[oid]["blocking"]:
            assert r["reach_blocked"] > 0 and r["reach_down"] == 0, r
        else:
            assert r["reach_down"] > 0 and r["reach_blocked"] == 0, r
    # the collector meets the TLS reset and the outage, not the DNS block (it maps names)
    for oid, p in planted.items():
        r = rows[oid]
        if p["kind"] == "tls_reset":
            assert r["failure_kinds"] == {"connection_reset": r["fetch_failed"]} != {}, r
        elif p["kind"] == "outage":
            assert r["fetch_failed"] > 0, r
        else:
            assert r["fetch_failed"] == 0, r
