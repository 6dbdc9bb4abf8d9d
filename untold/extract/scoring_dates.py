"""Scoring of publication dates and headlines against pages annotated by hand.

The annotations (``benchmarks/data/scrapinghub_dates_titles.json``) give each page
its headline as the page shows it, the local day of first publication, and where
the page states a time with a readable zone, the instant with the page's UTC
offset. A page that states no date, or only an ambiguous one, is left out of the
date figures; a page that states no time (or no zone) out of the time figure.

* day: the predicted date, as a day, equals the true local day. A prediction with
  a time and a zone is read in the page's own offset when the annotation has one
  (so 02:24 UTC is still the 18th in New York); one without a zone, or a bare day,
  is taken as written;
* time of day: the predicted instant is within ``TIME_TOLERANCE_S`` of the true one.
  A bare day is wrong here; a time without a zone is read as UTC, as untold stores
  it (a tool that gives local times without their zone loses those pages);
* title: equal after collapsing whitespace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

__all__ = [
    "TIME_TOLERANCE_S",
    "Annotation",
    "DateTitleScore",
    "Prediction",
    "load_annotations",
    "parse_prediction",
    "score_dates_titles",
]

TIME_TOLERANCE_S = 60  # datelines state minutes; metadata adds seconds the page never shows

_SPACE = re.compile(r"\s+")


def _ws(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class Annotation:
    """One annotated page (see the module docstring)."""

    id: str
    url: str
    title: str
    day: date | None  # None: the page states no date, or an ambiguous one
    time: datetime | None  # aware, with the page's offset; None: no time or no zone stated
    date_source: str = ""
    time_source: str = ""


@dataclass(frozen=True)
class Prediction:
    """What a tool said about one page."""

    title: str | None = None
    published: datetime | None = None  # aware, or naive when the tool gave no zone
    day_only: bool = False


def load_annotations(path: Path) -> list[Annotation]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for p in doc["pages"]:
        out.append(Annotation(
            id=p["id"], url=p["url"], title=p["title"],
            day=date.fromisoformat(p["date"]) if p.get("date") else None,
            time=datetime.fromisoformat(p["time"]) if p.get("time") else None,
            date_source=p.get("date_source") or "", time_source=p.get("time_source") or ""))
    return out


def parse_prediction(value: str | None) -> tuple[datetime | None, bool]:
    """A tool's date string as (datetime, day only). A zone-less midnight is a bare day
    (htmldate writes a day as 00:00:00 when asked for a time)."""
    if not value:
        return None, False
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None, False
    if len(value.strip()) <= len("2019-11-19"):
        return parsed, True
    midnight = (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0)
    return parsed, parsed.tzinfo is None and midnight


@dataclass
class DateTitleScore:
    """Counts and the pages each figure missed, with why."""

    day_ok: int = 0
    day_n: int = 0
    time_ok: int = 0
    time_n: int = 0
    title_ok: int = 0
    title_n: int = 0
    misses: dict[str, list[str]] = field(default_factory=lambda: {"day": [], "time": [],
                                                                   "title": []})

    @property
    def day(self) -> float:
        return self.day_ok / self.day_n if self.day_n else 0.0

    @property
    def time(self) -> float:
        return self.time_ok / self.time_n if self.time_n else 0.0

    @property
    def title(self) -> float:
        return self.title_ok / self.title_n if self.title_n else 0.0


def _predicted_day(a: Annotation, p: Prediction) -> date | None:
    if p.published is None:
        return None
    if p.day_only or p.published.tzinfo is None or a.time is None:
        return p.published.date()
    return p.published.astimezone(a.time.tzinfo).date()  # the page's own offset


def _same_instant(p: Prediction, truth: datetime, tolerance: timedelta) -> bool:
    if p.published is None or p.day_only:
        return False
    at = p.published if p.published.tzinfo is not None else p.published.replace(tzinfo=UTC)
    return abs(at - truth) <= tolerance


def score_dates_titles(annotations: Sequence[Annotation],
                       predictions: Mapping[str, Prediction]) -> DateTitleScore:
    """Score ``predictions`` (by page id; a missing one predicts nothing)."""
    s = DateTitleScore()
    tolerance = timedelta(seconds=TIME_TOLERANCE_S)
    for a in annotations:
        p = predictions.get(a.id, Prediction())
        s.title_n += 1
        if _ws(p.title) == _ws(a.title):
            s.title_ok += 1
        else:
            s.misses["title"].append(f"{a.id[:8]} got {_ws(p.title)!r}, want {a.title!r}")
        shown = "nothing" if p.published is None else p.published.isoformat() + (
            " (day)" if p.day_only else "")
        if a.day is not None:
            s.day_n += 1
            if _predicted_day(a, p) == a.day:
                s.day_ok += 1
            else:
                s.misses["day"].append(f"{a.id[:8]} got {shown}, want {a.day} ({a.url})")
        if a.time is not None:
            s.time_n += 1
            if _same_instant(p, a.time, tolerance):
                s.time_ok += 1
            else:
                s.misses["time"].append(f"{a.id[:8]} got {shown}, want {a.time.isoformat()} "
                                        f"[{a.time_source}] ({a.url})")
    return s
