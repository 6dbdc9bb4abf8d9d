"""One story's part of the report: attention, coverage, heatmap, first reports, samples.

The coverage table's Reachability column and the heatmap's patterned cells show when
an outlet could not be reached (blocked, or its site down, per the blocking verdicts of
untold's probe and imported OONI measurements: the coverage row's ``reach_periods``);
the analysis never reads those days as silent.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from untold.analyze.results import AttentionPoint, CoverageRow, EventMark, StoryResult
from untold.report.assets import OKABE_ITO, STATUS_STYLE
from untold.report.charts import Marker, Series, line_chart, timeline_chart
from untold.report.charts_grid import Cell, heatmap, stacked_bars
from untold.report.context import ReportContext, parse_time
from untold.report.html import esc, safe_href
from untold.report.tables import Col, Rich, slug, table

__all__ = ["event_list", "markers", "status_badge", "story_section"]

SAMPLE_LIMIT = 30  # headlines listed per story: enough to read the coverage, not a dump
TABLE_MAX_ROWS = 500  # rows shown of a long data table (all are in its download)
ALL_LABEL = "all outlets"  # how the analysis's "*" subject is shown
STATUS_ORDER = ["silent", "unreachable", "covered", "no_output", "not_collected"]
REACH_WORD = {"blocked": "blocked", "down": "down (the site failed)"}
# the heatmap's status notes have ~18 characters of room: shorter words for long labels
HEAT_NOTE = {"unreachable": "not reachable"}


def status_badge(status: str) -> Rich:
    sym, label, color = STATUS_STYLE.get(status, ("?", status, "#767676"))
    return Rich(f'<span class="status" style="border-color:{color}">'
                f'<span style="color:{color}" aria-hidden="true">{sym}</span> {esc(label)}</span>',
                status)


def markers(events: Sequence[EventMark]) -> list[Marker]:
    out = []
    for i, e in enumerate(sorted(events, key=lambda e: e.time), start=1):
        t = parse_time(e.time)
        if t is not None:
            out.append(Marker(t, str(i), e.description))
    return out


def event_list(events: Sequence[EventMark]) -> str:
    if not events:
        return ""
    items = []
    for e in sorted(events, key=lambda e: e.time):
        scope = ", ".join([*e.groups, *e.countries])
        items.append(f"<li><b>{esc(e.time[:16].replace('T', ' '))} UTC</b> {esc(e.description)}"
                     + (f' <span class="muted">({esc(scope)})</span>' if scope else "") + "</li>")
    return f'<ol class="events" aria-label="Events">{"".join(items)}</ol>'


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _bounds(s: StoryResult) -> tuple[datetime, datetime]:
    step = timedelta(hours=1) if s.bucket == "hour" else timedelta(days=1)
    times = [t for t in (parse_time(p.bucket) for p in s.attention) if t is not None]
    lo = parse_time(s.window_start) or (min(times) if times else datetime(2000, 1, 1, tzinfo=UTC))
    hi = parse_time(s.window_end) or (max(times) + step if times else lo + step)
    if times:
        lo, hi = min(lo, min(times)), max(hi, max(times) + step)
    return lo, max(hi, lo + step)


MAX_SHOWN_SERIES = 4  # more lines with bands than this are unreadable; the rest are a click away


def _shown_by_default(s: StoryResult, by: dict[str, list[AttentionPoint]]) -> set[str]:
    """All outlets, the groups the story's events concern, then the busiest groups."""
    shown = {"*"} & set(by)
    shown |= {g for e in s.events for g in e.groups if g in by}
    for subject in sorted(by, key=lambda k: -sum(p.total for p in by[k])):
        if len(shown) >= MAX_SHOWN_SERIES:
            break
        shown.add(subject)
    return shown


