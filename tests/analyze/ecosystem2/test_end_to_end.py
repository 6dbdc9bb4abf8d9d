"""Ecosystem 2 end to end: served on loopback, collected pass by pass with untold's real
collector, analysed with the CLI; every finding is held against the ground truth.

A finding that is not in the ground truth fails (the message prints its sentence and
detail); so does a planted pattern that is not found. The null story, the blocked,
low-volume, counters-only and flaky outlets must produce no finding at all.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from contextlib import closing
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2.run import connect
from tests.support.ecosystem2.truth import judge

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
DATELINE_ONLY = next(o.id for o in sc.OUTLETS if o.dates == "dateline")


SHOWN_IN_FULL = 8  # findings printed with their detail when a test fails; the rest counted


def _show(rows: list[dict[str, Any]]) -> str:
    """Failing findings for the reader: counts per (story, rule, subject), then the first
    ones in full (sentence and detail)."""
    counts = Counter(f"{r['story']} {r['rule']} {r['subject']}" for r in rows)
    full = [{k: r.get(k) for k in ("kind", "rule", "story", "subject", "sentence", "q_value",
                                   "effect", "detail")} for r in rows[:SHOWN_IN_FULL]]
    return (json.dumps(counts, ensure_ascii=False, indent=1) + "\n"
            + json.dumps(full, ensure_ascii=False, indent=1))


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- the ecosystem was collected as served ---------------------------------------------

def test_collected_what_the_listings_showed(eco2: dict[str, Any]) -> None:
    """Every article a listing the study names showed at some pass was collected, and
    nothing else: the ecosystem and the collector agree on what was there to find."""
    from tests.support.ecosystem2.server import EcoServer

    eco = eco2["eco"]
    expected: dict[str, set[str]] = {o.id: set() for o in eco.outlets}
    with EcoServer(eco) as server:
        for t in sc.PASSES:
            for o in eco.outlets:
                expected[o.id] |= server.listed(o.id, t)
    got: dict[str, set[str]] = defaultdict(set)
    with closing(connect(eco2)) as conn:
        for oid, url in conn.execute("SELECT outlet_id, url FROM articles"):
            got[oid].add(url)
    wrong = {o: {"missing": len(expected[o] - got[o]), "extra": len(got[o] - expected[o])}
             for o in expected if got[o] != expected[o]}
    assert not wrong, wrong
    # the traps are real: the blocked outlet's window is mostly unobserved
    blocked = sum(1 for a in eco.articles if a.outlet_id == sc.BLOCKED)
    assert len(got[sc.BLOCKED]) < 0.6 * blocked


def test_story_queries_match_exactly_the_story_articles(eco2: dict[str, Any]) -> None:
    from untold import api

    truth = eco2["truth"]
    collected = set(eco2["url_of"].values())
    for story in (sc.MINE, sc.HYDRO):
        want = {a["url"] for a in truth["articles"] if a["topic"] == story.id} & collected
        got = {r.url for r in api.search(eco2["study"], story.query)}
        assert got == want, (story.id, sorted(got - want)[:5], sorted(want - got)[:5])


def test_collection_troubles_were_recorded(eco2: dict[str, Any]) -> None:
    """The blocked outlet's refusals and the flaky outlet's 503 pass are in the archive
    as failures, and the flaky outlet lost nothing."""
    with closing(connect(eco2)) as conn:
        refused = conn.execute("SELECT COUNT(*) FROM captures WHERE outlet_id = ? AND "
                               "failure = 'connection_refused'", (sc.BLOCKED,)).fetchone()[0]
        flaky = conn.execute("SELECT COUNT(*) FROM captures WHERE outlet_id = ? AND "
                             "(status = 503 OR failure IS NOT NULL)", (sc.FLAKY,)).fetchone()[0]
        others = conn.execute("SELECT outlet_id, failure, status, COUNT(*) FROM captures "
                              "WHERE outlet_id NOT IN (?, ?) AND (failure IS NOT NULL OR "
                              "status >= 500) GROUP BY 1, 2, 3",
                              (sc.BLOCKED, sc.FLAKY)).fetchall()
    assert refused >= 1 and flaky >= 1
    assert others == []


# -- the analyses ----------------------------------------------------------------------

def test_every_planted_pattern_is_found(eco2: dict[str, Any]) -> None:
    truth, rows = eco2["truth"], eco2["findings"]
    matched = {judge(r, truth, eco2["url_of"]) for r in rows}
    missing = [e for e in truth["findings"]["required"] if e["key"] not in matched]
    near = {e["key"]: [r for r in rows if (r["rule"], r["story"]) == (e["rule"], e["story"])]
            for e in missing}
    assert not missing, ("planted but not found: " + ", ".join(e["key"] for e in missing)
                         + "\nfindings of those rules:\n"
                         + "\n".join(f"{k}: {_show(v)}" for k, v in near.items()))


def test_nothing_else_is_found(eco2: dict[str, Any]) -> None:
    truth, rows = eco2["truth"], eco2["findings"]
    stray = [r for r in rows if judge(r, truth, eco2["url_of"]) is None]
    assert not stray, f"{len(stray)} findings not in the ground truth:\n{_show(stray)}"


def test_null_story_has_no_finding(eco2: dict[str, Any]) -> None:
    rows = [r for r in eco2["findings"] if r["story"] == sc.HYDRO.id]
    assert not rows, _show(rows)


@pytest.mark.parametrize("role", ["blocked", "low_volume", "counters", "flaky"])
def test_troubled_outlets_have_no_finding(eco2: dict[str, Any], role: str) -> None:
    oid = eco2["truth"]["quiet_outlets"][role]
    rows = [r for r in eco2["findings"] if r["subject"] == oid]
    assert not rows, _show(rows)


def test_stealth_edit_and_deletions_are_listed_and_nothing_else(eco2: dict[str, Any]) -> None:
    truth, url_of = eco2["truth"], eco2["url_of"]
    got = Counter((r["rule"], r["outlet"], url_of.get(r["article"]), r["fact"])
                  for r in eco2["edits"])
    edit = truth["edits"][0]
    want = Counter([("edit.substantive", edit["outlet"], edit["url"], None),
                    ("edit.fact_removed", edit["outlet"], edit["url"], edit["fact"]),
                    *((d["rule"], d["outlet"], d["url"], None) for d in truth["deletions"])])
    extra, missing = got - want, want - got
    assert not extra and not missing, json.dumps(
        {"missing": [list(k) for k in missing],
         "extra": [f"{n} x {k}" for k, n in extra.most_common()],
         "extra_example": next((r["sentence"] for r in eco2["edits"]
                                if (r["rule"], r["outlet"], url_of.get(r["article"]),
                                    r["fact"]) in extra), None)},
        ensure_ascii=False, indent=1)


def test_view_counter_changes_are_not_edits(eco2: dict[str, Any]) -> None:
    """The counter outlet's pages changed at every revisit (the bytes differ), and not one
    change was recorded as an edit."""
    from untold import api

    with closing(connect(eco2)) as conn:
        changed = conn.execute(
            "SELECT COUNT(*) FROM (SELECT url FROM captures WHERE outlet_id = ? AND status = 200 "
            "AND kind IN ('article', 'revisit') GROUP BY url "
            "HAVING COUNT(DISTINCT sha256) > 1)", (sc.COUNTERS,)).fetchone()[0]
    assert changed >= 20  # revisits saw the counters move
    events = [e for e in api.edit_events(eco2["study"]) if e["outlet"] == sc.COUNTERS]
    articles = {e["article_id"] for e in events}
    assert events == [], (f"{len(events)} edit events on {len(articles)} articles of the "
                          "counter outlet; the first one changed these lines:\n"
                          f"{_changed_lines(eco2, events[0])}")


def _changed_lines(result: dict[str, Any], event: dict[str, Any]) -> str:
    """The lines that differ between the two versions an edit event names."""
    with closing(connect(result)) as conn:
        texts = dict(conn.execute("SELECT version, text FROM article_versions WHERE "
                                  "article_id = ?", (event["article_id"],)).fetchall())
        # version 1 is the article as first collected
        texts.setdefault(1, conn.execute("SELECT text FROM articles WHERE id = ?",
                                         (event["article_id"],)).fetchone()[0])
    before = texts.get(event["from_version"], "").splitlines()
    after = texts.get(event["to_version"], "").splitlines()
    return "\n".join(f"- {a}\n+ {b}" for a, b in zip(before, after, strict=False) if a != b)


def test_first_report_is_the_true_one_not_a_midnight_date(eco2: dict[str, Any]) -> None:
    first = eco2["truth"]["first_report"]
    (row,) = [r for r in eco2["analyze"] if r["story"] == first["story"]]
    assert row["first_time"] is not None
    assert row["first_time"][11:19] != "00:00:00", row  # a day-only date won
    assert (row["first_outlet"], _utc(row["first_time"])) == \
        (first["outlet"], _utc(first["published"])), row


# -- what extraction made of the pages ---------------------------------------------------

def test_publication_times_are_right(eco2: dict[str, Any]) -> None:
    """Each article's time as the page, feed or sitemap states it, in UTC. The outlet whose
    pages state their time only in a visible dateline (and its sitemap only the day) may
    fall back to the day: its local calendar day at midnight, never a wrong time; read
    from the dateline, its time is right to the minute the dateline states."""
    truth = {a["url"]: a for a in eco2["truth"]["articles"]}
    zones = {o: ZoneInfo(v["timezone"]) for o, v in eco2["truth"]["outlets"].items()}
    wrong: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    examples: dict[str, tuple[str, str | None]] = {}
    with closing(connect(eco2)) as conn:
        for oid, url, published in conn.execute("SELECT outlet_id, url, published FROM articles"):
            want = _utc(truth[url]["published"])
            got = _utc(published) if published else None
            seen[oid] += 1
            day_only = (oid == DATELINE_ONLY and got is not None
                        and (got.hour, got.minute, got.second) == (0, 0, 0)
                        and got.date() == want.astimezone(zones[oid]).date())
            to_minute = (oid == DATELINE_ONLY and got is not None
                         and got == want.replace(second=0, microsecond=0))
            if got != want and not day_only and not to_minute:
                wrong[oid] += 1
                examples.setdefault(oid, (truth[url]["published"], published))
    assert not wrong, json.dumps({o: f"{wrong[o]} of {seen[o]} wrong, e.g. true "
                                     f"{examples[o][0]}, stored {examples[o][1]}"
                                  for o in wrong}, ensure_ascii=False, indent=1)


def test_titles_are_the_headlines(eco2: dict[str, Any]) -> None:
    """The stored title is the headline, without the site name the <title> adds."""
    truth = {a["url"]: a["title"] for a in eco2["truth"]["articles"]}
    wrong: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    with closing(connect(eco2)) as conn:
        for oid, url, title in conn.execute("SELECT outlet_id, url, title FROM articles"):
            seen[oid] += 1
            if title != truth[url]:
                wrong[oid] += 1
                examples.setdefault(oid, (truth[url], title))
    assert not wrong, json.dumps({o: {"wrong": n, "of": seen[o], "headline": examples[o][0],
                                      "stored": examples[o][1]} for o, n in wrong.items()},
                                 ensure_ascii=False, indent=1)
