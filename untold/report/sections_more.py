"""Study-wide parts of the report: findings, reachability, extra sections, notes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from untold.report.charts import PAD_B, PAD_R, PAD_T, TimeScale, event_layer, x_axis
from untold.report.charts_grid import diverging_bars
from untold.report.context import ReportContext, parse_time
from untold.report.html import clip, esc, safe_href
from untold.report.sections_story import TABLE_MAX_ROWS, event_list, markers
from untold.report.tables import Col, Rich, slug, table
from untold.store.sqlite_analysis import FindingRecord

__all__ = ["extra_section", "findings_section", "problems_section", "reachability_section",
           "verdict_state"]

EVIDENCE_LIMIT = 20  # evidence articles listed (and copied) per finding; the download has all
MARK_MERGE_UNITS = 4  # chart units (of 960) within which equal verdicts share one mark
# state -> (symbol, label, colour); blocked and failed differ in shape, not only colour
VERDICT_STYLE = {
    "blocked": ("\u2715", "blocked", "#D55E00"),
    "accessible": ("\u25cf", "accessible", "#009E73"),
    "failed": ("\u25b2", "failed, not blocking", "#E69F00"),
    "unknown": ("?", "unknown", "#767676"),
}


def _num(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"


def _article_link(ctx: ReportContext, article_id: int) -> str:
    ref = ctx.articles.get(article_id)
    if ref is None:
        return f"article #{article_id} <span class=muted>(not in the archive)</span>"
    local = safe_href(ctx.capture_hrefs.get(ref.capture_id), local=True)
    title = esc(ref.title or ref.url or f"article #{article_id}")
    head = f'<a href="{local}">{title}</a>' if local else title
    href = safe_href(ref.url)
    orig = (f' \u00b7 <a class="muted" href="{href}" rel="noopener noreferrer nofollow">original'
            "</a>") if href else ""
    when = (ref.published or ref.fetched_at or "")[:10]
    return (f"{head} <span class=muted>({esc(ctx.outlet_name(ref.outlet_id))}, {esc(when)}, "
            f"#{article_id})</span>{orig}")


def _term_rows(v: Any) -> list[tuple[str, float]]:
    if not isinstance(v, list):
        return []
    return [(str(r["term"]), abs(float(r["z"]))) for r in v
            if isinstance(r, dict) and "term" in r and isinstance(r.get("z"), int | float)]


def framing_chart(f: FindingRecord) -> str:
    """Words one side favours, as bars either side of a centre line (framing findings)."""
    mine, theirs = _term_rows(f.detail.get("top_group")), _term_rows(f.detail.get("top_others"))
    if not mine and not theirs:
        return ""
    group = str(f.detail.get("group") or "the group")
    items = [(t, 0.0, round(z, 1)) for t, z in mine] + [(t, round(z, 1), 0.0) for t, z in theirs]
    svg = diverging_bars(items, left_label="more often elsewhere",
                         right_label=f"more often in {group}", title=f"framing words: {group}")
    return (f'<figure class="framing">{svg}<figcaption>Word stems by z-score of the log-odds '
            "ratio (Monroe et al. 2008); longer bars differ more.</figcaption></figure>")


def finding_card(f: FindingRecord, ctx: ReportContext) -> str:
    nums = [("subject", esc(ctx.outlet_name(f.subject))), ("kind", esc(f.kind))]
    for label, v in (("statistic", f.statistic), ("p", f.p_value), ("q (FDR)", f.q_value),
                     ("effect", f.effect)):
        if v is not None:
            nums.append((label, _num(v)))
    if f.ci_low is not None or f.ci_high is not None:
        nums.append(("95% CI", f"{_num(f.ci_low)} \u2013 {_num(f.ci_high)}"))
    for k, v in sorted(f.thresholds.items()):
        nums.append((f"threshold {esc(k)}", esc(v)))
    dl = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in nums)
    ev = "".join(f"<li><span class=muted>{esc(role)}:</span> {_article_link(ctx, aid)}</li>"
                 for aid, role in f.evidence[:EVIDENCE_LIMIT])
    if len(f.evidence) > EVIDENCE_LIMIT:
        ev += (f"<li class=muted>and {len(f.evidence) - EVIDENCE_LIMIT} more (all are in the "
               "findings table's download)</li>")
    return (f'<article class="finding" data-rule="{esc(f.rule)}">'
            f'<p class="sentence">{esc(f.sentence)}</p><dl class="nums">{dl}</dl>'
            + framing_chart(f) +
            f'<p class="note">Rule <code>{esc(f.rule)}</code> version '
            f"<code>{esc(f.rules_version)}</code>"
            + (f" \u00b7 analysis run {f.run_id}" if f.run_id is not None else "") + "</p>"
            + (f'<details open><summary>Evidence ({len(f.evidence)})</summary><ul>{ev}</ul>'
               "</details>" if f.evidence else "") + "</article>")


def findings_section(ctx: ReportContext) -> str:
    if not ctx.findings:
        return ('<section class="block" id="findings"><h2>Findings</h2><p class="note">No '
                "findings yet: run the analyses (e.g. <code>untold findings</code>).</p></section>")
    titles = {s.story_id: s.title for s in ctx.stories}
    by_story: dict[str | None, list[FindingRecord]] = defaultdict(list)
    for f in ctx.findings:
        by_story[f.story_id].append(f)
    parts = []
    for story_id in sorted(by_story, key=lambda k: (k is None, k or "")):
        head = titles.get(story_id or "", story_id) if story_id else "Study-wide"
        parts.append(f"<h3>{esc(head)}</h3>")
        parts.extend(finding_card(f, ctx) for f in by_story[story_id])
    keys = ["id", "story_id", "kind", "rule", "rules_version", "subject", "sentence",
            "statistic", "p_value", "q_value", "effect", "ci_low", "ci_high", "thresholds",
            "detail", "evidence"]
    cols = [Col("Story"), Col("Kind"), Col("Rule"), Col("Subject"), Col("Finding"),
            Col("p", True), Col("q", True), Col("Effect", True)]
    rows = [[f.story_id or "", f.kind, f"{f.rule} {f.rules_version}",
             ctx.outlet_name(f.subject), f.sentence, f.p_value, f.q_value, f.effect]
            for f in ctx.findings]
    export = [[getattr(f, k) for k in keys] for f in ctx.findings]
    return (f'<section class="block" id="findings"><h2>Findings</h2><p class="note">'
            f"{len(ctx.findings)} findings, each with the rule and version that made it and "
            f"the archived articles it rests on.</p>{''.join(parts)}"
            "<details><summary>All findings as a table</summary>"
            f"{table('findings', cols, rows, export_columns=keys, export_rows=export)}"
            "</details></section>")


def verdict_state(v: dict[str, Any]) -> str:
    blocking = v.get("blocking")
    if blocking not in (None, False, "", "false"):
        return "blocked"
    if v.get("accessible") is True:
        return "accessible"
    if v.get("accessible") is False:
        return "failed"
    return "unknown"


def _verdict_badge(v: dict[str, Any]) -> Rich:
    state = verdict_state(v)
    sym, label, color = VERDICT_STYLE[state]
    extra = f" ({v['blocking']})" if state == "blocked" and isinstance(v["blocking"], str) else ""
    return Rich(f'<span class="status" style="border-color:{color}"><span style="color:{color}" '
                f'aria-hidden="true">{sym}</span> {esc(label + extra)}</span>', state)


def _where(v: dict[str, Any]) -> str:
    net = v.get("network") or ""
    asn = v.get("probe_asn") or ""
    return " ".join(x for x in (str(v.get("probe_cc") or ""), str(asn), str(net)) if x) or "-"


def reachability_timeline(rows: Sequence[dict[str, Any]], ctx: ReportContext) -> str:
    times = [t for t in (parse_time(v.get("measured_at")) for v in rows) if t is not None]
    if not times:
        return ""
    lo, hi = min(times), max(times)
    pad = max((hi - lo) * 0.03, timedelta(hours=6))
    lo, hi = lo - pad, hi + pad
    keys = sorted({(ctx.outlet_name(v.get("outlet_id") or v.get("host")), _where(v))
                   for v in rows})
    index = {k: i for i, k in enumerate(keys)}
    width, label_w, row_h = 960, 260, 22
    height = PAD_T + row_h * len(keys) + PAD_B
    scale = TimeScale(lo, hi, label_w, width - PAD_R)
    out = [f'<svg class="chart reach" viewBox="0 0 {width} {height}" role="img" '
           'xmlns="http://www.w3.org/2000/svg" aria-label="reachability verdicts over time">',
           x_axis(scale, height - PAD_B, PAD_T, grid=True)]
    for (name, where), i in index.items():
        y = PAD_T + row_h * i + row_h / 2
        out.append(f'<text x="{label_w - 8}" y="{y + 4:.1f}" text-anchor="end"><title>'
                   f"{esc(name)}, {esc(where)}</title>{esc(clip(name, 18))} "
                   f'<tspan font-size="10" style="fill:#666">{esc(clip(where, 22))}</tspan></text>')
    # Marks closer than MARK_MERGE_UNITS with the same verdict are drawn once (with the
    # count): thousands of OONI measurements stay a readable, light chart.
    merged: dict[tuple[int, int, str], list[dict[str, Any]]] = defaultdict(list)
    for v in rows:
        t = parse_time(v.get("measured_at"))
        if t is None:
            continue
        i = index[(ctx.outlet_name(v.get("outlet_id") or v.get("host")), _where(v))]
        merged[(i, int(scale.x(t) // MARK_MERGE_UNITS), verdict_state(v))].append(v)
    for (i, _, state), group in merged.items():
        x = sum(scale.x(parse_time(v["measured_at"]) or lo) for v in group) / len(group)
        y = PAD_T + row_h * i + row_h / 2
        sym, label, color = VERDICT_STYLE[state]
        first, last = group[0], group[-1]
        tip = (f"{first.get('measured_at')}: {label} ({first.get('class')}, "
               f"{first.get('source')})" if len(group) == 1 else
               f"{len(group)} measurements {first.get('measured_at')} to "
               f"{last.get('measured_at')}: {label}")
        out.append(f'<text class="mark" x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" '
                   f'font-size="14" style="fill:{color}">{sym}<title>{esc(tip)}</title></text>')
    out.append(event_layer(markers(ctx.events), scale, PAD_T, height - PAD_B))
    legend = "".join(f'<span><b style="color:{c}">{s}</b> {esc(lab)}</span>'
                     for s, lab, c in VERDICT_STYLE.values())
    return (f'<figure><div class="legend">{legend}</div>{"".join(out)}</svg>'
            "<figcaption>Each mark is a measurement's verdict (equal verdicts close in time "
            "share one mark; hover for details).</figcaption>"
            f"{event_list([e for e in ctx.events if lo <= (parse_time(e.time) or lo) <= hi])}"
            "</figure>")


def reachability_section(ctx: ReportContext) -> str:
    rows = list(ctx.reachability)
    if not rows:
        return ('<section class="block" id="reachability"><h2>Reachability</h2><p class="note">'
                "No reachability measurements in the archive (see <code>untold ooni</code> and "
                "<code>untold probe</code>).</p></section>")
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for v in sorted(rows, key=lambda v: v.get("measured_at") or ""):
        latest[(v.get("outlet_id") or v.get("host"), v.get("vantage"), v.get("network"),
                v.get("probe_asn"))] = v
    cols = [Col("Outlet"), Col("Host"), Col("Network"), Col("Vantage"), Col("Measured"),
            Col("Verdict"), Col("Class"), Col("Source"), Col("Rule")]

    def row(v: dict[str, Any]) -> list[Any]:
        return [ctx.outlet_name(v.get("outlet_id")), v.get("host"), _where(v), v.get("vantage"),
                (v.get("measured_at") or "")[:16].replace("T", " "), _verdict_badge(v),
                v.get("class"), v.get("source"), f"{v.get('rule')} {v.get('rules_version')}"
                + (" (no control)" if v.get("no_control") else "")]

    keys = list(rows[0].keys())
    return (f'<section class="block" id="reachability"><h2>Reachability</h2>'
            '<p class="note">The latest verdict per outlet, vantage point and network.</p>'
            f"{table('reach-latest', cols, [row(v) for v in latest.values()])}"
            f"<h3>Verdicts over time</h3>{reachability_timeline(rows, ctx)}"
            "<details><summary>All verdicts as a table</summary>"
            f"{table('reach-all', cols, [row(v) for v in rows], export_columns=keys, export_rows=[[v.get(k) for k in keys] for v in rows], max_rows=TABLE_MAX_ROWS)}"
            "</details></section>")


def extra_section(title: str, fragment: str) -> str:
    return (f'<section class="block extra" id="extra-{slug(title)}"><h2>{esc(title)}</h2>'
            f"{fragment}</section>")


def problems_section(ctx: ReportContext) -> str:
    if not ctx.problems:
        return ""
    items = "".join(f"<li>{esc(p)}</li>" for p in ctx.problems)
    return (f'<section class="block" id="notes"><h2>Notes on this report</h2>'
            f'<ul class="note">{items}</ul></section>')
