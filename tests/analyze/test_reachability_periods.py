"""Unreachable periods from blocking verdict rows: states, runs, conservative bounds."""

from __future__ import annotations

from typing import Any

from untold.analyze.reachability import (
    MAX_EXTEND,
    MAX_GAP,
    reach_state,
    unreachable_days,
    unreachable_periods,
)

ACC = (False, True, "accessible")
RESET = ("http-failure", False, "sni_filtering_reset")
BLOCKPAGE = ("dns", False, "dns_blockpage")
DOWN = (False, False, "site_down")
NOCTRL = (None, None, "control_failed")


def row(at: str, verdict: tuple[Any, Any, str], *, outlet: str = "a", source: str = "untold",
        cc: str = "KG", asn: str = "AS65001", net: str = "Example ISP") -> dict[str, Any]:
    blocking, accessible, cls = verdict
    return {"outlet_id": outlet, "host": f"{outlet}.example", "source": source,
            "probe_cc": cc, "probe_asn": asn, "network": net, "measured_at": at,
            "blocking": blocking, "accessible": accessible, "class": cls}


def t(day: int, hour: int = 6) -> str:
    return f"2026-10-{day:02d}T{hour:02d}:00:00Z"


def test_reach_state_reads_ooni_vocabulary() -> None:
    assert reach_state(row(t(1), RESET)) == "blocked"
    assert reach_state(row(t(1), BLOCKPAGE)) == "blocked"
    assert reach_state(row(t(1), ("http-diff", None, "http_diff"))) == "blocked"
    assert reach_state(row(t(1), DOWN)) == "down"
    assert reach_state(row(t(1), ACC)) == "accessible"
    for unknown in (NOCTRL, (None, None, "no_data"), (None, None, "unknown"),
                    (None, None, "probe_error")):
        assert reach_state(row(t(1), unknown)) == "unknown"
    # a CDN turning the probe away is neither a block nor the site failing
    assert reach_state(row(t(1), (False, False, "server_block_or_cdn_challenge"))) == "unknown"
    # "false" as text (OONI files differ) is no blocking
    assert reach_state(row(t(1), ("false", True, "accessible"))) == "accessible"


def test_run_bounded_by_neighbours_that_did_not_show_it() -> None:
    rows = [row(t(1), ACC), row(t(1, 18), RESET), row(t(2), RESET), row(t(2, 18), ACC)]
    [p] = unreachable_periods(rows)
    assert (p.outlet_id, p.state, p.source, p.network) == ("a", "blocked", "untold",
                                                          "KG AS65001 Example ISP")
    assert (p.first, p.last, p.count) == (t(1, 18), t(2), 2)
    assert (p.start, p.end) == (t(1), t(2, 18))  # the accessible measurements around it
    assert p.classes == ("sni_filtering_reset",)


def test_bounds_extend_at_most_max_extend() -> None:
    assert MAX_EXTEND.days == 1
    rows = [row(t(1), ACC), row(t(5), RESET), row(t(6), RESET), row(t(12), ACC)]
    [p] = unreachable_periods(rows)
    assert (p.start, p.end) == (t(4), t(7))


def test_run_at_the_series_edges_ends_max_extend_after_it() -> None:
    # no measurement before or after: nothing is known past MAX_EXTEND
    [p] = unreachable_periods([row(t(10), RESET), row(t(11), RESET)])
    assert (p.start, p.end) == (t(9), t(12))


def test_unknown_measurements_are_skipped_not_bounds() -> None:
    # a control that failed says nothing: the block may have begun before it
    rows = [row(t(1), ACC), row(t(2), NOCTRL), row(t(3), RESET), row(t(4), NOCTRL),
            row(t(5), RESET), row(t(6), ACC)]
    [p] = unreachable_periods(rows)
    assert (p.first, p.last, p.count) == (t(3), t(5), 2)
    assert (p.start, p.end) == (t(2), t(6))


def test_a_long_gap_splits_a_run() -> None:
    gap_days = MAX_GAP.days + 1
    rows = [row(t(1), RESET), row(t(1 + gap_days), RESET), row(t(2 + gap_days), RESET)]
    a, b = unreachable_periods(rows)
    assert (a.count, b.count) == (1, 2)
    assert (a.start, a.end) == ("2026-09-30T06:00:00Z", t(2))  # MAX_EXTEND either side
    assert b.start == t(gap_days)  # MAX_EXTEND before it
    # a gap within MAX_GAP keeps one run
    [one] = unreachable_periods([row(t(1), RESET), row(t(1 + MAX_GAP.days), RESET)])
    assert one.count == 2


def test_blocked_and_down_are_separate_runs() -> None:
    rows = [row(t(2), RESET), row(t(3), DOWN), row(t(4), DOWN), row(t(5), BLOCKPAGE)]
    got = [(p.state, p.count, p.start, p.end) for p in unreachable_periods(rows)]
    assert got == [("blocked", 1, t(1), t(3)), ("down", 2, t(2), t(5)),
                   ("blocked", 1, t(4), t(6))]


def test_periods_per_outlet_network_and_source() -> None:
    rows = [row(t(3), RESET), row(t(3), ACC, source="ooni"),
            row(t(4), RESET, source="ooni", cc="KZ", asn="AS65002", net="Another ISP"),
            row(t(4), RESET, outlet="b"), row(t(3), ACC, outlet="b")]
    got = sorted((p.outlet_id, p.network, p.source) for p in unreachable_periods(rows))
    assert got == [("a", "KG AS65001 Example ISP", "untold"),
                   ("a", "KZ AS65002 Another ISP", "ooni"),
                   ("b", "KG AS65001 Example ISP", "untold")]
    # rows without an outlet or a time are skipped
    assert unreachable_periods([row(t(3), RESET, outlet=""),
                                {**row(t(3), RESET), "measured_at": None}]) == []


def test_classes_sorted_and_unique() -> None:
    rows = [row(t(3), ("http-failure", False, "sni_filtering_reset")),
            row(t(3, 18), ("dns", False, "dns_blockpage")), row(t(4), RESET)]
    [p] = unreachable_periods(rows)
    assert p.classes == ("dns_blockpage", "sni_filtering_reset")
    assert p.as_dict()["classes"] == ["dns_blockpage", "sni_filtering_reset"]


def test_unreachable_days_any_part_of_the_day() -> None:
    rows = [row(t(1), ACC), row(t(3, 18), RESET), row(t(4, 6), ACC)]
    periods = unreachable_periods(rows)
    days = [f"2026-10-{d:02d}" for d in range(1, 8)]
    # start: MAX_EXTEND before 3 Oct 18:00 = 2 Oct 18:00; end: the accessible 4 Oct 06:00
    assert unreachable_days(periods, "a", days) == {"2026-10-02", "2026-10-03",
                                                   "2026-10-04"}
    assert unreachable_days(periods, "other", days) == set()
    # an end exactly at midnight does not touch the next day
    [p] = unreachable_periods([row(t(2, 0), ACC), row(t(2, 12), DOWN), row(t(3, 0), ACC)])
    assert unreachable_days([p], "a", days) == {"2026-10-02"}
