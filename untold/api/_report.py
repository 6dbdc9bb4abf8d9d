"""Library entry points for report (re-exported by :mod:`untold.api`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from untold.analyze.results import EventMark, StoryResult
from untold.api._common import StudyLike, load, open_archive, require_archive
from untold.api._edits import edits_report_section
from untold.api._stories import analyze, story_results
from untold.config import Study
from untold.errors import UntoldError
from untold.store.base import CoverageStore
from untold.timeutil import now_utc, to_iso

__all__ = ["report", "report_context"]

SCHEMA_REACH, SCHEMA_ANALYSIS = 2, 3  # archive versions that added verdicts / findings


def _events(st: Study) -> list[EventMark]:
    return [EventMark(e.id, to_iso(e.time) or "", e.description, tuple(e.groups),
                      tuple(e.countries)) for e in st.events]


def _stories(st: Study, analyze_missing: bool) -> list[StoryResult]:
    found = story_results(st)
    if not found and st.stories and analyze_missing:
        found = analyze(st)  # first report of a study: compute (and store) the stories
    return found


def _edits(st: Study, files_dir: Path, report_name: str,
           problems: list[str]) -> list[tuple[str, str]]:
    try:
        title, fragment, notes = edits_report_section(st, files_dir=files_dir,
                                                      report_name=report_name)
    except UntoldError as exc:  # the rest of the report still stands; the note says why
        problems.append(f"stealth-edits section left out: {exc}")
        return []
    problems.extend(notes)
    return [(title, fragment)]


def _outlet_output(store: CoverageStore,
                   reach: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Articles per UTC day of every measured outlet over the reachability section's time
    axis (its output lane: what the archive holds while an outlet was blocked)."""
    from untold.report.sections_reach import reach_span

    span = reach_span(reach)
    ids = sorted({str(r["outlet_id"]) for r in reach if r.get("outlet_id")})
    if span is None or not ids:
        return {}
    days = [d.strftime("%Y-%m-%d") for d in span]  # [start day, end day): ISO prefixes
    out: dict[str, dict[str, int]] = store.output_by_day(ids, days[0], days[1])
    return out


def report_context(study: StudyLike, out: Path, *, analyze_missing: bool = True,
                   extra_sections: Sequence[tuple[str, str]] = (),
                   progress: Callable[[str], None] | None = None) -> Any:
    """Gather a :class:`ReportContext` and write the captured copies it links."""
    from untold.report.captures import article_refs, write_captures
    from untold.report.context import ReportContext
    from untold.report.sections_story import SAMPLE_LIMIT
    from untold.report.sections_study import EVIDENCE_LIMIT

    st = load(study)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    files_dir = out.parent / f"{out.stem}_files"
    say = progress or (lambda _msg: None)
    say("stories")
    stories = _stories(st, analyze_missing)
    problems: list[str] = []
    say("edits")
    extras = _edits(st, files_dir, out.name, problems) + list(extra_sections)
    store = open_archive(st, readonly=True)
    try:
        version = store.schema_version()
        say("findings")
        findings = store.findings() if version >= SCHEMA_ANALYSIS else []
        reach = store.reachability() if version >= SCHEMA_REACH else []
        output = _outlet_output(store, reach)
        # only what the page links gets a copy: the samples and evidence it lists
        shown = {a for f in findings for a, _ in f.evidence[:EVIDENCE_LIMIT]}
        articles = article_refs(store, shown)
        caps = {a.capture_id for s in stories for a in s.samples[:SAMPLE_LIMIT]}
        caps |= {r.capture_id for r in articles.values()}
        titles = {a.capture_id: a.title for s in stories for a in s.samples[:SAMPLE_LIMIT]}
        titles.update({r.capture_id: r.title for r in articles.values()})
        say("captured copies")
        hrefs, cap_problems = write_captures(store, st.warc_dir, files_dir, out.name, caps,
                                             titles)
        names = {o.id: o.name for o in store.outlets()}
    finally:
        store.close()
    names.update({o.id: o.name for o in st.outlets})
    problems.extend(cap_problems)
    return ReportContext(
        title=st.name, subtitle=st.description or str(st.path),
        generated_at=to_iso(now_utc()) or "", stories=stories, findings=findings,
        reachability=reach, events=_events(st), outlet_output=output, outlet_names=names,
        articles=articles, capture_hrefs=hrefs, extra_sections=extras, problems=problems)


def report(study: StudyLike, out: str | Path | None = None, *,
           analyze_missing: bool = True, extra_sections: Sequence[tuple[str, str]] = (),
           progress: Callable[[str], None] | None = None) -> Path:
    """Write the study's HTML report (one offline file plus ``<name>_files/``); its path.

    ``out`` defaults to ``<archive>/report.html``. Stories are read from their
    latest stored analysis; when none is stored yet they are analysed first
    (unless ``analyze_missing`` is False).
    """
    from untold.report.render import write_report

    st = load(study)
    path = Path(out) if out is not None else st.archive_dir / "report.html"
    if path.suffix.lower() not in (".html", ".htm"):
        raise UntoldError("the report is an HTML file", source=str(path),
                          hint="give an output name ending in .html")
    if path.is_dir():
        raise UntoldError("the output path is a folder", source=str(path),
                          hint="give a file name ending in .html")
    if out is not None and not path.parent.is_dir():  # a typo must not make folders
        raise UntoldError("the report's folder does not exist", source=str(path.parent),
                          hint="create it first, or choose another -o")
    ctx = report_context(st, path, analyze_missing=analyze_missing,
                         extra_sections=extra_sections, progress=progress)
    if progress:
        progress("writing")
    return write_report(ctx, path).resolve()
