"""What a story analysis returns: the contract between analyze/ and report/.

Plain frozen dataclasses, JSON-able through :func:`dataclasses.asdict`, so the
report and the exports read the same shapes. Times are ISO
8601 UTC strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AttentionPoint", "CoverageRow", "CoverageStatus", "EventMark", "ReprintLink",
    "SampleArticle", "StoryResult",
]

CoverageStatus = Literal["covered", "silent", "no_output", "not_collected", "unreachable"]
"""covered: >=1 matching article. silent: published in the window, none on the story
(a finding). no_output: collected fine but published nothing in the window.
not_collected: no successful fetch in the window (cannot tell). unreachable: fetches in
the window failed (network or blocking), or blocking verdicts (untold's probe, imported
OONI measurements) show it blocked or down on more than half the window's days
(``coverage.UNREACHABLE_FAILED_SHARE``), so its silence is not evidence. covered wins
over unreachable: an article on the story is coverage, however hard it was to reach."""


@dataclass(frozen=True)
class AttentionPoint:
    bucket: str                      # "2026-03-14" (day) or "2026-03-14T09" (hour)
    subject: str                     # outlet id or group name
    subject_kind: Literal["outlet", "group"]
    matching: int                    # story articles in the bucket (originals + reprints)
    total: int                       # all articles of the subject in the bucket
    share: float                     # matching / total (0 when total == 0)
    ci_low: float                    # Wilson 95 % interval on share
    ci_high: float


@dataclass(frozen=True)
class CoverageRow:
    outlet_id: str
    name: str
    country: str
    groups: tuple[str, ...]
    curated: bool
    matching: int                    # story articles in the window
    original: int                    # matching minus reprints
    reprints: int                    # near-duplicates of another outlet's earlier text
    total_in_window: int             # all the outlet's articles in the window
    share: float
    ci_low: float
    ci_high: float
    first_time: str | None           # first story article's published (or fetched) time
    first_article_id: int | None
    lag_hours: float | None          # behind the first report anywhere
    fetch_ok: int                    # successful fetches in the window
    fetch_failed: int                # failed fetches in the window
    failure_kinds: dict[str, int] = field(default_factory=dict)
    status: CoverageStatus = "silent"
    # "day": first_time is only the stated day (00:00 UTC labels it): its lag is in
    # calendar days (lag_days), lag_hours is None; "time" (or "" for rows stored before)
    first_precision: str = ""
    lag_days: int | None = None
    # reachability in the window (defaults: rows stored before it was measured read as
    # nothing measured): window days any part of which it could not be reached (blocked
    # or down, per verdicts of untold's probe or imported OONI measurements, any network)
    unreachable_days: int = 0
    reach_measured: int = 0          # measurements of it in the window
    reach_blocked: int = 0           # ... with a blocking verdict
    reach_down: int = 0              # ... showing the site down (no blocking, not accessible)
    reach_accessible: int = 0        # ... showing it accessible
    # the blocked/down periods overlapping the window (reachability.ReachPeriod.as_dict:
    # state, start, end, first, last, count, classes, network, source)
    reach_periods: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ReprintLink:
    article_id: int
    outlet_id: str
    of_article_id: int
    of_outlet_id: str
    similarity: float


@dataclass(frozen=True)
class SampleArticle:
    article_id: int
    outlet_id: str
    title: str
    url: str
    published: str | None
    fetched_at: str
    language: str
    capture_id: int
    sha256: str | None
    reprint_of: int | None = None    # article id of the original, when a reprint
    published_precision: str = ""    # "day": published is only the stated day


@dataclass(frozen=True)
class EventMark:
    id: str
    time: str
    description: str
    groups: tuple[str, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True)
class StoryResult:
    story_id: str
    title: str
    query: str
    window_start: str
    window_end: str
    bucket: Literal["day", "hour"]
    attention: tuple[AttentionPoint, ...]
    coverage: tuple[CoverageRow, ...]
    reprints: tuple[ReprintLink, ...]
    samples: tuple[SampleArticle, ...]  # story articles, earliest first (report shows some)
    first_report: SampleArticle | None
    events: tuple[EventMark, ...]
    matching_total: int
    run_id: int | None = None
