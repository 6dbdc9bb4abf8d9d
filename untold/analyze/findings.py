"""Run every findings rule on one story, correct for multiplicity, store the result.

Rules are data (``RULES``, the table ``TABLE`` in the shape of
``untold.models.rules``): an id, the kind of finding, what it tests, its
thresholds (each with why), what it reads and the function that turns a story's
counts into tests. One run
collects the tests of all rules, drops those that cannot tell (too few
articles) or could never reach significance (Tarone's screen: even the most
extreme count would not pass), applies Benjamini–Hochberg across the rest
and keeps as findings the tests with q <= ``Q_MAX`` whose effect passes the
rule's size threshold. Everything tested, found or not, is written as an
observation, so a reader sees what was looked for and why something was not.

Before the correction, one gate for every rule (``coverage_gate``): a test
whose subject (an outlet, or a group's outlets) untold observed on less than
``observed.MIN_OBSERVED_SHARE`` of the story's window gets a reason instead of
a p-value, since the articles of the days it missed were never collected;
each test's detail (and a finding's sentence) says how much was observed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from untold.analyze import framing, omissions, silences
from untold.analyze.findings_data import RuleTest, StoryData, load_story_data
from untold.analyze.observed import MIN_OBSERVED_SHARE
from untold.analyze.stats import benjamini_hochberg, wilson
from untold.analyze.wording import one_in, pct
from untold.config import StoryConfig, Study
from untold.models import FindingRecord, ObservationRecord
from untold.models.rules import Rule, RuleTable, Threshold
from untold.store.base import Store

__all__ = ["Q_MAX", "RULES", "RULES_VERSION", "TABLE", "Evidence", "FindingKind", "FindingRule",
           "RunResult", "coverage_gate", "evaluate", "run_story", "subject_outlets",
           "tarone_family"]

RULES_VERSION = "findings-4"  # bump when a rule, threshold or test changes
# findings-4: days an outlet was measured blocked or down are not observed (silences)
Q_MAX = 0.05  # false discovery rate across one run's tests: 1 in 20 findings may be chance


class FindingKind(StrEnum):
    """The kinds of finding these rules make (``FindingRecord.kind``); edits, deletions
    and restorations are the edit rules' (``revisit_classify.EventKind``)."""

    OMISSION = "omission"
    SILENCE = "silence"
    FRAMING = "framing"


class Evidence(StrEnum):
    """What a findings rule reads: ``StoryData``'s fields, and words through the store."""

    ARTICLES = "articles"
    FACT_HITS = "fact_hits"
    LANGUAGES = "languages"
    EXPOSURE = "exposure"
    EVENTS = "events"
    DAYS = "days"
    OBSERVED = "observed"
    WORDS = "words"


RuleRun = Callable[[StoryData, Store | None], list[RuleTest]]


@dataclass(frozen=True, kw_only=True)
class FindingRule(Rule[RuleRun]):
    """A findings rule: ``condition`` turns a story's counts into tests of its ``kind``."""

    kind: FindingKind

    def run(self, data: StoryData, store: Store | None) -> list[RuleTest]:
        return self.condition(data, store)


E = Evidence
_FACTS = (E.ARTICLES, E.FACT_HITS, E.LANGUAGES, E.OBSERVED)
_SILENCE = (E.ARTICLES, E.EXPOSURE, E.EVENTS, E.DAYS, E.OBSERVED)

