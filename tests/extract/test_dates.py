"""Publication dates of real-looking pages: metadata before heuristics, a bare day never
over a time, modification apart from publication, captions and related stories never,
zone-less times on the outlet's clock (issue 10, case 4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.date_pages import dated_page, jsonld
from untold.extract import extract_page
from untold.models import ExtractedArticle

HEADERS = {"Content-Type": "text/html; charset=utf-8"}
URL = "https://news.example.kz/politics/12345-story"
NEWS_LD = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x",
           "datePublished": "2026-10-01T09:15:00+05:00"}
DAY_TAG = '<time itemprop="datePublished" datetime="2026-10-01">1 октября 2026</time>'
AT_0915_KZ = datetime(2026, 10, 1, 4, 15, tzinfo=UTC)  # 09:15 at UTC+5


def _article(page: str, *, url: str = URL, tz: str = "") -> ExtractedArticle:
    res = extract_page(url=url, body=page.encode(), headers=HEADERS, outlet_timezone=tz)
    assert res.article is not None, res.skipped
    return res.article


def _dates(art: ExtractedArticle) -> tuple[datetime | None, str, str]:
    return art.published, art.published_precision, art.published_source


@pytest.mark.parametrize("head", [
    # a date-only meta comes first in the head: htmldate took it and stopped there
    '<meta itemprop="datePublished" content="2026-10-01">' + jsonld(NEWS_LD),
    '<meta name="date" content="2026-10-01">' + jsonld(NEWS_LD),
    jsonld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "x"}, {"@type": "WebPage", "datePublished": "2026-10-01"},
        {**NEWS_LD, "@type": ["NewsArticle", "Article"]}]}),
])
def test_json_ld_time_beats_a_date_only_value(head: str) -> None:
    art = _article(dated_page(head=head, byline=DAY_TAG))
    assert _dates(art) == (AT_0915_KZ, "time", "jsonld")


def test_open_graph_time_beats_a_date_only_dublin_core_date() -> None:
    head = ('<meta name="DC.date.issued" content="2026-10-01">'
            '<meta property="article:published_time" content="2026-10-01T09:15:00+05:00">')
    assert _dates(_article(dated_page(head=head))) == (AT_0915_KZ, "time", "meta")


def test_a_date_only_time_tag_stays_a_day() -> None:
    art = _article(dated_page(byline=DAY_TAG))
    assert _dates(art) == (datetime(2026, 10, 1, tzinfo=UTC), "day", "time")
    assert art.extra["published_precision"] == "day"


def test_modified_time_is_not_taken_as_publication() -> None:
    head = ('<meta property="article:modified_time" content="2026-10-02T16:45:00+05:00">'
            '<meta property="og:updated_time" content="2026-10-02T16:45:00+05:00">')
    art = _article(dated_page(head=head))
    assert art.published is None  # the page never says when it was published
    assert art.modified == datetime(2026, 10, 2, 11, 45, tzinfo=UTC)
    assert art.modified_precision == "time"


def test_modified_first_in_the_head_and_an_update_line_stay_apart() -> None:
    head = ('<meta property="article:modified_time" content="2026-10-02T16:45:00+05:00">'
            '<meta name="pubdate" content="2026-10-01T09:15:00+05:00">')
    art = _article(dated_page(head=head))
    assert (art.published, art.modified) == (AT_0915_KZ, datetime(2026, 10, 2, 11, 45,
                                                                  tzinfo=UTC))
    byline = ('<span class="updated">Обновлено: <time datetime="2026-10-02T10:00:00+05:00">'
              '02.10.2026</time></span> <time class="published" '
              'datetime="2026-10-01T09:15:00+05:00">01.10.2026</time>')
    art = _article(dated_page(byline=byline))
    assert _dates(art) == (AT_0915_KZ, "time", "time")
    assert art.modified == datetime(2026, 10, 2, 5, tzinfo=UTC)


def test_print_issue_date_is_not_the_publication() -> None:
    ld = {**NEWS_LD, "isPartOf": {"@type": "PublicationIssue", "issueNumber": "188",
                                  "datePublished": "2026-10-02"}}
    assert _dates(_article(dated_page(head=jsonld(ld)))) == (AT_0915_KZ, "time", "jsonld")


def test_related_story_in_json_ld_item_list_is_not_the_article() -> None:
    related = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": {
            "@type": "NewsArticle", "datePublished": "2026-09-14T07:05:00+05:00"}}]}
    head = jsonld(related) + '<meta property="article:published_time" ' \
                             'content="2026-10-01T09:15:00+05:00">'
    assert _dates(_article(dated_page(head=head))) == (AT_0915_KZ, "time", "meta")


@pytest.mark.parametrize("byline", [
    '<time datetime="2026-10-01T09:15:00+05:00">01.10.2026, 09:15</time>',
    '<span class="date">1 октября 2026 г., 09:15</span>',
    '<div class="date">09:15, 01.10.2026</div>',
])
def test_caption_related_and_site_header_dates_are_not_chosen(byline: str) -> None:
    """The page also shows a 2019 archive photo's date, related stories of September and
    October 2nd and today's date in the site header; the byline says 1 October, 09:15."""
    art = _article(dated_page(byline=byline), tz="Asia/Almaty")
    assert (art.published, art.published_precision) == (AT_0915_KZ, "time")


