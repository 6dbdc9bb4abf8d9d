"""Study-wide parts of the report: findings, extra sections from other areas, and the
notes box (reachability has its own module, :mod:`untold.report.sections_reach`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from untold.models import FindingRecord
from untold.report.charts_grid import diverging_bars
from untold.report.context import ReportContext
from untold.report.html import esc, safe_href
from untold.report.tables import Col, slug, table

__all__ = ["EVIDENCE_LIMIT", "extra_section", "findings_section", "problems_section"]

EVIDENCE_LIMIT = 20  # evidence articles listed (and copied) per finding; the download has all


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


def extra_section(title: str, fragment: str) -> str:
    return (f'<section class="block extra" id="extra-{slug(title)}"><h2>{esc(title)}</h2>'
            f"{fragment}</section>")


def problems_section(ctx: ReportContext) -> str:
    if not ctx.problems:
        return ""
    items = "".join(f"<li>{esc(p)}</li>" for p in ctx.problems)
    return (f'<section class="block" id="notes"><h2>Notes on this report</h2>'
            f'<ul class="note">{items}</ul></section>')
