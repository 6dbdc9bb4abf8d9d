"""Rules as data: the one record shape of every rule table.

untold turns observations (a network measurement's steps, a revisit's fetch, a
story's counts) into verdicts (a blocking class, an edit or deletion event, a
finding, a coverage status) by rules, and stores each verdict with the id and
version of the rule that made it, so that a stored verdict can be told apart
from one that newer rules would give. Observations are stored apart from
verdicts: new rules can score old observations again (``untold ooni rescore``,
``untold findings --recompute``).

Each table (``untold.probe.rules``, ``untold.analyze.findings``,
``untold.collect.revisit_classify``, ``untold.analyze.story_rules``) is a
:class:`RuleTable` of :class:`Rule` records; a table subclasses :class:`Rule`
only to add what its rules conclude (a blocking class, a finding kind, an
event kind). Thresholds are named :class:`Threshold` records with a one-line
reason, built from the module constants the code compares against, so the
table and the code cannot drift apart. A table's vocabularies (classes,
kinds) are ``StrEnum``s: their members are the stored strings themselves.

Versions have one format, ``<table>-<n>`` (``findings-4``, ``edits-1``), where
``n`` grows with each change of a rule, a threshold or what a rule reads. The
probe's ``n`` is the date of the change written ``YYYYMMDD`` (``probe-20261202``):
the store keeps, per measurement, the verdict of the greatest version as a
string, which a fixed-width number keeps in the order of the changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Generic, TypeVar

__all__ = ["VERSION_FORMAT", "Rule", "RuleTable", "Threshold", "ThresholdValue",
           "parse_version"]

# <table>-<n>: the table's name (lower-case letters) and a positive whole number.
VERSION_FORMAT = re.compile(r"^(?P<table>[a-z]+)-(?P<n>[1-9][0-9]*)$")
# A rule id: dotted lower-case words ("dns.nxdomain", "deletion.http_gone").
RULE_ID_FORMAT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

ThresholdValue = float | int | timedelta
C = TypeVar("C")
R = TypeVar("R", bound="Rule[Any]")


def parse_version(version: str) -> tuple[str, int]:
    """(table, n) of a version in the one format; ValueError names the format."""
    m = VERSION_FORMAT.match(version)
    if m is None:
        raise ValueError(f"rules version {version!r} is not <table>-<n> (e.g. findings-4)")
    return m["table"], int(m["n"])


@dataclass(frozen=True)
class Threshold:
    """A named value a rule compares against, and in one line why it is that value."""

    name: str
    value: ThresholdValue
    reason: str


@dataclass(frozen=True, kw_only=True)
class Rule(Generic[C]):
    """One rule: what it concludes is added by each table's subclass.

    ``condition`` is what decides whether the rule holds: the function that tests
    it (findings), or the name of one (the probe's predicates), or a description
    of the branch that applies it. ``evidence`` names the observations it reads.
    ``version`` is the version of the table that holds the rule (set by it).
    """

    id: str
    description: str
    condition: C
    thresholds: tuple[Threshold, ...] = ()
    evidence: tuple[str, ...] = ()
    version: str = ""

    def threshold(self, name: str) -> ThresholdValue:
        """The value of one of its thresholds (KeyError when it has none of that name)."""
        for t in self.thresholds:
            if t.name == name:
                return t.value
        raise KeyError(f"rule {self.id} has no threshold {name!r}")


@dataclass(frozen=True)
class RuleTable(Generic[R]):
    """A versioned, ordered set of rules (evaluated in order where order matters).

    ``thresholds`` are those every rule of the table shares (the findings' false
    discovery rate). Building the table stamps its version on each rule.
    """

    name: str
    version: str
    rules: tuple[R, ...]
    thresholds: tuple[Threshold, ...] = ()
    _by_id: dict[str, R] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stamped = tuple(replace(r, version=self.version) for r in self.rules)
        object.__setattr__(self, "rules", stamped)
        object.__setattr__(self, "_by_id", {r.id: r for r in stamped})

    def __iter__(self) -> Iterator[R]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def __getitem__(self, rule_id: str) -> R:
        """The rule with this id (KeyError names the table)."""
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r} in the {self.name} rules") from None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def problems(self) -> list[str]:
        """What breaks the table's invariants (empty when none): the version's format and
        table name, unique well-formed ids, a one-line description per rule, every
        threshold named once with a one-line reason (a rule may restate one the table
        shares, with its value), each rule stamped with the version."""
        out: list[str] = []
        try:
            table, _ = parse_version(self.version)
        except ValueError as exc:
            out.append(str(exc))
        else:
            if table != self.name:
                out.append(f"version {self.version!r} does not name the table {self.name!r}")
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                out.append(f"rule id {r.id!r} is used twice")
            seen.add(r.id)
            if not RULE_ID_FORMAT.match(r.id):
                out.append(f"rule id {r.id!r} is not dotted lower-case words")
            if not _one_line(r.description):
                out.append(f"rule {r.id}: the description must be one non-empty line")
            if r.version != self.version:
                out.append(f"rule {r.id}: version {r.version!r}, table {self.version!r}")
            out += _threshold_problems(r.id, r.thresholds)
            shared = {t.name: t.value for t in self.thresholds}
            out += [f"rule {r.id}: threshold {t.name!r} is {t.value!r}, the table's is "
                    f"{shared[t.name]!r}" for t in r.thresholds
                    if t.name in shared and shared[t.name] != t.value]
        out += _threshold_problems(self.name, self.thresholds)
        return out


def _one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text


def _threshold_problems(owner: str, thresholds: tuple[Threshold, ...]) -> list[str]:
    out: list[str] = []
    names = [t.name for t in thresholds]
    for t in thresholds:
        if names.count(t.name) > 1:
            out.append(f"{owner}: threshold {t.name!r} is listed twice")
        if not _one_line(t.reason):
            out.append(f"{owner}: threshold {t.name!r} needs a one-line reason")
        if isinstance(t.value, bool) or not isinstance(t.value, int | float | timedelta):
            out.append(f"{owner}: threshold {t.name!r} is not a number or a duration")
    return list(dict.fromkeys(out))
