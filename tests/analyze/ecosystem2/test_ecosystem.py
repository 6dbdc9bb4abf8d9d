"""Ecosystem 2 itself: generation, ground truth, study file and the loopback server.

Quick tests (no collection): they check that the ecosystem is what its ground truth
says, so the end-to-end tests measure untold and not a broken example.
"""

from __future__ import annotations

import http.client
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2 import texts
from tests.support.ecosystem2.generator import Ecosystem, generate
from tests.support.ecosystem2.server import EcoServer
from tests.support.ecosystem2.study import study_toml
from tests.support.ecosystem2.truth import framing_terms, ground_truth, judge

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def eco() -> Ecosystem:
    return generate()


@pytest.fixture(scope="module")
def truth(eco: Ecosystem) -> dict[str, Any]:
    return ground_truth(eco)


def _get(port: int, host: str, path: str, headers: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host, **(headers or {})})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8")
    finally:
        conn.close()


def test_generation_is_deterministic_and_differs_from_the_demo(eco: Ecosystem) -> None:
    again = generate()
    assert [(a.id, a.path, a.published, a.title, a.text()) for a in again.articles] == \
        [(a.id, a.path, a.published, a.title, a.text()) for a in eco.articles]
    from untold.demo import scenario as demo

    assert not {o.id for o in eco.outlets} & {o.id for o in demo.OUTLETS}
    assert len(eco.outlets) == 11
    assert Counter(o.country for o in eco.outlets) == {"KZ": 5, "KG": 2, "RU": 2, "US": 1,
                                                       "DE": 1}
    assert {a.language for a in eco.articles} == {"ru", "kk", "ky", "en"}
    assert sum(o.multilingual for o in eco.outlets) >= 3
    assert len({o.style for o in eco.outlets}) == 7 and len({o.dates for o in eco.outlets}) == 7
    assert 900 <= len(eco.articles) <= 1300


def test_planted_shares_are_exact(eco: Ecosystem) -> None:
    for o in eco.outlets:
        mine = [a for a in eco.articles if a.outlet_id == o.id and a.topic == "mine"]
        share = sc.OMIT_SHARE if o.id in sc.OMITTING else sc.FACT_SHARE
        stated = sum("violations" in a.facts_at(sc.START) for a in mine)
        assert stated == round(len(mine) * share), o.id
        assert sum("trapped" in a.facts for a in mine) == round(len(mine) * sc.TRAPPED_SHARE)
    silent = [a for a in eco.articles if a.outlet_id == sc.SILENT and a.topic == "mine"]
    assert silent and max(a.published for a in silent) < sc.WARNING
    assert len(silent) >= 5  # enough before the warning to show a silence clearly


def test_framing_words_split_the_sides(eco: Ecosystem) -> None:
    state = set(texts.framing_words("state"))
    other = set(texts.framing_words("other"))
    for side, own in (("state", state), ("other", other)):
        arts = [a for a in eco.articles if a.topic == "mine" and a.side == side]
        words = Counter(w.strip(".,«»\"") .lower() for a in arts
                        for w in f"{a.title} {a.text()}".split())
        mine_n = sum(words[w] for w in own)
        theirs = sum(words[w] for w in (other if side == "state" else state))
        assert mine_n >= 9 * theirs, side


def test_edit_and_deletions_are_seen_before_they_happen(eco: Ecosystem) -> None:
    (edited,) = [a for a in eco.articles if a.edited_at]
    assert edited.outlet_id == sc.EDIT.outlet_id and edited.published < sc.EARLY_PASS
    assert edited.removed and edited.removed in edited.text(sc.EARLY_PASS)
    assert edited.removed not in edited.text()
    before, after = edited.text(sc.EARLY_PASS), edited.text()
    assert before.replace(edited.removed, "").split() == after.split()
    deleted = [a for a in eco.articles if a.deleted_at]
    assert {(a.outlet_id, a.deletion) for a in deleted} == \
        {(d.outlet_id, d.kind) for d in sc.DELETIONS}
    assert all(a.published < sc.EARLY_PASS < a.deleted_at for a in deleted if a.deleted_at)
    first = min((a for a in eco.articles if a.topic == "mine"), key=lambda a: a.published)
    assert (first.outlet_id, first.published) == (sc.SILENT, sc.MINE_BREAK
                                                  + sc.FIRST_REPORT_AFTER)


