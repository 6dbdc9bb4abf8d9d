"""An outlet that could not be reached (blocked, or its site down, per measurements) is
never read as silent then, even when its listings were fetched fine.

``s1``, the one outlet the event names, publishes nothing on the story from the
event's day on. Without reachability measurements that is a silence after the event
(the first test: the others could fail). With measurements showing it blocked from that
day on (untold's probe, or imported OONI measurements from another network) its days
after the event are not observed, so no silence is found and the tests say why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.archives.reach import DAYS, KZ, STOP_DAY, build, measure, twice_daily
from tests.support.archives.small import run_rules
from untold.analyze.findings import coverage_gate
from untold.analyze.findings_data import RuleTest, load_story_data
from untold.config import load_study
from untold.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
S1_SUBJECTS = {"s1", "group:state"}


def _silences(found: list[Any]) -> set[str]:
    return {f.subject for f in found if f.kind == "silence"}


def _s1_test(tests: list[Any]) -> Any:
    [t] = [t for t in tests if t.rule == "silence.event_outlet" and t.subject == "s1"]
    return t


def test_without_measurements_the_stop_reads_as_a_silence(tmp_path: Path) -> None:
    study = build(tmp_path)
    # the outlet was measured reachable throughout: that changes nothing
    measure(study, "s1", twice_daily(0, DAYS - 1), "accessible")
    _, found = run_rules(study)
    assert S1_SUBJECTS & _silences(found), [f.sentence for f in found]


def test_blocked_after_the_event_gives_no_silence(tmp_path: Path) -> None:
    study = build(tmp_path)
    measure(study, "s1", twice_daily(0, STOP_DAY - 1), "accessible")
    measure(study, "s1", twice_daily(STOP_DAY, DAYS - 1), "blocked")
    tests, found = run_rules(study)
    assert not S1_SUBJECTS & _silences(found), [f.sentence for f in found]
    t = _s1_test(tests)
    assert t.p_value is None
    assert "could not be reached" in t.reason
    # blocked from the first blocked measurement back to the last reachable one (day 19,
    # 18:00) through the window's end: days 19-29
    assert t.detail["unreachable_count"] == {"s1": DAYS - STOP_DAY + 1}
    assert t.detail["unreachable_days"]["s1"][0] == "2026-02-20"
    assert "could not be reached" in t.detail["unreachable_note"]
    [p] = t.detail["unreachable_periods"]
    assert (p["state"], p["source"], p["classes"]) == ("blocked", "untold",
                                                       ["sni_filtering_reset"])
    # listings answered every day: only the unreachable days are unobserved
    assert t.detail["unobserved_count"] == DAYS - STOP_DAY + 1
    # the change-point series leaves s1 out (too little of the window observed)
    [cp] = [t for t in tests if t.rule == "silence.change_point"
            and t.subject == "group:state"]
    assert cp.p_value is None


def test_ooni_blocking_on_an_archive_of_unknown_coverage(tmp_path: Path) -> None:
    # no listing fetch recorded (an imported archive): the stop still reads as a silence
    plain = build(tmp_path / "plain", listings=False)
    _, found = run_rules(plain)
    assert S1_SUBJECTS & _silences(found)
    # ... unless OONI measurements from another network show the outlet blocked then
    study = build(tmp_path / "measured", listings=False)
    measure(study, "s1", twice_daily(STOP_DAY, DAYS - 1), "blocked", source="ooni",
            network=KZ)
    tests, found = run_rules(study)
    assert not S1_SUBJECTS & _silences(found), [f.sentence for f in found]
    t = _s1_test(tests)
    assert t.p_value is None and "could not be reached" in t.reason
    assert t.detail["coverage"] == "unknown"  # which other days were collected: unknown
    # no measurement before the first blocked one: MAX_EXTEND (a day) before it
    assert t.detail["unreachable_count"] == {"s1": DAYS - STOP_DAY + 1}
    [p] = t.detail["unreachable_periods"]
    assert (p["source"], p["network"]) == ("ooni", "KZ AS65002 Another ISP")


def test_a_short_outage_of_another_outlet_leaves_the_silence_found(tmp_path: Path) -> None:
    study = build(tmp_path)
    measure(study, "o1", twice_daily(0, 4), "accessible")
    measure(study, "o1", twice_daily(5, 6), "down")
    measure(study, "o1", twice_daily(7, DAYS - 1), "accessible")
    tests, found = run_rules(study)
    assert S1_SUBJECTS & _silences(found)
    t = _s1_test(tests)
    # o1 is counted on the days it could be reached only: 4 (18:00) to 7 (06:00) are out
    assert t.detail["comparison_days_unobserved"] == {"o1": 4}
    assert "unreachable_count" not in t.detail  # s1 itself was reachable throughout


def test_blocked_before_the_event_only_does_not_hide_the_silence(tmp_path: Path) -> None:
    # a block measured days before the event, and reachable again: the days after the
    # event are observed, and the silence stands (a block elsewhere hides nothing)
    study = build(tmp_path)
    measure(study, "s1", twice_daily(0, 9), "accessible")
    measure(study, "s1", twice_daily(10, 11), "blocked")
    measure(study, "s1", twice_daily(12, DAYS - 1), "accessible")
    tests, found = run_rules(study)
    assert S1_SUBJECTS & _silences(found)
    assert _s1_test(tests).detail["unreachable_count"] == {"s1": 4}



def test_other_tests_of_an_outlet_blocked_most_of_the_window_are_withdrawn(
        tmp_path: Path) -> None:
    # the coverage gate every other rule goes through (an omission, say): o3 blocked on
    # 21 of 30 days is observed on too little of the window to be tested
    study = build(tmp_path, silent=frozenset({"o3"}))
    measure(study, "o3", twice_daily(0, 9), "accessible")
    measure(study, "o3", twice_daily(10, DAYS - 1), "blocked")
    st = load_study(study)
    store = open_store(st.db_path)
    try:
        data = load_story_data(store, st, st.stories[0])
    finally:
        store.close()
    tests = [RuleTest("omission", "omission.outlet", o, "a sentence.", 0.001)
             for o in ("o3", "o2")]
    coverage_gate(data, tests)
    o3, o2 = tests
    assert o3.p_value is None and o3.detail["p_value_withdrawn"] == 0.001
    assert "on 21 of them it could not be reached" in o3.reason
    assert o3.detail["unreachable_count"] == {"o3": 21}
    assert o2.p_value == 0.001 and "unreachable_count" not in o2.detail
