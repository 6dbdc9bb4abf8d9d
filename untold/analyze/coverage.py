"""The coverage matrix: who reported a story, when, how much of it was reprinted,
and whether an outlet's silence can be read as silence at all.

Per outlet (the store's counts over the story's matches and the captures):
matching articles, the first one and its lag behind the first report
anywhere, reprints, output in the window, fetches that answered or failed
with their failure strings, and a status (:func:`coverage_status`).

Dates by precision: an article whose page (and listing) gave only the day is
ordered by the END of that day in its outlet's zone (the match table's ``k``),
so a day-only date never wins a first report against a timed one of the same
day; its lag is counted in calendar days, not hours (``lag_days``).

A story article is a *reprint* when the near-duplicate table links it (either
direction: links are made in collection order, not publication order) to an
article of ANOTHER outlet published EARLIER (surely: a day-only date spans its
day); the earliest such article is the original it reprints. A near-duplicate of the outlet's own article is a
republication, still original to that outlet.

Reachability (:class:`ReachSummary`): the blocking verdicts of untold's probe and of
imported OONI measurements of the outlet in the window (any network), and the window
days any part of which lies in a period it could not be reached (blocked, or its
site down: ``untold.analyze.reachability``). An outlet with no story article that
could not be reached on more than ``UNREACHABLE_FAILED_SHARE`` of the window's days
is ``unreachable``, as one whose fetches mostly failed is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from untold.analyze.intervals import wilson
from untold.analyze.reachability import (
    ACCESSIBLE,
    BLOCKED,
    DOWN,
    ReachPeriod,
    overlapping,
    reach_state,
    unreachable_days,
)
from untold.analyze.results import CoverageRow, CoverageStatus, ReprintLink
from untold.analyze.story_rules import UNREACHABLE_FAILED_SHARE, CoverageCounts, status_of
from untold.models import Outlet
from untold.store.base import Store
from untold.timeutil import DAY, TIME, from_iso, local_day, to_iso

__all__ = [
    "UNREACHABLE_FAILED_SHARE",
    "FetchCounts",
    "OutletMatches",
    "ReachSummary",
    "coverage_row",
    "coverage_status",
    "fetch_counts",
    "lag",
    "outlet_matches",
    "reach_summaries",
    "reprint_links",
    "window_days",
]


@dataclass
class FetchCounts:
    ok: int = 0
    failed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class ReachSummary:
    """An outlet's reachability in a story's window (see :class:`CoverageRow`)."""

    unreachable_days: int = 0    # window days any part of which it could not be reached
    window_days: int = 0
    measured: int = 0            # measurements in the window (any network, any source)
    blocked: int = 0
    down: int = 0
    accessible: int = 0
    periods: list[dict[str, Any]] = field(default_factory=list)  # overlapping the window

    @property
    def share(self) -> float:
        """Share of the window's days it could not be reached on."""
        return self.unreachable_days / self.window_days if self.window_days else 0.0


def window_days(start: datetime, end: datetime) -> list[str]:
    """The UTC days (``"YYYY-MM-DD"``) any part of which lies in ``[start, end)``."""
    out = []
    d = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    while d <= last:
        out.append(d.isoformat())
        d += timedelta(days=1)
    return out


def reach_summaries(rows: Iterable[Mapping[str, Any]], periods: Sequence[ReachPeriod],
                    outlet_ids: Iterable[str], start: datetime,
                    end: datetime) -> dict[str, ReachSummary]:
    """Per outlet: its measurements in ``[start, end)`` by state, and the periods
    (from measurements around the window too) overlapping it, with their days."""
    s, e = to_iso(start) or "", to_iso(end) or ""
    days = window_days(start, end)
    out = {o: ReachSummary(window_days=len(days)) for o in outlet_ids}
    for r in rows:
        got = out.get(str(r.get("outlet_id")))
        at = str(r.get("measured_at") or "")
        if got is None or not s <= at < e:
            continue
        got.measured += 1
        state = reach_state(r)
        got.blocked += state == BLOCKED
        got.down += state == DOWN
        got.accessible += state == ACCESSIBLE
    for o, got in out.items():
        mine = overlapping(periods, o, s, e)
        got.periods = [p.as_dict() for p in mine]
        got.unreachable_days = len(unreachable_days(mine, o, days))
    return out


@dataclass(frozen=True)
class OutletMatches:
    matching: int
    first_time: str
    first_article_id: int
    first_precision: str = TIME  # "day": first_time is the label of the stated day