def attention_figure(s: StoryResult, sid: str) -> str:
    step = timedelta(hours=1) if s.bucket == "hour" else timedelta(days=1)
    kind = "group" if any(p.subject_kind == "group" for p in s.attention) else "outlet"
    by: dict[str, list[AttentionPoint]] = defaultdict(list)
    for p in s.attention:
        if p.subject_kind == kind:
            by[p.subject].append(p)
    series = []
    # the analysis's "*" group is every outlet together: drawn first, in black
    for i, (subject, pts) in enumerate(sorted(by.items(), key=lambda kv: (kv[0] != "*", kv[0]))):
        name = ALL_LABEL if subject == "*" else subject
        rows = []
        for p in pts:
            t = parse_time(p.bucket)
            if t is not None and p.total == 0:  # nothing published: no share to draw
                rows.append((t + step / 2, math.nan, 0.0, 0.0, ""))
            elif t is not None:
                tip = (f"{name}, {p.bucket}: {p.matching} of {p.total} articles "
                       f"({_pct(p.share)}, 95% CI {_pct(p.ci_low)}\u2013{_pct(p.ci_high)})")
                rows.append((t + step / 2, p.share, p.ci_low, p.ci_high, tip))
        color = "#000000" if subject == "*" else OKABE_ITO[i % (len(OKABE_ITO) - 1)]
        series.append(Series(f"{sid}-{slug(name)}", name, color, rows))
    lo, hi = _bounds(s)
    svg = line_chart(series, markers(s.events), start=lo, end=hi, y_label="share of output",
                     title=f"Attention to {s.title} by {kind}")
    shown = _shown_by_default(s, by)
    legend = "".join(
        f'<label><input type="checkbox"{" checked" if key in shown else ""} '
        f'data-toggle="{esc(x.key)}">'
        f'<span class="swatch" style="background:{x.color}"></span>{esc(x.label)}</label>'
        for key, x in zip(sorted(by, key=lambda k: (k != "*", k)), series, strict=True))
    return (f'<figure class="attention"><div class="legend">{legend}</div>{svg}'
            f"<figcaption>Share of each {kind}'s articles per {s.bucket} that are about this "
            "story; shaded bands are 95% Wilson intervals. Numbered lines mark events:"
            f"</figcaption>{event_list(s.events)}</figure>")


def coverage_table(s: StoryResult, sid: str) -> str:
    cols = [Col("Outlet"), Col("Groups"), Col("Status"), Col("Story articles", True),
            Col("of them reprints", True), Col("All articles", True),
            Col("Share (95% CI)", True), Col("First report"), Col("Lag (h)", True),
            Col("Fetches ok / failed", True), Col("Reachability", True)]
    rows = []
    for r in s.coverage:
        fails = ", ".join(f"{k} {v}" for k, v in sorted(r.failure_kinds.items()))
        fetch = f"{r.fetch_ok} / {r.fetch_failed}" + (
            f'<br><span class="muted">{esc(fails)}</span>' if fails else "")
        where = " ".join(x for x in (r.country, "" if r.curated else "*") if x)
        rows.append([
            Rich(f"{esc(r.name)}" + (f' <span class="muted">{esc(where)}</span>' if where
                                     else ""), r.name),
            ", ".join(r.groups), status_badge(r.status), r.matching, r.reprints,
            r.total_in_window,
            Rich(f'<span class="nw">{_pct(r.share)}</span> <span class="muted nw">'
                 f"({_pct(r.ci_low)}\u2013{_pct(r.ci_high)})</span>", r.share)
            if r.total_in_window else Rich('<span class="muted">no articles</span>', -1),
            Rich(f'<span class="nw">{esc(_when(r.first_time, r.first_precision))}</span>',
                 r.first_time or ""),
            _lag_cell(r.lag_hours, r.lag_days),
            Rich(fetch, r.fetch_failed), reach_cell(r)])
    data = [asdict(r) for r in s.coverage]
    keys = list(data[0]) if data else []
    return table(f"coverage-{sid}", cols, rows, export_columns=keys,
                 export_rows=[[d[k] for k in keys] for d in data],
                 caption="Click a column header to sort. * an uncurated outlet (a domain "
                         "the study does not name). Reachability: when blocking measurements "
                         "(untold's probe, imported OONI data) showed the outlet blocked or "
                         "its site down, from which networks (sorts by the days it could "
                         "not be reached); those days are never read as silence.")


def _net_short(network: str) -> str:
    """"KG AS65001" of "KG AS65001 Example ISP" (country and AS when both are given)."""
    parts = network.split()
    if len(parts) >= 2 and parts[1].upper().startswith("AS"):
        return " ".join(parts[:2])
    return network


