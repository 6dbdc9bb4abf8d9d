"""Rules on a small real archive: statistics checked against hand computations."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tests.support.archives.small import build
from untold import api
from untold.analyze.findings import RULES, RULES_VERSION
from untold.analyze.omissions import MIN_OUTLET_ARTICLES
from untold.errors import ConfigError

C = math.comb
pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, list[int]],
                                                                        list[Any]]]:
    study, ids = build(tmp_path_factory.mktemp("findings"))
    found = api.compute_findings(study)
    yield study, ids, found


def _one(found: list[Any], **kw: Any) -> Any:
    hits = [f for f in found if all(getattr(f, k) == v for k, v in kw.items())]
    assert len(hits) == 1, (kw, [(f.rule, f.subject, f.story_id) for f in found])
    return hits[0]


def test_omission_of_the_fact_matches_the_hand_computed_beta_binomial(archive: Any) -> None:
    _, ids, found = archive
    f = _one(found, rule="omission.outlet", subject="s1", story_id="video")
    # reference: i1..i3 (no group shared with s1), 24 of 30, rates alike -> one-sided
    # Fisher: 24 stating among 42 articles, 12 of them s1's: P(X = 0) = C(18,12) / C(42,12)
    p0 = C(24, 0) * C(18, 12) / C(42, 12)
    assert f.p_value == pytest.approx(p0 / 2, rel=1e-9)  # mid-p
    assert f.detail["method"] == "fisher_exact_one_sided_mid_p"
    assert f.effect == pytest.approx(0 - 24 / 30)
    assert f.ci_low < f.effect < f.ci_high <= 0
    assert f.kind == "omission" and f.rules_version == RULES_VERSION
    assert f.q_value <= f.thresholds["q_max"] == 0.05
    assert f.detail["reference_outlets"] == ["i1", "i2", "i3"]
    assert "12 articles" in f.sentence and "0 (0 %)" in f.sentence and "80 %" in f.sentence
    omits = {a for a, role in f.evidence if role == "omits"}
    assert omits == set(ids["s1:video"])
    states = {a for a, role in f.evidence if role == "states"}
    assert states and states <= set(ids["i1:video:fact"] + ids["i2:video:fact"]
                                    + ids["i3:video:fact"])


def test_one_article_is_not_evidence_and_nothing_else_is_found(archive: Any) -> None:
    study, _, found = archive
    assert not [f for f in found if f.subject == "s2"]  # 1 article, none stating: not judged
    assert {(f.story_id, f.kind, f.subject) for f in found} == {
        ("video", "omission", "s1"), ("video", "omission", "group:state"),
        ("elections", "silence", "group:state"), ("elections", "silence", "s1")}
    st = api.load(study)
    conn = sqlite3.connect(st.db_path)
    reasons = [json.loads(v)["reason"] for (v,) in conn.execute(
        "SELECT value FROM observations WHERE kind='not_tested' AND subject='s2' "
        "AND key='omission.outlet'")]
    assert reasons and f"at least {MIN_OUTLET_ARTICLES}" in reasons[0]
    conn.close()


def test_silence_after_the_event_matches_the_hypergeometric_tail(archive: Any) -> None:
    _, ids, found = archive
    # treated (state): 12 before, 0 after; control 9 and 9; exposures equal -> psi0 = 1
    p0 = C(12, 0) * C(18, 9) / C(30, 9)
    for subject in ("group:state", "s1"):
        f = _one(found, kind="silence", subject=subject, story_id="elections")
        assert f.p_value == pytest.approx(p0 / 2, rel=1e-6)
        assert f.effect == 0.0
        # exact upper bound: the odds psi at which P(0 after | margins, psi) = 2.5 %
        psi = f.ci_high
        p_zero = C(18, 9) / sum(C(12, x) * C(18, 9 - x) * psi ** x for x in range(10))
        assert p_zero == pytest.approx(0.025, rel=1e-3) and psi < 1
        assert f.detail["treated_before"] == 12 and f.detail["treated_after"] == 0
        assert {a for a, r in f.evidence if r == "before"} == set(ids["s1:elections"])
        assert "12, " in f.sentence or "before: 12" in f.sentence


def test_observations_are_stored_apart_from_findings(archive: Any) -> None:
    study, _, found = archive
    st = api.load(study)
    conn = sqlite3.connect(st.db_path)
    counts = {(s, k): json.loads(v) for s, k, v in conn.execute(
        "SELECT o.subject, o.key, o.value FROM observations o JOIN analysis_runs r "
        "ON o.run_id = r.id WHERE r.story_id='video' AND o.kind='fact_count'")}
    assert counts[("s1", "citizens")]["stating"] == 0
    assert counts[("s1", "citizens")]["articles"] == 12
    assert counts[("i2", "citizens")]["stating"] == 8
    shares = {s: json.loads(v) for s, v in conn.execute(
        "SELECT o.subject, o.value FROM observations o JOIN analysis_runs r ON o.run_id = r.id "
        "WHERE r.story_id='video' AND o.kind='fact_share' AND o.key='citizens'")}
    ind = shares["group:independent"]
    assert (ind["stating"], ind["articles"], ind["rate"]) == (24, 30, 0.8)
    z2 = 1.959963984540054 ** 2  # Wilson's interval by hand
    mid = (0.8 + z2 / 60) / (1 + z2 / 30)
    half = math.sqrt(0.8 * 0.2 / 30 + z2 / 3600) * math.sqrt(z2) / (1 + z2 / 30)
    assert ind["ci_low"] == pytest.approx(mid - half) and ind["ci_high"] == pytest.approx(
        mid + half)
    assert shares["group:state"]["stating"] == 0 and shares["group:state"]["articles"] == 13
    rows = conn.execute("SELECT rule, rules_version, thresholds FROM findings").fetchall()
    assert len(rows) == len(found)
    assert {r[0] for r in rows} <= {r.id for r in RULES} | {"silence.event_group",
                                                            "silence.event_outlet"}
    assert all(r[1] == RULES_VERSION and "q_max" in json.loads(r[2]) for r in rows)
    n_ev = conn.execute("SELECT COUNT(*) FROM finding_evidence").fetchone()[0]
    assert n_ev >= 12 + 12
    conn.close()


@pytest.mark.slow
def test_cli_json_lists_findings_with_their_fields(archive: Any) -> None:
    study, ids, _ = archive
    r = subprocess.run([sys.executable, "-m", "untold", "findings", str(study), "--stored",
                        "--format", "json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {tuple(sorted(x)) for x in rows} == {tuple(sorted(api.FINDING_FIELDS))}
    om = next(x for x in rows if x["rule"] == "omission.outlet")
    assert om["rule"] == "omission.outlet" and om["story"] == "video"
    assert set(ids["s1:video"]) <= set(om["evidence"])
    text = api.findings(study, fmt="csv")
    assert isinstance(text, str) and text.startswith("kind,rule,rules_version,story")
    with pytest.raises(ConfigError, match="no story with id 'nope'"):
        api.findings(study, story_ids=["nope"])


def test_rerun_keeps_earlier_runs_and_reads_the_newest(archive: Any) -> None:
    study, _, found = archive
    again = api.findings(study, story_ids=["video"])
    assert isinstance(again, list) and {x["subject"] for x in again} == {"s1", "group:state"}
    fresh = api.findings(study, story_ids=["video"], recompute=True)
    assert isinstance(fresh, list)
    assert {(x["subject"], x["p_value"]) for x in fresh} == {
        (f.subject, f.p_value) for f in found if f.story_id == "video"}
    conn = sqlite3.connect(api.load(study).db_path)
    runs = conn.execute("SELECT COUNT(*) FROM analysis_runs WHERE kind='findings' "
                        "AND story_id='video'").fetchone()[0]
    assert runs >= 2
    conn.close()


def test_a_bad_fact_query_is_one_clear_error(tmp_path: Path) -> None:
    study, _ = build(tmp_path)
    text = study.read_text(encoding="utf-8").replace('citizens = "граждан*"',
                                                      'citizens = "граждан* AND ("')
    study.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "untold", "findings", str(study)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr  # a malformed study is a failure, not a usage error
    assert "story 'video', fact 'citizens'" in r.stderr and "study.toml" in r.stderr
    assert "Traceback" not in r.stderr


def test_what_was_tested_is_reported(archive: Any) -> None:
    study, _, _ = archive
    rows = api.finding_tests(study, story_ids=["video"])
    s2 = [r for r in rows if r["subject"] == "s2" and r["rule"] == "omission.outlet"]
    assert len(s2) == 1 and not s2[0]["tested"] and s2[0]["p_value"] is None
    i1 = [r for r in rows if r["subject"] == "i1" and r["rule"] == "omission.outlet"]
    assert len(i1) == 1 and i1[0]["tested"] and i1[0]["p_value"] > 0.05
    # i1's reference mixes omitting and stating outlets (too few share no group with it):
    # so spread a reference can never make its count significant, and Tarone's screen
    # keeps it out of the multiplicity family
    assert i1[0]["detail"]["min_p"] > 0.05 and i1[0]["detail"]["in_family"] is False
    assert i1[0]["detail"]["method"] == "beta_binomial_mid_p"  # s1/s2 vs i2/i3 disagree
    s1 = next(r for r in rows if r["subject"] == "s1" and r["rule"] == "omission.outlet")
    assert s1["detail"]["in_family"] and s1["detail"]["q_value"] < 1e-3


@pytest.mark.slow
def test_cli_json_carries_each_findings_detail(archive: Any) -> None:
    """The fact, the event, the counts behind a finding and each evidence article's role
    are in the JSON (keys added to the earlier shape, none renamed)."""
    study, ids, found = archive
    r = subprocess.run([sys.executable, "-m", "untold", "findings", str(study), "--stored",
                        "--format", "json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    om = next(x for x in rows if x["rule"] == "omission.outlet" and x["subject"] == "s1")
    assert om["detail"]["fact"] == "citizens" and om["detail"]["query"] == "граждан*"
    assert om["detail"]["stating"] == 0 and om["detail"]["articles"] == 12
    assert om["detail"]["reference_outlets"] == ["i1", "i2", "i3"]
    roles = {e["article"]: e["role"] for e in om["evidence_roles"]}
    assert {a for a, role in roles.items() if role == "omits"} == set(ids["s1:video"])
    assert sorted(roles) == sorted(om["evidence"])
    sil = next(x for x in rows if x["rule"] == "silence.event_group")
    assert sil["detail"]["event"] == "warning" and sil["detail"]["treated_before"] == 12
    stored = _one(found, rule="omission.outlet", subject="s1", story_id="video")
    assert om["detail"]["q_value"] == pytest.approx(stored.detail["q_value"])


@pytest.mark.slow
def test_findings_all_lists_every_test_and_why_it_is_no_finding(archive: Any) -> None:
    """`findings --all`: every stored test, its numbers, whether it is a finding and,
    if not, why; the same in JSON and in the table."""
    study, _, found = archive
    r = subprocess.run([sys.executable, "-m", "untold", "findings", str(study), "--stored",
                        "--all", "--format", "json"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    st = api.load(study)
    conn = sqlite3.connect(st.db_path)
    latest = [rid for (rid,) in conn.execute(
        "SELECT MAX(id) FROM analysis_runs WHERE kind='findings' GROUP BY story_id")]
    n_stored = conn.execute(
        f"SELECT COUNT(*) FROM observations WHERE kind IN ('test', 'not_tested') AND run_id "
        f"IN ({','.join('?' * len(latest))})", latest).fetchone()[0]
    conn.close()
    assert len(rows) == n_stored > len(found)  # every test, not only the findings
    assert all(set(api.TEST_FIELDS) <= set(x) for x in rows)
    # exactly the findings are marked as such
    assert {(x["story"], x["rule"], x["subject"]) for x in rows if x["finding"]} == {
        (f.story_id, f.rule, f.subject) for f in found}
    for x in rows:
        assert x["finding"] == (not x["why"]), x
        assert set(x["why"]) <= set(api.WHY_CODES)
        assert (x["q_value"] is not None) == x["in_family"], x  # q only inside the family
        if "q_above_limit" in x["why"]:
            assert x["q_value"] > x["q_max"]
        if "not_tested" in x["why"]:
            assert not x["tested"] and x["p_value"] is None and x["reason"]
    by = {(x["story"], x["rule"], x["subject"]): x for x in rows}
    s2 = by[("video", "omission.outlet", "s2")]
    assert s2["why"] == ["not_tested"] and f"at least {MIN_OUTLET_ARTICLES}" in s2["why_not"]
    i1 = by[("video", "omission.outlet", "i1")]  # Tarone's screen: could never be significant
    assert "outside_family" in i1["why"] and i1["q_value"] is None and i1["p_value"] > 0.05
    assert "smallest attainable p" in i1["why_not"]
    s1 = by[("video", "omission.outlet", "s1")]
    assert s1["finding"] and s1["q_value"] < 1e-3 and s1["detail"]["fact"] == "citizens"
    quiet = by[("video", "silence.event_group", "group:state")]  # tested, q too high
    assert not quiet["finding"] and "q_above_limit" in quiet["why"]
    assert f"above the limit {quiet['q_max']:g}" in quiet["why_not"]
    # the table says the same, one row per test
    t = subprocess.run([sys.executable, "-m", "untold", "findings", str(study), "--stored",
                        "--all"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "COLUMNS": "400"})
    assert t.returncode == 0, t.stderr
    assert f"{len(rows)} tests: {len(found)} findings" in t.stdout
    assert "not tested: " in t.stdout and "outside the Tarone family" in t.stdout
    csv_text = api.finding_tests(study, fmt="csv")
    assert isinstance(csv_text, str) and csv_text.startswith(",".join(api.TEST_FIELDS))


@pytest.mark.slow
def test_analyze_json_gives_each_outlets_coverage_status(tmp_path: Path) -> None:
    """`analyze --format json`: per story, each outlet's coverage row (status, counts,
    fetches), the same rows the report's coverage table shows."""
    study, _ = build(tmp_path)
    r = subprocess.run([sys.executable, "-m", "untold", "analyze", str(study), "--format",
                        "json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    stories = {s["story"]: s for s in json.loads(r.stdout)}
    status = {c["outlet_id"]: c["status"] for c in stories["elections"]["coverage"]}
    # s2 published its six articles a day, none on the elections: silent
    assert status == {"s1": "covered", "s2": "silent", "i1": "covered", "i2": "covered",
                      "i3": "covered"}
    s2 = next(c for c in stories["elections"]["coverage"] if c["outlet_id"] == "s2")
    assert s2["matching"] == 0 and s2["total_in_window"] == 60 and s2["fetch_failed"] == 0
    assert stories["elections"]["silent"] == 1 and stories["elections"]["covered"] == 4
    report_rows = {res.story_id: [asdict(c) for c in res.coverage]
                   for res in api.story_results(study)}
    assert json.loads(json.dumps(report_rows["elections"])) == stories["elections"]["coverage"]
