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

The rules that make an edit event (and the edit findings of
``untold.analyze.edits``) are the table ``TABLE``, in the shape of
``untold.models.rules``: each names the event kind it makes, the subkinds it
stores, the branch that applies it, its thresholds and what it reads.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from untold.models.rules import Rule, RuleTable, Threshold
from untold.text.noise import COUNTER_MAX_WORDS, FURNITURE_MAX_WORDS, shingles

__all__ = [
    "DELETION_RULES",
    "GONE_STATUSES",
    "LIVE_OUTCOMES",
    "MOVED_LIKENESS",
    "RULES_VERSION",
    "SOFT_PAGE_LIKENESS",
    "TABLE",
    "CheckEvidence",
    "DeletionKind",
    "EditKind",
    "EditRule",
    "EventKind",
    "RestorationKind",
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


class EventKind(StrEnum):
    """An edit event's kind (``EditEvent.kind``), also the kind of its finding."""

    EDIT = "edit"
    DELETION = "deletion"
    RESTORATION = "restoration"


class DeletionKind(StrEnum):
    """How an article was deleted (a deletion event's ``subkind``)."""

    HTTP_404 = "http_404"
    HTTP_410 = "http_410"
    HTTP_451 = "http_451"
    REDIRECT_HOME = "redirect_home"
    REDIRECT_SECTION = "redirect_section"
    REDIRECT_OTHER = "redirect_other"
    SOFT_404 = "soft_404"
    HOME_PAGE = "home_page"
    DELISTED = "delisted"


class EditKind(StrEnum):
    """What an edit changed (an edit event's ``subkind``): the title alone, or the text."""

    TITLE = "title"
    TEXT = "text"


class RestorationKind(StrEnum):
    """How a deleted article came back (a restoration event's ``subkind``)."""

    LIVE_AGAIN = "live_again"
    RELISTED = "relisted"


class CheckEvidence(StrEnum):
    """What an edit rule reads from a revisit (or from the article's versions)."""

    STATUS = "status"
    REDIRECTS = "redirects"
    PAGE = "page"
    SITE_PAGES = "site_pages"  # the site's learned not-found and home pages
    VERSIONS = "versions"
    LISTINGS = "listings"
    FACTS = "facts"  # the story's fact queries, on each version


@dataclass(frozen=True, kw_only=True)
class EditRule(Rule[str]):
    """An edit rule: ``condition`` describes the branch that applies it; it makes events
    (and findings) of ``kind`` with one of ``subkinds``."""

    kind: EventKind
    subkinds: tuple[str, ...]


_LIKE = Threshold("soft_page_likeness", SOFT_PAGE_LIKENESS,
                  "share of word 3-shingles shared with the site's not-found or home page")
_MOVED = Threshold("moved_likeness", MOVED_LIKENESS,
                   "a page this like the article is the article (moved), never a deletion")
_NOISE = (Threshold("furniture_max_words", FURNITURE_MAX_WORDS,
                    "a counter or 'updated' line is short; a sentence of news is longer"),
          Threshold("counter_max_words", COUNTER_MAX_WORDS,
                    "a counter's or stamp's label and a date's names, besides its numbers"))
D, K, X = DeletionKind, EventKind, CheckEvidence

TABLE: RuleTable[EditRule] = RuleTable("edits", RULES_VERSION, (
    EditRule(id="deletion.http_gone", kind=K.DELETION,
             subkinds=(D.HTTP_404, D.HTTP_410, D.HTTP_451),
             description="the server says the article is gone (404, 410 or 451)",
             condition="http_class is 'gone'", evidence=(X.STATUS,)),
    EditRule(id="deletion.redirect_home", kind=K.DELETION, subkinds=(D.REDIRECT_HOME,),
             description="the article's URL now redirects to the site's home page",
             condition="redirect_kind is 'redirect_home'", evidence=(X.REDIRECTS,)),
    EditRule(id="deletion.redirect_section", kind=K.DELETION, subkinds=(D.REDIRECT_SECTION,),
             description="the article's URL now redirects to a section page",
             condition="redirect_kind is 'redirect_section'", evidence=(X.REDIRECTS,),
             thresholds=(Threshold("section_max_segments", SECTION_MAX_SEGMENTS,
                                   "/politics/ or /news is a section; /news/2026/x.html an "
                                   "article"),)),
    EditRule(id="deletion.redirect_other", kind=K.DELETION, subkinds=(D.REDIRECT_OTHER,),
             description="the article's URL now redirects to a page unlike the article",
             condition="a followed redirect, the page unlike the article and the site's pages",
             evidence=(X.REDIRECTS, X.PAGE, X.VERSIONS, X.SITE_PAGES),
             thresholds=(_MOVED, _LIKE)),
    EditRule(id="deletion.soft_404", kind=K.DELETION, subkinds=(D.SOFT_404,),
             description="a 200 that shows the site's not-found page",
             condition="page_likeness is 'soft_404'",
             evidence=(X.PAGE, X.VERSIONS, X.SITE_PAGES), thresholds=(_MOVED, _LIKE)),
    EditRule(id="deletion.home_page", kind=K.DELETION, subkinds=(D.HOME_PAGE,),
             description="a 200 that shows the site's home page",
             condition="page_likeness is 'home_page'",
             evidence=(X.PAGE, X.VERSIONS, X.SITE_PAGES), thresholds=(_MOVED, _LIKE)),
    EditRule(id="deletion.delisted", kind=K.DELETION, subkinds=(D.DELISTED,),
             description="dropped from its outlet's feed or sitemap while its URL still answered",
             condition="a listing span closed for an article still live (revisit_listings)",
             evidence=(X.LISTINGS,)),
    EditRule(id="edit.substantive", kind=K.EDIT, subkinds=(EditKind.TITLE, EditKind.TEXT),
             description="the title or text changed beyond counters, stamps and whitespace",
             condition="the masked hash of title and text differs from the last version's",
             evidence=(X.PAGE, X.VERSIONS), thresholds=(_MOVED, *_NOISE)),
    EditRule(id="edit.fact_removed", kind=K.EDIT, subkinds=(EditKind.TITLE, EditKind.TEXT),
             description="a story fact stated in the earlier version is not in the later one",
             condition="a fact's query matches the edit's from-version, not its to-version",
             evidence=(X.VERSIONS, X.FACTS)),
    EditRule(id="edit.fact_added", kind=K.EDIT, subkinds=(EditKind.TITLE, EditKind.TEXT),
             description="a story fact not in the earlier version is stated in the later one",
             condition="a fact's query matches the edit's to-version, not its from-version",
             evidence=(X.VERSIONS, X.FACTS)),
    EditRule(id="restoration.live_again", kind=K.RESTORATION, subkinds=(
             RestorationKind.LIVE_AGAIN,),
             description="a deleted article answers with the article again",
             condition="a live outcome of a check of an article in state 'deleted'",
             evidence=(X.STATUS, X.PAGE, X.VERSIONS)),
    EditRule(id="restoration.relisted", kind=K.RESTORATION, subkinds=(
             RestorationKind.RELISTED,),
             description="a delisted article is listed in its outlet's feed or sitemap again",
             condition="a listing of an article delisted before (revisit_listings)",
             evidence=(X.LISTINGS,)),
))

# Rule ids of the verdicts, by deletion kind (stored with every event and finding).
DELETION_RULES = {str(k): r.id for r in TABLE if r.kind is K.DELETION for k in r.subkinds}
EDIT_RULE = TABLE["edit.substantive"].id
RESTORE_RULE = TABLE["restoration.live_again"].id
RELIST_RULE = TABLE["restoration.relisted"].id
FACT_REMOVED_RULE = TABLE["edit.fact_removed"].id
FACT_ADDED_RULE = TABLE["edit.fact_added"].id

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
