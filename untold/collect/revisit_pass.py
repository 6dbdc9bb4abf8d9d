"""What one revisit pass shares with the checks that run inside it.

The reviser (``revisit``) drives a pass; the listing check
(``revisit_listings``) and the site-page learner (``revisit_sites``) work
inside it. They need the pass's fetcher, store, clock and tallies, not the
reviser itself, so those pieces live here with the ``RevisitPass`` interface
the reviser fulfils: the three modules import this one and never each other
backwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from untold.collect.fetcher import Fetcher, SiteCheck
from untold.config import Study
from untold.store.base import Store

__all__ = ["Clock", "RevisitPass", "RevisitStats"]

Clock = Callable[[], datetime]


@dataclass
class RevisitStats:
    enrolled: int = 0
    due: int = 0
    checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    versions: int = 0
    deletions: int = 0
    restorations: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    stopped: bool = False

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)



class RevisitPass(Protocol):
    """One pass in progress, as the listing and site-page checks use it
    (``revisit.Reviser`` is the implementation)."""

    @property
    def study(self) -> Study: ...
    @property
    def store(self) -> Store: ...
    @property
    def fetcher(self) -> Fetcher: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def stats(self) -> RevisitStats: ...
    @property
    def site_locks(self) -> dict[str, asyncio.Lock]:
        """One lock per host: a site's pages are learned once, not by every check."""
    def site(self, outlet_id: str) -> SiteCheck:
        """The hosts a fetch for ``outlet_id`` may be redirected to."""
    def home_url(self, outlet_id: str, url: str) -> str:
        """The outlet's home page (the host of ``url`` for an outlet not in the study)."""