def _merged(periods: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Periods of one state that overlap (several networks, sources) as one line."""
    out: list[dict[str, Any]] = []
    for p in sorted(periods, key=lambda p: (str(p.get("state")), str(p.get("start")))):
        last = out[-1] if out else None
        if last is not None and last["state"] == p.get("state") and \
                str(p.get("start")) <= last["end"]:
            last["end"] = max(last["end"], str(p.get("end")))
            last["classes"] |= set(p.get("classes") or ())
            last["where"].append(p)
            continue
        out.append({"state": p.get("state"), "start": str(p.get("start")),
                    "end": str(p.get("end")), "classes": set(p.get("classes") or ()),
                    "where": [p]})
    return sorted(out, key=lambda m: m["start"])


def _where(periods: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """(short, full) networks with their sources: "KG AS65001 (untold), ..."."""
    seen = sorted({(str(p.get("network") or "-"), str(p.get("source") or "")) for p in periods})
    return (", ".join(f"{_net_short(n)} ({src})" for n, src in seen),
            ", ".join(f"{n} ({src})" for n, src in seen))


def reach_cell(r: CoverageRow) -> Rich:
    """What blocking measurements say of the outlet in the window; sorts by the days
    it could not be reached ("-": nothing measured, -1)."""
    if not r.reach_periods:
        if not r.reach_measured:
            return Rich('<span class="muted">-</span>', -1)
        n = r.reach_measured
        text = (f"reachable ({n} measurement{'s' if n != 1 else ''})"
                if r.reach_accessible == n else
                f"reachable ({r.reach_accessible} of {n} measurements; the rest "
                "inconclusive)" if r.reach_accessible else
                f"inconclusive ({n} measurement{'s' if n != 1 else ''})")
        return Rich(esc(text), 0)
    lines = []
    for m in _merged(r.reach_periods):
        short, full = _where(m["where"])
        span = f"{m['start'][5:10]} \u2192 {m['end'][5:10]}"
        classes = ", ".join(sorted(c for c in m["classes"] if c))
        lines.append(f'<span class="nw">{esc(str(m["state"]))} {esc(span)}</span>'
                     + (f" \u00b7 {esc(classes)}" if classes else "")
                     + f' \u00b7 <span title="{esc(full)}">{esc(short)}</span>')
    days = r.unreachable_days
    tail = (f"could not be reached on {days} day{'s' if days != 1 else ''} of the window"
            f" \u00b7 {r.reach_measured} measurements: {r.reach_blocked} blocked, "
            f"{r.reach_down} down, {r.reach_accessible} reachable")
    return Rich("<br>".join(lines) + f'<br><span class="muted">{esc(tail)}</span>', days)


def _reach_marks(r: CoverageRow, cols: Sequence[str], hourly: bool,
                 step: timedelta) -> dict[str, tuple[str, str]]:
    """Heatmap column -> (mark, tooltip words) for the columns any part of which lies in
    a period the outlet could not be reached (blocked wins over down)."""
    out: dict[str, tuple[str, str]] = {}
    if not r.reach_periods:
        return out
    for c in cols:
        lo = datetime.fromisoformat(c + (":00" if hourly else "T00:00")).replace(tzinfo=UTC)
        a, b = lo.strftime("%Y-%m-%dT%H:%M:%SZ"), (lo + step).strftime("%Y-%m-%dT%H:%M:%SZ")
        hit = [p for p in r.reach_periods if str(p.get("start")) < b and str(p.get("end")) > a]
        if not hit:
            continue
        words = []
        for state in ("blocked", "down"):
            mine = [p for p in hit if p.get("state") == state]
            if mine:
                classes = ", ".join(sorted({c for p in mine for c in p.get("classes") or ()}))
                words.append(f"{REACH_WORD[state]} ({classes + '; ' if classes else ''}"
                             f"{_where(mine)[1]})")
        mark = "blocked" if any(p.get("state") == "blocked" for p in hit) else "down"
        out[c] = (mark, "could not be reached: " + "; ".join(words))
    return out


def heatmap_figure(s: StoryResult, ctx: ReportContext) -> str:
    """Outlet x day (outlet x hour for an hourly story: its window is at most days long)."""
    hourly = s.bucket == "hour"
    width, step, unit = (13, timedelta(hours=1), "hour") if hourly else \
        (10, timedelta(days=1), "day")
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in s.attention:
        if p.subject_kind == "outlet":
            cell = sums[(p.subject, p.bucket[:width])]
            cell[0] += p.matching
            cell[1] += p.total
    lo, hi = _bounds(s)
    cols, d = [], lo.replace(minute=0, second=0, microsecond=0)
    if not hourly:
        d = d.replace(hour=0)
    while d < hi:
        cols.append(d.strftime("%Y-%m-%dT%H")[:width])
        d += step
    order = sorted(s.coverage, key=lambda r: (STATUS_ORDER.index(r.status)
                                              if r.status in STATUS_ORDER else 9, r.name))
    rows, cells, notes = [], [], []
    marked: set[str] = set()
    for r in order:
        rows.append(r.name)
        sym, label, _ = STATUS_STYLE.get(r.status, ("?", r.status, ""))
        notes.append(f"{sym} {HEAT_NOTE.get(r.status, label)}")
        unreached = _reach_marks(r, cols, hourly, step)
        line = []
        for c in cols:
            m, t = sums.get((r.outlet_id, c), (0, 0))
            when = c.replace("T", " ") + (":00" if hourly else "")
            mark, words = unreached.get(c, ("", ""))
            marked.add(mark)
            if t:
                tip = f"{r.name}, {when}: {m} of {t} articles on the story"
                tip += f"; {words}" if words else ""
            else:
                tip = f"{r.name}, {when}: {words or 'no articles'}"
            line.append(Cell(m / t if t else None, str(m) if m else "", tip, mark))
        cells.append(line)
    labels = [(c[5:10] if c.endswith("T00") else c[11:] + "h") if hourly else c[5:]
              for c in cols]
    svg = heatmap(rows, labels, cells, row_notes=notes, title=f"{s.title}: outlet by {unit}")
    reach = ""
    if marked & {"blocked", "down"}:
        reach = (f" Orange stripes: the outlet could not be reached that {unit}, blocked; "
                 f"blue dots: its site was down (per blocking measurements; an outlined "
                 f"cell: it published that {unit} all the same). Those {unit}s are not "
                 "read as silence.")
    return (f'<figure class="heatmap">{svg}<figcaption>Darker: a larger share of the outlet\'s '
            f"articles that {unit} is on the story (the number is the count). Hatched grey: "
            f"no articles that {unit}.{reach} Right: the outlet's status for the whole "
            "window.</figcaption></figure>")


def _when(value: str | None, precision: str) -> str:
    """A stored time as shown; a day-only date (00:00 UTC labels the day) as its day."""
    if not value:
        return "-"
    return f"{value[:10]} (date only)" if precision == "day" else value[:16].replace("T", " ")


def _lag_text(hours: float | None, days: int | None) -> str:
    if hours is not None:
        return f"+{hours:.1f} h"
    return "same day (date only)" if not days else f"{days:+d} d (date only)"


def _lag_cell(hours: float | None, days: int | None) -> float | Rich | None:
    """Hours behind the first report; in days when either date is only a day."""
    if hours is not None:
        return round(hours, 1)
    if days is None:
        return None
    return Rich(f'<span class="nw">{esc(_lag_text(None, days))}</span>', days * 24)


def first_reports(s: StoryResult, ctx: ReportContext) -> str:
    def order(x: tuple[CoverageRow, datetime | None]) -> datetime:
        r, t = x  # a day-only date: no later than the end of its day
        if t is None:
            return datetime.max.replace(tzinfo=UTC)
        return t + timedelta(days=1) - timedelta(seconds=1) if r.first_precision == "day" else t

    firsts = sorted(((r, parse_time(r.first_time)) for r in s.coverage if r.first_time),
                    key=order)
    items: list[tuple[str, datetime | date, str, str]] = []
    for r, t in firsts:
        if t is None:
            continue
        day_only = r.first_precision == "day"
        if not day_only and not r.lag_hours and not r.lag_days:
            note = "first"
        else:
            note = _lag_text(r.lag_hours, r.lag_days)
        items.append((r.name, t.date() if day_only else t, note, STATUS_STYLE["covered"][2]))
    if not items:
        return '<p class="note">No outlet reported this story in the window.</p>'
    lo, hi = _bounds(s)
    return (f'<figure class="timeline">{timeline_chart(items, markers(s.events), start=lo, end=hi)}'
            "<figcaption>When each outlet first reported the story, and how far behind the "
            "first report anywhere.</figcaption></figure>")


def counts_figure(s: StoryResult) -> str:
    rows = sorted((r for r in s.coverage if r.matching), key=lambda r: -r.matching)
    if not rows:
        return ""
    svg = stacked_bars([(r.name, [r.original, r.reprints]) for r in rows],
                       [("original", OKABE_ITO[0]), ("reprints", OKABE_ITO[1])],
                       title="story articles per outlet")
    return (f'<figure class="counts"><div class="legend"><span><span class="swatch" '
            f'style="background:{OKABE_ITO[0]}"></span>original</span><span><span class="swatch"'
            f' style="background:{OKABE_ITO[1]}"></span>reprints of another outlet</span></div>'
            f"{svg}</figure>")


def samples_list(s: StoryResult, ctx: ReportContext) -> str:
    if not s.samples:
        return '<p class="note">No articles to show.</p>'
    items = []
    for a in s.samples[:SAMPLE_LIMIT]:
        title = a.title or "(untitled)"
        local = safe_href(ctx.capture_hrefs.get(a.capture_id), local=True)
        head = f'<a href="{local}">{esc(title)}</a>' if local else esc(title)
        href = safe_href(a.url)
        src = (f'<a class="muted" href="{href}" rel="noopener noreferrer nofollow">original</a>'
               if href else f'<span class="muted mono">{esc(a.url)}</span>')
        rep = f' <span class="muted">(reprint of #{a.reprint_of})</span>' if a.reprint_of else ""
        when = _when(a.published or a.fetched_at, a.published_precision if a.published else "")
        items.append(f'<li><span class="muted">{esc(when)}</span> <b>{esc(ctx.outlet_name(a.outlet_id))}'
                     f"</b>: {head}{rep} \u00b7 {src}</li>")
    more = len(s.samples) - SAMPLE_LIMIT
    tail = f'<p class="note">and {more} more (see the download).</p>' if more > 0 else ""
    return f'<ul class="samples">{"".join(items)}</ul>{tail}'


def data_tables(s: StoryResult, sid: str) -> str:
    """Every number of the story as sortable, downloadable tables (folded away)."""
    parts = []
    for name, items in (("Attention points", s.attention), ("Story articles", s.samples),
                        ("Reprints", s.reprints)):
        rows = [asdict(x) for x in items]
        keys = list(rows[0]) if rows else ["none"]
        numeric = {"matching", "total", "share", "ci_low", "ci_high", "similarity"}
        parts.append(f"<h3>{name}</h3>" + table(
            f"{slug(name)}-{sid}", [Col(k, k in numeric) for k in keys],
            [[r[k] for k in keys] for r in rows], max_rows=TABLE_MAX_ROWS))
    return ("<details><summary>All data tables of this story (sortable; CSV and JSON)"
            f"</summary>{''.join(parts)}</details>")


def story_section(s: StoryResult, ctx: ReportContext) -> str:
    sid = slug(s.story_id)
    n_cov = sum(r.status == "covered" for r in s.coverage)
    n_sil = sum(r.status == "silent" for r in s.coverage)
    n_unr = sum(r.status == "unreachable" for r in s.coverage)
    first = s.first_report
    first_html = (f"{esc(ctx.outlet_name(first.outlet_id))}, "
                  f"{esc(_when(first.published or first.fetched_at, first.published_precision))}"
                  if first else "none")
    facts = (f'<ul class="facts"><li><b>{s.matching_total}</b><span>matching articles</span></li>'
             f"<li><b>{n_cov}</b><span>outlets covered it</span></li>"
             f"<li><b>{n_sil}</b><span>outlets silent</span></li>"
             + (f"<li><b>{n_unr}</b><span>outlets could not be reached</span></li>" if n_unr else "") +
             f"<li><b>{first_html}</b><span>first report</span></li></ul>")
    return (
        f'<section class="block story" id="story-{sid}"><h2>{esc(s.title)}</h2>'
        f'<p class="note">Query <code>{esc(s.query)}</code> \u00b7 window '
        f"{esc(s.window_start[:16].replace('T', ' '))} to "
        f"{esc(s.window_end[:16].replace('T', ' '))} UTC \u00b7 per {esc(s.bucket)}"
        + (f" \u00b7 analysis run {s.run_id}" if s.run_id is not None else "") +
        f"</p>{facts}<h3>Attention over time</h3>{attention_figure(s, sid)}"
        f"<h3>Coverage by outlet</h3>{coverage_table(s, sid)}"
        f"<h3>Outlet by {'hour' if s.bucket == 'hour' else 'day'}</h3>{heatmap_figure(s, ctx)}"
        f"<h3>First reports</h3>{first_reports(s, ctx)}"
        f"<h3>Articles per outlet</h3>{counts_figure(s)}"
        f"<h3>Sample headlines</h3>{samples_list(s, ctx)}"
        f"{data_tables(s, sid)}</section>")
