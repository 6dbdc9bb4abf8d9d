"""Server-side SVG charts over time: attention lines with interval bands, timelines.

Each chart is one ``<svg>`` string with a ``viewBox`` (it scales to its
container) and a ``<title>`` on every mark, so values can be read by hovering
and by screen readers. Every label passes through :func:`esc`. Events are drawn
as a separate layer (``<g class="ev">``): a dashed line and a numbered circle
whose number matches the event list printed under the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from untold.report.html import clip, esc

__all__ = ["Marker", "Series", "TimeScale", "event_layer", "line_chart", "timeline_chart", "x_axis"]

# Dash patterns per series: lines stay apart in greyscale print and for any colour vision.
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
TICK_HOURS = (1, 2, 3, 6, 12, 24, 48, 72, 168)  # round tick steps; longer spans use whole days
PAD_L, PAD_R, PAD_T, PAD_B = 56, 30, 28, 34  # room for axis labels and event numbers


@dataclass(frozen=True)
class Marker:
    """An event on the time axis; ``label`` is the number shown in the circle."""

    time: datetime
    label: str
    description: str


@dataclass(frozen=True)
class Series:
    """One line: points (time, value, interval low, interval high, hover text).

    A NaN value marks a bucket with no data: the line and band break there.
    """

    key: str  # [a-z0-9-]: used in data-series attributes (legend toggles)
    label: str
    color: str
    points: Sequence[tuple[datetime, float, float, float, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class TimeScale:
    start: datetime
    end: datetime
    x0: float
    x1: float

    def x(self, t: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        return self.x0 + (t - self.start).total_seconds() / span * (self.x1 - self.x0)

    def contains(self, t: datetime) -> bool:
        return self.start <= t <= self.end

    def ticks(self, max_ticks: int = 10) -> list[tuple[datetime, str]]:
        """Ticks at round steps (hours or days) from midnight, at most ``max_ticks``."""
        span = (self.end - self.start).total_seconds()
        step_h = next((h for h in TICK_HOURS if span / (h * 3600) <= max_ticks),
                      24 * math.ceil(span / 86400 / max_ticks))
        step = timedelta(hours=step_h)
        t = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        out = []
        while t <= self.end:
            if t >= self.start:
                out.append((t, t.strftime("%d %b" if t.hour == 0 else "%H:%M")))
            t += step
        return out


def _fmt_pct(v: float) -> str:
    return f"{v * 100:.0f}%" if v >= 0.1 or v == 0 else f"{v * 100:.1f}%"


def _nice_max(v: float) -> float:
    """A round upper bound for a y axis (1, 2, 2.5, 5 x 10^k)."""
    if v <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag


Point = tuple[datetime, float, float, float, str]


def _runs(pts: Sequence[Point]) -> list[list[Point]]:
    """Consecutive points with a value (NaN marks a bucket with nothing to measure)."""
    runs: list[list[Point]] = [[]]
    for p in pts:
        if math.isnan(p[1]):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def x_axis(scale: TimeScale, y: float, top: float, grid: bool) -> str:
    parts = [f'<g class="axis x"><line x1="{scale.x0:.1f}" x2="{scale.x1:.1f}" '
             f'y1="{y:.1f}" y2="{y:.1f}"/>']
    for t, label in scale.ticks():
        x = scale.x(t)
        if grid:
            parts.append(f'<line class="gridline" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" '
                         f'y2="{y:.1f}"/>')
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{y + 4:.1f}"/>'
                     f'<text x="{x:.1f}" y="{y + 16:.1f}" text-anchor="middle">{esc(label)}</text>')
    return "".join(parts) + "</g>"


def event_layer(markers: Sequence[Marker], scale: TimeScale, top: float, bottom: float) -> str:
    """Dashed lines with numbered circles; hover shows the description."""
    parts = ['<g class="events">']
    for m in markers:
        if not scale.contains(m.time):
            continue
        x = scale.x(m.time)
        tip = f"{m.label}. {m.time.strftime('%Y-%m-%d %H:%M UTC')}: {m.description}"
        parts.append(
            f'<g class="ev"><title>{esc(tip)}</title>'
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}"/>'
            f'<circle cx="{x:.1f}" cy="{top - 10:.1f}" r="9"/>'
            f'<text x="{x:.1f}" y="{top - 6:.1f}" text-anchor="middle">{esc(m.label)}</text></g>')
    return "".join(parts) + "</g>"


def line_chart(series: Sequence[Series], markers: Sequence[Marker], *, start: datetime,
               end: datetime, width: int = 960, height: int = 290, y_label: str = "share",
               title: str = "") -> str:
    """Lines with shaded interval bands over a time axis, values as percentages."""
    scale = TimeScale(start, end, PAD_L, width - PAD_R)
    top, bottom = PAD_T, height - PAD_B
    ymax = _nice_max(max((p[3] for s in series for p in s.points if not math.isnan(p[1])),
                         default=0.0))

    def y(v: float) -> float:
        return bottom - min(max(v, 0.0), ymax) / ymax * (bottom - top)

    parts = [f'<svg class="chart line" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="{esc(title or y_label)}">',
             f"<title>{esc(title or y_label)}</title>", '<g class="grid">']
    for i in range(5):
        v = ymax * i / 4
        parts.append(f'<line x1="{PAD_L}" x2="{width - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                     f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
                     f"{_fmt_pct(v)}</text>")
    parts.append(f'</g><text x="12" y="{(top + bottom) / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {(top + bottom) / 2:.0f})">{esc(y_label)}</text>')
    parts.append(x_axis(scale, bottom, top, grid=False))
    bands, lines = [], []  # all bands under all lines: no band hides another series' line
    for i, s in enumerate(series):
        pts = sorted(s.points, key=lambda p: p[0])
        dash = DASHES[i % len(DASHES)]
        lines.append(f'<g class="series" data-series="{esc(s.key)}">')
        for run in _runs(pts):  # a bucket without data breaks the line and its band
            band = [f"{scale.x(t):.1f},{y(hi):.1f}" for t, _, _, hi, _ in run]
            band += [f"{scale.x(t):.1f},{y(lo):.1f}" for t, _, lo, _, _ in reversed(run)]
            bands.append(f'<polygon class="band" data-series="{esc(s.key)}" '
                         f'points="{" ".join(band)}" fill="{esc(s.color)}" '
                         'fill-opacity="0.14" stroke="none"/>')
            line = " ".join(f"{scale.x(t):.1f},{y(v):.1f}" for t, v, _, _, _ in run)
            lines.append(f'<polyline points="{line}" fill="none" stroke="{esc(s.color)}" '
                         'stroke-width="2.2"' + (f' stroke-dasharray="{dash}"' if dash else "")
                         + "/>")
            for t, v, _, _, tip in run:
                lines.append(f'<circle cx="{scale.x(t):.1f}" cy="{y(v):.1f}" r="3" '
                             f'fill="{esc(s.color)}"><title>{esc(tip)}</title></circle>')
        lines.append("</g>")
    parts += bands + lines
    parts.append(event_layer(markers, scale, top, bottom))
    return "".join(parts) + "</svg>"


def timeline_chart(items: Sequence[tuple[str, datetime | date, str, str]],
                   markers: Sequence[Marker], *, start: datetime, end: datetime,
                   width: int = 960, label_width: int = 180) -> str:
    """One row per item (label, time, note, colour), earliest first: who reported when.
    A ``date`` (the source gave only the day) sits at the end of that UTC day: no later."""
    row_h = 22
    height = PAD_T + row_h * max(len(items), 1) + PAD_B
    scale = TimeScale(start, end, label_width, width - PAD_R - 70)
    top, bottom = PAD_T, height - PAD_B
    parts = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" aria-label="first report timeline">']
    parts.append(x_axis(scale, bottom, top, grid=True))
    for i, (label, when, note, color) in enumerate(items):
        cy = top + row_h * i + row_h / 2
        if isinstance(when, datetime):
            t, shown = when, when.strftime("%Y-%m-%d %H:%M UTC")
        else:
            t = datetime(when.year, when.month, when.day, 23, 59, tzinfo=UTC)
            shown = f"{when:%Y-%m-%d} (date only)"
        x = scale.x(min(max(t, start), end))
        parts.append(
            f'<g class="row"><title>{esc(label)}: {esc(shown)} '
            f"{esc(note)}</title>"
            f'<line x1="{label_width}" x2="{x:.1f}" y1="{cy:.1f}" y2="{cy:.1f}" stroke="#ddd"/>'
            f'<text x="{label_width - 8}" y="{cy + 4:.1f}" text-anchor="end">'
            f"{esc(clip(label, label_width // 7))}</text>"
            f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="5" fill="{esc(color)}"/>'
            f'<text x="{x + 9:.1f}" y="{cy + 4:.1f}" class="note">{esc(note)}</text></g>')
    parts.append(event_layer(markers, scale, top, bottom))
    return "".join(parts) + "</svg>"
