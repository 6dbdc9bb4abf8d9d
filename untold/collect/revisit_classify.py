"""What one revisit's fetch says about an article: pure decisions, no I/O.

Observations first, verdicts after. ``http_class`` sorts a fetch into what
the network and server did; ``redirect_kind`` says where a redirect led;
``page_likeness`` compares a page with the site's learned not-found and home
pages. The rules here are what keeps blocking apart from deletion:

* a network failure (reset, timeout, DNS error, TLS), a 5xx, a 429, or a
  401/403 is the site being *unreachable or refusing*: never a deletion; so
  is a redirect off the outlet's domains (``redirect_off_site``: the fetcher
  does not follow it, so nothing is known of the article);
* 404, 410 and 451 are the server saying the article is gone;
* a redirect to the home page or a section page, a 200 that looks like the
  site's not-found page (a soft 404) or like its home page, are deletions
  dressed as success.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from untold.text.noise import shingles

__all__ = [
    "DELETION_RULES",
    "GONE_STATUSES",
    "LIVE_OUTCOMES",
    "MOVED_LIKENESS",
    "RULES_VERSION",
    "SOFT_PAGE_LIKENESS",
    "http_class",
    "jaccard",
    "page_likeness",
    "page_shingles",
    "redirect_kind",
]

RULES_VERSION = "edits-1"
SOFT_PAGE_LIKENESS = 0.6  # share of word 3-shingles shared with the not-found/home page
MOVED_LIKENESS = 0.3  # a redirect target this like the article is the article, moved
GONE_STATUSES = {404: "http_404", 410: "http_410", 451: "http_451"}
REFUSED_STATUSES = frozenset({401, 403, 429})  # refusing or blocking, not deleting
SECTION_MAX_SEGMENTS = 1  # /politics/ or /news is a section; /news/2026/x.html an article

# Rule ids of the verdicts, by deletion kind (stored with every event and finding).
DELETION_RULES = {
    "http_404": "deletion.http_gone", "http_410": "deletion.http_gone",
    "http_451": "deletion.http_gone", "redirect_home": "deletion.redirect_home",
    "redirect_section": "deletion.redirect_section",
    "redirect_other": "deletion.redirect_other", "soft_404": "deletion.soft_404",
    "home_page": "deletion.home_page", "delisted": "deletion.delisted",
}
EDIT_RULE = "edit.substantive"
RESTORE_RULE = "restoration.live_again"
RELIST_RULE = "restoration.relisted"

# Outcomes of a check that saw the article itself.
LIVE_OUTCOMES = frozenset({"unchanged", "not_modified", "noise", "changed"})

_SCRIPT = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def http_class(status: int | None, failure: str | None) -> str:
    """failure | server_error | refused | not_modified | gone | redirect | ok | client_error."""
    if failure is not None or status is None:
        return "failure"
    if status == 304:
        return "not_modified"
    if status >= 500:
        return "server_error"
    if status in REFUSED_STATUSES:
        return "refused"
    if status in GONE_STATUSES:
        return "gone"
    if 300 <= status < 400:
        return "redirect"  # a redirect the fetcher did not follow (no Location)
    if 200 <= status < 300:
        return "ok"
    return "client_error"


def _site(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def redirect_kind(url: str, final_url: str, home_url: str) -> str | None:
    """Where a followed redirect led: redirect_home | redirect_section | None (deeper page)."""
    a, b, h = urlsplit(url), urlsplit(final_url), urlsplit(home_url)
    if _site(a.hostname or "") != _site(b.hostname or "") and \
            _site(b.hostname or "") != _site(h.hostname or ""):
        return None  # another site: judged by the page it shows
    path = b.path or "/"
    if path in ("/", "/index.html", "/index.php", h.path or "/") and not b.query:
        return "redirect_home"
    segments = [s for s in path.split("/") if s]
    if len(segments) <= SECTION_MAX_SEGMENTS and "." not in segments[-1]:
        return "redirect_section"
    return None


def page_shingles(page_text: str) -> set[str]:
    """Word 3-shingles of a page's visible text (scripts, styles and tags removed)."""
    text = html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", page_text)))
    return shingles(text)


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def page_likeness(page: set[str], not_found: set[str] | None,
                  home: set[str] | None) -> str | None:
    """soft_404 or home_page when the page is that like the learned page, else None.

    When the site's not-found page and home page are alike, every path shows one
    page (a block page, a maintenance page): nothing can be told apart, so None.
    """
    if not_found and home and jaccard(not_found, home) >= SOFT_PAGE_LIKENESS:
        return None
    if not_found and jaccard(page, not_found) >= SOFT_PAGE_LIKENESS:
        return "soft_404"
    if home and jaccard(page, home) >= SOFT_PAGE_LIKENESS:
        return "home_page"
    return None
