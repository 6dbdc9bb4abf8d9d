"""Reading stated dates (precision, zone) and combining a page's date with its listing's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from untold.extract.dates import DateValue, combine
from untold.timeutil import listing_stamp, parse_stamp, zone

ALMATY = zone("Asia/Almaty")
NOW = datetime(2026, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize(("text", "at", "precision", "zoned"), [
    ("2026-10-01", datetime(2026, 10, 1, tzinfo=UTC), "day", False),
    ("2026-10-01T09:15:00+05:00", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", True),
    ("2026-10-01T09:15:00.000Z", datetime(2026, 10, 1, 9, 15, tzinfo=UTC), "time", True),
    ("2026-10-01T09:15:00+0500", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", True),
    # a zone-less time is the outlet's wall clock (Almaty: UTC+5 since 2024-03-01)
    ("2026-10-01T09:15:00", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", False),
    ("2026-10-01 02:30", datetime(2026, 9, 30, 21, 30, tzinfo=UTC), "time", False),
    # midnight sharp is how CMSs write a date-only field: a day, labelled by its date
    ("2026-10-01T00:00:00+05:00", datetime(2026, 10, 1, tzinfo=UTC), "day", True),
    ("Thu, 01 Oct 2026 09:15:00 +0500", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", True),
    ("Thu, 01 Oct 2026 09:15:00", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", False),
    ("01.10.2026 09:15", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", False),
    ("1 октября 2026 г., 09:15", datetime(2026, 10, 1, 4, 15, tzinfo=UTC), "time", False),
    ("1 қазан 2026 ж.", datetime(2026, 10, 1, tzinfo=UTC), "day", False),
    ("01:38:07 PM MSK Oct 1, 2026", datetime(2026, 10, 1, 10, 38, 7, tzinfo=UTC), "time", True),
])
def test_stated_dates_are_read_with_precision_and_zone(text: str, at: datetime, precision: str,
                                                       zoned: bool) -> None:
    got = parse_stamp(text, ALMATY, now=NOW)
    assert got is not None
    assert (got.at, got.precision, got.zoned) == (at, precision, zoned)


@pytest.mark.parametrize("text", ["", "сегодня", "12 марта", "2026-13-01", "2026-10-32",
                                  "1985-01-01", "2026-12-01T10:00:00Z", "Фото 12 марта 2019",
                                  "2026-10-01T25:00:00"])
def test_what_is_not_a_publication_date(text: str) -> None:
    assert parse_stamp(text, ALMATY, now=NOW) is None  # garbage, too old, or in the future


def test_listing_dates_keep_their_precision_and_zone() -> None:
    # a sitemap lastmod of a bare day: parsed as midnight UTC, it is a day
    got = listing_stamp(datetime(2026, 10, 1, tzinfo=UTC), "2026-10-01", ALMATY)
    assert got is not None and (got.at, got.precision) == (datetime(2026, 10, 1, tzinfo=UTC),
                                                         "day")
    # a zone-less lastmod that the parser took as UTC is the outlet's clock
    got = listing_stamp(datetime(2026, 10, 1, 9, 15, tzinfo=UTC), "2026-10-01T09:15:00", ALMATY)
    assert got is not None and got.at == datetime(2026, 10, 1, 4, 15, tzinfo=UTC)
    # a format only the feed parser knew: its (zoned) time is kept
    got = listing_stamp(datetime(2026, 10, 1, 9, 15, tzinfo=UTC), "Donnerstag 9.15", ALMATY)
    assert got is not None and (got.at, got.precision) == (datetime(2026, 10, 1, 9, 15,
                                                                    tzinfo=UTC), "time")


def _v(text: str, source: str) -> DateValue:
    got = parse_stamp(text, ALMATY, now=NOW)
    assert got is not None
    return DateValue.of(got, source)


def test_a_bare_day_never_replaces_the_listings_time() -> None:
    page, feed = _v("2026-10-01", "time"), _v("2026-10-01T09:15:00+05:00", "feed")
    assert combine(page, feed, ALMATY).published == feed
    # 00:30 in Almaty is the page's day, though the previous day in UTC
    early = _v("2026-10-01T00:30:00+05:00", "feed")
    assert early.at.day == 30 and combine(page, early, ALMATY).published == early
    # the page's time stays when the listing only has the day
    timed, day = _v("2026-10-01T09:15:00+05:00", "jsonld"), _v("2026-10-01", "sitemap")
    assert combine(timed, day, ALMATY).published == timed


def test_far_apart_the_pages_metadata_wins_and_the_disagreement_is_recorded() -> None:
    page, feed = _v("2026-10-01", "meta"), _v("2026-10-05T08:00:00Z", "feed")
    got = combine(page, feed, ALMATY)
    assert got.published == page
    assert got.disagreement == "page meta 2026-10-01 vs feed 2026-10-05T08:00:00Z"
    # a date htmldate guessed, not metadata, gives way to the listing's
    guess = _v("2019-03-12", "htmldate")
    got = combine(guess, feed, ALMATY)
    assert got.published == feed and got.disagreement


def test_a_pages_metadata_time_stays_over_a_listing_time_the_same_day() -> None:
    page, feed = _v("2026-10-01T09:15:00+05:00", "jsonld"), _v("2026-10-01T10:00:00+05:00",
                                                                 "feed")
    assert combine(page, feed, ALMATY) == combine(page, feed, ALMATY)
    got = combine(page, feed, ALMATY)
    assert (got.published, got.disagreement) == (page, "")
    assert combine(None, feed, ALMATY).published == feed
    assert combine(page, None, ALMATY).published == page
