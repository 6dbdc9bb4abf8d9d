"""A hand-built story result, findings and verdicts for the report tests.

Numbers are made up but consistent (shares are matching/total, intervals are
real Wilson intervals); titles and URLs include hostile strings on purpose.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from untold.analyze.results import (
    AttentionPoint,
    CoverageRow,
    EventMark,
    ReprintLink,
    SampleArticle,
    StoryResult,
)
from untold.store.sqlite_analysis import FindingRecord

HOSTILE_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
HOSTILE_URL = 'https://evil.example/"onmouseover="alert(3)'
JS_URL = "javascript:alert(4)"
DAY0 = datetime(2026, 3, 10, tzinfo=UTC)
DAYS = 10

# outlet id -> (name, groups, status, per-day (matching, total))
OUTLETS = {
    "state-tv": ("State TV", ("state",), "silent", [(0, 20)] * DAYS),
    "gov-news": ("Gov News", ("state",), "covered", [(0, 15)] * 4 + [(1, 15)] * 6),
    "free-press": ("Free Press", ("independent",), "covered",
                   [(0, 10), (1, 10), (0, 10), (4, 12), (6, 12), (5, 11), (3, 10), (2, 10),
                    (2, 9), (1, 10)]),
    "radio-x": (HOSTILE_TITLE, ("independent",), "unreachable", [(0, 0)] * DAYS),
    "wire": ("Wire Service", ("foreign",), "covered",
             [(0, 30), (0, 30), (2, 30), (8, 30), (9, 30), (7, 28), (4, 30), (3, 30), (2, 30),
              (1, 30)]),
    "quiet": ("Quiet Daily", ("state",), "no_output", [(0, 0)] * DAYS),
}
GROUPS = {"state": ["state-tv", "gov-news", "quiet"], "independent": ["free-press", "radio-x"],
          "foreign": ["wire"]}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 0.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def _point(bucket: str, subject: str, kind: str, k: int, n: int) -> AttentionPoint:
    lo, hi = wilson(k, n)
    return AttentionPoint(bucket, subject, kind, k, n, k / n if n else 0.0, lo, hi)  # type: ignore[arg-type]


def _iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def story(capture_ids: dict[int, tuple[int, str]] | None = None) -> StoryResult:
    """The sample story; ``capture_ids`` maps sample article id -> (capture id, sha256)."""
    caps = capture_ids or {}
    points = []
    for i in range(DAYS):
        day = (DAY0 + timedelta(days=i)).strftime("%Y-%m-%d")
        for oid, (_, _, _, series) in OUTLETS.items():
            points.append(_point(day, oid, "outlet", *series[i]))
        for g, members in GROUPS.items():
            k = sum(OUTLETS[o][3][i][0] for o in members)
            n = sum(OUTLETS[o][3][i][1] for o in members)
            points.append(_point(day, g, "group", k, n))
    rows = []
    first_seen = {"free-press": 1, "wire": 2, "gov-news": 4}
    for oid, (name, groups, status, series) in OUTLETS.items():
        k, n = sum(a for a, _ in series), sum(b for _, b in series)
        lo, hi = wilson(k, n)
        fd = first_seen.get(oid)
        rows.append(CoverageRow(
            outlet_id=oid, name=name, country="KZ", groups=groups, curated=True, matching=k,
            original=k - (2 if oid == "gov-news" else 0), reprints=2 if oid == "gov-news" else 0,
            total_in_window=n, share=k / n if n else 0.0, ci_low=lo, ci_high=hi,
            first_time=_iso(DAY0 + timedelta(days=fd, hours=9)) if fd else None,
            first_article_id=100 + fd if fd else None,
            lag_hours=(fd - 1) * 24.0 if fd else None, fetch_ok=0 if status == "unreachable"
            else 40, fetch_failed=12 if status == "unreachable" else 0,
            failure_kinds={"connection_reset": 12} if status == "unreachable" else {},
            status=status))  # type: ignore[arg-type]
    samples = []
    for aid, (oid, title, url) in enumerate([
            ("free-press", "Protests reach the capital", "https://free.example/a1"),
            ("wire", HOSTILE_TITLE, HOSTILE_URL),
            ("free-press", "Ministry denies the reports", JS_URL),
            ("gov-news", "Officials meet residents", "https://gov.example/n/7")], start=101):
        cid, sha = caps.get(aid, (aid + 1000, "0" * 64))
        samples.append(SampleArticle(
            article_id=aid, outlet_id=oid, title=title, url=url,
            published=_iso(DAY0 + timedelta(days=aid - 100, hours=9)),
            fetched_at=_iso(DAY0 + timedelta(days=aid - 100, hours=10)), language="en",
            capture_id=cid, sha256=sha, reprint_of=102 if oid == "gov-news" else None))
    events = (EventMark("warning", _iso(DAY0 + timedelta(days=3, hours=12)),
                        "Prosecutor warns media about 'false information'", ("state",), ("KZ",)),
              EventMark("shutdown", _iso(DAY0 + timedelta(days=6, hours=6)),
                        "Mobile internet cut in the region " + HOSTILE_TITLE, (), ("KZ",)))
    return StoryResult(
        story_id="protests", title="Regional protests " + HOSTILE_TITLE, query='протест* OR "protest"',
        window_start=_iso(DAY0), window_end=_iso(DAY0 + timedelta(days=DAYS)), bucket="day",
        attention=tuple(points), coverage=tuple(rows),
        reprints=(ReprintLink(104, "gov-news", 102, "wire", 0.93),), samples=tuple(samples),
        first_report=samples[0], events=events, matching_total=sum(r.matching for r in rows))


def findings() -> list[FindingRecord]:
    return [
        FindingRecord(kind="silence", rule="silence.binomial", rules_version="2026.1",
                      subject="state-tv", story_id="protests",
                      sentence="State TV published 200 articles in the window and none on the "
                               "protests, while comparable outlets gave it 9.3% of their output.",
                      statistic=0.0, p_value=1.2e-8, q_value=3.4e-8, effect=-0.093,
                      ci_low=0.0, ci_high=0.018, thresholds={"q_max": 0.05, "min_total": 30},
                      evidence=[(101, "comparison"), (102, "comparison")], run_id=7),
        FindingRecord(kind="omission", rule="omission.fact", rules_version="2026.1",
                      subject="gov-news", story_id="protests",
                      sentence=f"Gov News left out a fact: {HOSTILE_TITLE}",
                      p_value=0.004, q_value=0.01, effect=-0.5,
                      evidence=[(104, "omits"), (999, "missing")], run_id=7),
        FindingRecord(kind="framing", rule="framing.log_odds", rules_version="2026.1",
                      subject="group:state", story_id="protests",
                      sentence="In ru, state outlets say “провокаци” where others say “митинг”.",
                      statistic=5.2, p_value=1e-6, effect=1.3, detail={
                          "group": "state", "top_group": [
                              {"term": "провокаци", "z": 5.2, "q": 0.001},
                              {"term": HOSTILE_TITLE, "z": 2.5, "q": 0.04}],
                          "top_others": [{"term": "митинг", "z": -4.1, "q": 0.002},
                                         {"term": "bad", "z": "x"}]}, run_id=7),
    ]


def reachability() -> list[dict[str, object]]:
    out = []
    for i, (oid, host, blocking, acc) in enumerate([
            ("radio-x", "radio-x.example", "dns", False),
            ("radio-x", "radio-x.example", "dns", False),
            ("radio-x", "radio-x.example", False, True),
            ("free-press", "free.example", False, True),
            ("free-press", "free.example", None, None)]):
        out.append({"outlet_id": oid, "host": host, "input": f"https://{host}/",
                    "source": "ooni", "probe_cc": "KZ", "probe_asn": "AS9198",
                    "network": "JSC Kazakhtelecom", "vantage": "ooni",
                    "measured_at": _iso(DAY0 + timedelta(days=2 * i + 1)),
                    "class": "dns.nxdomain" if blocking else "ok", "blocking": blocking,
                    "accessible": acc, "rule": "web_connectivity.untold",
                    "rules_version": "2026.1", "no_control": False})
    return out
