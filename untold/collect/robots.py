"""robots.txt, fetched once per origin per run and honoured conservatively.

robots.txt is fetched through the caller's fetch function (the ``Fetcher``),
so every robots.txt response or failure is archived like any other capture.
Reading of the result, after RFC 9309 (https://www.rfc-editor.org/rfc/rfc9309):

- 2xx: parse the first ``ROBOTS_MAX_BYTES`` (§2.5 lets a crawler stop at
  500 KiB or more) with protego; rules for our product token apply.
- 404, 410 and other 4xx: "unavailable" (§2.3.1.3) — allow everything.
- 401, 403: §2.3.1.3 would allow, but a site that refuses us robots.txt is
  refusing us; we take the older, conservative reading and disallow all.
- 429, 5xx, redirect trouble, or a network failure: "unreachable"
  (§2.3.1.4) — assume complete disallow for the rest of this run.

The verdict is cached per origin (scheme, host, port; §2.3) for the life of
the cache, i.e. one run — well under the 24 hours §2.4 allows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from protego import Protego

from untold.errors import FetchError
from untold.models import FetchResult

__all__ = ["ROBOTS_MAX_BYTES", "RobotsCache", "RobotsRules", "product_token", "robots_url"]

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least 500 KiB
_DISALLOW_4XX = frozenset({401, 403})  # refusals: read conservatively (see docstring)

FetchFn = Callable[[str], Awaitable[FetchResult]]


def robots_url(url: str) -> str:
    """The robots.txt URL governing ``url`` (same scheme, host and port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}/robots.txt"


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("untold" of "untold/0.1 (...)").

    Matching the whole User-Agent would let a group named after any word in
    it (say, the project URL's host) apply to us.
    """
    m = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return m.group(0) if m else user_agent


@dataclass(frozen=True)
class RobotsRules:
    """The verdict for one origin: parsed rules, or a blanket allow/disallow."""

    robots_url: str
    parser: Protego | None  # None: blanket verdict in ``allow_all``
    allow_all: bool
    status: int | None
    failure: str | None
    detail: str = ""

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, product_token(user_agent)))

    def sitemaps(self) -> list[str]:
        if self.parser is None:
            return []
        out: list[str] = []
        for s in self.parser.sitemaps:
            u = urljoin(self.robots_url, s.strip())
            if urlsplit(u).scheme in ("http", "https") and u not in out:
                out.append(u)
        return out


def rules_from_result(url: str, res: FetchResult) -> RobotsRules:
    """Read one robots.txt fetch as RFC 9309 (conservatively) says; see the docstring."""
    if res.failure is not None:
        return RobotsRules(url, None, False, res.status, res.failure, res.failure_detail)
    status = res.status or 0
    if 200 <= status < 300:
        text = res.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return RobotsRules(url, Protego.parse(text), True, status, None)
    if 400 <= status < 500 and status not in _DISALLOW_4XX and status != 429:
        return RobotsRules(url, None, True, status, None)
    return RobotsRules(url, None, False, status, None)


class RobotsCache:
    """robots.txt verdicts per origin, fetched once even under concurrency."""

    def __init__(self, fetch: FetchFn) -> None:
        self._fetch = fetch
        self._tasks: dict[str, asyncio.Task[RobotsRules]] = {}

    async def _load(self, url: str) -> RobotsRules:
        return rules_from_result(url, await self._fetch(url))

    async def rules(self, url: str) -> RobotsRules:
        """The rules for the origin of ``url`` (fetching robots.txt the first time)."""
        key = robots_url(url)
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key))
            self._tasks[key] = task
        # shield: one caller's cancellation must not cancel the shared fetch
        return await asyncio.shield(task)

    async def allowed(self, url: str, user_agent: str) -> bool:
        return (await self.rules(url)).allowed(url, user_agent)

    async def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs listed in the robots.txt of ``url``'s origin.

        Raises ``FetchError`` when robots.txt could not be fetched at all;
        a robots.txt that is missing or not 2xx simply lists none.
        """
        rules = await self.rules(url)
        if rules.failure is not None:
            raise FetchError(rules.failure, source=rules.robots_url, detail=rules.detail)
        return rules.sitemaps()

    async def aclose(self) -> None:
        """Cancel robots.txt fetches still running (the run is ending)."""
        pending = [t for t in self._tasks.values() if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
