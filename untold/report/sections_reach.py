"""The report's Reachability section: per outlet, its verdicts over time beside its output.

Each outlet that was measured gets one figure on a time axis shared by all of
them (the measured span, padded to whole days): a lane of the articles the
archive holds per day (and how many were on the study's stories), one lane per
source and network with the verdicts' marks, bands over the periods the outlet
could not be reached (:func:`untold.analyze.reachability.unreachable_periods`)
and the study's events. *Blocked* (a blocking verdict) and *down* (the site
failed from the control too: an outage, not blocking) differ in pattern, symbol
and words, never in colour alone. Everything is server-side SVG with ``<title>``
tooltips, so the page reads without its script; every string that came from a
measurement (hosts, network names, classes) passes through :func:`esc`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from untold.analyze.reachability import (
    ACCESSIBLE,
    BLOCKED,
    DOWN,
    MAX_EXTEND,
    UNKNOWN,
    ReachPeriod,
    network_label,
    reach_state,
    unreachable_periods,
)
from untold.report.charts import PAD_B, PAD_R, PAD_T, TimeScale, event_layer, x_axis
from untold.report.context import ReportContext, parse_time
from untold.report.html import clip, esc
from untold.report.sections_story import TABLE_MAX_ROWS, event_list, markers
from untold.report.tables import Col, Rich, table
from untold.timeutil import to_iso

__all__ = ["MARK_MERGE_UNITS", "VERDICT_STYLE", "ooni_verdict", "reach_span",
           "reachability_section", "reachability_timeline", "verdict_state"]

MARK_MERGE_UNITS = 8  # chart units (of 960, about a mark's width): equal verdicts share a mark
# state -> (symbol, label, colour): symbol and words carry the meaning, colour only helps;
# blocked (vermillion) and down (blue) stay apart for every common colour vision
VERDICT_STYLE = {
    BLOCKED: ("\u2715", "blocked", "#D55E00"),
    DOWN: ("\u25b2", "down (not blocking)", "#0072B2"),
    ACCESSIBLE: ("\u25cf", "accessible", "#009E73"),
    UNKNOWN: ("?", "unknown", "#767676"),
}
SOURCE_LABEL = {"untold": "untold's probe", "ooni": "OONI"}
SPAN_PAD = 0.02  # share of the measured span added on each side of the time axis ...
# ... but at least as far as a period's band can reach past its measurements
MIN_PAD = MAX_EXTEND
WIDTH, LABEL_W = 960, 240  # chart units; lane labels (source, network) need the room
OUTPUT_H, LANE_H = 34, 28  # lane heights: the output bars, and a verdict lane
BAND_LABEL_MIN = 44  # a band this wide (chart units) or wider carries its word inside
SUMMARY_PERIODS = 6  # periods spelt out under an outlet's name; the table has them all
# an output bar per day up to this many days on the axis (bars stay >= ~4 units wide),
# then per week up to WEEKLY_MAX_DAYS, then per 30 days: years of OONI data stay light
DAILY_MAX_DAYS, WEEKLY_MAX_DAYS = 183, 3 * 365
OUTPUT_FILL, STORY_FILL = "#b5b5b5", "#3a3a3a"  # greys: colour stays with the verdicts
INTRO = (
    "<b>Blocked</b>: a blocking verdict (the network interfered with DNS, the connection, "
    "TLS or HTTP where the control got through). <b>Down</b>: the site failed from the "
    "control too: an outage, not blocking. A period runs from the first to the last "
    "measurement from one network and source that showed the outlet blocked (or down); "
    "its band reaches to the neighbouring measurements (at most a day further), because "
    "when exactly it began and ended is not known. Beside them, the articles the archive "
    "holds per day: a blocked outlet's output is missing there for the reader and for "
    "the collector alike.")


def verdict_state(v: Mapping[str, Any]) -> str:
    """``blocked`` | ``down`` | ``accessible`` | ``unknown`` (the analysis's own rule)."""
    return reach_state(v)


def _style(state: str) -> tuple[str, str, str]:
    return VERDICT_STYLE.get(state, VERDICT_STYLE[UNKNOWN])


def _ooni_value(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


def ooni_verdict(v: Mapping[str, Any]) -> str:
    """OONI's own verdict as the measurement stated it (``null``: OONI could not tell,
    or the file left it out); ``-`` for untold's probe, which has none."""
    b, a = v.get("ooni_blocking"), v.get("ooni_accessible")
    if b is None and a is None and v.get("source") != "ooni":
        return "-"
    return f"blocking {_ooni_value(b)} / accessible {_ooni_value(a)}"


def _ooni_cell(v: Mapping[str, Any]) -> Rich:
    text = ooni_verdict(v)
    parts = text.split(" / ")
    return Rich(" / ".join(f'<span class="nw">{esc(x)}</span>' for x in parts), text)


def _verdict_badge(v: Mapping[str, Any]) -> Rich:
    state = verdict_state(v)
    sym, label, color = _style(state)
    blocking = v.get("blocking")
    extra = f" ({blocking})" if state == BLOCKED and isinstance(blocking, str) else ""
    return Rich(f'<span class="status" style="border-color:{color}"><span style="color:{color}" '
                f'aria-hidden="true">{sym}</span> {esc(label + extra)}</span>', state)


def _when(iso: str | None) -> str:
    t = parse_time(iso)
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if t else str(iso or "-")


def _source(source: str) -> str:
    return SOURCE_LABEL.get(source, source)


def reach_span(rows: Sequence[Mapping[str, Any]]) -> tuple[datetime, datetime] | None:
    """The time axis of the section: the measured span, padded, in whole UTC days.

    :func:`untold.api.report_context` asks the archive for the outlets'
    output over the same days."""
    times = [t for t in (parse_time(r.get("measured_at")) for r in rows) if t is not None]
    if not times:
        return None
    lo, hi = min(times).astimezone(UTC), max(times).astimezone(UTC)
    pad = max((hi - lo) * SPAN_PAD, MIN_PAD)
    start = (lo - pad).replace(hour=0, minute=0, second=0, microsecond=0)
    end = hi + pad
    end_day = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, end_day if end_day == end else end_day + timedelta(days=1)


Lane = tuple[str, str]  # (source, network label)
Mark = tuple[datetime, str, Mapping[str, Any]]  # (time, state, verdict row)


@dataclass
class _Outlet:
    key: str  # outlet id; NUL + the host for a measurement of no study outlet
    outlet_id: str | None
    name: str
    lanes: dict[Lane, list[Mark]] = field(default_factory=lambda: defaultdict(list))
    periods: list[ReachPeriod] = field(default_factory=list)
    count: int = 0


def _outlets(rows: Sequence[Mapping[str, Any]], periods: Sequence[ReachPeriod],
             ctx: ReportContext) -> list[_Outlet]:
    """Measured outlets: those with periods first, then by name."""
    by: dict[str, _Outlet] = {}
    for r in rows:
        t = parse_time(r.get("measured_at"))
        if t is None:
            continue
        oid = r.get("outlet_id") or None
        host = str(r.get("host") or r.get("input") or "-")
        key = str(oid) if oid else "\x00" + host  # a host never passes for an outlet id
        o = by.get(key)
        if o is None:
            o = by[key] = _Outlet(key, str(oid) if oid else None,
                                  ctx.outlet_name(str(oid)) if oid else host)
        o.lanes[(str(r.get("source") or "untold"), network_label(r))].append(
            (t, reach_state(r), r))
        o.count += 1
    for p in periods:
        if p.outlet_id in by:
            by[p.outlet_id].periods.append(p)
    return sorted(by.values(), key=lambda o: (not o.periods, o.name.casefold(), o.key))


def _story_days(ctx: ReportContext) -> dict[str, Counter[str]]:
    """Outlet -> UTC day -> story articles (summed over the study's stories)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for s in ctx.stories:
        for p in s.attention:
            if p.subject_kind == "outlet" and p.matching:
                out[p.subject][p.bucket[:10]] += p.matching
    return out


def _patterns(fid: str) -> str:
    """Per-figure fills (ids unique in the page): hatched blocked, dotted down, and the
    faint hatch of a day without articles."""
    b, d = VERDICT_STYLE[BLOCKED][2], VERDICT_STYLE[DOWN][2]
    return (f'<defs><pattern id="{fid}-b" width="7" height="7" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="7" height="7" fill="{b}" '
            f'fill-opacity="0.10"/><line x1="1" y1="0" x2="1" y2="7" stroke="{b}" '
            'stroke-width="2.2" stroke-opacity="0.6"/></pattern>'
            f'<pattern id="{fid}-d" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="{d}" fill-opacity="0.10"/><circle cx="3" cy="3" '
            f'r="1.3" fill="{d}" fill-opacity="0.7"/></pattern>'
            f'<pattern id="{fid}-n" width="5" height="5" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f6f6f6"/>'
            '<line x1="0" y1="0" x2="0" y2="5" stroke="#d2d2d2" stroke-width="1.5"/></pattern>'
            "</defs>")


def _period_text(p: ReachPeriod) -> str:
    label = _style(p.state)[1]
    cls = ", ".join(p.classes) or "no class"
    span = (f"at {_when(p.first)} UTC" if p.first == p.last else
            f"from {_when(p.first)} to {_when(p.last)} UTC")
    return (f"{label} in {p.network} ({_source(p.source)}) {span}: {p.count} measurement"
            f"{'s' if p.count != 1 else ''} ({cls}); it began after {_when(p.start)} and "
            f"ended before {_when(p.end)}")


def _bucket_days(scale: TimeScale) -> int:
    """Days per output bar: daily up to half a year, then weekly, then 30-day bars."""
    days = (scale.end - scale.start).days
    return 1 if days <= DAILY_MAX_DAYS else 7 if days <= WEEKLY_MAX_DAYS else 30


def _output_lane(o: _Outlet, ctx: ReportContext, scale: TimeScale, top: float, fid: str,
                 story: Counter[str]) -> str:
    if o.outlet_id is None or o.outlet_id not in ctx.outlet_output:
        return ""  # not known (a host of no study outlet, or no archive to ask)
    per_day = ctx.outlet_output[o.outlet_id]
    step = _bucket_days(scale)
    buckets = []  # (start, end, articles, story articles)
    d = scale.start
    while d < scale.end:
        keys = [(d + timedelta(days=k)).strftime("%Y-%m-%d") for k in range(step)]
        n = sum(per_day.get(k, 0) for k in keys)
        buckets.append((d, d + timedelta(days=step), n,
                        min(sum(story.get(k, 0) for k in keys), n)))
        d += timedelta(days=step)
    unit = {1: "day", 7: "week"}.get(step, f"{step} days")
    most = max((b[2] for b in buckets), default=0)
    y0, h = top + 3, OUTPUT_H - 8
    base = y0 + h
    out = [f'<g class="output"><text x="{LABEL_W - 8}" y="{top + 15:.1f}" text-anchor="end">'
           f'articles per {unit}</text><text x="{LABEL_W - 8}" y="{top + 28:.1f}" '
           f'text-anchor="end" font-size="10" style="fill:#666">most {most}; dark: on the '
           "stories</text>"]
    for start, end, n, s in buckets:
        x0, x1 = scale.x(start), scale.x(min(end, scale.end))
        w = max(x1 - x0 - (1 if x1 - x0 > 4 else 0), 0.5)
        first = start.strftime("%Y-%m-%d")
        when = first if step == 1 else \
            f"{first} to {(end - timedelta(days=1)).strftime('%Y-%m-%d')}"
        lo, hi = to_iso(start) or "", to_iso(end) or ""
        why = "".join(f"; {_style(p.state)[1]} in {p.network} ({_source(p.source)})"
                      for p in [p for p in o.periods if p.start < hi and p.end > lo][:3])
        if n == 0:
            tip = f"{when}: no article of this {unit} in the archive{why}"
            out.append(f'<rect class="none" x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" '
                       f'height="{h}" fill="url(#{fid}-n)"><title>{esc(tip)}</title></rect>')
            continue
        bar = max(n / most * h, 1.5)
        tip = (f"{when}: {n} article{'s' if n != 1 else ''} of this {unit} in the archive"
               + (f", {s} on the stories" if s else "") + why)
        part = (f'<rect x="{x0:.1f}" y="{base - s / most * h:.1f}" width="{w:.1f}" '
                f'height="{s / most * h:.1f}" fill="{STORY_FILL}"/>' if s else "")
        out.append(f'<g class="day"><title>{esc(tip)}</title><rect x="{x0:.1f}" '
                   f'y="{base - bar:.1f}" width="{w:.1f}" height="{bar:.1f}" '
                   f'fill="{OUTPUT_FILL}"/>{part}</g>')
    out.append(f'<line x1="{scale.x0:.1f}" x2="{scale.x1:.1f}" y1="{base:.1f}" y2="{base:.1f}" '
               'stroke="#999" stroke-width="0.6"/></g>')
    return "".join(out)


def _bands(periods: Sequence[ReachPeriod], scale: TimeScale, y: float, fid: str) -> str:
    out = []
    for p in periods:
        t0, t1 = parse_time(p.start), parse_time(p.end)
        if t0 is None or t1 is None:
            continue
        x0 = scale.x(max(t0, scale.start))
        x1 = scale.x(min(t1, scale.end))
        w = max(x1 - x0, 2.0)
        sym, label, color = _style(p.state)
        fill = f"url(#{fid}-{'b' if p.state == BLOCKED else 'd'})"
        word = label.split(" ")[0]
        text = (f'<text x="{x0 + 3:.1f}" y="{y + LANE_H - 4:.1f}" font-size="9" '
                f'font-weight="700" style="fill:{color}">{esc(word)}</text>'
                if w >= BAND_LABEL_MIN else "")
        out.append(f'<g class="rperiod" data-state="{esc(p.state)}"><title>'
                   f"{esc(sym + ' ' + _period_text(p))}</title><rect x=\"{x0:.1f}\" "
                   f'y="{y + 1:.1f}" width="{w:.1f}" height="{LANE_H - 2}" fill="{fill}" '
                   f'stroke="{color}" stroke-width="1"/>{text}</g>')
    return "".join(out)


def _tip(group: Sequence[Mark], state: str, source: str, network: str) -> str:
    """Hover text of one mark: its measurements, untold's classes and OONI's verdicts."""
    _, label, _ = _style(state)
    first, last = group[0][2], group[-1][2]
    where = f"{network} ({_source(source)})"
    if len(group) == 1:  # most marks: no counting needed
        ours, theirs = f"untold: {first.get('class') or 'no class'}", ooni_verdict(first)
        head = f"{_when(first.get('measured_at'))} UTC, {where}: {label}"
        return f"{head} \u2014 " + (f"OONI: {theirs}; {ours}" if theirs != "-" else ours)
    classes = Counter(str(r.get("class") or "no class") for _, _, r in group)
    oonis = Counter(ooni_verdict(r) for _, _, r in group)
    ours = "untold: " + ", ".join(f"{c} \u00d7{n}" for c, n in classes.most_common())
    theirs = "; ".join(f"{v} \u00d7{n}" for v, n in oonis.most_common() if v != "-")
    head = (f"{len(group)} measurements {first.get('measured_at')} to "
            f"{last.get('measured_at')}, {where}: {label}")
    return f"{head} \u2014 " + (f"OONI: {theirs}; {ours}" if theirs else ours)


def _marks(marks: Sequence[Mark], scale: TimeScale, y: float, source: str,
           network: str) -> str:
    # Marks closer than MARK_MERGE_UNITS with the same state are drawn once (with the
    # count): thousands of OONI measurements stay a light, readable chart.
    merged: dict[tuple[int, str], list[Mark]] = defaultdict(list)
    for m in sorted(marks, key=lambda m: m[0]):
        merged[(int(scale.x(m[0]) // MARK_MERGE_UNITS), m[1])].append(m)
    out = []
    cy = y + LANE_H / 2 - 1
    for (_, state), group in merged.items():
        x = sum(scale.x(t) for t, _, _ in group) / len(group)
        sym, _, color = _style(state)
        out.append(f'<text class="mark" x="{x:.1f}" y="{cy + 5:.1f}" text-anchor="middle" '
                   f'font-size="14" style="fill:{color}">{sym}<title>'
                   f"{esc(_tip(group, state, source, network))}</title></text>")
    return "".join(out)


def _lane_order(lane: Lane) -> tuple[int, str, str]:
    source, network = lane
    return (0 if source == "untold" else 1, source, network)


def outlet_figure(o: _Outlet, i: int, ctx: ReportContext, scale: TimeScale,
                  story: Counter[str]) -> str:
    """One outlet: its output lane, a lane per (source, network), bands and events."""
    fid = f"rp{i}"
    lanes = sorted(o.lanes, key=_lane_order)
    output = _output_lane(o, ctx, scale, PAD_T, fid, story)
    top = PAD_T + (OUTPUT_H if output else 0)
    bottom = top + LANE_H * len(lanes)
    height = bottom + PAD_B
    out = [f'<svg class="chart reach" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
           f'xmlns="http://www.w3.org/2000/svg" aria-label="{esc(o.name)}: verdicts and '
           f'output over time">', _patterns(fid), x_axis(scale, bottom, PAD_T, grid=True),
           output]
    for j, lane in enumerate(lanes):
        source, network = lane
        y = top + LANE_H * j
        out.append(f'<line x1="{scale.x0:.1f}" x2="{scale.x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{LABEL_W - 8}" y="{y + LANE_H / 2 + 4:.1f}" text-anchor="end">'
                   f"<title>{esc(_source(source))}, {esc(network)}</title>"
                   f"{esc(clip(_source(source), 14))} "
                   f'<tspan font-size="10" style="fill:#666">{esc(clip(network, 24))}</tspan>'
                   "</text>")
        out.append(_bands([p for p in o.periods if (p.source, p.network) == lane], scale, y,
                          fid))
        out.append(_marks(o.lanes[lane], scale, y, source, network))
    out.append(event_layer(markers(ctx.events), scale, PAD_T, bottom))
    out.append("</svg>")
    return (f'<figure class="reach-outlet" id="reach-o{i}">'
            f"<figcaption>{_summary(o)}</figcaption>{''.join(out)}</figure>")


def _summary(o: _Outlet) -> str:
    head = f"<b>{esc(o.name)}</b>"
    if o.outlet_id is None:
        head += ' <span class="muted">(not an outlet of the study)</span>'
    if not o.periods:
        unknown = sum(s == UNKNOWN for ms in o.lanes.values() for _, s, _ in ms)
        note = f", {unknown} of them inconclusive" if unknown else ""
        return (f"{head}: neither blocked nor down in its {o.count} measurement"
                f"{'s' if o.count != 1 else ''}{note}.")
    items = []
    for p in o.periods[:SUMMARY_PERIODS]:
        sym, _, color = _style(p.state)
        items.append(f'<li><span style="color:{color}" aria-hidden="true">{sym}</span> '
                     f"{esc(_period_text(p))}</li>")
    more = len(o.periods) - SUMMARY_PERIODS
    if more > 0:
        items.append(f'<li class="muted">and {more} more periods (see the table below)</li>')
    return f'{head}: could not be reached<ul class="reach-periods">{"".join(items)}</ul>'


def _legend() -> str:
    marks = "".join(f'<span><b style="color:{c}" aria-hidden="true">{s}</b> {esc(lab)}</span>'
                    for s, lab, c in VERDICT_STYLE.values())
    return (f'<div class="legend">{marks}'
            '<span><span class="rband blocked"></span> blocked period (hatched)</span>'
            '<span><span class="rband down"></span> down period: an outage (dotted)</span>'
            f'<span><span class="swatch" style="background:{OUTPUT_FILL}"></span>articles '
            f'per day</span><span><span class="swatch" style="background:{STORY_FILL}"></span>'
            'on the stories</span><span><span class="rband none"></span> no articles in the '
            "archive</span></div>")


def reachability_timeline(rows: Sequence[Mapping[str, Any]], ctx: ReportContext,
                          periods: Sequence[ReachPeriod] | None = None) -> str:
    """Per measured outlet a figure, all on one time axis (the measured span)."""
    span = reach_span(rows)
    if span is None:
        return ""
    if periods is None:
        periods = unreachable_periods(rows)
    scale = TimeScale(span[0], span[1], LABEL_W, WIDTH - PAD_R)
    story = _story_days(ctx)
    figs = [outlet_figure(o, i, ctx, scale, story.get(o.key, Counter()))
            for i, o in enumerate(_outlets(rows, periods, ctx))]
    return (f'<div class="reach-timeline">{_legend()}{"".join(figs)}'
            '<p class="note">Each mark is a measurement\'s verdict (equal verdicts close in '
            "time share one mark; hover for untold's class and OONI's own verdict). Numbered "
            f"lines mark the study's events:</p>{event_list(ctx.events)}</div>")


def _periods_table(periods: Sequence[ReachPeriod], ctx: ReportContext) -> str:
    if not periods:
        return ('<p class="note">No period in which an outlet was blocked or down: every '
                "measurement found it accessible or was inconclusive.</p>")
    cols = [Col("Outlet"), Col("State"), Col("From"), Col("To"), Col("Measurements", True),
            Col("Classes"), Col("Network"), Col("Source")]
    rows = []
    for p in periods:
        sym, label, color = _style(p.state)
        rows.append([
            ctx.outlet_name(p.outlet_id),
            Rich(f'<span class="status" style="border-color:{color}"><span style="color:'
                 f'{color}" aria-hidden="true">{sym}</span> {esc(label)}</span>', p.state),
            Rich(f'<span class="nw">{esc(_when(p.first))}</span><br><span class="muted nw">'
                 f"after {esc(_when(p.start))}</span>", p.first),
            Rich(f'<span class="nw">{esc(_when(p.last))}</span><br><span class="muted nw">'
                 f"before {esc(_when(p.end))}</span>", p.last),
            p.count, ", ".join(p.classes), p.network, _source(p.source)])
    keys = ["outlet_id", "outlet", "state", "first", "last", "start", "end", "count",
            "classes", "network", "source"]
    export = [[p.outlet_id, ctx.outlet_name(p.outlet_id), p.state, p.first, p.last, p.start,
               p.end, p.count, list(p.classes), p.network, p.source] for p in periods]
    return table("reach-periods", cols, rows, export_columns=keys, export_rows=export,
                 max_rows=TABLE_MAX_ROWS,
                 caption="From / To: the first and last measurement showing it. The block "
                         "or outage began after the measurement before it and ended before "
                         "the one after it (the grey times, at most a day away): the "
                         "chart's band spans those.")


def reachability_section(ctx: ReportContext) -> str:
    rows = list(ctx.reachability)
    if not rows:
        return ('<section class="block" id="reachability"><h2>Reachability</h2><p class="note">'
                "No reachability measurements in the archive (see <code>untold ooni</code> and "
                "<code>untold probe</code>).</p></section>")
    periods = unreachable_periods(rows)
    latest: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for v in sorted(rows, key=lambda v: v.get("measured_at") or ""):
        # an imported OONI measurement's "vantage" is its report id (one per run of
        # ooniprobe), not a place: its network says where it was measured from
        where = v.get("vantage") if v.get("source") == "untold" else None
        latest[(v.get("outlet_id") or v.get("host"), v.get("source"), where,
                network_label(v))] = v
    cols = [Col("Outlet"), Col("Host"), Col("Network"), Col("Vantage"), Col("Measured"),
            Col("Verdict"), Col("OONI's verdict"), Col("Class"), Col("Source"), Col("Rule")]

    def row(v: Mapping[str, Any]) -> list[Any]:
        oid = v.get("outlet_id")
        return [ctx.outlet_name(oid) if oid else v.get("host"), v.get("host"), network_label(v),
                v.get("vantage") if v.get("source") == "untold" else "-", (v.get("measured_at") or "")[:16].replace("T", " "),
                _verdict_badge(v), _ooni_cell(v), v.get("class"), v.get("source"),
                f"{v.get('rule')} {v.get('rules_version')}"
                + (" (no control)" if v.get("no_control") else "")]

    keys = list(dict.fromkeys(k for v in rows for k in v))
    # the long table shows its first rows only (its download has all, from ``keys``), so
    # only those are built; the rest are placeholders that only count the rows
    shown = [row(v) for v in rows[:TABLE_MAX_ROWS]]
    shown += [[None] * len(cols)] * max(len(rows) - TABLE_MAX_ROWS, 0)
    n_out = len({v.get("outlet_id") or v.get("host") for v in rows})
    n_blk = len({p.outlet_id for p in periods if p.state == BLOCKED})
    n_down = len({p.outlet_id for p in periods if p.state == DOWN})
    facts = (f'<ul class="facts"><li><b>{len(rows)}</b><span>verdicts</span></li>'
             f"<li><b>{n_out}</b><span>outlets measured</span></li>"
             f"<li><b>{n_blk}</b><span>blocked at some time</span></li>"
             f"<li><b>{n_down}</b><span>down at some time (outages)</span></li></ul>")
    return (f'<section class="block" id="reachability"><h2>Reachability</h2>{facts}'
            f'<p class="note">{INTRO}</p>'
            f"<h3>Verdicts over time, beside each outlet's output</h3>"
            f"{reachability_timeline(rows, ctx, periods)}"
            "<h3>When outlets could not be reached</h3>"
            f"{_periods_table(periods, ctx)}"
            "<h3>Latest verdicts</h3>"
            '<p class="note">The latest verdict per outlet, vantage point and network; for '
            "OONI's measurements OONI's own verdict beside untold's.</p>"
            f"{table('reach-latest', cols, [row(v) for v in latest.values()])}"
            "<details><summary>All verdicts as a table</summary>"
            f"{table('reach-all', cols, shown, export_columns=keys, export_rows=[[v.get(k) for k in keys] for v in rows], max_rows=TABLE_MAX_ROWS)}"
            "</details></section>")
