"""Everything a report page is rendered from, gathered in one place.

``extra_sections`` is the hook for other areas (the stealth-edits section, for
one): each is ``(title, html_fragment)``; the title is escaped here, the
fragment is inserted as it is, so its author must build it from escaped parts
(:func:`untold.report.html.esc`, :func:`untold.report.tables.table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from untold.analyze.results import EventMark, StoryResult
from untold.models import FindingRecord
from untold.report.captures import ArticleRef
from untold.timeutil import from_iso

__all__ = ["ReportContext", "parse_time"]


@dataclass
class ReportContext:
    title: str
    subtitle: str = ""
    generated_at: str = ""
    stories: Sequence[StoryResult] = ()
    findings: Sequence[FindingRecord] = ()
    reachability: Sequence[dict[str, Any]] = ()
    events: Sequence[EventMark] = ()  # the study's events (reachability timeline)
    # outlet id -> UTC day ("2026-10-05") -> articles the archive holds, over the span of
    # the reachability measurements; an outlet not in it has no output lane (not known)
    outlet_output: dict[str, dict[str, int]] = field(default_factory=dict)
    outlet_names: dict[str, str] = field(default_factory=dict)
    articles: dict[int, ArticleRef] = field(default_factory=dict)  # linked articles by id
    capture_hrefs: dict[int, str] = field(default_factory=dict)  # capture id -> local copy
    extra_sections: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # shown in a notes box, never hidden

    def outlet_name(self, outlet_id: str | None) -> str:
        if not outlet_id:
            return "-"
        return self.outlet_names.get(outlet_id, outlet_id)


def parse_time(text: str | None) -> datetime | None:
    """An ISO time or a bucket ("2026-03-14", "2026-03-14T09") as an aware UTC datetime."""
    if not text:
        return None
    t = text.strip()
    if len(t) == 13 and t[10] == "T":  # hour bucket
        t += ":00"
    try:
        return from_iso(t)
    except ValueError:
        return None
