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
from untold.models import FindingRecord

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


# -- a reachability timeline: blocking in one network, an outage, OONI's own verdicts --------

NET_HOME = ("KZ", "AS65101", "Home ISP")  # untold's probe measures from here
NET_MOBILE = ("KZ", "AS65102", "Mobile ISP")  # OONI's measurements come from here
HOSTILE_NET = "<script>alert('net')</script>"  # network names are strangers' data
HOSTILE_CLASS = '<img src=x onerror="alert(5)">'
HOSTILE_HOST = '<b>evil</b>".example'
FREE_BLOCKED_DAYS = range(3, 7)  # free-press reset at the TLS handshake in NET_HOME
WIRE_DOWN_DAY = 5  # wire's site itself is down (from the control too): an outage


def _reach_row(oid: str | None, host: str, source: str, net: tuple[str, str, str],
               t: datetime, blocking: object, accessible: object, cls: str,
               ooni: tuple[object, object] | None = None) -> dict[str, object]:
    return {"outlet_id": oid, "host": host, "input": f"https://{host}/", "source": source,
            "probe_cc": net[0], "probe_asn": net[1], "network": net[2],
            "vantage": "ooni" if source == "ooni" else "home", "measured_at": _iso(t),
            "class": cls, "blocking": blocking, "accessible": accessible,
            "rule": "web_connectivity.untold", "rules_version": "2026.2", "no_control": False,
            "ooni_blocking": ooni[0] if ooni else None,
            "ooni_accessible": ooni[1] if ooni else None}


def reach_rows() -> list[dict[str, object]]:
    """Verdict rows over the sample's ten days (``SQLiteStore.reachability()`` shape).

    free-press: blocked in NET_HOME (untold's probe, twice a day) on FREE_BLOCKED_DAYS,
    reachable in NET_MOBILE (OONI, daily) throughout; wire: down on WIRE_DOWN_DAY (an
    outage: the control failed too); radio-x: blocked per OONI from day 2 on, from a
    network with a hostile name, OONI's own verdict beside untold's; quiet: reachable;
    a host of no study outlet with a hostile name and class, inconclusive."""
    rows = []
    for day in range(DAYS):
        for hour in (6, 18):
            t = DAY0 + timedelta(days=day, hours=hour)
            blocked = day in FREE_BLOCKED_DAYS
            rows.append(_reach_row("free-press", "free.example", "untold", NET_HOME, t,
                                   "http-failure" if blocked else False, not blocked,
                                   "sni_filtering_reset" if blocked else "ok"))
            down = day == WIRE_DOWN_DAY
            rows.append(_reach_row("wire", "wire.example", "untold", NET_HOME, t, False,
                                   not down, "site_down" if down else "ok"))
        t = DAY0 + timedelta(days=day, hours=9)
        rows.append(_reach_row("free-press", "free.example", "ooni", NET_MOBILE, t, False,
                               True, "ok", (False, True)))
        if day >= 2:
            rows.append(_reach_row("radio-x", "radio-x.example", "ooni",
                                   ("KZ", "AS65103", HOSTILE_NET), t, "http-failure", False,
                                   "sni_filtering_reset", ("http-failure", False)))
        rows.append(_reach_row("quiet", "quiet.example", "untold", NET_HOME, t, False, True,
                               "ok"))
    rows.append(_reach_row(None, HOSTILE_HOST, "ooni", NET_MOBILE, DAY0 + timedelta(days=4),
                           None, None, HOSTILE_CLASS, (None, None)))
    return sorted(rows, key=lambda r: str(r["measured_at"]))


def reach_output() -> dict[str, dict[str, int]]:
    """Articles the archive holds per day (the report's ``outlet_output``): free-press has
    none while blocked, wire none on its outage day, radio-x none at all; quiet is left
    out (its output not known)."""
    days = [(DAY0 + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(DAYS)]
    return {
        "free-press": {d: 10 for i, d in enumerate(days) if i not in FREE_BLOCKED_DAYS},
        "wire": {d: 30 for i, d in enumerate(days) if i != WIRE_DOWN_DAY},
        "radio-x": {},
    }
