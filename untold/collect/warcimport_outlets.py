"""Stage 3 of ``untold import``: which outlet a page's host belongs to.

A host the study names maps to its curated outlet. Any other host, unless the
import is limited to the study's outlets, maps to an uncurated outlet made up
from its registrable domain (``news.bbc.co.uk`` -> ``bbc.co.uk``), so pages of
outlets nobody listed still land in the archive and can be curated later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from untold.config import Study
from untold.models import Outlet
from untold.net.domains import registrable_domain  # in __all__ too: callers name it here

__all__ = ["OutletMapper", "registrable_domain", "uncurated_outlet"]

HOST_CACHE_MAX = 100_000  # hosts remembered; a crawl of the whole web is cleared, not kept
UNCURATED_SUFFIX = "-uncurated"  # added when a domain equals a curated outlet's id
_NOT_ID = re.compile(r"[^a-z0-9_.-]+")


def _ascii(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDNA name: keep what an id may hold
        return _NOT_ID.sub("-", domain).strip("-") or "unknown"


def _readable(domain: str) -> str:
    if "xn--" not in domain:
        return domain
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


def uncurated_outlet(host: str, reserved: Iterable[str] = ()) -> Outlet:
    """An uncurated outlet for ``host``: id and domain from its registrable domain
    (ASCII, punycode for IDNs), name in readable form; ``reserved`` ids are avoided."""
    domain = _ascii(registrable_domain(host))
    oid = _NOT_ID.sub("-", domain).strip("-") or "unknown"
    if oid in set(reserved):
        oid += UNCURATED_SUFFIX
    return Outlet(id=oid, name=_readable(domain), domains=(domain,), curated=False)


class OutletMapper:
    """Host -> outlet for one import, cached; None when the page is to be skipped."""

    def __init__(self, study: Study, *, only_study_outlets: bool) -> None:
        self.study = study
        self.only_study_outlets = only_study_outlets
        self._curated_ids = frozenset(o.id for o in study.outlets)
        self._cache: dict[str, Outlet | None] = {}

    def outlet_for(self, host: str) -> Outlet | None:
        host = host.lower().rstrip(".")
        if host in self._cache:
            return self._cache[host]
        outlet = self.study.outlet_for_host(host)
        if outlet is None and not self.only_study_outlets and host:
            outlet = uncurated_outlet(host, self._curated_ids)
        if len(self._cache) >= HOST_CACHE_MAX:
            self._cache.clear()
        self._cache[host] = outlet
        return outlet
