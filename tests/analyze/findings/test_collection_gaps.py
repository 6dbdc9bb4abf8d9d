"""Silences and collection gaps: an outlet untold could not reach is not called silent.

The archive is made by the real collector, pass by pass, from outlets served on
loopback with a simulated clock (``story_site``). ``feedonly`` is discovered through
its feed alone and refuses connections on the passes after the event, so its
articles of those days were never collected: read as they are, it "went quiet".
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.story_site import DAY0, DAYS, StorySite, study_toml
from untold import api
from untold.analyze.findings import evaluate
from untold.analyze.findings_data import load_story_data
from untold.analyze.observed import MIN_OBSERVED_SHARE
from untold.config import load_study
from untold.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
PASSES = (3, 8, DAYS)  # days of the window the collector runs; 8: feedonly refuses


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("gaps")
    study = dest / "study.toml"
    dead = _closed_port()
    with StorySite() as site:
        for n in PASSES:
            site.now = DAY0 + timedelta(days=n)
            study.write_text(study_toml(site.port, refused_port=dead if n == 8 else None),
                             encoding="utf-8")
            api.collect(load_study(study))
    return study


def _tests(study: Path, *, ignore_gaps: bool) -> tuple[list[Any], list[Any]]:
    st = load_study(study)
    store = open_store(st.db_path)
    try:
        data = load_story_data(store, st, st.stories[0])
        if ignore_gaps:
            data.observed = None  # as untold read the archive before it knew its gaps
        result = evaluate(data, store)
    finally:
        store.close()
    return result.tests, result.findings


def test_the_gap_alone_would_read_as_a_silence(collected: Path) -> None:
    # the test below could fail: without the observed days, the outlet is "silent"
    _, found = _tests(collected, ignore_gaps=True)
    assert "feedonly" in {f.subject for f in found if f.rule == "silence.event_outlet"}


def test_an_outlet_refusing_most_of_the_window_gets_no_silence_finding(collected: Path) -> None:
    tests, found = _tests(collected, ignore_gaps=False)
    assert [f for f in found if f.kind == "silence"] == [], [f.sentence for f in found]
    [t] = [t for t in tests if t.rule == "silence.event_outlet" and t.subject == "feedonly"]
    assert t.p_value is None
    share = t.detail["observed_share"]
    # observed: days 1-2 (the first pass) and 10-13 (the last): the feed lists 5 days,
    # from an item in the morning, and the pass on day 8 was refused
    assert share == pytest.approx(6 / DAYS)
    assert share < MIN_OBSERVED_SHARE
    assert t.reason.startswith(f"not tested: only {round(share * 100)} % of the window observed")
    assert t.detail["coverage"] == "observed"
    assert t.detail["listing_failures"] == {"connection_refused": 1}
    assert t.detail["unobserved_count"] == DAYS - 6
    # its group, half unobserved, is not judged either; its other outlet is, on the
    # days observed for every outlet compared (day 0 lies before every listing's oldest
    # item), with the share in its sentence
    [g] = [t for t in tests if t.rule == "silence.event_group"]
    assert g.p_value is None and "of the window observed" in g.reason
    assert g.detail["outlets_left_out"] == ["feedonly"]
    [m] = [t for t in tests if t.rule == "silence.event_outlet" and t.subject == "mapped"]
    assert m.p_value is not None and m.detail["days_compared"] == DAYS - 1
    assert f"on {DAYS - 1} of the window's {DAYS} days" in m.sentence
    # and any test naming it alone, omissions too, is withheld for the same reason
    for t in tests:
        if t.subject == "feedonly":
            assert t.p_value is None and "of the window observed" in t.reason, (t.rule, t)


def test_findings_all_and_cli_state_the_observed_share(collected: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "untold", "findings", str(collected),
                        "--format", "json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not [f for f in json.loads(r.stdout) if f["kind"] == "silence"]
    import sqlite3

    conn = sqlite3.connect(load_study(collected).db_path)
    rows = [json.loads(v) for (v,) in conn.execute(
        "SELECT value FROM observations WHERE kind='not_tested' AND subject='feedonly' "
        "AND key='silence.event_outlet'")]
    conn.close()
    assert rows and rows[-1]["detail"]["observed_share"] == pytest.approx(6 / DAYS)
    assert "of the window observed" in rows[-1]["reason"]


def test_an_imported_archive_still_analyses_with_coverage_unknown(collected: Path,
                                                                  tmp_path: Path) -> None:
    warcs = sorted((collected.parent / "archive" / "warc").glob("*.warc.gz"))
    study = tmp_path / "study.toml"
    study.write_text(study_toml(1), encoding="utf-8")  # never collected: imported only
    r = subprocess.run([sys.executable, "-m", "untold", "import", str(study), *map(str, warcs)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    tests, _ = _tests(study, ignore_gaps=False)
    silences = [t for t in tests if t.kind == "silence"]
    assert any(t.p_value is not None for t in silences)  # tested, as before
    for t in silences:
        assert t.detail["coverage"] == "unknown" and t.detail["observed_share"] is None
    [t] = [t for t in tests if t.rule == "silence.event_outlet" and t.subject == "feedonly"]
    assert "is unknown" in t.detail["coverage_note"] and "is unknown" in t.sentence
