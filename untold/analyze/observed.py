"""Which days of each outlet untold observed, so that a gap is never read as a silence.

A day of an outlet is *observed* when an answered listing of it (a feed, a
walk of its sitemaps, its home page) covered the whole day: the listing's span
runs from its oldest listed item to the listing's own time
(``untold.collect.listings``), and the spans of every listing fetch are
merged, so a listing that failed once (a 503 on one pass) costs no day that an
earlier or later listing covered. A day is not observed either when more than
``MAX_UNFETCHED_SHARE`` of the articles listed for it were never fetched.

An outlet with no listing fetch recorded at all (an imported WARC archive, an
archive written by other tools) has *unknown* coverage: its days are taken as
they are, and the tests say so.

A day any part of which lies in a period when the outlet could not be reached
(blocked, or its site down, per the blocking verdicts of untold's probe or of
imported OONI measurements, from any network: ``untold.analyze.reachability``)
is not observed either, however well its listings answered: nobody could read
the outlet then, so what it did not publish is no silence. An outlet of unknown
coverage with such days loses them too; it stays ``known=False`` (which of its
other days were collected is still unknown) but its ``share`` becomes the share
of the window it could be reached on, an upper bound on what was observed, so a
subject unreachable on too much of the window is not tested, as one whose
listings failed is not.

The rules use this in two ways: a test whose subject (an outlet, or a group's
outlets) is observed on less than ``MIN_OBSERVED_SHARE`` of the window is not
tested, and the tests that compare output over time (silences) use only the
days observed for every outlet they compare, on both sides of the comparison.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from untold.analyze.reachability import (
    MAX_EXTEND,
    MAX_GAP,
    ReachPeriod,
    unreachable_days,
    unreachable_periods,
)
from untold.analyze.wording import pct
from untold.store.base import ReachabilityStore, Store
from untold.timeutil import to_iso

__all__ = ["MAX_UNFETCHED_SHARE", "MIN_OBSERVED_SHARE", "REACH_MARGIN", "Coverage",
           "OutletDays", "Restriction", "load_coverage", "load_reach_periods",
           "observed_days"]

# A subject observed on less of the window than this is not tested: the days missing
# could hold the very articles whose absence a test would read as a silence.
MIN_OBSERVED_SHARE = 0.8
# A day missing more than this share of the articles its listings named (never fetched,
# or unreachable when tried) undercounts the outlet's output: it is not observed.
MAX_UNFETCHED_SHARE = 0.1
MAX_DAYS_LISTED = 40  # unobserved days named in a test's detail; the count says the rest
# Measurements read around a window: a period's bounds inside the window depend on the
# measurements up to MAX_EXTEND outside it and on their neighbours up to MAX_GAP further;
# a period reaching further back is read from its first measurement in this margin.
REACH_MARGIN = MAX_GAP + MAX_EXTEND


@dataclass(frozen=True)
class OutletDays:
    """An outlet's observed days within one window."""

    outlet_id: str
    known: bool                      # False: no listing fetch recorded, coverage unknown
    observed: frozenset[str]         # "YYYY-MM-DD"; every window day when unknown
    window: int                      # days in the window
    failures: dict[str, int] = field(default_factory=dict)  # failed listing fetches by kind
    # window days it could not be reached (blocked or down, per measurements): never
    # in ``observed``, whether its coverage is known or not
    unreachable: frozenset[str] = frozenset()

    @property
    def share(self) -> float | None:
        """Observed share of the window (None: unknown). Coverage unknown but days
        unreachable: the share it could be reached on (an upper bound)."""
        if not self.known and not self.unreachable:
            return None
        return len(self.observed) / self.window if self.window else 1.0


@dataclass
class Restriction:
    """The outlets and days a comparison over time may use."""

    share: float | None              # the subject's observed share (None: unknown)
    days: frozenset[str]             # the days compared: observed for every treated outlet
    treated: set[str]
    control: set[str]
    cells: dict[str, frozenset[str]]  # outlet -> the days it is counted on
    dropped: list[str]               # left out: observed on too little of the window
    unknown: list[str]               # coverage unknown: taken as they are
    full: bool                       # nothing left out: the unrestricted counts stand


