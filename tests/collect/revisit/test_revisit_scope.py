"""Revisits fetch only the study's outlets, and only on their own sites.

Case 2 of the hardening issue: pages imported from domains the study does not
name (uncurated outlets, e.g. from CC-NEWS) were enrolled and revisited live,
and a revisit followed redirects anywhere. Now only articles of the outlets the
study names are revisited, and a redirect off the outlet's domains is a failed
check (``redirect_off_site``): not a deletion, not a new version.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.editable_outlet import BASE, HOST, EditableOutlet, study_toml
from tests.support.internal_server import InternalServer
from untold import api
from untold.collect.warcwriter import WarcWriter
from untold.store import open_store
from untold.timeutil import from_iso

pytestmark = pytest.mark.slow

H = 3600
OLD = "old.example"  # an outlet the study named once, then dropped
OTHER = "other.example"  # a domain the study never named (imported: uncurated)


def page(title: str, seed: int) -> bytes:
    paras = "".join(f"<p>{BASE[(seed + k) % len(BASE)]} Сообщение {seed}-{k}.</p>"
                    for k in range(6))
    return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>{title}</title>"
            "<meta property='article:published_time' content='2026-10-05T07:00:00Z'></head>"
            f"<body><article><h1>{title}</h1>{paras}</article></body></html>").encode()


def write_import_warc(directory: Path) -> list[Path]:
    with WarcWriter(directory) as w:
        for url, title, seed in ((f"http://{OTHER}/news/uncurated.html", "Чужая новость", 1),
                                 (f"http://{OLD}/news/dropped.html", "Старая новость", 2)):
            w.write_exchange(url=url, method="GET", request_headers={}, status=200,
                             reason="OK", response_headers=[
                                 ("Content-Type", "text/html; charset=utf-8")],
                             body=page(title, seed),
                             fetched_at=datetime(2026, 10, 5, 7, tzinfo=UTC), ip=None)
    return sorted(directory.glob("*.warc*"))


def study_text(port: int, *, with_old: bool) -> str:
    text = study_toml(port, facts=False)
    mine = f'resolve = {{ "{HOST}" = "127.0.0.1:{port}" }}'
    assert mine in text
    # both other domains reach the same server: were they revisited, it would count it
    text = text.replace(mine, f'resolve = {{ "{HOST}" = "127.0.0.1:{port}", '
                              f'"{OLD}" = "127.0.0.1:{port}", "{OTHER}" = "127.0.0.1:{port}" }}')
    if with_old:
        text += f"""
[[outlets]]
id = "old"
name = "Old"
domains = ["{OLD}"]
languages = ["ru"]
"""
    return text


@pytest.mark.timeout(180)
def test_revisits_only_the_studys_outlets_and_stay_on_site(tmp_path: Path) -> None:
    with EditableOutlet() as srv, InternalServer("127.0.0.1") as internal:
        srv.pages = {"base": ("Авария на шахте", BASE)}
        srv.add("/news/steady.html", [(0, ("page", "base"))])
        srv.add("/news/moved.html", [
            (0, ("page", "base")),
            (5 * H, ("redirect", f"http://localhost:{internal.port}/news/moved.html"))])
        study = tmp_path / "study.toml"
        study.write_text(study_text(srv.port, with_old=True), encoding="utf-8")
        assert api.collect(study).articles_new == 2
        imp = api.import_warcs(study, write_import_warc(tmp_path / "imported"))
        assert imp is not None
        store: Any = open_store(tmp_path / "archive" / "archive.sqlite", readonly=True)
        conn = store.conn
        ids = {u.rsplit("/", 1)[1][:-5]: (i, o) for i, u, o in
               conn.execute("SELECT id, url, outlet_id FROM articles")}
        assert ids["uncurated"][1] == OTHER and ids["dropped"][1] == "old", ids
        origin = max(t for (f,) in conn.execute(
            "SELECT fetched_at FROM articles WHERE outlet_id='news'") if (t := from_iso(f)))
        srv.origin = origin
        # the study drops "old": its stored articles are no longer the study's
        study.write_text(study_text(srv.port, with_old=False), encoding="utf-8")
        before = dict(srv.hits)
        srv.at(6)
        stats = api.revisit(study, now=origin + timedelta(hours=6))

    assert stats.enrolled == 2 and stats.checked == 2, stats
    assert srv.hits["/news/uncurated.html"] == 0 and srv.hits["/news/dropped.html"] == 0
    assert store.tracked(ids["uncurated"][0]) is None
    assert store.tracked(ids["dropped"][0]) is None
    assert srv.hits["/news/steady.html"] == before.get("/news/steady.html", 0) + 1

    # the off-site redirect: a failed check, the internal page never requested
    assert (internal.hits, internal.accepts) == (0, 0)
    moved = ids["moved"][0]
    (check,) = store.revisit_checks(moved)
    assert (check["outcome"], check["status"], check["failure"]) == \
        ("failure", 301, "redirect_off_site")
    assert store.edit_events(article_ids=[moved]) == []  # no deletion, no edit
    assert len(store.versions(moved)) == 1
    t = store.tracked(moved)
    assert t is not None and t.state == "live" and t.fail_streak == 1
    assert stats.failures == {"redirect_off_site": 1} and stats.deletions == 0
    store.close()


def test_store_plans_only_the_outlets_it_is_given(tmp_path: Path) -> None:
    """``count_due``/``due_revisits`` agree; an empty list plans nothing (not everything)."""
    with EditableOutlet() as srv:
        srv.pages = {"base": ("Авария на шахте", BASE)}
        srv.add("/news/a.html", [(0, ("page", "base"))])
        study = tmp_path / "study.toml"
        study.write_text(study_text(srv.port, with_old=False), encoding="utf-8")
        api.collect(study)
    store: Any = open_store(tmp_path / "archive" / "archive.sqlite")
    now = datetime(2100, 1, 1, tzinfo=UTC)
    assert store.enroll_revisits(60, now, outlets=["elsewhere"]) == 0
    assert store.enroll_revisits(60, now, outlets=["news"]) == 1
    assert store.enroll_revisits(60, now, outlets=["news"]) == 0  # once
    assert store.count_due(now, ["news"]) == len(store.due_revisits(now, outlets=["news"])) == 1
    assert store.count_due(now, []) == 0 and store.due_revisits(now, outlets=[]) == []
    assert store.count_due(now, ["elsewhere"]) == 0
    assert store.count_due(now) == 1  # None: every outlet (benchmarks, tools)
    store.close()
