"""End to end: the example served on loopback and collected by untold's real collector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from untold.config import load_study
from untold.demo import scenario as sc
from untold.demo.generator import generate
from untold.demo.run import collect_example
from untold.demo.server import DemoServer
from untold.demo.study import build_example
from untold.demo.truth import ground_truth
from untold.store import open_store
from untold.timeutil import to_iso

SCALE = 0.05  # a twentieth of the ordinary news (the story keeps its size): fast on 2 cores
PASSES = (sc.EARLY_PASS, sc.END)  # before the warning, and at the end


def test_build_example_writes_a_valid_study_and_truth(tmp_path: Path) -> None:
    eco = generate(scale=SCALE)
    paths = build_example(tmp_path / "ex", port=8765, eco=eco)
    study = load_study(paths["study"])
    assert {o.id for o in study.outlets} == {o.id for o in sc.OUTLETS}
    assert all(v == "127.0.0.1:8765" for v in study.fetch.resolve.values())
    (story,) = study.stories
    assert story.query == sc.STORY_QUERY and set(story.facts) == {"nationality", "unverified"}
    (event,) = study.events
    assert event.time == sc.WARNING and event.countries == ["KZ"]
    on_disk = json.loads(Path(paths["ground_truth"]).read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(ground_truth(eco)))


@pytest.mark.timeout(300)
def test_collect_example_end_to_end(tmp_path: Path) -> None:
    eco = generate(scale=SCALE)
    expected: dict[str, set[str]] = {o.id: set() for o in sc.OUTLETS}
    with DemoServer(eco) as probe:  # what discovery can find at each pass
        for t in PASSES:
            for o in sc.OUTLETS:
                expected[o.id] |= probe.discoverable(o.id, t)
    result = collect_example(tmp_path / "ex", eco=eco, passes=PASSES)
    assert Path(result["ground_truth"]).is_file()
    store = open_store(Path(result["archive"]) / "archive.sqlite", readonly=True)
    try:
        conn = store.conn  # type: ignore[attr-defined]
        got: dict[str, set[str]] = {o.id: set() for o in sc.OUTLETS}
        for oid, url in conn.execute("SELECT outlet_id, url FROM articles"):
            got[oid].add(url)
        for o in sc.OUTLETS:
            assert got[o.id] == expected[o.id], o.id
        assert all(got[o.id] for o in sc.OUTLETS)
        # language (ru/kk/ky/en) and publication time come through extraction intact
        by_url = {eco.outlet(a.outlet_id).base + a.path: a for a in eco.articles}
        for url, lang, published in conn.execute("SELECT url, language, published FROM articles"):
            a = by_url[url]
            assert (lang, published) == (a.language, to_iso(a.published)), url
        blocked, _, failure = sc.UNREACHABLE
        failures = conn.execute(
            "SELECT COUNT(*) FROM captures WHERE outlet_id=? AND failure=?",
            (blocked, failure)).fetchone()[0]
        assert failures >= 1
        others = conn.execute("SELECT COUNT(*) FROM captures WHERE failure IS NOT NULL "
                              "AND outlet_id != ?", (blocked,)).fetchone()[0]
        assert others == 0
        # every planted reprint is linked to its source, directly or through another copy
        # (the store keeps one best link per article; nothing else is linked)
        ids = dict(conn.execute("SELECT url, id FROM articles").fetchall())
        url = {a.id: eco.outlet(a.outlet_id).base + a.path for a in eco.articles}
        planted = [(ids[url[a.id]], ids[url[a.reprint_of]]) for a in eco.articles
                   if a.reprint_of and url[a.id] in ids and url[a.reprint_of] in ids]
        assert len(planted) >= 5
        linked = conn.execute("SELECT article_id, of_article_id FROM near_duplicates").fetchall()
        assert _components(linked) == _components(planted)
        # the edited article was archived in its first version (with the fact)
        edited = next(a for a in eco.articles if a.edited_at)
        text = conn.execute("SELECT text FROM articles WHERE url=?",
                            (eco.outlet(edited.outlet_id).base + edited.path,)).fetchone()[0]
        assert "Казахстана" in text
    finally:
        store.close()
    stats = result["stats"]
    assert len(stats) == len(PASSES) and stats[-1].failures.get(failure)


def _components(pairs: list[tuple[int, int]]) -> set[frozenset[int]]:
    """Connected groups of articles under the given links."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return {frozenset(g) for g in groups.values()}