@dataclass
class Coverage:
    """Observed days of the study's outlets in a story's window, and their output per day."""

    days: list[str]                                  # the window's days
    outlets: dict[str, OutletDays]
    day_output: dict[str, dict[str, int]]            # outlet -> day -> all its articles
    cut_split: dict[str, dict[str, tuple[int, int]]]  # event -> outlet -> (after, before)
                                                     # on the day the event happened
    # blocked/down periods of the outlets around the window (their days are unobserved)
    periods: list[ReachPeriod] = field(default_factory=list)

    def of(self, oid: str) -> OutletDays:
        got = self.outlets.get(oid)
        return got if got is not None else OutletDays(oid, False, frozenset(self.days),
                                                      len(self.days))

    def share(self, outlets: Iterable[str]) -> float | None:
        """Mean observed share of the outlets whose coverage is known (None: none is)."""
        shares = [s for o in outlets if (s := self.of(o).share) is not None]
        return sum(shares) / len(shares) if shares else None

    def _kept(self, outlets: set[str]) -> set[str]:
        return {o for o in outlets
                if (share := self.of(o).share) is None or share >= MIN_OBSERVED_SHARE}

    def common(self, outlets: set[str]) -> Restriction:
        """The outlets observed on enough of the window, on the days observed for every
        one of them (a series of shares: a gap in one outlet moves every group's share)."""
        kept = self._kept(outlets)
        days = set(self.days)
        for o in kept:
            days &= self.of(o).observed
        return self._restriction(outlets, set(), kept, set(), frozenset(days),
                                 {o: frozenset(days) for o in kept})

    def restrict(self, treated: set[str], control: set[str], cut_day: str) -> Restriction:
        """The outlets and days of a before/after comparison split on ``cut_day``.

        Treated outlets observed on too little of the window are left out, and the days
        compared are those observed for every treated outlet left. A comparison outlet
        is counted on those of them it was observed on; it is left out when that is
        less than ``MIN_OBSERVED_SHARE`` of the days before the event or of the days
        after it, since a gap bunched on one side (an outlet blocked for the last
        weeks) would pull that side's trend towards the days it was seen.
        """
        t = self._kept(treated)
        days = set(self.days)
        for o in t or treated:  # none kept: the test is withheld; its detail still says
            days &= self.of(o).observed  # which comparison outlets it could have used
        before = {d for d in days if d <= cut_day}
        after = {d for d in days if d >= cut_day}

        def side_ok(o: str) -> bool:
            seen = self.of(o).observed
            return all(not side or len(side & seen) >= MIN_OBSERVED_SHARE * len(side)
                       for side in (before, after))

        c = {o for o in self._kept(control) if side_ok(o)}
        cells = {o: frozenset(days) for o in t}
        cells.update({o: frozenset(days & self.of(o).observed) for o in c})
        return self._restriction(treated, control, t, c, frozenset(days), cells)

    def _restriction(self, treated: set[str], control: set[str], t: set[str], c: set[str],
                     days: frozenset[str], cells: dict[str, frozenset[str]]) -> Restriction:
        dropped = sorted((treated | control) - t - c)
        return Restriction(
            share=self.share(treated), days=days, treated=t, control=c, cells=cells,
            dropped=dropped, unknown=sorted(o for o in treated | control if not self.of(o).known),
            full=not dropped and all(len(v) == len(self.days) for v in cells.values()))

    def exposure(self, event: str, cut_day: str, outlets: Iterable[str],
                 cells: dict[str, frozenset[str]]) -> tuple[int, int]:
        """(after, before) the event: all articles of ``outlets``, each on its days."""
        after = before = 0
        split = self.cut_split.get(event, {})
        for o in outlets:
            days = cells.get(o, frozenset())
            for d, n in self.day_output.get(o, {}).items():
                if d not in days:
                    continue
                if d > cut_day:
                    after += n
                elif d < cut_day:
                    before += n
                else:
                    a, b = split.get(o, (0, 0))
                    after, before = after + a, before + b
        return after, before

    def detail(self, subject: Sequence[str], r: Restriction | None = None) -> dict[str, Any]:
        """What a test's detail says of the coverage of its subject's outlets."""
        known = [self.of(o) for o in subject if self.of(o).known]
        share = self.share(subject)
        out: dict[str, Any] = {"coverage": "observed" if known else "unknown",
                               "observed_share": share, "window_days": len(self.days)}
        gone = {o: sorted(self.of(o).unreachable) for o in subject if self.of(o).unreachable}
        if known or gone:
            seen = set(self.days)
            for k in [self.of(o) for o in subject if self.of(o).known or self.of(o).unreachable]:
                seen &= k.observed
            missing = sorted(set(self.days) - seen)
            failures: Counter[str] = Counter()
            for k in known:
                failures.update(k.failures)
            out.update(unobserved_days=missing[:MAX_DAYS_LISTED], unobserved_count=len(missing),
                       listing_failures=dict(failures))
        if gone:
            out.update(
                unreachable_days={o: d[:MAX_DAYS_LISTED] for o, d in sorted(gone.items())},
                unreachable_count={o: len(d) for o, d in sorted(gone.items())},
                unreachable_note=(
                    "left out as unobserved: the days on which " + ", ".join(sorted(gone)) +
                    " could not be reached (blocked, or the site down, per reachability "
                    "measurements: " + ", ".join(f"{o} {len(d)} day(s)"
                                                 for o, d in sorted(gone.items())) +
                    "); an outlet nobody could read was not silent"),
                unreachable_periods=[p.as_dict() | {"outlet_id": p.outlet_id}
                                     for p in self._in_window(self.periods)
                                     if p.outlet_id in gone][:MAX_DAYS_LISTED])
        unknown = sorted(o for o in subject if not self.of(o).known)
        if unknown:
            out["coverage_unknown"] = unknown
            out["coverage_note"] = ("no feed, sitemap or home page fetch of " +
                                    ", ".join(unknown) + " is recorded (an imported archive?): "
                                    "which of its days were collected is unknown")
        if r is not None:
            out.update(days_compared=len(r.days), outlets_left_out=r.dropped,
                       comparison_days_unobserved={o: len(r.days) - len(v)
                                                   for o, v in sorted(r.cells.items())
                                                   if len(v) < len(r.days)})
        return out

    def _in_window(self, periods: Iterable[ReachPeriod]) -> list[ReachPeriod]:
        """The periods overlapping the window's days (more are read around it)."""
        if not self.days:
            return []
        lo = f"{self.days[0]}T00:00:00Z"
        hi = f"{(date.fromisoformat(self.days[-1]) + timedelta(days=1)).isoformat()}T00:00:00Z"
        return [p for p in periods if p.start < hi and p.end > lo]

    def unreachable_count(self, subject: Iterable[str]) -> int:
        """Window days on which any outlet of ``subject`` could not be reached."""
        days: set[str] = set()
        for o in subject:
            days |= self.of(o).unreachable
        return len(days)

    def phrase(self, label: str, subject: Sequence[str], r: Restriction | None = None) -> str:
        """One sentence on the coverage behind a test, for its finding."""
        share = self.share(subject)
        lost = self.unreachable_count(subject)
        left_out = (f"{lost} day(s) are left out because it could not be reached then "
                    f"(blocked or down, per reachability measurements)")
        if share is None or not any(self.of(o).known for o in subject):
            return (f"Which days of {label} untold collected is unknown (no feed, sitemap or "
                    f"home page fetch is recorded)" + (f"; {left_out}." if lost else "."))
        n = len(self.days)
        text = (f"Days observed: {label} on {round(share * n)} of the window's {n} days "
                f"({pct(share)})")
        if lost:
            text += f"; {left_out}"
        if r is not None and not r.full:
            text += (f"; only the {len(r.days)} days observed for {label} are compared, on "
                     f"both sides, and each other outlet on the days it was observed")
            if r.dropped:
                text += f" ({len(r.dropped)} seen on too few days are left out)"
        return text + "."