def test_ground_truth_is_json_and_its_judge_tells_true_from_false(
        eco: Ecosystem, truth: dict[str, Any]) -> None:
    assert json.loads(json.dumps(truth, ensure_ascii=False)) == truth
    keys = [e["key"] for e in truth["findings"]["required"]]
    assert len(keys) == len(set(keys)) == 10
    edit_url = truth["edits"][0]["url"]
    url_of = {1: edit_url, 2: "http://elsewhere.test/x"}

    def row(**kw: Any) -> dict[str, Any]:
        return {"kind": "omission", "rule": "omission.outlet", "story": "mine",
                "subject": "aqorda", "sentence": "… state “violations” …", "evidence": [],
                "detail": {"fact": "violations"}, **kw}

    assert judge(row(), truth, url_of) == "omission.outlet:aqorda"
    assert judge(row(subject="stepnoy"), truth, url_of) is None
    assert judge(row(detail={"fact": "trapped"}), truth, url_of) is None
    assert judge(row(story="hydro"), truth, url_of) is None
    assert judge(row(rule="omission.group", subject="group:domestic"), truth, url_of) == \
        "omission.group:holding-omitters"
    assert judge(row(rule="omission.group", subject="group:russian"), truth, url_of) is None
    assert judge(row(kind="edit", rule="edit.substantive", subject=sc.EDIT.outlet_id,
                     evidence=[1], detail={}), truth, url_of) == "edit.substantive"
    assert judge(row(kind="edit", rule="edit.substantive", subject=sc.EDIT.outlet_id,
                     evidence=[2], detail={}), truth, url_of) is None
    framing = ("In ru, outlets in group “state” (27 story articles) and the others (40) "
               "choose different words. More often in “state”: “инцидент” (90 % vs 2 % of "
               "articles, z = 6.1). More often elsewhere: “трагед” (5 % vs 88 % of articles, "
               "z = -6.0). Of 300 words compared, a difference this strong would happen by "
               "chance with probability 1e-09.")
    f = row(kind="framing", rule="framing.log_odds", subject="group:state", sentence=framing,
            detail={})
    assert framing_terms(f) == (["инцидент"], ["трагед"])
    assert judge(f, truth, url_of) == "framing.log_odds:state"
    timing = framing.replace("“трагед” (5", "“горноспасател” (5")
    assert judge({**f, "sentence": timing}, truth, url_of) is None
    assert judge({**f, "subject": "group:private"}, truth, url_of) is None


def test_study_loads_and_every_query_parses(tmp_path: Path) -> None:
    from untold.config import load_study
    from untold.query import parse

    (tmp_path / "study.toml").write_text(study_toml({o.domain: 8080 for o in sc.OUTLETS}),
                                         encoding="utf-8")
    st = load_study(tmp_path / "study.toml")
    assert [o.id for o in st.outlets] == [o.id for o in sc.OUTLETS]
    assert {s.id: sorted(s.facts) for s in st.stories} == {"mine": ["trapped", "violations"],
                                                           "hydro": []}
    for s in st.stories:
        parse(s.query)
        for q in s.facts.values():
            parse(q)


# -- the server ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(eco: Ecosystem) -> Any:
    with EcoServer(eco) as s:
        yield s


def _article(eco: Ecosystem, **kw: Any) -> Any:
    return next(a for a in eco.articles if all(getattr(a, k) == v for k, v in kw.items()))


def test_blocked_outlet_refuses_connections_from_the_block_on(server: EcoServer) -> None:
    host = sc.outlet(sc.BLOCKED).domain
    server.now = sc.BLOCK_AT - timedelta(minutes=1)
    assert _get(server.blocked_port, host, "/robots.txt")[0] == 200
    server.now = sc.BLOCK_AT
    with pytest.raises(ConnectionRefusedError):
        _get(server.blocked_port, host, "/robots.txt")
    server.now = sc.BLOCK_AT - timedelta(minutes=1)  # the clock can go back (tests only)
    assert _get(server.blocked_port, host, "/robots.txt")[0] == 200
    assert server.listed(sc.BLOCKED, sc.BLOCK_AT) == set()