def fetch_counts(store: Store, outlet_ids: Sequence[str], start: str,
                 end: str) -> dict[str, FetchCounts]:
    """Fetch attempts per outlet in ``[start, end)``: answered, failed, failure kinds.
    A failed one did not reach the outlet: a network failure, a refusal (403, 429,
    451) or a server error; a 404 or 410 is an answer (robots.txt 404s are everyday)."""
    out = {o: FetchCounts() for o in outlet_ids}
    if not outlet_ids:
        return out
    attempts, failed = store.fetch_attempts(outlet_ids, start, end)
    for o, n in attempts:
        out[o].ok = int(n)
    for o, kind, n in failed:
        out[o].failed += int(n)
        out[o].ok -= int(n)
        out[o].kinds[str(kind)] = int(n)
    return out


def outlet_matches(store: Store) -> dict[str, OutletMatches]:
    """Per outlet: story articles and the first one (earliest, a day-only date at its
    day's end, then lowest id), of the story the store selected."""
    return {o: OutletMatches(int(n), str(t), int(i), str(p))
            for o, n, t, i, p in store.story_outlet_matches()}


def reprint_links(store: Store) -> list[ReprintLink]:
    """Story articles that reprint another outlet's earlier article, oldest first."""
    return [ReprintLink(article_id=int(a), outlet_id=str(ao), of_article_id=int(o),
                        of_outlet_id=str(oo), similarity=float(s))
            for a, ao, o, oo, s in store.story_reprint_links()]


def coverage_status(matching: int, total: int, fetch: FetchCounts,
                    unreachable_share: float = 0.0) -> CoverageStatus:
    """covered > unreachable (mostly failing fetches, or measured blocked or down on
    more than ``UNREACHABLE_FAILED_SHARE`` of the window's days: ``unreachable_share``)
    > silent > unreachable (some fetches failed) > no_output > not_collected: the
    rules of :mod:`untold.analyze.story_rules`; see
    :data:`untold.analyze.results.CoverageStatus`."""
    return status_of(CoverageCounts(matching, total, fetch.ok, fetch.failed,
                                    unreachable_share)).status


def lag(first: str, precision: str, tz: tzinfo, report: str, report_precision: str,
        report_tz: tzinfo) -> tuple[float | None, int | None]:
    """(hours, None) from the first report to an outlet's first article when both
    have a time of day; else (None, calendar days) between the outlet's day and the
    first report's day, each in its own outlet's zone."""
    a, b = from_iso(first), from_iso(report)
    assert a is not None and b is not None
    if precision == TIME and report_precision == TIME:
        return (a - b).total_seconds() / 3600.0, None
    report_day = local_day(b, report_precision, report_tz if report_precision == DAY else tz)
    return None, (local_day(a, precision, tz) - report_day).days


def coverage_row(outlet: Outlet, m: OutletMatches | None, reprints: int, total: int,
                 fetch: FetchCounts, first_report: str | None, *,
                 first_report_precision: str = TIME, tz: tzinfo = UTC,
                 report_tz: tzinfo = UTC, reach: ReachSummary | None = None) -> CoverageRow:
    """One outlet's row; ``tz`` is its zone, ``report_tz`` the first report's outlet's,
    ``reach`` its reachability in the window (None: nothing measured)."""
    matching = m.matching if m else 0
    low, high = wilson(matching, total) if matching <= total else (0.0, 1.0)
    hours: float | None = None
    days: int | None = None
    if m is not None and first_report is not None:
        hours, days = lag(m.first_time, m.first_precision, tz, first_report,
                          first_report_precision, report_tz)
    reach = reach or ReachSummary()
    return CoverageRow(
        outlet_id=outlet.id, name=outlet.name, country=outlet.country,
        groups=tuple(outlet.groups), curated=outlet.curated, matching=matching,
        original=matching - reprints, reprints=reprints, total_in_window=total,
        share=matching / total if total else 0.0, ci_low=low, ci_high=high,
        first_time=m.first_time if m else None,
        first_article_id=m.first_article_id if m else None, lag_hours=hours,
        fetch_ok=fetch.ok, fetch_failed=fetch.failed, failure_kinds=dict(fetch.kinds),
        status=coverage_status(matching, total, fetch, reach.share),
        first_precision=m.first_precision if m else "", lag_days=days,
        unreachable_days=reach.unreachable_days, reach_measured=reach.measured,
        reach_blocked=reach.blocked, reach_down=reach.down,
        reach_accessible=reach.accessible, reach_periods=list(reach.periods))
