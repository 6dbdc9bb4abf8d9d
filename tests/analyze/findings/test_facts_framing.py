"""Candidate facts (natasha, numbers, quotes) on real archives (framing: test_framing.py)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from untold.analyze.facts import candidate_facts, extract_candidates
from untold.config import load_study
from untold.models import CaptureRecord, ExtractedArticle
from untold.store import NewArticle, open_store

pytestmark = pytest.mark.timeout(120)


def test_candidates_are_recurring_names_numbers_and_quotes() -> None:
    arts = [
        (1, "a", "ru", "Президент Касым-Жомарт Токаев заявил, что погибли 1 500 человек. "
                       "«Мы не оставим это без ответа», сказал он."),
        (2, "b", "ru", "Касым-Жомарт Токаев провёл совещание. Число жертв — 1 500. "
                       "Он пообещал: «Мы не оставим это без ответа»."),
        (3, "c", "ru", "По словам Касым-Жомарта Токаева, «мы не оставим это без ответа». "
                       "Погибли 1 500 человек."),
        (4, "a", "ru", "Погода в Астане будет тёплой, сообщили синоптики."),
    ]
    cands = candidate_facts(arts)
    kinds = {c.kind: c for c in cands}
    assert set(kinds) == {"name", "number", "quote"}
    name = kinds["name"]
    assert name.outlets == 3 and name.articles == 3 and "токаев" in name.query
    assert kinds["number"].query == '"1 500"' and kinds["number"].outlets == 3
    assert kinds["quote"].query == '"мы не оставим это без ответа"'
    assert all(c.id.startswith("auto-") for c in cands)
    # "Астане" appears once: not a candidate; the English heuristic: capitalised runs
    assert not any("астан" in c.query for c in cands)
    assert ("name", "Global Wire") in extract_candidates(
        "Officials told Global Wire on Monday.", "en")


def _article(store: object, n: int, outlet: str, when: datetime, text: str) -> None:
    url = f"https://{outlet}.example/{n}"
    cid = store.add_capture(CaptureRecord(  # type: ignore[attr-defined]
        url=url, outlet_id=outlet, kind="article", fetched_at=when, status=200, failure=None,
        warc_file="a.warc.gz", warc_offset=n, warc_length=1, sha256="00"))
    art = ExtractedArticle(url=url, canonical_url=url, title="Взрыв", text=text, author=None,
                           published=when, language="ru", language_confidence=0.9,
                           text_hash=hashlib.sha256(text.encode()).hexdigest())
    store.add_articles([NewArticle(art, outlet, cid, when, "00")])  # type: ignore[attr-defined]


def _framing_archive(dest: Path, planted: bool, name: bool = False) -> Path:
    outlets = {"a1": "state", "a2": "state", "a3": "state", "b1": "free", "b2": "free",
               "b3": "free"}
    toml = "[study]\nname = \"framing\"\narchive = \"archive\"\n\n" + "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "{o}"\ndomains = ["{o}.example"]\n'
        f'groups = ["{g}"]\n' for o, g in outlets.items()) + (
        '\n[[stories]]\nid = "blast"\ntitle = "Blast"\nquery = "взрыв"\n')
    (dest / "study.toml").write_text(toml, encoding="utf-8")
    st = load_study(dest / "study.toml")
    store = open_store(st.db_path)
    store.sync_outlets(st.outlets)
    rng = random.Random(7)
    filler = ["город", "полиция", "улица", "жители", "машина", "вечер", "район", "здание"]
    n = 0
    for o, g in outlets.items():
        for k in range(10):
            n += 1
            if planted:
                who = "террористы" if g == "state" else "повстанцы"
            else:
                who = rng.choice(["террористы", "повстанцы"])
            words = " ".join(rng.sample(filler, 4))
            if name and g == "free":  # only the "free" outlets name the minister
                words += (". Министр Ерлан Карин заявил, что взрыв расследуют" if k % 2 else
                          ". По словам Ерлана Карина, взрыв расследуют")
            _article(store, n, o, datetime(2026, 5, 1, tzinfo=UTC) + timedelta(hours=n),
                     f"Взрыв прогремел вчера. {who.capitalize()} взяли ответственность. "
                     f"{words}. Заметка {n}.")
    store.close()
    return dest / "study.toml"


@pytest.mark.slow
def test_a_story_without_facts_gets_candidates_tested_and_recorded(tmp_path: Path) -> None:
    import json
    import sqlite3

    from untold import api

    study = _framing_archive(tmp_path, planted=False, name=True)
    found = api.compute_findings(study)
    omitted = {(f.subject, f.detail["fact"]) for f in found if f.rule == "omission.outlet"}
    fact = "auto-name-ерлан-карин"
    assert omitted == {("a1", fact), ("a2", fact), ("a3", fact)}
    f = next(f for f in found if f.subject == "a1")
    assert f.detail["query"] == '"ерлан карин"' and "10 articles" in f.sentence
    assert "state “Ерлан Карин”" in f.sentence  # a proposed fact is named by its words
    conn = sqlite3.connect(load_study(study).db_path)
    [(value,)] = conn.execute("SELECT value FROM observations WHERE kind='candidate_fact'")
    cand = json.loads(value)
    conn.close()
    assert cand["kind"] == "name" and cand["outlets"] == 3 and cand["articles"] == 30
