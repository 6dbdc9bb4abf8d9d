"""Silence rules on real SQLite archives: the side of a split that fell, and a drop that
began before the event it would be blamed on.

Six outlets over 30 days, each publishing ``PER_DAY`` articles a day (so the DiD's
exposure odds are 1); three carry the group "state", three carry no group. Every outlet
publishes two story articles a day, except the side that falls: from its drop day on,
one story article every other day (a quarter of its attention).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.archives.small import article, run_rules
from untold import api
from untold.config import load_study
from untold.store import open_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

PER_DAY = 4
DAYS = 30
START = datetime(2026, 2, 1, tzinfo=UTC)
OUTLETS = {"s1": "state", "s2": "state", "s3": "state", "o1": "", "o2": "", "o3": ""}

STUDY = """
[study]
name = "silence sides"
archive = "archive"

{outlets}

[[stories]]
id = "flood"
title = "The flood"
query = "наводнение"
start = 2026-02-01T00:00:00Z
end = 2026-03-03T00:00:00Z

[[events]]
id = "warning"
time = {event}
description = "a warning to state media"
groups = ["state"]
"""


def _build(dest: Path, falling: set[str], drop_day: int, event_day: int,
           light: bool = False) -> Path:
    """An archive where the outlets ``falling`` fall to a quarter from ``drop_day``
    (``light``: they publish one story article a day before it, one in four days after)."""
    dest.mkdir(parents=True, exist_ok=True)
    outlets_toml = "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "Outlet {o.upper()}"\ndomains = ["{o}.example"]\n'
        f'country = "KZ"\ngroups = [{f"{g!r}" if g else ""}]\n'.replace("'", '"')
        for o, g in OUTLETS.items())
    event = (START + timedelta(days=event_day, hours=9)).strftime("%Y-%m-%dT%H:%M:%SZ")
    study = dest / "study.toml"
    study.write_text(STUDY.format(outlets=outlets_toml, event=event), encoding="utf-8")
    st = load_study(study)
    store = open_store(st.db_path)
    store.sync_outlets(st.outlets)
    n = 0
    for k, o in enumerate(OUTLETS):
        for d in range(DAYS):
            story = 2 if o not in falling or d < drop_day else int((d + k) % 2 == 0)
            if light and o in falling:
                story = 1 if d < drop_day else int((d + k) % 4 == 0)
            for slot in range(PER_DAY):
                n += 1
                when = START + timedelta(days=d, hours=10 + slot)
                text = ("Наводнение в районе." if slot < story else "Погода тёплая.")
                store.add_articles([article(store, o, n, when, text + f" Материал {n}.")])
    store.close()
    return study


def test_the_others_falling_to_a_quarter_is_found_on_their_side(tmp_path: Path) -> None:
    # the "state" share only rises 0.5 -> 0.8 (1.6x, under the factor 2); the others'
    # share falls 0.5 -> 0.2: judged on the group's side alone, this was no finding
    study = _build(tmp_path, {"o1", "o2", "o3"}, drop_day=6, event_day=25)
    _, found = run_rules(study)
    [f] = [f for f in found if f.rule == "silence.change_point"]
    assert f.subject == "group:state-others"
    assert f.detail["side"] == "others" and f.detail["group_outlets"] == ["o1", "o2", "o3"]
    assert f.detail["change_day"] == "2026-02-07" and f.effect < 0.5
    assert "the outlets outside group “state”" in f.sentence
    assert f.detail["share_before"] > f.detail["share_after"]


def test_a_drop_nine_days_before_the_event_is_no_event_silence(tmp_path: Path) -> None:
    study = _build(tmp_path, {"s1", "s2", "s3"}, drop_day=11, event_day=20)
    tests, found = run_rules(study)
    assert not [f for f in found if f.rule.startswith("silence.event")]
    [t] = [t for t in tests if t.rule == "silence.event_group"]
    # the DiD alone would call it a silence after the event ...
    assert t.p_value is not None and t.p_value < 0.001 and t.big_enough
    # ... but the drop began on day 11, nine days before it
    pre = t.detail["drop_before_event"]
    assert pre["day"] == "2026-02-12" and pre["days_before_event"] == 9
    assert pre["share_after"] / pre["share_before"] <= 0.5
    # the change point still reports the drop, naming the event after it
    [cp] = [f for f in found if f.rule == "silence.change_point"]
    assert cp.subject == "group:state" and cp.detail["change_day"] == "2026-02-12"
    assert cp.detail["nearest_event"] == "warning" and cp.detail["days_from_event"] == -9
    stored = api.compute_findings(study)  # stored, then read back as `findings --all` does
    assert not [f for f in stored if f.rule.startswith("silence.event")]
    listed = api.finding_tests(study)
    assert isinstance(listed, list)
    rows = [r for r in listed if r["rule"] == "silence.event_group"]
    assert rows and all("drop_before_event" in r["why"] for r in rows)
    assert "9 days before the event" in rows[0]["why_not"]
    # each named outlet's own DiD is no event silence either: its own earlier drop, or
    # (an outlet rarely has the articles to show it) the named outlets' together
    outlet_tests = [t for t in tests if t.rule == "silence.event_outlet"
                    and t.p_value is not None and t.big_enough]
    assert outlet_tests and all("drop_before_event" in t.detail for t in outlet_tests)


def test_a_light_outlets_earlier_drop_is_shown_by_the_named_outlets_together(
        tmp_path: Path) -> None:
    study = _build(tmp_path, {"s1", "s2", "s3"}, drop_day=11, event_day=20, light=True)
    tests, found = run_rules(study)
    assert not [f for f in found if f.rule.startswith("silence.event")], [
        f.sentence for f in found]
    outlet_tests = [t for t in tests if t.rule == "silence.event_outlet"
                    and t.p_value is not None and t.big_enough]
    assert outlet_tests and all("drop_before_event" in t.detail for t in outlet_tests)


def test_a_drop_at_the_event_is_still_found(tmp_path: Path) -> None:
    study = _build(tmp_path, {"s1", "s2", "s3"}, drop_day=20, event_day=20)
    tests, found = run_rules(study)
    [f] = [f for f in found if f.rule == "silence.event_group"]
    assert f.subject == "group:state" and "drop_before_event" not in f.detail
    [cp] = [t for t in tests if t.rule == "silence.change_point"]
    assert cp.detail["explained_by_event"] == "warning"
