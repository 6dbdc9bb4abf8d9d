"""Library entry points for findings (re-exported by :mod:`untold.api`).

``compute_findings`` runs every rule on the study's stories and stores each
story's run (observations apart from findings); ``findings`` returns them as
plain rows (or JSON / CSV text) for the CLI, the report and the dashboard.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from untold.config import Study, load_study
from untold.errors import ConfigError, StoreError, UntoldError
from untold.store.sqlite_analysis import FindingRecord
from untold.text.spreadsheet import SafeDictWriter

__all__ = ["FINDING_FIELDS", "compute_findings", "finding_row", "finding_tests", "findings"]

FINDING_FIELDS = ("kind", "rule", "rules_version", "story", "subject", "sentence",
                  "statistic", "p_value", "q_value", "effect", "ci_low", "ci_high",
                  "thresholds", "evidence")
FORMATS = ("records", "json", "csv")


def _study(study: str | Path | Study) -> Study:
    return study if isinstance(study, Study) else load_study(study)


def _stories(st: Study, story_ids: Sequence[str] | None) -> list[Any]:
    if not st.stories:
        raise ConfigError("the study has no stories to look for findings in",
                          source=str(st.path),
                          hint="add a [[stories]] table with an id, a title, a query and facts")
    by_id = {s.id: s for s in st.stories}
    for sid in story_ids or ():
        if sid not in by_id:
            raise ConfigError(f"no story with id {sid!r}", source=str(st.path),
                              hint="stories in the study: " + ", ".join(by_id))
    return [by_id[s] for s in dict.fromkeys(story_ids)] if story_ids else list(st.stories)


def compute_findings(study: str | Path | Study, *, story_ids: Sequence[str] | None = None,
                     progress: Callable[[int, int, str], None] | None = None,
                     ) -> list[FindingRecord]:
    """Run every rule on the stories (all, or ``story_ids``); store and return the findings."""
    from untold.analyze.findings import run_story
    from untold.store import open_store

    st = _study(study)
    stories = _stories(st, story_ids)
    if not st.db_path.exists():
        raise StoreError("archive not found", source=str(st.db_path),
                         hint="run 'untold collect' or 'untold import' first")
    out: list[FindingRecord] = []
    store = open_store(st.db_path)
    try:
        store.sync_outlets(st.outlets)
        for i, story in enumerate(stories):
            if progress:
                progress(i, len(stories), story.id)
            out += run_story(store, st, story)[1]
        if progress:
            progress(len(stories), len(stories), "")
    finally:
        store.close()
    return out


def finding_row(f: FindingRecord) -> dict[str, Any]:
    """One finding as a JSON-able object with the fields of ``FINDING_FIELDS``."""
    return {"kind": f.kind, "rule": f.rule, "rules_version": f.rules_version,
            "story": f.story_id, "subject": f.subject, "sentence": f.sentence,
            "statistic": _num(f.statistic), "p_value": _num(f.p_value),
            "q_value": _num(f.q_value), "effect": _num(f.effect), "ci_low": _num(f.ci_low),
            "ci_high": _num(f.ci_high), "thresholds": f.thresholds,
            "evidence": [a for a, _ in f.evidence]}


def _num(x: float | None) -> float | None:
    """JSON has no infinity: an unbounded interval end is null."""
    return x if x is None or math.isfinite(x) else None


def findings(study: str | Path | Study, *, story_ids: Sequence[str] | None = None,
             fmt: str = "records", recompute: bool = False) -> list[dict[str, Any]] | str:
    """The latest findings of the stories, computing those never computed (or all,
    with ``recompute``). ``fmt``: "records" (list of dicts), "json" or "csv" (text)."""
    if fmt not in FORMATS:
        raise UntoldError(f"unknown format {fmt!r}", hint="use " + ", ".join(FORMATS))
    from untold.analyze.findings import RULES_VERSION
    from untold.store import open_store

    st = _study(study)
    stories = _stories(st, story_ids)
    if not st.db_path.exists():
        raise StoreError("archive not found", source=str(st.db_path),
                         hint="run 'untold collect' or 'untold import' first")
    store: Any = open_store(st.db_path)  # the SQLite backend: analysis tables
    try:
        runs: list[int] = []
        todo = []
        for s in stories:
            # edits and deletions are found by revisits (untold.analyze.edits): listed here too
            edits_run = store.latest_analysis("edits", s.id)
            if edits_run is not None:
                runs.append(edits_run)
            rid = store.latest_analysis("findings", s.id)
            version = store.conn.execute("SELECT rules_version FROM analysis_runs WHERE id=?",
                                         (rid,)).fetchone() if rid else None
            if recompute or rid is None or version is None or version[0] != RULES_VERSION:
                todo.append(s.id)
            else:
                runs.append(rid)
        rows = [finding_row(f) for f in store.findings(run_ids=runs)] if runs else []
    finally:
        store.close()
    if todo:
        rows += [finding_row(f) for f in compute_findings(st, story_ids=todo)]
    order = {s.id: i for i, s in enumerate(stories)}
    rows.sort(key=lambda r: (order.get(r["story"], 0), r["kind"], r["q_value"] or 1.0))
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = SafeDictWriter(buf, fieldnames=list(FINDING_FIELDS))  # subjects, sentences
        w.writeheader()
        for r in rows:
            w.writerow({**r, "thresholds": json.dumps(r["thresholds"], ensure_ascii=False),
                        "evidence": " ".join(str(a) for a in r["evidence"])})
        return buf.getvalue()
    return rows


def finding_tests(study: str | Path | Study, *, story_ids: Sequence[str] | None = None,
                  ) -> list[dict[str, Any]]:
    """What the latest findings run of each story tested (found or not) and what it
    could not test, with the reason: one row per test, from the stored observations."""
    from untold.store import open_store

    st = _study(study)
    stories = _stories(st, story_ids)
    if not st.db_path.exists():
        raise StoreError("archive not found", source=str(st.db_path),
                         hint="run 'untold collect' or 'untold import' first")
    store: Any = open_store(st.db_path, readonly=True)
    try:
        rows: list[dict[str, Any]] = []
        for s in stories:
            rid = store.latest_analysis("findings", s.id)
            if rid is None:
                continue
            for kind in ("test", "not_tested"):
                rows += [{"story": s.id, "tested": kind == "test", **o.value}
                         for o in store.observations(rid, kind)]
        return rows
    finally:
        store.close()
