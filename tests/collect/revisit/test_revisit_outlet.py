"""Revisits against a local outlet that edits, deletes, redirects, soft-404s, delists,
restores and flaps 500s on its own (simulated) clock.

One collection and one series of revisit passes (module fixture), then each
test checks one thing the archive must say about it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.editable_outlet import BASE, EDITED, EditableOutlet, study_toml
from untold import api
from untold.collect.revisit import RevisitStats
from untold.store import open_store
from untold.timeutil import from_iso, to_iso

pytestmark = pytest.mark.slow

H = 3600
PASSES = (1, 6, 7, 8, 24, 48)  # hours after collection: the default schedule's 1h, 6h,
# 1d, 2d, plus the 1h failure retries at 7h and 8h
EVIL_TITLE = "Авария &lt;script&gt;alert(1)&lt;/script&gt; на шахте"  # as HTML source
EVIL_TEXT = ("Очевидцы прислали в редакцию фотографию &lt;img src=x onerror=alert(2)&gt; "
             "с места событий, её подлинность проверяется.")

PATHS = {
    "edit": [(0, ("page", "base")), (3 * H, ("page", "edited"))],
    "gone404": [(0, ("page", "base")), (5 * H, ("status", 404))],
    "gone410": [(0, ("page", "base")), (5 * H, ("status", 410))],
    "tohome": [(0, ("page", "base")), (5 * H, ("redirect", "/"))],
    "tosection": [(0, ("page", "base")), (5 * H, ("redirect", "/politics/"))],
    "soft": [(0, ("page", "base")), (5 * H, ("soft404",))],
    "homepage": [(0, ("page", "base")), (5 * H, ("home",))],
    "unlisted": [(0, ("page", "base")), (5 * H, ("unlisted", "base"))],
    "restored": [(0, ("page", "base")), (5 * H, ("status", 404)), (30 * H, ("page", "base"))],
    "relisted": [(0, ("page", "base")), (5 * H, ("unlisted", "base")),
                 (30 * H, ("page", "base"))],
    "flap500": [(0, ("page", "base")), (5 * H, ("status", 500)), (8 * H, ("page", "base"))],
    "reset": [(0, ("page", "base")), (5 * H, ("reset",)), (8 * H, ("page", "base"))],
    "noisy": [(0, ("page", "noisy"))],
    "steady": [(0, ("page", "base"))],
    "evil": [(0, ("page", "evil")), (3 * H, ("page", "evil_edited"))],
}


@dataclass
class Scenario:
    study: Path
    origin: datetime
    ids: dict[str, int]
    passes: list[RevisitStats]
    not_modified: int
    store: Any


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("revisit")
    with EditableOutlet() as srv:
        srv.pages = {"base": ("Авария на шахте", BASE), "edited": ("Авария на шахте", EDITED),
                     "evil": (EVIL_TITLE, BASE),
                     "evil_edited": (EVIL_TITLE, [*EDITED, EVIL_TEXT])}
        for i, (name, tl) in enumerate(PATHS.items()):
            srv.add(f"/news/{name}.html", tl, published=f"2026-10-05T08:{i:02d}:00Z")
        study = tmp / "study.toml"
        study.write_text(study_toml(srv.port), encoding="utf-8")
        stats = api.collect(study)
        assert stats.articles_new == len(PATHS), stats
        store = open_store(tmp / "archive" / "archive.sqlite", readonly=True)
        conn = store.conn  # type: ignore[attr-defined]
        origin = max(from_iso(r[0]) for r in conn.execute("SELECT fetched_at FROM articles"))
        assert origin is not None
        srv.origin = origin
        # the event: a warning two hours after collection, one hour before the edit
        study.write_text(study_toml(srv.port, event_time=to_iso(origin + timedelta(hours=2))
                                    or ""), encoding="utf-8")
        ids = {u.rsplit("/", 1)[1][:-5]: i for i, u in conn.execute("SELECT id, url FROM articles")}
        passes = []
        for h in PASSES:
            srv.at(h)
            passes.append(api.revisit(study, now=srv.now))
        yield Scenario(study, origin, ids, passes, srv.not_modified, store)
        store.close()


def _events(sc: Scenario, name: str) -> list[Any]:
    return sc.store.edit_events(article_ids=[sc.ids[name]])


def _t(sc: Scenario, hours: float) -> str:
    return to_iso(sc.origin + timedelta(hours=hours)) or ""


@pytest.mark.timeout(120)
def test_edit_creates_one_version_with_word_diff(scenario: Scenario) -> None:
    vs = scenario.store.versions(scenario.ids["edit"])
    assert [v.version for v in vs] == [1, 2]
    assert "число погибших" in vs[0].text and "число погибших" not in vs[1].text
    # a version carries its capture's real fetch time (the schedule's clock is simulated)
    cap = scenario.store.capture(vs[1].capture_id)
    assert cap is not None and vs[1].fetched_at == cap["fetched_at"]
    (edit,) = [e for e in _events(scenario, "edit") if e.kind == "edit"]
    assert edit.at == _t(scenario, 6)
    (ev,) = _events(scenario, "edit")
    assert (ev.kind, ev.from_version, ev.to_version) == ("edit", 1, 2)
    # seen at the 6h revisit; the 1h revisit still saw version 1
    assert (ev.after, ev.at) == (_t(scenario, 1), _t(scenario, 6))
    d = api.article_diff(scenario.study, scenario.ids["edit"])
    assert "двенадцати" in d["text"].removed_text()
    assert d["text"].summary()["sentences_removed"] >= 1
    assert not d["title"].changed


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name,how", [
    ("gone404", "http_404"), ("gone410", "http_410"), ("tohome", "redirect_home"),
    ("tosection", "redirect_section"), ("soft", "soft_404"), ("homepage", "home_page"),
    ("unlisted", "delisted"),
])
def test_deletion_kinds_and_times(scenario: Scenario, name: str, how: str) -> None:
    evs = [e for e in _events(scenario, name) if e.kind == "deletion"]
    assert [e.subkind for e in evs] == [how]
    assert evs[0].at == _t(scenario, 6)
    assert evs[0].after == _t(scenario, 1)
    assert scenario.store.tracked(scenario.ids[name]).state in ("deleted", "delisted")
    assert len(scenario.store.versions(scenario.ids[name])) == 1


@pytest.mark.timeout(120)
def test_restoration_after_404(scenario: Scenario) -> None:
    evs = _events(scenario, "restored")
    assert [(e.kind, e.subkind) for e in evs] == [("deletion", "http_404"),
                                                  ("restoration", "live_again")]
    assert evs[1].at == _t(scenario, 48)
    assert scenario.store.tracked(scenario.ids["restored"]).state == "live"


@pytest.mark.timeout(120)
def test_relisting_is_a_restoration(scenario: Scenario) -> None:
    evs = _events(scenario, "relisted")
    assert [(e.kind, e.subkind, e.at) for e in evs] == [
        ("deletion", "delisted", _t(scenario, 6)), ("restoration", "relisted", _t(scenario, 48))]
    assert evs[0].detail["listing_kind"] in ("feed", "sitemap")
    # named by both the feed and the sitemap, dropped from both: one verdict, not two
    rows = scenario.store.conn.execute(  # type: ignore[attr-defined]
        "SELECT COUNT(DISTINCT source_url) FROM listing_entries WHERE url LIKE '%relisted%'")
    assert rows.fetchone()[0] == 2


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name,outcome", [("flap500", "server_error"), ("reset", "failure")])
def test_outages_are_not_deletions(scenario: Scenario, name: str, outcome: str) -> None:
    assert _events(scenario, name) == []
    checks = scenario.store.revisit_checks(scenario.ids[name])
    seen = [c["outcome"] for c in checks]
    # failed at 6h and at the 7h retry; back to normal at 8h without any verdict
    assert seen[1:3] == [outcome, outcome], seen
    assert [c["checked_at"] for c in checks[:4]] == [_t(scenario, h) for h in (1, 6, 7, 8)]
    if name == "reset":
        assert checks[1]["failure"] == "connection_reset"
    assert scenario.store.tracked(scenario.ids[name]).state == "live"


@pytest.mark.timeout(120)
def test_noise_is_counted_not_versioned(scenario: Scenario) -> None:
    aid = scenario.ids["noisy"]
    assert len(scenario.store.versions(aid)) == 1
    checks = scenario.store.revisit_checks(aid)
    assert len(checks) == 4 and all(c["outcome"] == "noise" for c in checks)
    kinds = set().union(*(c["noise"] for c in checks))
    assert {"counter", "updated_line", "related_block", "token"} <= kinds


@pytest.mark.timeout(120)
def test_conditional_requests_cost_304s(scenario: Scenario) -> None:
    checks = scenario.store.revisit_checks(scenario.ids["steady"])
    assert [c["outcome"] for c in checks] == ["unchanged", "not_modified", "not_modified",
                                              "not_modified"]
    assert all(c["bytes"] == 0 for c in checks[1:])
    total_304 = sum(p.outcomes.get("not_modified", 0) for p in scenario.passes)
    assert total_304 >= 4 and scenario.not_modified >= total_304


@pytest.mark.timeout(120)
def test_schedule_decays_and_nothing_is_due_between(scenario: Scenario) -> None:
    assert [p.due for p in scenario.passes][:2] == [len(PATHS), len(PATHS)]
    assert scenario.passes[2].due == 2  # only the two failing articles retry after 1h
    t = scenario.store.tracked(scenario.ids["steady"])
    first = from_iso(t.first_seen)
    assert first is not None  # 3d is the next offset of the default schedule
    assert t.next_due == to_iso(first + timedelta(days=3))


@pytest.mark.timeout(120)
def test_facts_removed_become_findings(scenario: Scenario) -> None:
    (se,) = api.analyze_edits(scenario.study)
    removed = [f for f in se.findings if f.rule == "edit.fact_removed"
               and f.evidence[0][0] == scenario.ids["edit"]]
    assert {f.detail["fact"] for f in removed} == {"deaths", "protest"}
    for f in removed:
        assert f.evidence == [(scenario.ids["edit"], "article")]
        assert f.rules_version and f.kind == "edit" and f.story_id == "mine"
        assert f.detail["event"] == "warning"
        assert f.detail["hours_after_min"] == pytest.approx(0.0, abs=0.01)  # 1h is before
        assert f.detail["hours_after_max"] == pytest.approx(4.0, abs=0.01)
        assert "removed fact" in f.sentence
    kinds = {(f.kind, f.detail.get("how")) for f in se.findings}
    assert ("deletion", "soft_404") in kinds and ("restoration", "live_again") in kinds
    stored = {f.rule for f in scenario.store.findings(story_id="mine", kind="edit")}
    assert "edit.fact_removed" in stored


@pytest.mark.timeout(120)
def test_report_section_escapes_and_links_captures(scenario: Scenario, tmp_path: Path) -> None:
    title, frag, problems = api.edits_report_section(
        scenario.study, files_dir=tmp_path / "r_files", report_name="r.html")
    assert title and problems == []
    # the title and text held markup as text: it is shown, never interpreted
    assert "<script>" not in frag and "&lt;script&gt;alert(1)&lt;/script&gt;" in frag
    assert "<img" not in frag and "&lt;img src=x onerror=alert(2)&gt;" in frag
    assert "<del>" in frag and "<ins>" in frag and "двенадцати" in frag
    vs = scenario.store.versions(scenario.ids["edit"])
    for v in vs:
        assert v.sha256 and v.sha256 in frag
        assert (tmp_path / "r_files" / "captures" / f"{v.sha256}.html").exists()
    assert "warning" in frag  # the event on the timeline


@pytest.mark.timeout(120)
def test_cli_edits_and_diff(scenario: Scenario) -> None:
    import json
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "untold", *args], capture_output=True,
                              text=True, timeout=120, cwd=scenario.study.parent)

    r = run("edits", str(scenario.study), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {"deaths", "protest"} <= {x["fact"] for x in rows if x["rule"] == "edit.fact_removed"}
    r = run("diff", str(scenario.study), str(scenario.ids["edit"]))
    assert r.returncode == 0, r.stderr
    assert "двенадцати" in r.stdout and "sentences_removed" in r.stdout
    r = run("revisit", str(scenario.study), "--now", "yesterday")
    assert r.returncode == 2 and "--now" in r.stderr and "ISO 8601" in r.stderr
    r = run("edits", str(scenario.study), "--story", "nope")  # not in the study: a failure
    assert r.returncode == 1 and "no story with id 'nope'" in r.stderr
