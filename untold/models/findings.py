"""Analysis results: observations (counts and rates an analysis derived) and findings
(a rule's verdict over them, with thresholds, statistic and evidence articles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FindingRecord", "ObservationRecord"]


@dataclass(frozen=True)
class ObservationRecord:
    """One count or rate an analysis derived: of ``subject`` (an outlet, a group ...),
    under ``key``, kept so that a later run can score it again."""

    kind: str
    subject: str
    key: str
    value: dict[str, Any]


@dataclass
class FindingRecord:
    """A verdict of one rule about one subject (outlet, group, article ...)."""

    kind: str
    rule: str
    rules_version: str
    subject: str
    sentence: str
    story_id: str | None = None
    thresholds: dict[str, Any] = field(default_factory=dict)
    statistic: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    evidence: list[tuple[int, str]] = field(default_factory=list)  # (article id, role)
    id: int | None = None
    run_id: int | None = None
    created_at: str | None = None
