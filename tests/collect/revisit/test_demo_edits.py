"""The bundled example: revisits on its simulated clock find the planted edit and
deletions, with times that bracket the planted ones, and the removed fact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from untold import api
from untold.timeutil import from_iso

pytestmark = pytest.mark.slow

demo_server = pytest.importorskip("untold.demo.server",
                                  reason="the example server (untold.demo.server) is absent")


@pytest.mark.timeout(240)
def test_revisits_find_the_planted_edit_and_deletions(tmp_path: Path) -> None:
    from untold.demo import scenario as sc
    from untold.demo.generator import generate
    from untold.demo.study import study_toml
    from untold.demo.truth import ground_truth

    eco = generate(scale=0.1)  # fewer ordinary articles; the planted ones are all there
    truth = ground_truth(eco)
    assert truth["edits"] and truth["deletions"]
    planted = truth["edits"] + truth["deletions"]
    outlets = sorted({p["outlet"] for p in planted})
    last = max(from_iso(p.get("edited_at") or p.get("deleted_at")) for p in planted)
    assert last is not None
    study = tmp_path / "study.toml"
    with demo_server.DemoServer(eco, now=sc.EARLY_PASS) as srv:
        study.write_text(study_toml(srv.port), encoding="utf-8")
        assert api.collect(study, outlets=outlets).articles_new > 0
        store = api.open_archive(study)
        t = sc.EARLY_PASS
        # jump the clock from one due time to the next, as cron would see them
        while t is not None and t <= last + timedelta(hours=1):
            srv.now = t
            api.revisit(study, now=t, outlets=outlets)
            t = from_iso(store.conn.execute(  # type: ignore[attr-defined]
                "SELECT MIN(next_due) FROM revisit_tracking").fetchone()[0])
        ids = {u: i for i, u in store.conn.execute(  # type: ignore[attr-defined]
            "SELECT id, url FROM articles")}
        events = store.edit_events()  # type: ignore[attr-defined]
        store.close()

    def found(p: dict[str, str], kind: str) -> list[object]:
        when = from_iso(p.get("edited_at") or p.get("deleted_at"))
        assert when is not None
        return [e for e in events if e.article_id == ids[p["url"]] and e.kind == kind
                and (from_iso(e.after) or when) < when <= (from_iso(e.at) or when)]

    (edit,) = truth["edits"]
    assert found(edit, "edit"), events
    for d in truth["deletions"]:
        hits = found(d, "deletion")
        assert [e.subkind for e in hits] == [d["kind"]], (d, events)  # type: ignore[attr-defined]
    # nothing else was edited or deleted: the example plants only these
    planted_ids = {ids[p["url"]] for p in planted}
    assert {e.article_id for e in events} == planted_ids

    (se,) = api.analyze_edits(study)
    removed = [f for f in se.findings if f.rule == "edit.fact_removed"]
    assert [(f.detail["fact"], f.evidence[0][0]) for f in removed] == \
        [(edit["fact"], ids[edit["url"]])]
    assert removed[0].detail["event"] == truth["event"]["id"]
