"""A small real archive whose counts are known exactly, for hand-computed statistics.

Five outlets over ten days (2026-01-01 .. 2026-01-10), each publishing exactly
``PER_DAY`` articles a day, so every outlet's output before and after the event
(2026-01-06 00:00, naming the group "state") is equal and the DiD's exposure
odds are 1.

* story "video" (query ``видео``), fact ``citizens`` (``граждан*``): s1 12
  articles, none stating the fact; s2 1 article (too few to judge); i1, i2, i3
  10 articles each, 8 stating it.
* story "elections" (query ``выборы``): s1 12 articles before the event, none
  after; i1, i2, i3 3 before and 3 after each; s2 none.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.archives import NO_WARC, open_study, stored_article
from untold.models import NewArticle
from untold.store import open_store
from untold.store.base import Store

PER_DAY = 6
DAYS = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
OUTLETS = {"s1": "state", "s2": "state", "i1": "independent", "i2": "independent",
           "i3": "independent"}

STUDY = """
[study]
name = "findings test"
archive = "archive"

{outlets}

[[stories]]
id = "video"
title = "The video"
query = "видео"
start = 2026-01-01T00:00:00Z
end = 2026-01-11T00:00:00Z
facts = {{ citizens = "граждан*" }}

[[stories]]
id = "elections"
title = "Elections"
query = "выборы"
start = 2026-01-01T00:00:00Z
end = 2026-01-11T00:00:00Z

[[events]]
id = "warning"
time = 2026-01-06T00:00:00Z
description = "a warning to state media"
groups = ["state"]
"""


def _plan() -> dict[str, list[list[tuple[str, bool]]]]:
    """Per outlet, per day: (kind, states_fact) of its story articles that day."""
    plan: dict[str, list[list[tuple[str, bool]]]] = {o: [[] for _ in range(DAYS)]
                                                     for o in OUTLETS}
    for k in range(12):  # s1: 12 video articles, none with the fact; 12 election before day 6
        plan["s1"][k % 10].append(("video", False))
        plan["s1"][k % 5].append(("elections", False))
    plan["s2"][2].append(("video", False))
    for o in ("i1", "i2", "i3"):
        for k in range(10):
            plan[o][k].append(("video", k < 8))
        for k in range(3):
            plan[o][k].append(("elections", False))
            plan[o][5 + k].append(("elections", False))
    return plan


def build(dest: Path) -> tuple[Path, dict[str, list[int]]]:
    """Write the archive and study file; return the study path and article ids by key
    ``"<outlet>:<story>"`` (and ``"<outlet>:video:fact"`` for those stating the fact)."""
    outlets_toml = "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "Outlet {o.upper()}"\ndomains = ["{o}.example"]\n'
        f'country = "KZ"\ngroups = ["{g}"]\n' for o, g in OUTLETS.items())
    study, _, store = open_study(dest, STUDY.format(outlets=outlets_toml))
    ids: dict[str, list[int]] = {}
    n = 0
    for o, days in _plan().items():
        for d, story in enumerate(days):
            assert len(story) <= PER_DAY
            kinds = story + [("filler", False)] * (PER_DAY - len(story))
            for slot, (kind, fact) in enumerate(kinds):
                n += 1
                when = START + timedelta(days=d, hours=8 + slot)
                if kind == "video":
                    title, text = "Опубликовано видео", "В сети появилось видео казни."
                    if fact:
                        text += " Погибшие — граждане Казахстана."
                elif kind == "elections":
                    title, text = "Выборы в районе", "Прошли выборы в районный совет."
                else:
                    title, text = "Погода", f"Сегодня тепло, сообщение номер {n}."
                text += f" Материал {n}."  # every text distinct: no duplicates
                [res] = store.add_articles([_article(store, o, n, when, title, text)])
                if kind != "filler":
                    ids.setdefault(f"{o}:{kind}", []).append(res.article_id)
                    if fact:
                        ids.setdefault(f"{o}:{kind}:fact", []).append(res.article_id)
    store.close()
    return study, ids


def _article(store: Store, outlet: str, n: int, when: datetime, title: str,
             text: str) -> NewArticle:
    return stored_article(store, outlet=outlet, url=f"https://{outlet}.example/{n}",
                          fetched_at=when, title=title, text=text, published=when,
                          text_hash=hashlib.sha256(text.encode()).hexdigest(),
                          warc=(NO_WARC, n, 1))


def article(store: Store, outlet: str, n: int, when: datetime, text: str) -> NewArticle:
    """Article ``n`` of ``outlet`` published (and fetched) at ``when``, with its capture
    row (no WARC behind it: these tests read counts, not evidence)."""
    return _article(store, outlet, n, when, f"Новости {n}", text)


def run_rules(study: Path) -> tuple[list[Any], list[Any]]:
    """Every rule on the study's first story: (tests, findings)."""
    from untold.analyze.findings import evaluate
    from untold.analyze.findings_data import load_story_data
    from untold.config import load_study

    st = load_study(study)
    store = open_store(st.db_path)
    try:
        result = evaluate(load_story_data(store, st, st.stories[0]), store)
    finally:
        store.close()
    return result.tests, result.findings
