"""End to end: the example served on loopback and collected by untold's real collector."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.demo_collect import collect_example
from untold.config import load_study
from untold.demo import scenario as sc
from untold.demo.generator import generate
from untold.demo.server import DemoServer
from untold.demo.study import CA_FILE, build_example
from untold.demo.truth import ground_truth
from untold.store import open_store
from untold.timeutil import to_iso

pytestmark = pytest.mark.slow

SCALE = 0.05  # a twentieth of the ordinary news (the story keeps its size): fast on 2 cores
TLS_BLOCK = next(b for b in sc.BLOCKS if b.kind == "tls_reset")
IN_BLOCK = TLS_BLOCK.since + timedelta(days=1)
# before the warning, while the censor resets the https outlet's handshakes, at the end
PASSES = (sc.EARLY_PASS, IN_BLOCK, sc.END)


def test_build_example_writes_a_valid_study_and_truth(tmp_path: Path) -> None:
    eco = generate(scale=SCALE)
    ca = tmp_path / "server-ca.pem"
    ca.write_bytes(b"-----BEGIN CERTIFICATE-----\n(the server's CA)\n-----END CERTIFICATE-----\n")
    paths = build_example(tmp_path / "ex", port=8765, tls_port=8766, ca_file=ca, eco=eco)
    study = load_study(paths["study"])
    assert {o.id for o in study.outlets} == {o.id for o in sc.OUTLETS}
    assert study.fetch.resolve == {o.domain: f"127.0.0.1:{8766 if o.https else 8765}"
                                   for o in sc.OUTLETS}
    assert any(o.https for o in sc.OUTLETS)
    # the CA is copied beside the study and named relatively: valid after the server is gone
    copy = tmp_path / "ex" / CA_FILE
    assert study.fetch.ca_file == str(copy) and copy.read_bytes() == ca.read_bytes()
    assert f'ca_file = "{CA_FILE}"' in Path(paths["study"]).read_text(encoding="utf-8")
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
        # the censor's reset at the TLS handshake, as the collector records it
        blocked, _, failure = sc.UNREACHABLE
        assert blocked == TLS_BLOCK.outlet_id
        failures = conn.execute(
            "SELECT COUNT(*) FROM captures WHERE outlet_id=? AND failure=?",
            (blocked, failure)).fetchone()[0]
        assert failures >= 1
        assert {f for (f,) in conn.execute(
            "SELECT DISTINCT failure FROM captures WHERE outlet_id=? AND failure IS NOT NULL",
            (blocked,))} == {failure}
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
    assert len(stats) == len(PASSES) and stats[PASSES.index(IN_BLOCK)].failures.get(failure)


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
