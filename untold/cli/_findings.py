"""The ``untold findings`` command: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from untold import api
from untold.cli._common import format_option, out, progress


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command()
    def findings(
        study: Annotated[Path, typer.Argument(help="The study file (TOML).")],
        story: Annotated[list[str] | None, typer.Option(
            help="Only this story id (repeatable).")] = None,
        format: Annotated[str, format_option("table", "csv", "json")] = "table",
        stored: bool = typer.Option(False, help="Print the stored findings; compute only "
                                    "stories never computed."),
        all_tests: bool = typer.Option(False, "--all", help="Every test made or not made, "
                                       "with its statistic, p and q, and why it was not a "
                                       "finding."),
    ) -> None:
        """Omitted facts, silences after events and framing, with their statistics."""
        if not stored:
            _compute(study, story or None)
        if all_tests:
            _print_tests(study, story or None, format, stored)
            return
        if format != "table":
            sys.stdout.write(str(api.findings(study, story_ids=story or None, fmt=format)))
            return
        rows = api.findings(study, story_ids=story or None)
        assert isinstance(rows, list)
        t = Table(title=f"{len(rows)} findings", caption="q: false-discovery-adjusted "
                  "p-value across the story's tests; effect with its 95 % interval")
        for col in ("story", "kind", "subject", "q", "effect", "finding"):
            t.add_column(col, overflow="fold", justify="right" if col in ("q", "effect")
                         else "left")
        for r in rows:
            eff = _num(r["effect"], ".2f")
            if r["effect"] is not None and r["ci_low"] is not None and r["ci_high"] is not None:
                eff += f" [{r['ci_low']:.2f}, {r['ci_high']:.2f}]"
            t.add_row(escape(str(r["story"])), escape(r["kind"]), escape(str(r["subject"])),
                      _num(r["q_value"], ".2g"), eff, escape(r["sentence"]))
        out.print(t)


def _print_tests(study: Path, story_ids: list[str] | None, fmt: str, stored: bool) -> None:
    """``findings --all``: every test of the latest runs, and why each is no finding."""
    if stored:  # the stored tests; a story never computed is computed first, as findings does
        api.findings(study, story_ids=story_ids)
    if fmt != "table":
        sys.stdout.write(str(api.finding_tests(study, story_ids=story_ids, fmt=fmt)))
        return
    rows = api.finding_tests(study, story_ids=story_ids)
    assert isinstance(rows, list)
    n_found = sum(1 for r in rows if r["finding"])
    n_tested = sum(1 for r in rows if r["tested"])
    t = Table(title=f"{len(rows)} tests: {n_found} findings, {n_tested - n_found} tested "
              f"and not findings, {len(rows) - n_tested} not tested",
              caption="q only for tests in the multiplicity family (those that could reach "
              "significance); the detail of each is in --format json")
    for col in ("story", "rule", "subject", "statistic", "p", "q", "result"):
        t.add_column(col, overflow="fold",
                     justify="right" if col in ("statistic", "p", "q") else "left")
    for r in rows:
        what = _what(r)
        t.add_row(escape(str(r["story"])), escape(str(r["rule"])), escape(str(r["subject"])),
                  _num(r["statistic"], ".3g"), _num(r["p_value"], ".2g"),
                  _num(r["q_value"], ".2g"),
                  escape(("finding" if r["finding"] else r["why_not"]) + what))
    out.print(t)


def _what(r: dict[str, object]) -> str:
    """Which fact, event or group a test was about, when its detail says."""
    detail = r.get("detail")
    if not isinstance(detail, dict):
        return ""
    parts = [f"{k} {detail[k]}" for k in ("fact", "event", "group", "language")
             if detail.get(k) not in (None, "")]
    return f" [{', '.join(str(p) for p in parts)}]" if parts else ""


def _num(x: float | None, spec: str) -> str:
    """A number for the table; "-" where a finding has none (edits and deletions are
    not tested, so they have no q-value, effect or interval)."""
    return "-" if x is None else format(x, spec)


def _compute(study: Path, story_ids: list[str] | None) -> None:
    """Run the rules on the stories, with a progress bar on stderr."""
    st = api.load(study)  # a bad study file fails before the progress bar
    with progress(rate=False) as p:  # the bar appears at the first report, not before
        task = p.add_task("findings", total=None, info="")

        def tick(done: int, total: int, story_id: str) -> None:
            p.update(task, total=total, completed=done, info=escape(story_id))

        api.compute_findings(st, story_ids=story_ids, progress=tick)