def observed_days(spans: Sequence[tuple[str, str]], window: Sequence[str],
                  unfetched: dict[str, int] | None = None,
                  output: dict[str, int] | None = None) -> frozenset[str]:
    """The window days (``"YYYY-MM-DD"``) wholly inside the union of ``spans``
    (``(oldest, listed_at)`` ISO strings), less those missing too many listed articles."""
    merged: list[list[str]] = []
    for lo, hi in sorted(s for s in spans if s[0] <= s[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    out = set()
    unfetched, output = unfetched or {}, output or {}
    for d in window:
        start = f"{d}T00:00:00Z"
        end = f"{(date.fromisoformat(d) + timedelta(days=1)).isoformat()}T00:00:00Z"
        if not any(lo <= start and end <= hi for lo, hi in merged):
            continue
        missing = unfetched.get(d, 0)
        if missing and missing > MAX_UNFETCHED_SHARE * (missing + output.get(d, 0)):
            continue
        out.add(d)
    return frozenset(out)


def load_coverage(store: Store, outlet_ids: Sequence[str], start: datetime, end: datetime,
                  days: Sequence[str], events: Iterable[tuple[str, datetime]]) -> Coverage:
    """Coverage of ``outlet_ids`` in ``[start, end)``; ``events`` are (id, time) of the
    events in the window."""
    with store.reading("reading which days were observed failed", source=False):
        return _load(store, outlet_ids, start, end, days, events)


def load_reach_periods(store: ReachabilityStore, outlet_ids: Sequence[str], start: datetime,
                       end: datetime) -> list[ReachPeriod]:
    """The blocked/down periods of ``outlet_ids`` around ``[start, end)``, from the
    measurements within ``REACH_MARGIN`` of it ([] for no outlets)."""
    if not outlet_ids:
        return []
    rows = store.reach_rows(list(outlet_ids), to_iso(start - REACH_MARGIN) or "",
                            to_iso(end + REACH_MARGIN) or "")
    return unreachable_periods(rows)


def _load(store: Store, outlet_ids: Sequence[str], start: datetime, end: datetime,
          days: Sequence[str], events: Iterable[tuple[str, datetime]]) -> Coverage:
    s, e = to_iso(start) or "", to_iso(end) or ""
    periods = load_reach_periods(store, outlet_ids, start, end)
    gone = {o: frozenset(u) for o in outlet_ids if (u := unreachable_days(periods, o, days))}
    spans: dict[str, list[tuple[str, str]]] = {}
    failures: dict[str, Counter[str]] = {}
    for sp in store.listing_spans(outlet_ids):
        spans.setdefault(sp.outlet_id, [])
        if sp.ok and sp.oldest is not None:
            spans[sp.outlet_id].append((sp.oldest, sp.listed_at))
        elif not sp.ok and sp.listed_at >= s:
            failures.setdefault(sp.outlet_id, Counter())[sp.failure or "failed"] += 1
    if not spans and not gone:  # nothing recorded (an imported archive): all unknown
        return Coverage(days=list(days), outlets={}, day_output={}, cut_split={},
                        periods=periods)
    output = store.output_by_day(outlet_ids, s, e)
    unfetched: dict[str, dict[str, int]] = {}
    for (o, d), n in store.unfetched_by_day(outlet_ids, s, e).items():
        unfetched.setdefault(o, {})[d] = n
    outlets = {}
    for o in outlet_ids:
        lost = gone.get(o, frozenset())
        if o in spans:
            seen = observed_days(spans[o], days, unfetched.get(o), output.get(o))
            outlets[o] = OutletDays(o, True, seen - lost, len(days),
                                    dict(failures.get(o, {})), lost)
        elif lost:  # coverage unknown, but not observed on the days it could not be reached
            outlets[o] = OutletDays(o, False, frozenset(days) - lost, len(days), {}, lost)
    cut_split = {}
    for eid, t in events:
        cut = to_iso(t) or ""
        day0 = date.fromisoformat(cut[:10])
        lo = max(s, f"{day0.isoformat()}T00:00:00Z")
        hi = min(e, f"{(day0 + timedelta(days=1)).isoformat()}T00:00:00Z")
        cut_split[eid] = store.output_split(outlet_ids, lo, hi, cut)
    return Coverage(days=list(days), outlets=outlets, day_output=output, cut_split=cut_split,
                    periods=periods)
