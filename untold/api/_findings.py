"""Library entry points for findings (re-exported by :mod:`untold.api`).

``compute_findings`` runs every rule on the study's stories and stores each
story's run (observations apart from findings); ``findings`` returns them as
plain rows (or JSON / CSV text) for the CLI and the report.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from untold.api._common import (
    StudyLike,
    check_format,
    load,
    open_archive,
    require_archive,
)
from untold.config import Study
from untold.errors import ConfigError
from untold.models import FindingRecord
from untold.text.spreadsheet import SafeDictWriter

__all__ = ["FINDING_FIELDS", "TEST_FIELDS", "WHY_CODES", "compute_findings", "finding_row",
           "finding_tests", "findings"]

# "detail" (the fact, event, words, counts a finding rests on) and "evidence_roles"
# (each evidence article with its role) were added after the first release: keys are
# only ever added, so scripts reading the older shape keep working
FINDING_FIELDS = ("kind", "rule", "rules_version", "story", "subject", "sentence",
                  "statistic", "p_value", "q_value", "effect", "ci_low", "ci_high",
                  "thresholds", "evidence", "detail", "evidence_roles")
FORMATS = ("records", "json", "csv")
# ``finding_tests`` rows, in this order (the detail is last: it is long)
TEST_FIELDS = ("story", "rule", "kind", "subject", "tested", "statistic", "p_value",
               "in_family", "q_value", "q_max", "effect", "ci_low", "ci_high", "finding",
               "why", "why_not", "reason", "sentence", "detail")
# why a test was not a finding (codes in ``why``; ``why_not`` says it in words)
WHY_CODES = ("not_tested", "outside_family", "q_above_limit", "effect_too_small",
             "explained_by_event", "drop_before_event", "other")


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


def compute_findings(study: StudyLike, *, story_ids: Sequence[str] | None = None,
                     progress: Callable[[int, int, str], None] | None = None,
                     ) -> list[FindingRecord]:
    """Run every rule on the stories (all, or ``story_ids``); store and return the findings."""
    from untold.analyze.findings import run_story

    st = load(study)
    stories = _stories(st, story_ids)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    out: list[FindingRecord] = []
    store = open_archive(st)
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
            "ci_high": _num(f.ci_high), "thresholds": _json_safe(f.thresholds),
            "evidence": [a for a, _ in f.evidence], "detail": _json_safe(f.detail),
            "evidence_roles": [{"article": a, "role": role} for a, role in f.evidence]}


def _num(x: float | None) -> float | None:
    """JSON has no infinity: an unbounded interval end is null."""
    return x if x is None or math.isfinite(x) else None


def _json_safe(value: Any) -> Any:
    """``value`` with every non-finite float made null (JSON has no inf or nan)."""
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def findings(study: StudyLike, *, story_ids: Sequence[str] | None = None,
             fmt: str = "records", recompute: bool = False) -> list[dict[str, Any]] | str:
    """The latest findings of the stories, computing those never computed (or all,
    with ``recompute``). ``fmt``: "records" (list of dicts), "json" or "csv" (text)."""
    check_format(fmt, FORMATS, hint="use " + ", ".join(FORMATS))
    from untold.analyze.findings import RULES_VERSION

    st = load(study)
    stories = _stories(st, story_ids)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    store = open_archive(st)
    try:
        runs: list[int] = []
        todo = []
        for s in stories:
            # edits and deletions are found by revisits (untold.analyze.edits): listed here too
            edits_run = store.latest_analysis("edits", s.id)
            if edits_run is not None:
                runs.append(edits_run)
            rid = store.latest_analysis("findings", s.id)
            info = store.analysis_run_info(rid) if rid else None
            if recompute or rid is None or info is None or info[0] != RULES_VERSION:
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
                        "evidence": " ".join(str(a) for a in r["evidence"]),
                        "detail": json.dumps(r["detail"], ensure_ascii=False),
                        "evidence_roles": " ".join(f"{e['article']}:{e['role']}"
                                                   for e in r["evidence_roles"])})
        return buf.getvalue()
    return rows


def finding_tests(study: StudyLike, *, story_ids: Sequence[str] | None = None,
                  fmt: str = "records") -> list[dict[str, Any]] | str:
    """Every test the latest findings run of each story made or could not make: one
    row per test (``TEST_FIELDS`` first, then whatever else the rule stored), read
    from the stored observations, with whether it became a finding and, if not, why
    (``why``: codes of ``WHY_CODES``; ``why_not``: the same in words).

    ``q_value`` is set only for tests in the multiplicity family (Tarone's screen,
    see ``analyze.findings.tarone_family``). ``fmt``: "records", "json" or "csv".
    """
    check_format(fmt, FORMATS, hint="use " + ", ".join(FORMATS))
    from untold.analyze.findings import Q_MAX

    st = load(study)
    stories = _stories(st, story_ids)
    require_archive(st, "run 'untold collect' or 'untold import' first")
    store = open_archive(st, readonly=True)
    try:
        rows: list[dict[str, Any]] = []
        for s in stories:
            rid = store.latest_analysis("findings", s.id)
            if rid is None:
                continue
            info = store.analysis_run_info(rid)
            q_max = float((info[1] if info else {}).get("q_max", Q_MAX))
            found = {_test_key(f.rule, f.subject, f.p_value, f.statistic, f.detail)
                     for f in store.findings(run_ids=[rid])}
            for kind in ("test", "not_tested"):
                rows += [_test_row(s.id, kind == "test", dict(o.value), q_max, found)
                         for o in store.observations(rid, kind)]
    finally:
        store.close()
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = SafeDictWriter(buf, fieldnames=list(TEST_FIELDS), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "why": " ".join(r["why"]),
                        "detail": json.dumps(r["detail"], ensure_ascii=False)})
        return buf.getvalue()
    return rows


# what tells apart two tests of one rule on one subject (facts, events, groups, languages)
_KEY_DETAIL = ("fact", "event", "group", "language", "change_day")


def _test_key(rule: Any, subject: Any, p: Any, statistic: Any,
              detail: dict[str, Any]) -> tuple[Any, ...]:
    """A stored test and the finding made from it share this key (the run stores the
    finding's numbers and detail as the test's)."""
    return (rule, subject, p, statistic,
            *(json.dumps(detail.get(k), sort_keys=True, default=str) for k in _KEY_DETAIL))


def _test_row(story_id: str, tested: bool, value: dict[str, Any], q_max: float,
              found: set[tuple[Any, ...]]) -> dict[str, Any]:
    """One stored test as a row: its numbers, and why it was (not) a finding."""
    detail = value.get("detail") or {}
    in_family = bool(detail.get("in_family")) if tested else False
    q = detail.get("q_value") if in_family else None
    p = value.get("p_value")
    finding = tested and _test_key(value.get("rule"), value.get("subject"), p,
                                   value.get("statistic"), detail) in found
    why: list[str] = []
    words: list[str] = []
    if not tested:
        why.append("not_tested")
        words.append(f"not tested: {value.get('reason') or 'no reason recorded'}")
    elif not finding:
        if not in_family:
            why.append("outside_family")
            min_p = detail.get("min_p")
            words.append("outside the Tarone family: even the most extreme counts could "
                         f"not reach q <= {q_max:g}" + (
                             f" (smallest attainable p = {min_p:.2g})"
                             if isinstance(min_p, int | float) else ""))
        if q is not None and q > q_max:
            why.append("q_above_limit")
            words.append(f"q = {q:.2g} above the limit {q_max:g}")
        if not value.get("big_enough", True):
            why.append("effect_too_small")
            words.append("effect below the rule's size threshold")
        if detail.get("explained_by_event"):
            why.append("explained_by_event")
            words.append(f"explained by event {detail['explained_by_event']!r}")
        if isinstance(pre := detail.get("drop_before_event"), dict):
            why.append("drop_before_event")
            words.append(f"the drop began on {pre.get('day')}, "
                         f"{pre.get('days_before_event')} days before the event")
        if not why:
            why.append("other")
            words.append("not kept by the rule's other conditions (see the detail)")
    row: dict[str, Any] = {
        "story": story_id, "rule": value.get("rule"), "kind": value.get("kind"),
        "subject": value.get("subject"), "tested": tested,
        "statistic": _num(value.get("statistic")), "p_value": _num(p),
        "in_family": in_family, "q_value": _num(q), "q_max": q_max,
        "effect": _num(value.get("effect")), "ci_low": _num(value.get("ci_low")),
        "ci_high": _num(value.get("ci_high")), "finding": finding, "why": why,
        "why_not": "; ".join(words), "reason": value.get("reason", ""),
        "sentence": value.get("sentence", ""), "detail": _json_safe(detail)}
    row.update({k: _json_safe(v) for k, v in value.items() if k not in row})
    return row
