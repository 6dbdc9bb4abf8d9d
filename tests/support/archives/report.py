"""A real study archive for the report tests: study file, SQLite archive, WARC records.

Pages are written with the real WarcWriter and stored with the real store, so
the report reads captured copies back exactly as it does for a collected study.
Some pages are hostile (scripts, remote images, a hostile title).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.archives import open_study, stored_article
from untold.collect.warcwriter import WarcWriter
from untold.models import FindingRecord, Verdict

HOSTILE_TITLE = "<script>alert(1)</script>"
T0 = datetime(2026, 3, 10, 8, tzinfo=UTC)

STUDY = """
[study]
name = "Report test <study>"
description = "A small archive for the report tests"
archive = "archive"

[[outlets]]
id = "free"
name = "Free Press"
domains = ["free.example"]
country = "KZ"
groups = ["independent"]

[[outlets]]
id = "state"
name = "State TV"
domains = ["state.example"]
country = "KZ"
groups = ["state"]

[[stories]]
id = "floods"
title = "Spring floods"
query = "flood OR floods"
start = 2026-03-10T00:00:00Z
end = 2026-03-15T00:00:00Z

[[events]]
id = "warning"
time = 2026-03-12T12:00:00Z
description = "Ministry warns media about panic"
groups = ["state"]
"""

PAGE = ('<html><head><title>{title}</title><script>document.title="pwned"</script></head>'
        '<body><h1>{title}</h1><img src="{tracker}"><p>{text}</p></body></html>')


def _articles(titles: Sequence[str] = ()) -> list[tuple[str, int, str, str]]:
    """(outlet, hour offset, title, text): free covers the floods, state talks of other things.

    ``titles``: more flood articles of free with these titles (hostile CSV cells)."""
    rows = [("free", 40 + i, t, f"Flood report {i}: water levels rise.")
            for i, t in enumerate(titles)]
    for day in range(5):
        rows.append(("free", day * 24 + 2, f"Floods day {day}: rivers rise",
                     f"The floods reached village {day}. Residents report flood damage."))
        rows.append(("free", day * 24 + 5, f"Markets update {day}", "Prices of grain were stable."))
        rows.append(("state", day * 24 + 3, f"President meets delegation {day}",
                     "A delegation arrived in the capital for talks on trade."))
    rows.append(("free", 30, HOSTILE_TITLE, "Floods: the dam is leaking, officials say."))
    return rows


def build(tmp: Path, tracker: str = "http://127.0.0.1:9/tracker.png",
          titles: Sequence[str] = ()) -> tuple[Path, dict[str, int]]:
    """Write the study and its archive under ``tmp``; return (study path, title -> article id).

    Every page embeds an image from ``tracker``: viewing a captured copy must not fetch it.
    """
    study_path, st, store = open_study(tmp, STUDY)
    ids: dict[str, int] = {}
    try:
        with WarcWriter(st.warc_dir) as w:
            for outlet, hours, title, text in _articles(titles):
                url = f"https://{outlet}.example/news/{hours}"
                when = T0 + timedelta(hours=hours)
                body = PAGE.format(title=title.replace("<", "&lt;"), text=text,
                                   tracker=tracker).encode()
                loc = w.write_exchange(
                    url=url, method="GET", request_headers={"User-Agent": "untold-test"},
                    status=200, reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")], body=body,
                    fetched_at=when, ip="127.0.0.1")
                store.add_articles([stored_article(
                    store, outlet=outlet, url=url, fetched_at=when, title=title, text=text,
                    published=when, text_hash=hashlib.sha256(text.encode()).hexdigest(),
                    warc=(loc.warc_file, loc.offset, loc.length), sha256=loc.sha256,
                    language="en", confidence=0.99, content_type="text/html",
                    record_id=loc.record_id)])
        for aid, title in store.conn.execute("SELECT id, title FROM articles"):  # type: ignore[attr-defined]
            ids[title] = int(aid)
        run = store.start_analysis("silence", story_id="floods", rules_version="test-1")
        store.add_findings(run, [FindingRecord(
            kind="silence", rule="silence.test", rules_version="test-1", subject="state",
            story_id="floods", sentence="State TV said nothing about the floods while Free "
            "Press gave them a third of its output.", p_value=0.002, q_value=0.004,
            effect=-0.33, thresholds={"q_max": 0.05},
            evidence=[(ids["Floods day 0: rivers rise"], "comparison"),
                      (ids[HOSTILE_TITLE], "comparison")])])
        store.finish_analysis(run)
        states: list[tuple[str | bool, bool]] = [("dns", False), (False, True)]
        for i, (blocking, acc) in enumerate(states):
            m = {"measurement_uid": f"m{i}", "input": "https://state.example/"}
            mid, _ = store.add_measurement(
                m, source="ooni", host="state.example", outlet_id="state", summary={
                    "input": "https://state.example/", "probe_cc": "KZ", "probe_asn": "AS9198",
                    "probe_network_name": "Kazakhtelecom",
                    "measurement_start_time": f"2026-03-1{1 + 2 * i}T10:00:00Z"})
            store.add_verdict(mid, Verdict("wc.test", "test-1", blocking, acc,
                                           "dns.nxdomain" if blocking else "ok", False))
    finally:
        store.close()
    return study_path, ids
