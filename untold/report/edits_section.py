"""The report's "Stealth edits and deletions" section: an HTML fragment.

Per story: a timeline (one lane per outlet; edits, deletions and
restorations as marks, the study's events as vertical lines), then each
changed article side by side, removed text struck in red and added text
in green, with the time of both versions and links to both captured copies
and their SHA-256; then each deletion with how it showed and its evidence.

Everything from the archive (titles, texts, URLs) is escaped with
``report.html.esc``; links go through ``safe_href``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from untold.analyze.edits import ArticleEdits, StoryEdits
from untold.config import EventConfig, Study
from untold.report.html import esc, safe_href
from untold.timeutil import from_iso, to_iso

__all__ = ["SECTION_TITLE", "edits_section", "render_edits"]

SECTION_TITLE = "Stealth edits and deletions"
LANE_H = 26  # px per outlet lane of the timeline
PLOT_W = 640  # px of the time axis
LABEL_W = 130  # px for outlet names left of the axis
_COLORS = {"edit": "#1f5fbf", "deletion": "#c0392b", "restoration": "#2e8b57"}
_CSS = """<style>.ued table{border-collapse:collapse;width:100%;table-layout:fixed}
.ued td,.ued th{border:1px solid #ccc;padding:.4rem;vertical-align:top;font-size:.9rem}
.ued del{background:#fbd3d0;color:#7a1a12}.ued ins{background:#d3f2dc;color:#114d25;
text-decoration:none}.ued .meta{font-size:.8rem;color:#555;word-break:break-all}
.ued .txt{white-space:pre-wrap}.ued svg text{font-size:11px}</style>"""


def _segments(segs: Sequence[tuple[str, str]]) -> str:
    out = []
    for tag, text in segs:
        if tag == "removed":
            out.append(f"<del>{esc(text)}</del>")
        elif tag == "added":
            out.append(f"<ins>{esc(text)}</ins>")
        else:
            out.append(esc(text))
    return "".join(out)


def _capture_link(cid: int | None, sha: str | None, hrefs: dict[int, str]) -> str:
    href = hrefs.get(cid) if cid is not None else None
    sha_txt = f"SHA-256 <code>{esc(sha)}</code>" if sha else "no digest"
    if href and safe_href(href, local=True):
        return f'<a href="{safe_href(href, local=True)}">captured copy</a>, {sha_txt}'
    return f"capture {esc(cid)}, {sha_txt}"


def _timeline(se: StoryEdits, events: Sequence[EventConfig], names: dict[str, str]) -> str:
    marks: list[tuple[datetime, ArticleEdits, Any]] = []
    for a in se.articles:
        for ev in a.events:
            t = from_iso(ev.at)
            if t is not None:
                marks.append((t, a, ev))
    if not marks:
        return ""
    times = [m[0] for m in marks]
    ev_times = [(e, e.time if e.time.tzinfo else e.time.replace(tzinfo=times[0].tzinfo))
                for e in events]
    lo = min(times + [t for _, t in ev_times if t >= min(times) - (max(times) - min(times))])
    hi = max(times)
    span = max((hi - lo).total_seconds(), 3600.0)
    lanes = sorted({a.outlet_id for a in se.articles})

    def x(t: datetime) -> float:
        return LABEL_W + PLOT_W * (t - lo).total_seconds() / span

    h = LANE_H * len(lanes) + 30
    parts = [f'<svg role="img" viewBox="0 0 {LABEL_W + PLOT_W + 20} {h}" width="100%" '
             f'aria-label="timeline of edits and deletions">']
    for i, oid in enumerate(lanes):
        y = 20 + i * LANE_H
        parts.append(f'<text x="4" y="{y + 4}">{esc(names.get(oid, oid))}</text>'
                     f'<line x1="{LABEL_W}" x2="{LABEL_W + PLOT_W}" y1="{y}" y2="{y}" '
                     'stroke="#ddd"/>')
    for e, t in ev_times:
        if lo <= t <= hi:
            parts.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="8" y2="{h - 14}" '
                         f'stroke="#e67e22" stroke-dasharray="4 3"><title>{esc(e.id)}: '
                         f'{esc(e.description)} ({esc(to_iso(t))})</title></line>'
                         f'<text x="{x(t) + 3:.1f}" y="{h - 4}">{esc(e.id)}</text>')
    for t, a, ev in marks:
        y = 20 + lanes.index(a.outlet_id) * LANE_H
        parts.append(f'<circle cx="{x(t):.1f}" cy="{y}" r="6" fill="{_COLORS.get(ev.kind)}">'
                     f'<title>{esc(ev.kind)} ({esc(ev.subkind)}) {esc(ev.at)}: '
                     f'{esc(a.title)}</title></circle>')
    parts.append("</svg>")
    legend = " ".join(f'<span style="color:{c}">●</span> {k}' for k, c in _COLORS.items())
    return "".join(parts) + f'<p class="meta">{legend}; dashed lines: study events</p>'


def _diff_table(a: ArticleEdits, n: int, hrefs: dict[int, str]) -> str:
    old, new = a.version(n - 1), a.version(n)
    if old is None or new is None:
        return ""
    tdiff, bdiff = a.diffs[n]
    s = bdiff.summary()
    facts_old = ", ".join(sorted(a.facts.get(n - 1, set()))) or "none"
    facts_new = ", ".join(sorted(a.facts.get(n, set()))) or "none"

    def head(v: Any, facts: str) -> str:
        return (f'<div class="meta">version {v.version}, fetched {esc(v.fetched_at)}<br>'
                f"{_capture_link(v.capture_id, v.sha256, hrefs)}<br>facts: {esc(facts)}</div>")

    return (f"<p>{esc(s['sentences_removed'])} sentences removed, "
            f"{esc(s['sentences_added'])} added, {esc(s['sentences_changed'])} changed "
            f"({esc(s['words_removed'])} words removed, {esc(s['words_added'])} added).</p>"
            f"<table><tr><th>before</th><th>after</th></tr>"
            f"<tr><td>{head(old, facts_old)}</td><td>{head(new, facts_new)}</td></tr>"
            f"<tr><td><b>{_segments(tdiff.old)}</b></td><td><b>{_segments(tdiff.new)}</b></td>"
            f'</tr><tr><td class="txt">{_segments(bdiff.old)}</td>'
            f'<td class="txt">{_segments(bdiff.new)}</td></tr></table>')


def render_edits(study: Study, data: Sequence[StoryEdits], *, hrefs: dict[int, str],
                 captures: dict[int, dict[str, Any]]) -> str:
    """The section's HTML from analysed stories (``hrefs``: capture id -> copy)."""
    names = {o.id: o.name for o in study.outlets}
    out = [_CSS, '<div class="ued">']
    if not any(se.articles for se in data):
        out.append("<p>No edits or deletions were seen in the stories' articles. "
                   "Run <code>untold revisit</code> (or <code>untold watch</code>) to "
                   "revisit collected articles.</p>")
    for se in data:
        if not se.articles:
            continue
        out.append(f"<h3>{esc(se.story.title)}</h3>")
        out.append(_timeline(se, study.events, names))
        for f in se.findings:
            out.append(f"<p>{esc(f.sentence)} <span class=\"meta\">[{esc(f.rule)}, "
                       f"{esc(f.rules_version)}]</span></p>")
        for a in se.articles:
            link = safe_href(a.url)
            url = f'<a href="{link}">{esc(a.url)}</a>' if link else esc(a.url)
            out.append(f"<h4>{esc(names.get(a.outlet_id, a.outlet_id))}: {esc(a.title)}</h4>"
                       f'<p class="meta">{url}</p>')
            for v in a.versions[1:]:
                out.append(_diff_table(a, v.version, hrefs))
            for ev in a.events:
                if ev.kind == "edit":
                    continue
                cap = captures.get(ev.capture_id or -1, {})
                if ev.capture_id is not None:
                    proof = _capture_link(ev.capture_id, cap.get("sha256"), hrefs)
                else:  # a listing verdict: the feed or sitemap is the evidence
                    listing = str(ev.detail.get("listing", ""))
                    href = safe_href(listing)
                    proof = (f'no longer in <a href="{href}">{esc(listing)}</a>' if href
                             else f"no longer in {esc(listing)}")
                out.append(f"<p><b>{esc(ev.kind)}</b> ({esc(ev.subkind)}): first seen "
                           f"{esc(ev.at)}; the previous state was last seen "
                           f"{esc(ev.after or '-')}. <span class=\"meta\">{proof}</span></p>")
    out.append("</div>")
    return "".join(out)


def edits_section(study: Study, data: Sequence[StoryEdits], *, files_dir: Path,
                  report_name: str) -> tuple[str, str, list[str]]:
    """``(title, html, problems)``: captured copies written, then the fragment."""
    from untold.report.captures import write_captures
    from untold.store import open_store

    ids: set[int] = set()
    for se in data:
        for a in se.articles:
            ids.update(v.capture_id for v in a.versions)
            ids.update(e.capture_id for e in a.events if e.capture_id is not None)
    if not study.db_path.exists():
        return SECTION_TITLE, render_edits(study, data, hrefs={}, captures={}), []
    store = open_store(study.db_path, readonly=True)
    try:
        captures = {i: c for i in ids if (c := store.capture(i)) is not None}
        hrefs, problems = write_captures(store, study.warc_dir, files_dir, report_name, ids)
    finally:
        store.close()
    return SECTION_TITLE, render_edits(study, data, hrefs=hrefs, captures=captures), problems
