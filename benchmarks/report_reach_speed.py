"""The report's Reachability section with many verdicts: time to render.

Run from the repository root::

    .venv/bin/python benchmarks/report_reach_speed.py [--rows 10000] [--repeat 5]

Builds ``--rows`` verdict rows (the ``SQLiteStore.reachability()`` shape) for 13
outlets over two months, half from untold's probe and half from OONI, in three
networks, two of the outlets blocked part of the time, with each outlet's
articles per day; renders the section (figures, periods, tables and their
downloads) and prints the best CPU time of ``--repeat`` runs against the 1 s
target, the section's size and the marks drawn, for two layouts: verdicts spread
over six lanes per outlet (few close enough to share a mark), and packed into two
(most share one).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from untold.report.context import ReportContext  # noqa: E402
from untold.report.sections_reach import reachability_section  # noqa: E402

TARGET_S = 1.0  # a report with 10,000 verdicts must not wait on this section
OUTLETS = [f"o{i}" for i in range(13)]
DAY0 = datetime(2026, 9, 1, tzinfo=UTC)


def rows(n: int, lanes: int) -> list[dict[str, Any]]:
    span = timedelta(days=60) / n
    out = []
    for i in range(n):
        o, lane = OUTLETS[i % len(OUTLETS)], (i // len(OUTLETS)) % lanes
        source = "ooni" if lane % 2 else "untold"
        blocked = o in ("o1", "o2") and (i // len(OUTLETS)) % 50 < 10
        out.append({
            "outlet_id": o, "host": f"{o}.example", "input": f"https://{o}.example/",
            "source": source, "probe_cc": "KZ", "probe_asn": f"AS6510{lane // 2}",
            "network": f"Network {lane // 2}", "vantage": source,
            "measured_at": (DAY0 + span * i).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "class": "sni_filtering_reset" if blocked else "ok",
            "blocking": "http-failure" if blocked else False, "accessible": not blocked,
            "rule": "web_connectivity.untold", "rules_version": "1", "no_control": False,
            "ooni_blocking": ("http-failure" if blocked else False) if source == "ooni" else None,
            "ooni_accessible": (not blocked) if source == "ooni" else None})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    output = {o: {(DAY0 + timedelta(days=d)).strftime("%Y-%m-%d"): 20 for d in range(61)}
              for o in OUTLETS}
    for label, lanes in (("spread, 6 lanes per outlet", 6), ("packed, 2 lanes per outlet", 2)):
        ctx = ReportContext(title="bench", reachability=rows(args.rows, lanes),
                            outlet_output=output)
        best, html = float("inf"), ""
        for _ in range(args.repeat):
            t = time.process_time()
            html = reachability_section(ctx)
            best = min(best, time.process_time() - t)
        marks = html.count('<text class="mark"')
        print(f"{args.rows:,} verdicts, {label}: {best * 1000:.0f} ms CPU "
              f"(target {TARGET_S * 1000:.0f} ms, ratio {best / TARGET_S:.2f}), "
              f"{len(html) / 1e6:.1f} MB, {marks:,} marks")


if __name__ == "__main__":
    main()
