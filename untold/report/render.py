"""A :class:`ReportContext` to one HTML page (and the page to disk, atomically)."""

from __future__ import annotations

import os
from pathlib import Path

from untold.errors import UntoldError
from untold.report.context import ReportContext
from untold.report.html import page
from untold.report.sections_reach import reachability_section
from untold.report.sections_story import story_section
from untold.report.sections_study import extra_section, findings_section, problems_section
from untold.report.tables import slug

__all__ = ["render", "write_report"]


def render(ctx: ReportContext) -> str:
    nav = [(f"story-{slug(s.story_id)}", s.title) for s in ctx.stories]
    nav += [("findings", "Findings"), ("reachability", "Reachability")]
    nav += [(f"extra-{slug(t)}", t) for t, _ in ctx.extra_sections]
    body = [story_section(s, ctx) for s in ctx.stories]
    if not ctx.stories:
        body.append('<section class="block"><h2>Stories</h2><p class="note">No story '
                    "results: add [[stories]] to the study file and run the analysis."
                    "</p></section>")
    body += [findings_section(ctx), reachability_section(ctx)]
    body += [extra_section(t, frag) for t, frag in ctx.extra_sections]
    body.append(problems_section(ctx))
    if ctx.problems:
        nav.append(("notes", "Notes"))
    sub = " \u00b7 ".join(x for x in (ctx.subtitle, f"generated {ctx.generated_at}"
                                      if ctx.generated_at else "") if x)
    return page(ctx.title, "".join(body), nav=nav, subtitle=sub)


def write_report(ctx: ReportContext, out: Path) -> Path:
    """Write the page to ``out`` (via a temporary file: never a half-written report)."""
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(render(ctx), encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise UntoldError(f"cannot write the report: {exc}", source=str(out),
                          hint="check the path, free disk space and permissions") from exc
    return out