TABLE: RuleTable[FindingRule] = RuleTable("findings", RULES_VERSION, (
    FindingRule(
        id="omission.outlet", kind=FindingKind.OMISSION,
        description="an outlet's share of story articles stating a fact, against its reference "
        "outlets' (one-sided Fisher's exact mid-p; beta-binomial when the reference outlets "
        "differ)", thresholds=omissions.OUTLET_RULE_THRESHOLDS, evidence=_FACTS,
        condition=lambda d, c: omissions.outlet_tests(d)),
    FindingRule(
        id="omission.group", kind=FindingKind.OMISSION,
        description="a group's share stating a fact against the other outlets' (Fisher's "
        "exact mid-p, or a dispersion-corrected z-test)",
        thresholds=omissions.GROUP_RULE_THRESHOLDS, evidence=_FACTS,
        condition=lambda d, c: omissions.group_tests(d)),
    FindingRule(
        id="silence.event_group", kind=FindingKind.SILENCE,
        description="story attention of the outlets an event names, before and after it, "
        "against the others (exact difference in differences)",
        thresholds=silences.EVENT_RULE_THRESHOLDS, evidence=_SILENCE,
        condition=lambda d, c: silences.event_tests(d, "group")),
    FindingRule(
        id="silence.event_outlet", kind=FindingKind.SILENCE,
        description="the same for each outlet the event names, against the outlets it does "
        "not name", thresholds=silences.EVENT_RULE_THRESHOLDS, evidence=_SILENCE,
        condition=lambda d, c: silences.event_tests(d, "outlet")),
    FindingRule(
        id="silence.change_point", kind=FindingKind.SILENCE,
        description="a group's share of the story's articles changing on one day, no event "
        "needed (binomial likelihood ratio, Bonferroni over the days tried)",
        thresholds=silences.CHANGE_RULE_THRESHOLDS, evidence=_SILENCE,
        condition=lambda d, c: silences.change_point_tests(d)),
    FindingRule(
        id="framing.log_odds", kind=FindingKind.FRAMING,
        description="words a group uses for the story more than the others on the same days "
        "(exact stratified Mantel-Haenszel test per word, outlets' dispersion; log-odds with "
        "an informative Dirichlet prior; Simes per group)",
        thresholds=framing.RULE_THRESHOLDS, evidence=(E.ARTICLES, E.DAYS, E.WORDS),
        condition=lambda d, c: framing.framing_tests(d, c)),
), thresholds=(
    Threshold("q_max", Q_MAX, "false discovery rate across one run's tests: 1 in 20 findings "
              "may be chance"),
    Threshold("min_observed_share", MIN_OBSERVED_SHARE, "a subject observed on less of the "
              "story's window is not tested: the articles of the days missed are unknown"),
))
RULES: tuple[FindingRule, ...] = TABLE.rules


@dataclass
class RunResult:
    tests: list[RuleTest]
    findings: list[FindingRecord]
    tested: int                 # tests in the multiplicity family
    untestable: int             # could not tell (reason given) or could never be significant


def tarone_family(tests: list[RuleTest], alpha: float = Q_MAX) -> list[RuleTest]:
    """The tests that count towards the correction (after Tarone 1990).

    A discrete test with few articles may never give a small p-value (5 articles
    before an event, none after: p >= 0.03), so counting it would only raise the
    bar for the others. A test whose smallest attainable p-value
    (``detail["min_p"]``; absent: assumed reachable) exceeds ``alpha`` can never
    pass Benjamini–Hochberg at level ``alpha`` and is left out of the family.
    (Tarone's tighter alpha/K screen suits Bonferroni, not BH: it would drop tests
    that BH's larger thresholds for lower ranks can still pass.)
    """
    family = []
    for t in tests:
        if t.p_value is None:
            continue
        t.detail["in_family"] = float(t.detail.get("min_p", 0.0)) <= alpha
        if t.detail["in_family"]:
            family.append(t)
    return family


def subject_outlets(data: StoryData, t: RuleTest) -> list[str]:
    """The outlets a test is about: the outlet itself, or the story-covering outlets of
    the group(s) or countries its subject names (``group:state``, ``group:domestic+KZ``)."""
    if t.subject in data.outlets:
        return [t.subject]
    if not t.subject.startswith("group:"):
        return []
    if isinstance(listed := t.detail.get("group_outlets"), list):
        return sorted(str(o) for o in listed)
    names = set(t.subject.removeprefix("group:").split("+"))
    return sorted(o for o in data.by_outlet()
                  if names & set(data.outlets[o].groups) or data.outlets[o].country in names)


def coverage_gate(data: StoryData, tests: list[RuleTest]) -> None:
    """Say in each test's detail how much of the window its subject was observed, and
    withdraw the p-value of a test whose subject was observed on too little of it. Tests
    that judged their coverage themselves (silences: ``observed_share`` in the detail)
    are left as they are."""
    cov = data.observed
    for t in tests:
        outlets = subject_outlets(data, t)
        if "observed_share" in t.detail or not outlets:
            continue
        if cov is None:
            t.detail.update(coverage="unknown", observed_share=None)
            continue
        t.detail.update(cov.detail(outlets))
        share = cov.share(outlets)
        label = (data.outlets[t.subject].name if t.subject in data.outlets
                 else f"group “{t.subject.removeprefix('group:')}”")
        if t.p_value is not None and share is not None and share < MIN_OBSERVED_SHARE:
            t.detail["p_value_withdrawn"] = t.p_value
            t.p_value = None
            lost = cov.unreachable_count(outlets)
            t.reason = (f"not tested: only {pct(share)} of the window observed ({label}; the "
                        f"articles of the days missing were never collected"
                        + (f", or on {lost} of them it could not be reached (blocked or "
                           f"down, per reachability measurements)" if lost else "")
                        + f", at least {pct(MIN_OBSERVED_SHARE)} are needed)")
        elif t.sentence and share is not None:
            t.sentence += " " + cov.phrase(label, outlets)


