"""On the generated ecosystem: the planted omission and silence are found, nothing else;
with nothing planted, nothing is found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from untold import api
from untold.demo.bulk import fill_archive

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
N_ARTICLES = 3000  # ordinary articles besides the story's: a few seconds to write


def build(dest: Path, *, patterns: bool) -> tuple[Path, dict[str, Any]]:
    (dest / "archive").mkdir(parents=True)
    res = fill_archive(dest / "archive" / "archive.sqlite", n_articles=N_ARTICLES,
                       patterns=patterns)
    (dest / "study.toml").write_text(res["study_toml"], encoding="utf-8")
    return dest / "study.toml", res["truth"]


def _allowed(f: Any, truth: dict[str, Any], groups: dict[str, set[str]]) -> bool:
    """A finding is about a planted pattern: the omitted fact by an omitting outlet (or
    a group holding one), or the silence of the silent outlet (or a group holding it)."""
    members = groups.get(f.subject.removeprefix("group:"), {f.subject})
    if "+" in f.subject:  # an event's named groups and countries: group:domestic+KZ
        members = set().union(*(groups.get(g, set()) for g in
                                f.subject.removeprefix("group:").split("+")))
    if f.kind == "omission":
        return f.detail["fact"] == "nationality" and bool(members & set(truth["omission"]))
    if f.kind == "silence":
        return bool(members & set(truth["silent"]))
    return False


def test_planted_omission_and_silence_are_found_and_nothing_else(tmp_path: Path) -> None:
    study, truth = build(tmp_path, patterns=True)
    found = api.compute_findings(study)
    st = api.load(study)
    groups: dict[str, set[str]] = {}
    for o in st.outlets:
        for g in (*o.groups, o.country):
            groups.setdefault(g, set()).add(o.id)
    stray = [(f.kind, f.subject, f.sentence) for f in found if not _allowed(f, truth, groups)]
    assert not stray, json.dumps(stray, ensure_ascii=False, indent=1)
    omitted = {f.subject for f in found if f.rule == "omission.outlet"}
    assert omitted == set(truth["omission"])  # every omitting outlet, by name
    silent = {f.subject for f in found if f.rule == "silence.event_outlet"}
    assert silent == set(truth["silent"])
    for f in found:
        assert f.evidence and f.q_value <= 0.05 and f.ci_low <= f.effect <= f.ci_high


def test_nothing_planted_nothing_found(tmp_path: Path) -> None:
    study, truth = build(tmp_path, patterns=False)
    assert truth["omission"] == [] and truth["silent"] == []
    found = api.compute_findings(study)
    assert found == [], [f.sentence for f in found]
    rows = api.findings(study, fmt="json")
    assert json.loads(str(rows)) == []
    # but the rules ran: what was tested is recorded as observations, with p-values
    import sqlite3

    conn = sqlite3.connect(api.load(study).db_path)
    tested = {(k, json.loads(v)["rule"]) for k, v in conn.execute(
        "SELECT kind, value FROM observations WHERE kind IN ('test', 'not_tested')")}
    conn.close()
    assert {r for k, r in tested if k == "test"} >= {
        "omission.outlet", "omission.group", "silence.event_group", "silence.event_outlet",
        "silence.change_point"}
