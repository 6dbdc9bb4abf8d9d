"""Revisits: tracked articles, their checks, versions and edit events.

Version 1 of an article is its stored article; later versions come from revisits.
An ``EditEvent`` is a verdict about one article: edited, deleted (how) or restored.
Times are ISO 8601 UTC strings, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from untold.models.captures import CaptureRecord

__all__ = ["CheckRecord", "EditEvent", "Tracked", "Version"]


@dataclass
class Tracked:
    """One tracked article: its schedule and what the last revisit left."""

    article_id: int
    outlet_id: str
    url: str
    first_seen: str
    step: int
    next_due: str | None
    etag: str | None
    last_modified: str | None
    last_checked: str | None
    last_sha256: str | None
    state: str  # live | deleted | delisted
    state_since: str | None
    deletion_kind: str | None
    fail_streak: int
    version: int


@dataclass(frozen=True)
class Version:
    """One stored text of an article: version 1 is the article, later ones revisits."""

    article_id: int
    version: int
    capture_id: int
    fetched_at: str
    title: str
    text: str
    sha256: str | None


@dataclass
class EditEvent:
    """A verdict about one article: edited, deleted (how) or restored."""

    article_id: int
    outlet_id: str
    kind: str  # edit | deletion | restoration
    subkind: str
    at: str
    rule: str
    rules_version: str
    after: str | None = None  # the last revisit that still saw the old state
    from_version: int | None = None
    to_version: int | None = None
    capture_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class CheckRecord:
    """Everything one revisit produced, stored together."""

    tracked: Tracked  # with its fields already updated for after this revisit
    capture: CaptureRecord | None
    checked_at: str
    outcome: str
    status: int | None = None
    failure: str | None = None
    final_url: str | None = None
    noise: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    new_version: tuple[str, str, str] | None = None  # title, text, masked hash
    events: list[EditEvent] = field(default_factory=list)