def evaluate(data: StoryData, store: Store | None = None,
             rules: tuple[FindingRule, ...] = RULES) -> RunResult:
    """All rules on one story's counts; the findings are not stored (see ``run_story``)."""
    tests: list[RuleTest] = []
    if not data.articles:
        tests.append(RuleTest("story", "story.articles", "*", "", None,
                              reason="no article of the study's outlets matches the story's "
                              "query in its window: there is nothing to test"))
    for rule in rules:
        tests += rule.run(data, store)
    coverage_gate(data, tests)
    family = tarone_family(tests)
    qs = benjamini_hochberg([float(t.p_value) for t in family if t.p_value is not None])
    findings: list[FindingRecord] = []
    for t, q in zip(family, qs, strict=True):
        t.detail["q_value"] = q
        if (q > Q_MAX or not t.big_enough or t.detail.get("explained_by_event")
                or t.detail.get("drop_before_event")):
            continue
        thresholds = {**t.thresholds, "q_max": Q_MAX}
        sentence = (f"{t.sentence} Allowing for all {len(family)} comparisons made for this "
                    f"story, at most {one_in(q)} of findings this strong would be false alarms "
                    f"(q = {q:.2g}).")
        findings.append(FindingRecord(
            kind=t.kind, rule=t.rule, rules_version=RULES_VERSION, subject=t.subject,
            sentence=sentence, story_id=data.story.id, thresholds=thresholds,
            statistic=t.statistic, p_value=t.p_value, q_value=q, effect=t.effect,
            ci_low=t.ci_low, ci_high=t.ci_high, detail=dict(t.detail),
            evidence=list(dict.fromkeys(t.evidence))))
    return RunResult(tests=tests, findings=findings, tested=len(family),
                     untestable=len(tests) - len(family))


def observations(data: StoryData, result: RunResult) -> list[ObservationRecord]:
    """Counts and rates (not verdicts): per fact and outlet, per test, what was not tested."""
    obs: list[ObservationRecord] = []
    by_outlet = data.by_outlet()
    groups: dict[str, list[str]] = {}
    for oid in sorted(by_outlet):
        for g in data.outlets[oid].groups:
            groups.setdefault(g, []).append(oid)
    for fid, hits in sorted(data.fact_hits.items()):
        # counted as the rules compare them: over the articles in a language the fact
        # can be stated in (an English article never "leaves out" a Russian-only phrase)
        comparable = data.comparable(fid)
        langs = {"languages": data.compared_languages(fid)}
        for oid, all_ids in sorted(by_outlet.items()):
            ids = comparable.get(oid, [])
            k = sum(1 for a in ids if a in hits)
            obs.append(ObservationRecord("fact_count", oid, fid, {
                **_share(k, len(ids)), **langs, "not_comparable": len(all_ids) - len(ids)}))
        for g, members in sorted(groups.items()):
            ids = [a for o in members for a in comparable.get(o, [])]
            k = sum(1 for a in ids if a in hits)
            obs.append(ObservationRecord("fact_share", f"group:{g}", fid,
                                         {**_share(k, len(ids)), **langs,
                                          "outlets": members}))
    for c in data.proposed:
        obs.append(ObservationRecord("candidate_fact", "*", c.id, asdict(c)))
    for t in result.tests:
        value = {k: v for k, v in asdict(t).items() if k not in ("evidence", "thresholds")}
        obs.append(ObservationRecord("test" if t.p_value is not None else "not_tested",
                                     t.subject, t.rule, value))
    return obs


def _share(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson(k, n)
    return {"stating": k, "articles": n, "rate": k / n if n else 0.0, "ci_low": lo,
            "ci_high": hi}


def run_story(store: Store, study: Study, story: StoryConfig,
              facts: dict[str, str] | None = None) -> tuple[int, list[FindingRecord]]:
    """Compute, then store a run's observations and findings; return (run id, findings)."""
    data = load_story_data(store, study, story, facts=facts)
    result = evaluate(data, store)
    run_id = store.start_analysis(
        "findings", story_id=story.id, rules_version=RULES_VERSION,
        params={"q_max": Q_MAX, "facts": data.facts, "rules": [r.id for r in RULES],
                "tested": result.tested, "untestable": result.untestable})
    store.add_observations(run_id, story.id, observations(data, result))
    store.add_findings(run_id, result.findings)
    store.finish_analysis(run_id)
    return run_id, result.findings
