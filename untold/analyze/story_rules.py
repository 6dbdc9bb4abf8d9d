"""The stories rules: the status of an outlet's coverage of a story, as data.

A story's coverage row says per outlet whether it covered the story, stayed
silent, or cannot be judged (it published nothing in the window, untold
collected nothing, or it could not be reached). The rules are tried in order
and the first that holds gives the status (``status_of``): an article on the
story is coverage however hard the outlet was to reach, and mostly failing
fetches or days measured blocked or down make a silence no evidence.

``TABLE`` holds them in the shape of ``untold.models.rules``; its version is
stored with every stories run (``STORIES_RULES_VERSION``) and is bumped when what
a story's counts mean changes (window, reprint or status rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from untold.analyze.reachability import MAX_EXTEND, MAX_GAP
from untold.analyze.results import CoverageStatus
from untold.models.rules import Rule, RuleTable, Threshold

__all__ = ["STORIES_RULES_VERSION", "TABLE", "UNREACHABLE_FAILED_SHARE", "CoverageCounts",
           "CoverageEvidence", "StatusRule", "status_of"]

# stories-2: reachability (blocking verdicts) in coverage rows and their status
STORIES_RULES_VERSION = "stories-2"
# When more than this share of an outlet's fetches in the window failed, or of the
# window's days it was measured blocked or down, the articles we hold are a remnant
# (or nobody could read it), so its silence is not evidence (unreachable).
UNREACHABLE_FAILED_SHARE = 0.5


@dataclass(frozen=True)
class CoverageCounts:
    """What the status rules read of one outlet in a story's window."""

    matching: int               # its story articles
    total: int                  # all its articles
    fetch_ok: int               # fetches that answered
    fetch_failed: int           # fetches that failed
    unreachable_share: float    # share of the window's days measured blocked or down


class CoverageEvidence(StrEnum):
    """The observations behind ``CoverageCounts``."""

    MATCHES = "matches"          # the story query's matches in the window
    OUTPUT = "output"            # the outlet's articles in the window
    FETCHES = "fetches"          # captures in the window: answered or failed
    REACHABILITY = "reachability"  # blocking verdicts (untold's probe, OONI) around it


@dataclass(frozen=True, kw_only=True)
class StatusRule(Rule[Callable[[CoverageCounts], bool]]):
    """A status rule: when ``condition(counts)`` holds, the row gets ``status``."""

    status: CoverageStatus

    def holds(self, c: CoverageCounts) -> bool:
        return self.condition(c)


_SHARE = Threshold("unreachable_failed_share", UNREACHABLE_FAILED_SHARE,
                   "past this share of failed fetches or unreachable days, what we hold is "
                   "a remnant")
E = CoverageEvidence


def _failed_share(c: CoverageCounts) -> bool:
    return bool(c.fetch_failed) and c.fetch_failed / (c.fetch_ok + c.fetch_failed) > \
        UNREACHABLE_FAILED_SHARE


TABLE: RuleTable[StatusRule] = RuleTable("stories", STORIES_RULES_VERSION, (
    StatusRule(id="coverage.covered", status="covered",
               description="at least one article of the outlet matches the story",
               condition=lambda c: c.matching > 0, evidence=(E.MATCHES,)),
    StatusRule(id="coverage.fetches_failed", status="unreachable",
               description="most of its fetches in the window failed",
               condition=_failed_share, evidence=(E.FETCHES,), thresholds=(_SHARE,)),
    StatusRule(id="coverage.measured_unreachable", status="unreachable",
               description="measured blocked or down on most of the window's days",
               condition=lambda c: c.unreachable_share > UNREACHABLE_FAILED_SHARE,
               evidence=(E.REACHABILITY,), thresholds=(
                   _SHARE,
                   Threshold("max_extend", MAX_EXTEND, "how far one measurement speaks "
                             "for the time around it (probes measure about daily)"),
                   Threshold("max_gap", MAX_GAP, "measurements further apart do not make "
                             "one period: nothing speaks for the time between"))),
    StatusRule(id="coverage.silent", status="silent",
               description="it published in the window, nothing on the story",
               condition=lambda c: c.total > 0, evidence=(E.MATCHES, E.OUTPUT)),
    StatusRule(id="coverage.some_fetches_failed", status="unreachable",
               description="nothing published was collected and some fetches failed",
               condition=lambda c: c.fetch_failed > 0, evidence=(E.OUTPUT, E.FETCHES)),
    StatusRule(id="coverage.no_output", status="no_output",
               description="collected fine, but it published nothing in the window",
               condition=lambda c: c.fetch_ok > 0, evidence=(E.OUTPUT, E.FETCHES)),
    StatusRule(id="coverage.not_collected", status="not_collected",
               description="no fetch in the window: nothing can be told",
               condition=lambda c: True, evidence=(E.FETCHES,)),
))


def status_of(c: CoverageCounts) -> StatusRule:
    """The first status rule that holds (the last always does)."""
    for rule in TABLE:
        if rule.holds(c):
            return rule
    raise AssertionError("coverage.not_collected always holds")