def test_no_date_of_its_own_is_no_date_not_a_caption_or_related_story() -> None:
    art = _article(dated_page(byline=""))  # only caption, related, header and footer dates
    assert art.published is None


def test_zone_less_time_is_the_outlets_clock() -> None:
    head = '<meta property="article:published_time" content="2026-10-02T02:30:00">'
    art = _article(dated_page(head=head), tz="Asia/Almaty")
    # 02:30 in Almaty (UTC+5) is the previous day in UTC: not 02:30 UTC
    assert _dates(art) == (datetime(2026, 10, 1, 21, 30, tzinfo=UTC), "time", "meta")
    art = _article(dated_page(head=head), tz="")  # no zone known: UTC, as the page says
    assert art.published == datetime(2026, 10, 2, 2, 30, tzinfo=UTC)


def test_a_date_in_the_url_is_a_day_from_the_url() -> None:
    page = dated_page(byline="", related=(), caption="", caption_time="")
    art = _article(page, url="https://news.example.kz/2026/10/01/story.html")
    assert _dates(art) == (datetime(2026, 10, 1, tzinfo=UTC), "day", "url")


def test_disagreeing_metadata_is_settled_by_the_visible_dateline() -> None:
    # JSON-LD labels the UTC wall clock with the local offset; Open Graph is right, and the
    # dateline the reader sees (with its zone) says which
    head = (jsonld({**NEWS_LD, "datePublished": "2026-10-01T04:15:00-06:00"})
            + '<meta property="article:published_time" content="2026-10-01T04:15:00+00:00">')
    byline = '<span class="date">Sep 30, 2026, 10:15 pm CST</span>'
    art = _article(dated_page(head=head, byline=byline))
    assert _dates(art) == (datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", "meta")


def test_a_visible_dateline_with_its_update_and_zone() -> None:
    byline = ('<span class="timestamp">By Staff | September 30, 2026 at 2:26 PM HST - '
              'Updated September 30 at 4:46 PM</span>')
    art = _article(dated_page(byline=byline))
    assert _dates(art) == (datetime(2026, 10, 1, 0, 26, tzinfo=UTC), "time", "text")


def test_an_abbreviation_the_outlets_zone_uses_is_read_in_it() -> None:
    byline = '<div class="article_date">February 2, 2026 - 09:15 IST</div>'
    # IST: India's (UTC+5:30) where nothing says otherwise, Israel's (winter: UTC+2) for an
    # Israeli outlet
    assert _article(dated_page(byline=byline)).published == datetime(2026, 2, 2, 3, 45,
                                                                      tzinfo=UTC)
    assert _article(dated_page(byline=byline), tz="Asia/Jerusalem").published == \
        datetime(2026, 2, 2, 7, 15, tzinfo=UTC)


def test_the_urls_day_beats_a_guess_of_another_day() -> None:
    page = dated_page(byline="", related=(), caption="Фото: 13 октября 2019", caption_time="")
    art = _article(page, url="https://news.example.kz/statements/2026/oct/01/story/")
    assert _dates(art) == (datetime(2026, 10, 1, tzinfo=UTC), "day", "url")
