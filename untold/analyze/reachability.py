"""When an outlet could not be reached, from blocking verdicts: periods of blocking or outage.

A measurement (untold's probe, or an imported OONI measurement, both scored by
untold's rules) shows an outlet's site *blocked* (a blocking verdict),
*down* (no blocking, not accessible: the site itself failed), *accessible*,
or nothing either way (``unknown``: no usable control, no data, no rule
matched). Consecutive measurements of one outlet from one network and one
source that show the same state make a *period*. The state is read from untold's
verdict, which imported OONI measurements get too (scored by the same rules), not
from the ``blocking`` field an OONI file carries: both sources are judged alike.

Nobody knows when between two measurements a block began or ended, so a
period's bounds are conservative: it starts at the previous measurement that
did not show it, but at most ``MAX_EXTEND`` before the first that did, and ends
likewise. "Conservative" here means wide: the analysis leaves the days of a
period out of its silence tests (an outlet nobody could read was not silent),
and leaving a day out wrongly only costs a test some power, while counting a
blocked day as a silent one names an outlet falsely.

A run still going at the newest measurement of its series ends ``MAX_EXTEND``
after it, as every other edge does: past the last measurement nothing is known,
and stretching one measurement to the end of the archive would let a single
blocked probe run months ago blank out every later day of the outlet (and call
it unreachable there) with no evidence at all. The same holds for a run that
begins with the first measurement of its series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from untold.timeutil import from_iso, to_iso

__all__ = ["ACCESSIBLE", "BLOCKED", "DOWN", "MAX_EXTEND", "MAX_GAP", "NOT_DOWN_CLASSES",
           "UNKNOWN", "ReachPeriod", "network_label", "overlapping", "reach_state",
           "unreachable_days", "unreachable_periods"]

BLOCKED, DOWN, ACCESSIBLE, UNKNOWN = "blocked", "down", "accessible", "unknown"

# How far one measurement speaks for the time around it: probes that measure a site on a
# schedule (untold's probe runs, OONI's daily test lists) do so about daily, and a wider
# reach would let one measurement blank out days nobody measured.
MAX_EXTEND = timedelta(days=1)
# Consecutive measurements showing the same state further apart than this do not make one
# period: a probe that misses a day or two of a daily schedule does not split a block,
# a longer pause leaves a stretch no measurement speaks for.
MAX_GAP = timedelta(days=3)
# Not accessible and no blocking, but not the site failing either: the server (a CDN)
# refused the probe itself (a known false positive), so readers may well have read it.
NOT_DOWN_CLASSES = frozenset({"server_block_or_cdn_challenge"})


@dataclass(frozen=True)
class ReachPeriod:
    """A run of measurements of one outlet from one network and source showing it blocked
    (or down), with conservative bounds (ISO UTC strings)."""

    outlet_id: str
    network: str          # "KG AS65001 Example ISP": probe_cc, probe_asn, network name
    source: str           # "untold" | "ooni" (a network with both: one period per source)
    state: str            # "blocked" (a blocking verdict) | "down" (the site failed)
    start: str            # conservative start: the previous measurement not showing it,
                          # at most MAX_EXTEND before ``first``
    end: str              # conservative end: likewise after ``last``
    first: str            # first measurement showing the state
    last: str             # last measurement showing it
    count: int            # measurements in the run showing it
    classes: tuple[str, ...]  # untold's verdict classes seen, sorted

    def as_dict(self) -> dict[str, Any]:
        """The period as stored with a coverage row (JSON)."""
        return {"state": self.state, "start": self.start, "end": self.end,
                "first": self.first, "last": self.last, "count": self.count,
                "classes": list(self.classes), "network": self.network,
                "source": self.source}


def _falsy(value: Any) -> bool:
    return value in (None, False, "", "false", "False")


def reach_state(row: Mapping[str, Any]) -> str:
    """``"blocked"`` | ``"down"`` | ``"accessible"`` | ``"unknown"`` for one verdict row
    (``blocking``/``accessible`` in OONI's vocabulary, ``class`` untold's)."""
    blocking, accessible = row.get("blocking"), row.get("accessible")
    if not _falsy(blocking):
        return BLOCKED
    if accessible is True:
        return ACCESSIBLE
    if blocking is False and accessible is False:
        # a control that failed too (site_down) or a fetch that failed on its own: the
        # site failed; a CDN turning the probe away says nothing of readers
        return UNKNOWN if row.get("class") in NOT_DOWN_CLASSES else DOWN
    return UNKNOWN  # control_failed, probe_error, no_data, unclassified


def network_label(row: Mapping[str, Any]) -> str:
    """``"KG AS65001 Example ISP"`` (the parts known), or ``"-"``."""
    parts = (row.get("probe_cc"), row.get("probe_asn"), row.get("network"))
    return " ".join(str(p) for p in parts if p not in (None, "")) or "-"


def unreachable_periods(rows: Iterable[Mapping[str, Any]]) -> list[ReachPeriod]:
    """The blocked and down periods in verdict rows (``Store.reachability()``
    shape), sorted by outlet, start, network, source. Rows without an outlet or a
    readable time are skipped, as are measurements whose state is unknown."""
    series: dict[tuple[str, str, str], list[tuple[datetime, str, str]]] = {}
    for r in rows:
        oid = r.get("outlet_id")
        try:
            at = from_iso(r.get("measured_at"))
        except (TypeError, ValueError):
            at = None
        state = reach_state(r)
        if not oid or at is None or state == UNKNOWN:
            continue
        key = (str(oid), network_label(r), str(r.get("source") or "untold"))
        series.setdefault(key, []).append((at, state, str(r.get("class") or "")))
    out: list[ReachPeriod] = []
    for (oid, net, source), ms in series.items():
        ms.sort(key=lambda m: m[0])
        out.extend(_runs(oid, net, source, ms))
    out.sort(key=lambda p: (p.outlet_id, p.start, p.network, p.source, p.state))
    return out


def _runs(oid: str, net: str, source: str,
          ms: list[tuple[datetime, str, str]]) -> list[ReachPeriod]:
    out = []
    i = 0
    while i < len(ms):
        state = ms[i][1]
        j = i
        while (j + 1 < len(ms) and ms[j + 1][1] == state
               and ms[j + 1][0] - ms[j][0] <= MAX_GAP):
            j += 1
        if state != ACCESSIBLE:
            first, last = ms[i][0], ms[j][0]
            # the neighbours bound the period whatever they showed (another state, or
            # the same one past a gap): a measurement speaks for its own moment
            start = first - MAX_EXTEND
            if i > 0:
                start = max(start, ms[i - 1][0])
            end = last + MAX_EXTEND
            if j + 1 < len(ms):
                end = min(end, ms[j + 1][0])
            out.append(ReachPeriod(
                outlet_id=oid, network=net, source=source, state=state,
                start=to_iso(start) or "", end=to_iso(end) or "",
                first=to_iso(first) or "", last=to_iso(last) or "", count=j - i + 1,
                classes=tuple(sorted({c for _, _, c in ms[i:j + 1] if c}))))
        i = j + 1
    return out


def overlapping(periods: Iterable[ReachPeriod], outlet_id: str, start: str,
                end: str) -> list[ReachPeriod]:
    """The periods of ``outlet_id`` overlapping ``[start, end)`` (ISO UTC)."""
    return [p for p in periods if p.outlet_id == outlet_id and p.start < end
            and p.end > start]


def unreachable_days(periods: Iterable[ReachPeriod], outlet_id: str,
                     days: Sequence[str]) -> set[str]:
    """The ``"YYYY-MM-DD"`` (UTC) days of ``days`` any part of which lies in a period of
    ``outlet_id`` (any network, any source, blocked or down)."""
    spans = [(p.start, p.end) for p in periods if p.outlet_id == outlet_id]
    out = set()
    for d in days:
        lo = f"{d}T00:00:00Z"
        hi = f"{(date.fromisoformat(d) + timedelta(days=1)).isoformat()}T00:00:00Z"
        if any(s < hi and e > lo for s, e in spans):
            out.add(d)
    return out
