"""An outlet's title template, learned at the end of a collect, is off its stored titles,
and a revisit compares titles without it (issue 10, case 5).

The local outlet shows no headline element: its only title is ``<title>Headline |
Вести Дня</title>``, a suffix the page names nowhere else. After the collection the
stored titles are the headlines; a revisit of the same pages (whose bytes change: a
view counter) must not see a title edit, and a real retitling is still an edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.editable_outlet import BASE, HOST, EditableOutlet, study_toml
from untold import api
from untold.store import open_store
from untold.timeutil import from_iso

pytestmark = pytest.mark.slow

H = 3600
SUFFIX = " | Вести Дня"
HEADLINES = ["Авария на шахте в Караганде", "Паводок дошёл до столицы", "Министр ушёл в отставку",
             "Учителя бастуют второй день", "Урожай пшеницы ниже прогноза", "Новая линия метро"]


class TemplatedOutlet(EditableOutlet):
    """Pages whose only title is the <title>, with the outlet's suffix; a view counter."""

    def render(self, path: str, st: tuple[Any, ...], n: int) -> str:
        title, paras = self.pages[st[1]]
        body = "".join(f"<p>{p}</p>" for p in paras)
        return ("<!doctype html><html lang='ru'><head><meta charset='utf-8'>"
                f"<title>{title}{SUFFIX}</title>"
                f"<link rel='canonical' href='http://{HOST}{path}'>"
                "<meta property='article:published_time' content='2026-10-05T08:00:00Z'>"
                f"</head><body><article>{body}</article>"
                f"<footer>Просмотров: {n * 37}</footer></body></html>")


@pytest.mark.timeout(180)
def test_template_learned_stripped_and_no_false_title_edit(tmp_path: Path) -> None:
    with TemplatedOutlet() as srv:
        srv.pages = {f"v{i}": (h, [*BASE, f"Материал номер {i}."])
                     for i, h in enumerate(HEADLINES)}
        srv.pages["retitled"] = ("Министр ушёл в отставку после аварии", srv.pages["v2"][1])
        for i in range(len(HEADLINES)):
            timeline: list[tuple[float, tuple[Any, ...]]] = [(0, ("page", f"v{i}"))]
            if i == 2:
                timeline.append((3 * H, ("page", "retitled")))
            srv.add(f"/news/{i}.html", timeline, published=f"2026-10-05T08:{i:02d}:00Z")
        study = tmp_path / "study.toml"
        study.write_text(study_toml(srv.port, facts=False), encoding="utf-8")
        assert api.collect(study).articles_new == len(HEADLINES)
        store: Any = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
        try:
            titles = {u: t for u, t in store.conn.execute("SELECT url, title FROM articles")}
            assert sorted(titles.values()) == sorted(HEADLINES)
            assert store.title_affixes("news") == ([], [SUFFIX])
            fetched = max(r[0] for r in store.conn.execute("SELECT fetched_at FROM articles"))
        finally:
            store.close()
        origin = from_iso(fetched)
        assert origin is not None
        srv.origin = origin
        for hours in (1, 6):
            srv.at(hours)
            api.revisit(study, now=srv.now)
        store = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
        try:
            ids = {u.rsplit("/", 1)[1]: i for i, u in store.conn.execute(
                "SELECT id, url FROM articles")}
            # every page was re-read twice (new bytes each time: the counter) and one changed
            checks = [r[0] for r in store.conn.execute("SELECT outcome FROM revisit_checks")]
            assert len(checks) == 2 * len(HEADLINES) and checks.count("changed") == 1, checks
            events = store.edit_events(article_ids=list(ids.values()))
            edits = [(e.article_id, e.subkind) for e in events if e.kind == "edit"]
            assert edits == [(ids["2.html"], "title")], edits
            versions = store.versions(ids["2.html"])
            assert [v.title for v in versions] == [HEADLINES[2],
                                                   "Министр ушёл в отставку после аварии"]
            for name, aid in ids.items():
                if name != "2.html":
                    assert len(store.versions(aid)) == 1, name
        finally:
            store.close()