def test_flaky_outlet_answers_503_during_its_outage(server: EcoServer) -> None:
    host = sc.outlet(sc.FLAKY).domain
    server.now = sc.OUTAGE[0]
    status, headers, _ = _get(server.port, host, "/sitemap.xml")
    assert status == 503 and headers["retry-after"] == "3600"
    server.now = sc.OUTAGE[1]
    assert _get(server.port, host, "/sitemap.xml")[0] == 200


def test_edit_deletions_and_conditional_requests(eco: Ecosystem, server: EcoServer) -> None:
    edited = _article(eco, id=next(a.id for a in eco.articles if a.edited_at))
    host = sc.outlet(edited.outlet_id).domain
    server.now = sc.EARLY_PASS
    status, headers, body = _get(server.port, host, edited.path)
    assert status == 200 and edited.removed and edited.removed in body
    assert _get(server.port, host, edited.path, {"If-None-Match": headers["etag"]})[0] == 304
    server.now = sc.EDIT.at
    status, _, body = _get(server.port, host, edited.path, {"If-None-Match": headers["etag"]})
    assert status == 200 and edited.removed not in body
    for d in sc.DELETIONS:
        a = next(x for x in eco.articles if x.deleted_at == d.at)
        host = sc.outlet(a.outlet_id).domain
        server.now = d.at - timedelta(seconds=1)
        assert _get(server.port, host, a.path)[0] == 200
        server.now = d.at
        status, headers, _ = _get(server.port, host, a.path)
        if d.kind == "http_410":
            assert status == 410
        else:
            assert status == 301 and headers["location"] == sc.outlet(a.outlet_id).base + "/"
        assert eco.url(a) not in server.listed(a.outlet_id, d.at)


def test_view_counter_moves_between_revisits_and_reaches_the_text(
        eco: Ecosystem, server: EcoServer) -> None:
    """Two fetches an hour apart differ only in the counter line, and the extractor keeps
    that line: the counters-only case tests the edit tracker, not the extractor."""
    from untold.extract.pipeline import extract_page

    a = next(x for x in eco.articles if x.outlet_id == sc.COUNTERS and x.topic == "mine")
    host = sc.outlet(sc.COUNTERS).domain
    out = []
    for hours in (2, 3):
        server.now = a.published + timedelta(hours=hours)
        status, headers, body = _get(server.port, host, a.path)
        assert status == 200 and "last-modified" not in headers
        res = extract_page(url=eco.url(a), body=body.encode(), headers=headers,
                           outlet_languages=["ky", "ru"])
        assert res.article is not None
        out.append(res.article.text.splitlines())
    changed = [(x, y) for x, y in zip(*out, strict=True) if x != y]
    assert len(changed) == 1 and len(out[0]) == len(out[1]), changed


def test_listings_state_times_the_outlets_way(eco: Ecosystem, server: EcoServer) -> None:
    server.now = sc.END
    body = _get(server.port, sc.outlet("saryarqa").domain, "/sitemap.xml")[2]
    assert "<lastmod>2026-10-01T09:45:00</lastmod>" in body  # zone-less local time
    body = _get(server.port, sc.outlet("kaspiy").domain, "/sitemap.xml")[2]
    assert "<lastmod>2026-10-01</lastmod>" in body  # the day only
    body = _get(server.port, sc.outlet("aqorda").domain, "/rss.xml")[2]
    assert "+0500</pubDate>" in body
    first = next(a for a in eco.articles if a.outlet_id == "aqorda" and a.topic == "mine")
    page = _get(server.port, sc.outlet("aqorda").domain, first.path)[2]
    assert 'datetime="2026-10-01"' in page and "T0" not in page.split("<body>")[1][:2000]
