"""Main text, title, author and dates of a page, with trafilatura and extract.dates.

Pipeline:

1. the page is parsed once (trafilatura's ``load_html``); ``bare_extraction``
   works on a copy of that tree with ``TRAFILATURA_OPTIONS`` (main text
   without comments, tables kept, precision favoured) and metadata on;
   trafilatura's own date (htmldate's fast search) is not used;
2. the dates come from the page's structured metadata first (JSON-LD,
   ``<meta>``, ``<time>`` in the article), then its visible date line, then
   htmldate on the page without related stories and captions
   (:mod:`untold.extract.dates`); zone-less times are read in the outlet's
   time zone; publication and modification stay apart;
3. a text of fewer than ``MIN_ARTICLE_WORDS`` words (and ``MIN_ARTICLE_CHARS``
   characters) is not an article (``TOO_SHORT``), nor is a list of headlines
   with almost no prose, as on section and tag pages (``NOT_ARTICLE``).

The options were chosen on the Scrapinghub article-extraction benchmark
(tests/extract/test_benchmark_f1.py): favouring precision lifts F1 from
0.960 to 0.964 with trafilatura 2.3 and costs no extra time; dropping tables
or de-duplicating segments lowers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from untold.extract.dates import HTMLDATE_FORMAT, page_dates
from untold.extract.titles import page_title

__all__ = [
    "MIN_ARTICLE_CHARS",
    "MIN_ARTICLE_WORDS",
    "NOT_ARTICLE",
    "NO_TEXT",
    "TOO_SHORT",
    "TRAFILATURA_OPTIONS",
    "ArticleParts",
    "extract_article",
]

MIN_ARTICLE_WORDS = 30  # a wire flash runs 30+ words; less is a caption, a stub or an error page
MIN_ARTICLE_CHARS = 400  # this much text is an article even in few \w+ runs (Chinese, Japanese)

INDEX_MIN_ITEMS = 5  # this many short list items and little prose: a section or tag page
INDEX_ITEM_MAX_WORDS = 14  # mean words per item up to which items read as headlines, not bullets

# Skip reasons (stable strings, stored by the importer).
NO_TEXT = "no_text"
TOO_SHORT = "too_short"
NOT_ARTICLE = "not_article"

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,  # +0.4 F1 points on the benchmark: fewer teasers and captions
    "include_comments": False,  # reader comments are not the outlet's text
    "include_tables": True,  # dropping tables loses real article text (F1 -0.7 points)
    "include_images": False,
    "include_links": False,
    "deduplicate": False,  # its cache is per process: results would depend on page order
    "with_metadata": True,
}

_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class ArticleParts:
    """What trafilatura gives for one page."""

    text: str
    title: str
    author: str | None
    published: datetime | None
    published_precision: str  # "time" | "day" | "" when no date
    sitename: str | None = None
    published_source: str = ""  # jsonld|meta|time|text|htmldate|url, "" (see extract.dates)
    modified: datetime | None = None  # last modification the page states, apart
    modified_precision: str = ""


def _looks_like_index(text: str) -> bool:
    """Mostly short list items (trafilatura writes them as "- ...") and little prose.

    Long bullet items (a news digest) and layout tables are article text.
    """
    if "\n- " not in text and not text.startswith("- "):
        return False
    items: list[int] = []
    prose = 0
    for line in text.split("\n"):
        words = len(_WORD_RE.findall(line))
        if line.startswith("- "):
            items.append(words)
        else:
            prose += words
    return (prose < MIN_ARTICLE_WORDS and len(items) >= INDEX_MIN_ITEMS
            and sum(items) / len(items) <= INDEX_ITEM_MAX_WORDS)


def _date_params() -> dict[str, Any]:
    from trafilatura.settings import set_date_params

    # trafilatura always asks htmldate; extract.dates reads the dates instead, so its
    # cheapest search (fast, original date): the extensive one is its costly part
    params: dict[str, Any] = set_date_params(False)
    params["outputformat"] = HTMLDATE_FORMAT
    # A date in the URL is day-only: let <meta>/JSON-LD timestamps (with time and
    # zone) win, and fall back to the URL only when the page itself says nothing.
    params["deferred_url_extractor"] = True
    return params


def extract_article(page: str, url: str | None = None, *,
                    timezone: str = "") -> ArticleParts | str:
    """The article in ``page`` (decoded HTML), or a skip reason (``NO_TEXT``, ``TOO_SHORT``).

    ``timezone``: the outlet's IANA zone, in which times written without a zone
    are read ("": UTC).
    """
    import trafilatura
    from trafilatura.utils import load_html

    from untold.timeutil import zone

    tree = load_html(page)  # one parse: trafilatura works on a copy, the dates on this
    if tree is None:
        return NO_TEXT
    doc = trafilatura.bare_extraction(tree, url=url, date_extraction_params=_date_params(),
                                      **TRAFILATURA_OPTIONS)
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        return NO_TEXT
    if len(text) < MIN_ARTICLE_CHARS and len(_WORD_RE.findall(text)) < MIN_ARTICLE_WORDS:
        return TOO_SHORT
    if _looks_like_index(text):
        return NOT_ARTICLE
    dates = page_dates(tree, url=url, tz=zone(timezone))
    pub, mod = dates.published, dates.modified
    return ArticleParts(
        text=text,
        title=page_title(tree, url=url, fallback=getattr(doc, "title", None) or "",
                         sitename=getattr(doc, "sitename", None)),  # visible headline
        author=(getattr(doc, "author", None) or None),
        published=pub.at if pub else None,
        published_precision=pub.precision if pub else "",
        sitename=getattr(doc, "sitename", None) or None,
        published_source=pub.source if pub else "",
        modified=mod.at if mod else None,
        modified_precision=mod.precision if mod else "",
    )
