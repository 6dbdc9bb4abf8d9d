"""View counters and stamps in any language are noise; a changed figure in a sentence is
an edit (issue 10, ecosystem 2: a Kyrgyz "Көрүлдү: 358" made 140 false edit events).

A local outlet on 127.0.0.1 puts a counter or stamp line into each article's text, in a
different language and script per page (labels no word list of untold knows), and its
value moves at every fetch. After a collection and four revisits across two simulated
days, none of those pages has an edit, while a death toll changed inside a sentence, in
a short sentence of its own, or in a headline is an edit each time, with the counter
beside it left out of the edit's summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.editable_outlet import BASE, EditableOutlet, article_html, study_toml
from untold import api
from untold.store import open_store
from untold.text.noise import mask_counters, masked_hash
from untold.timeutil import from_iso

pytestmark = pytest.mark.slow

H = 3600
PASSES = (1, 6, 24, 48)  # hours after collection: the stamp's date moves at 24 h


def _grouped(v: int, sep: str) -> str:
    return f"{v:,}".replace(",", sep)


def _short(v: int) -> str:
    return f"{v / 1000:.1f}K" if v >= 1000 else str(v)


# page name -> its counter or stamp line, from the fetch number n and the outlet's clock
COUNTERS: dict[str, Any] = {
    "kyrgyz": lambda n, now: f"Көрүлдү: {_grouped(300 + 617 * n, chr(0xA0))}",
    "kazakh": lambda n, now: f"Бұл жаңалықты {_grouped(300 + 617 * n, ' ')} адам оқыды",
    "uzbek": lambda n, now: f"Ko‘rishlar soni: {_short(300 + 617 * n)}",
    "unknown": lambda n, now: f"Zorvek talim: {_grouped(300 + 617 * n, ',')}",
    "icon": lambda n, now: f"👁 {300 + 617 * n}",
    "stamp": lambda n, now: f"Yangilangan sana: {now:%d.%m.%Y %H:%M}",
}
LABELS = {"kyrgyz": "Көрүлдү:", "kazakh": "адам оқыды", "uzbek": "Ko‘rishlar soni:",
          "unknown": "Zorvek talim:", "icon": "👁", "stamp": "Yangilangan sana:"}
TOLL = ("По данным спасателей, число погибших в результате аварии на шахте достигло {} "
        "человек, ещё восемь горняков доставлены в областную больницу.")
SHORT_TOLL = "Погибли {} человек."


class CounterOutlet(EditableOutlet):
    """Pages whose text carries their counter line; the variant says the rest."""

    def render(self, path: str, st: tuple[Any, ...], n: int) -> str:
        title, paras = self.pages[st[1]]
        name = path.rsplit("/", 1)[1][:-5]
        line = COUNTERS.get(name, COUNTERS["kyrgyz"])(n, self.now)
        return article_html(path, title, [line, *paras])


PAGES: dict[str, list[tuple[float, tuple[Any, ...]]]] = {
    **{name: [(0, ("page", "base"))] for name in COUNTERS},
    "toll": [(0, ("page", "toll12")), (3 * H, ("page", "toll15"))],
    "short_toll": [(0, ("page", "short12")), (3 * H, ("page", "short15"))],
    "title_toll": [(0, ("page", "title12")), (3 * H, ("page", "title15"))],
}


@dataclass
class Archive:
    study: Path
    ids: dict[str, int]
    store: Any


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    tmp = tmp_path_factory.mktemp("counters")
    with CounterOutlet() as srv:
        srv.pages = {
            "base": ("Авария на шахте", BASE),
            "toll12": ("Авария на шахте", [*BASE, TOLL.format(12)]),
            "toll15": ("Авария на шахте", [*BASE, TOLL.format(15)]),
            "short12": ("Авария на шахте", [*BASE, SHORT_TOLL.format(12)]),
            "short15": ("Авария на шахте", [*BASE, SHORT_TOLL.format(15)]),
            "title12": ("Число погибших на шахте выросло до 12", BASE),
            "title15": ("Число погибших на шахте выросло до 15", BASE),
        }
        for i, (name, tl) in enumerate(PAGES.items()):
            srv.add(f"/news/{name}.html", tl, published=f"2026-10-05T08:{i:02d}:00Z")
        study = tmp / "study.toml"
        study.write_text(study_toml(srv.port), encoding="utf-8")
        assert api.collect(study).articles_new == len(PAGES)
        store = open_store(tmp / "archive" / "archive.sqlite", readonly=True)
        conn = store.conn  # type: ignore[attr-defined]
        srv.origin = max(t for (r,) in conn.execute("SELECT fetched_at FROM articles")
                         if (t := from_iso(r)) is not None)
        for h in PASSES:
            srv.at(h)
            api.revisit(study, now=srv.now)
        ids = {u.rsplit("/", 1)[1][:-5]: i for i, u in conn.execute("SELECT id, url FROM articles")}
        yield Archive(study, ids, store)
        store.close()


def _outcomes(a: Archive, name: str) -> list[str]:
    return [r[0] for r in a.store.conn.execute(
        "SELECT outcome FROM revisit_checks WHERE article_id = ? ORDER BY checked_at",
        (a.ids[name],))]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", list(COUNTERS))
def test_counter_and_stamp_lines_are_not_edits(archive: Archive, name: str) -> None:
    text = archive.store.conn.execute("SELECT text FROM articles WHERE id = ?",
                                      (archive.ids[name],)).fetchone()[0]
    assert LABELS[name] in text  # the extractor kept the line: the tracker is what is tested
    assert archive.store.edit_events(article_ids=[archive.ids[name]]) == []
    assert [v.version for v in archive.store.versions(archive.ids[name])] == [1]
    # every revisit saw new bytes and judged them noise
    assert _outcomes(archive, name) == ["noise"] * len(PASSES)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", ["toll", "short_toll", "title_toll"])
def test_a_changed_death_toll_is_an_edit(archive: Archive, name: str) -> None:
    events = archive.store.edit_events(article_ids=[archive.ids[name]])
    assert [(e.kind, e.from_version, e.to_version) for e in events] == [("edit", 1, 2)]
    assert _outcomes(archive, name) == ["noise", "changed", "noise", "noise"]  # edit at 3 h
    d = api.article_diff(archive.study, archive.ids[name])
    if name == "title_toll":
        assert d["title"].changed and not d["text"].changed  # the counter moved too
        assert events[0].subkind == "title"
        return
    # the edit's summary names the sentence, not the counter line that moved beside it
    s = d["text"].summary()
    assert (s["sentences_changed"], s["sentences_added"], s["sentences_removed"]) == (1, 0, 0)
    (old, new), = d["text"].sentences_changed
    assert "12" in old and "15" in new


def test_mask_counters_bounds() -> None:
    """Short unpunctuated lines only; words, sentences and long lines are substance."""
    for line in ("Көрүлдү: 358", "👁 1.2K+", "Updated 14:35", "Koʻrishlar soni: 12 345",
                 "Жаңартылды: 12.03.2026 14:35 | Қаралды: 1 534"):
        assert mask_counters(line)[1] >= 1, line
    for line in ("Погибли 12 человек.", "Число погибших достигло 12 человек, ещё восемь "
                 "горняков доставлены в областную больницу, сообщили спасатели",
                 "Маршрут 5км от 2024г", "Просто строка без чисел"):
        assert mask_counters(line) == (line.strip(), 0), line
    body = "Длинное первое предложение статьи, которое не меняется между двумя версиями."
    assert masked_hash("t", f"{body}\nZorvek talim: 358") == \
        masked_hash("t", f"{body}\nZorvek talim: 1,534")
    assert masked_hash("t", f"{body}\nZorvek talim: 358") != \
        masked_hash("t", f"{body}\nZorvek other: 358")  # a changed word is an edit
    # a headline is exempt: its figures are news
    assert masked_hash("До 12 выросло число погибших", body) != \
        masked_hash("До 15 выросло число погибших", body)
