"""Learning a site's not-found page and home page, for soft-404 verdicts.

The not-found page is learned by requesting a random path on the site (a
well-behaved site answers 404; many answer 200 with a "page not found"
page: a soft 404); the home page by requesting it. Both are kept as word
shingles in ``site_pages`` and requested again when older than
``SITE_PAGE_MAX_AGE``; every probe is captured to WARC like any fetch.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from untold.collect import revisit_classify as R
from untold.collect.revisit_pass import RevisitPass
from untold.extract.decoding import decode_html
from untold.models import capture_record
from untold.timeutil import from_iso, to_iso

__all__ = ["SITE_PAGE_MAX_AGE", "site_pages"]

SITE_PAGE_MAX_AGE = {  # how long a learned page is trusted before it is requested again
    "not_found": timedelta(days=7),  # changes with a redesign: weekly is enough
    "home": timedelta(days=1),  # its headlines turn over daily
}


async def site_pages(rev: RevisitPass, outlet_id: str, url: str) -> tuple[set[str] | None,
                                                                    set[str] | None]:
    """The site's not-found page (from a random path) and home page, as shingles."""
    home = rev.home_url(outlet_id, url)
    host = (urlsplit(home).hostname or "").lower()
    lock = rev.site_locks.setdefault(host, asyncio.Lock())
    async with lock:
        out: list[set[str] | None] = []
        for kind in ("not_found", "home"):
            known = rev.store.site_page(host, kind)
            # a failed probe is not knowledge: it is tried again next time
            fresh = known is not None and known[1] is not None and \
                (from_iso(known[0]) or rev.clock()) > rev.clock() - SITE_PAGE_MAX_AGE[kind]
            if not fresh and rev.study.revisit.probe_not_found:
                probe = home if kind == "home" else \
                    home.rstrip("/") + f"/untold-probe-{secrets.token_hex(8)}"
                res = await rev.fetcher.fetch(probe, site=rev.site(outlet_id))
                sig: set[str] = set()
                if res.ok and not res.failure:
                    sig = R.page_shingles(decode_html(res.body, res.headers).text)
                rev.store.set_site_page(host, kind, to_iso(rev.clock()) or "",
                                        res.status, res.final_url, sig,
                                        capture_record(res, outlet_id, f"revisit_{kind}"))
                known = rev.store.site_page(host, kind)
            # a not-found page answered with 404 is honest: nothing to resemble
            out.append(known[2] if known and known[1] == 200 and known[2] else None)
        return out[0], out[1]
