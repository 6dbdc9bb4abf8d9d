"""UTC timestamps as sortable ISO 8601 strings (the archive's one time format), and
the dates pages and listings state: their precision, their zone, the outlet's zone.

A stated date is a :class:`Stamp`: an aware UTC instant with a precision,
``"time"`` (a time of day is known) or ``"day"`` (only the calendar day is). A
day-only date is stored as 00:00 UTC *of the stated day*: a label of the day
the outlet printed (in its own zone), never an instant; readers check the
precision before comparing it with times (:func:`day_bounds`).

A time written without a zone (``2026-10-01T10:00``) is the outlet's wall
clock: it is read in the outlet's time zone (:func:`outlet_timezone`: the study
setting ``timezone``, else the zone of its country when the country has one,
else UTC), never taken as UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
from functools import lru_cache
from typing import Protocol

__all__ = [
    "COUNTRY_TIMEZONES",
    "DAY",
    "TIME",
    "Stamp",
    "check_timezone",
    "day_bounds",
    "day_label",
    "default_timezone",
    "from_iso",
    "listing_stamp",
    "local_day",
    "now_utc",
    "outlet_timezone",
    "parse_stamp",
    "to_iso",
    "zone",
]

TIME = "time"  # a time of day is known
DAY = "day"  # only the calendar day is known

# Countries whose people live on one clock (tz database, 2025): a zone-less time of
# their outlets is read on it. Countries spanning several zones are left out (their
# outlets get UTC unless the study names a zone), except Russia: its national media
# write Moscow time, so a regional outlet must name its own zone. Kazakhstan has been
# on UTC+5 throughout since 2024-03-01 (tzdata 2024a): Asia/Almaty.
COUNTRY_TIMEZONES: dict[str, str] = {
    # Central Asia, the Caucasus, Eastern Europe: the region untold is built for
    "KZ": "Asia/Almaty", "KG": "Asia/Bishkek", "UZ": "Asia/Tashkent",
    "TJ": "Asia/Dushanbe", "TM": "Asia/Ashgabat", "AF": "Asia/Kabul",
    "MN": "Asia/Ulaanbaatar", "CN": "Asia/Shanghai", "RU": "Europe/Moscow",
    "BY": "Europe/Minsk", "UA": "Europe/Kyiv", "MD": "Europe/Chisinau",
    "AZ": "Asia/Baku", "AM": "Asia/Yerevan", "GE": "Asia/Tbilisi",
    "TR": "Europe/Istanbul", "IR": "Asia/Tehran",
    # where foreign outlets often covering the region are based
    "LT": "Europe/Vilnius", "LV": "Europe/Riga", "EE": "Europe/Tallinn",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "DE": "Europe/Berlin",
    "AT": "Europe/Vienna", "CH": "Europe/Zurich", "FR": "Europe/Paris",
    "GB": "Europe/London", "IE": "Europe/Dublin", "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels", "SE": "Europe/Stockholm", "FI": "Europe/Helsinki",
    "NO": "Europe/Oslo", "DK": "Europe/Copenhagen", "IT": "Europe/Rome",
    "QA": "Asia/Qatar", "AE": "Asia/Dubai", "IL": "Asia/Jerusalem",
    "IN": "Asia/Kolkata", "PK": "Asia/Karachi", "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
}

# Years before the web had news pages: a "date" this old is a number, not a publication.
MIN_YEAR = 1990
# A stated publication later than this past the reading is an event or a typo, not a date
# the page was published (a day of slack for zones and clocks).
MAX_FUTURE = timedelta(days=1)

_ISO = re.compile(
    r"\s*(?P<y>\d{4})(?P<sep>[-/.]?)(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:(?:T|\s+|T\s*)(?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,]\d{1,9})?)?"
    r"\s*(?P<z>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?\s*\Z")
_EPOCH = re.compile(r"\s*(?P<s>\d{10})(?P<ms>\d{3})?\s*\Z")
_RFC822 = re.compile(r"\s*(?:[A-Za-z]{2,9},?\s*)?\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}")
# The zones RFC 822 names (and numeric offsets): anything else after the time is unknown.
_TRAILING_WORD = re.compile(r"[A-Za-z]\s*$")  # a zone name email.utils may not know
_RFC822_ZONE = re.compile(r"(?:[+-]\d{4}|\b(?:UT|UTC|GMT|Z|[ECMP][SD]T))\s*$")
# Dates as people write them in metadata fields that should hold ISO 8601, and in
# bylines: "20.11.2019 13:38", "Nov 20, 2019 1:38 PM", "01:38:07 PM IST Nov 20, 2019",
# "1 октября 2026 г., 09:15", "1 қазан 2026 ж.". Months by their first three letters
# (English, Russian, Kazakh; Kyrgyz writes the Russian names); Russian May is "мая"/"май".
_MONTHS: dict[str, int] = {
    **{m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                        "aug", "sep", "oct", "nov", "dec"))},
    **{m: i + 1 for i, m in enumerate(("янв", "фев", "мар", "апр", "май", "июн", "июл",
                                        "авг", "сен", "окт", "ноя", "дек"))},
    "мая": 5,
    **{m: i + 1 for i, m in enumerate(("қаң", "ақп", "нау", "сәу", "мам", "мау", "шіл",
                                        "там", "қыр", "қаз", "қар", "жел"))},
}
_LOOSE_DATE = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"|(?P<d1>\d{1,2})(?:st|nd|rd|th|-?ші|-?шы)?\.?\s+(?P<mon1>[^\W\d_]{3,12})\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<mon2>[^\W\d_]{3,12})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})")
_LOOSE_TIME = re.compile(
    r"(?<![\d:])(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\s*(?P<ap>[AaPp])\.?[Mm]\.?(?![A-Za-z]))?"
    r"(?:\s*(?P<z>[Zz]\b|(?:GMT|UTC)?\s?[+-]\d{2}:?\d{2}|[A-Z]{2,5}\b))?")
# Zone abbreviations and the offset (minutes) each names where it is written most. One
# that the outlet's own zone uses on that date (CST in China, IST in Israel) is read in
# the outlet's zone instead; any other abbreviation is unknown: the time is read as local.
_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60,
    "CEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "EAT": 180, "CAT": 120, "WAT": 60,
    "SAST": 120, "AMT": 240, "GET": 240, "AZT": 240, "PKT": 300, "UZT": 300, "IST": 330,
    "NPT": 345, "KGT": 360, "ICT": 420, "WIB": 420, "HKT": 480, "SGT": 480, "AWST": 480,
    "JST": 540, "KST": 540, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "BRT": -180,
    "ART": -180,
}
# What may be left around a loose date and time: separators, weekdays, "at", "г." (год).
_LOOSE_REST = re.compile(
    r"^(?:[\s,;|/@•·.\-–—]|\([^()]{0,40}\)|\b(?:at|on|в|года?|г|ж|жыл[ығы]*|mon|tue|wed|thu|"
    r"fri|sat|sun)[a-z]*\b)*$", re.I)


class _HasZone(Protocol):
    @property
    def country(self) -> str: ...
    @property
    def timezone(self) -> str: ...


def now_utc() -> datetime:
    return datetime.now(UTC)


def to_iso(dt: datetime | None) -> str | None:
    """``2026-10-06T10:00:00Z``; naive datetimes are taken as UTC."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# -- zones -------------------------------------------------------------------


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The zone of an IANA name ("" and "UTC": UTC); ValueError when there is none."""
    if not name or name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone name (write it like "
                         "Asia/Almaty, Europe/Moscow or UTC)") from exc


def check_timezone(name: str) -> str:
    """``name`` stripped when it names a time zone; ValueError (one clear line) if not."""
    name = name.strip()
    zone(name)
    return name


def default_timezone(country: str) -> str:
    """The zone of a single-zone country (ISO 3166 alpha-2), "" when it has none here."""
    return COUNTRY_TIMEZONES.get(country.upper(), "")


def outlet_timezone(outlet: _HasZone | None) -> str:
    """The zone an outlet's zone-less times are read in: its own, its country's, or UTC."""
    if outlet is None:
        return "UTC"
    return getattr(outlet, "timezone", "") or default_timezone(outlet.country) or "UTC"


# -- stated dates ------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A date a page or a listing states, read."""

    at: datetime  # aware UTC; for precision "day", 00:00 UTC of the stated calendar day
    precision: str  # TIME | DAY
    zoned: bool = True  # the text named its zone; False: read in the outlet's zone

    @property
    def day(self) -> date:
        """The calendar day as stated (for a time: its UTC day; see :func:`local_day`)."""
        return self.at.date()


def day_label(d: date) -> datetime:
    """How a day-only date is stored: 00:00 UTC of that calendar day."""
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def local_day(at: datetime, precision: str, tz: tzinfo) -> date:
    """The outlet's calendar day of a stored date (a day-only date is its own label)."""
    return at.date() if precision == DAY else at.astimezone(tz).date()


def day_bounds(d: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of calendar day ``d`` in zone ``tz``, as UTC instants."""
    start = datetime(d.year, d.month, d.day, tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def _make(y: int, mo: int, d: int, hms: tuple[int, int, int] | None, offset: timedelta | None,
          tz: tzinfo, now: datetime) -> Stamp | None:
    try:
        if hms is None or hms == (0, 0, 0):  # midnight sharp: a day written as a time
            day = date(y, mo, d)
            if y < MIN_YEAR or day_label(day) > now + MAX_FUTURE:
                return None
            return Stamp(day_label(day), DAY, offset is not None)
        wall = datetime(y, mo, d, *hms)
        at = wall.replace(tzinfo=timezone(offset) if offset is not None else tz)
        at = at.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if y < MIN_YEAR or at > now + MAX_FUTURE:
        return None
    return Stamp(at, TIME, offset is not None)


def _offset(z: str | None) -> timedelta | None:
    if not z:
        return None
    if z.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    digits = z[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(z)
    delta = timedelta(hours=hours, minutes=minutes)
    return -delta if z[0] == "-" else delta


def parse_stamp(text: str | None, tz: tzinfo = UTC, *,
                now: datetime | None = None) -> Stamp | None:
    """A date as pages and listings write it (ISO 8601 and its common variants, RFC 822,
    Unix seconds), or None. A time without a zone is read in ``tz``; a time of 00:00:00
    is a day (CMSs write a date-only field so); years before 1990 and dates more than a
    day after ``now`` are not publication dates."""
    if not text or len(text) > 64:
        return None
    now = now or now_utc()
    m = _ISO.match(text)
    if m:
        hms = None
        if m["H"] is not None:
            hms = (int(m["H"]), int(m["M"]), int(m["S"] or 0))
        try:
            off = _offset(m["z"])
        except ValueError:
            return None
        return _make(int(m["y"]), int(m["m"]), int(m["d"]), hms, off, tz, now)
    e = _EPOCH.match(text)
    if e:
        at = datetime.fromtimestamp(int(e["s"]), UTC)
        return Stamp(at, TIME) if at.year >= MIN_YEAR and at <= now + MAX_FUTURE else None
    if _RFC822.match(text) and (_RFC822_ZONE.search(text) or not _TRAILING_WORD.search(text)):
        parts = parsedate_tz(text)
        if parts is not None:
            y, mo, d, hh, mi, ss = parts[:6]
            # email.utils reads a missing or unknown zone as UTC: only a named one is
            zoned = parts[9] is not None and _RFC822_ZONE.search(text) is not None
            off = timedelta(seconds=parts[9] or 0) if zoned else None
            return _make(y, mo, d, (hh, mi, ss), off, tz, now)
    return _parse_loose(text, tz, now)


def _parse_loose(text: str, tz: tzinfo, now: datetime) -> Stamp | None:
    """A day-first numeric or month-name date (English, Russian, Kazakh), with an optional
    time (12 or 24 hours) and zone before or after it; nothing else may be left over."""
    dm = _LOOSE_DATE.search(text)
    if dm is None:
        return None
    if dm["y"]:
        y, mo, d = int(dm["y"]), int(dm["m"]), int(dm["d"])
    else:
        name = (dm["mon1"] or dm["mon2"]).lower()
        month = _MONTHS.get(name[:3])
        if month is None:
            return None
        y, mo, d = int(dm["y1"] or dm["y2"]), month, int(dm["d1"] or dm["d2"])
    rest = text[:dm.start()] + " " + text[dm.end():]
    hms: tuple[int, int, int] | None = None
    off: timedelta | None = None
    tm = _LOOSE_TIME.search(rest)
    if tm is not None:
        hour = int(tm["H"])
        if tm["ap"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if tm["ap"].lower() == "p" else 0)
        hms = (hour, int(tm["M"]), int(tm["S"] or 0))
        z = (tm["z"] or "").replace(" ", "")
        if z[:3].upper() in ("GMT", "UTC") and len(z) > 3:
            z = z[3:]  # GMT+0300, as JavaScript writes dates
        if z and z[0] in "+-":
            try:
                off = _offset(z)
            except ValueError:
                return None
        elif z:
            off = _abbreviation(z.upper(), (y, mo, d), hms, tz)
        rest = rest[:tm.start()] + " " + rest[tm.end():]
    if not _LOOSE_REST.match(rest.strip()):
        return None
    return _make(y, mo, d, hms, off, tz, now)


def _abbreviation(name: str, ymd: tuple[int, int, int], hms: tuple[int, int, int],
                  tz: tzinfo) -> timedelta | None:
    """The offset a zone abbreviation names: the outlet's zone when it goes by that name
    on that date, else the common meaning, else None (unknown: read as local)."""
    if tz is not UTC:
        try:
            local = datetime(*ymd, *hms, tzinfo=tz)
        except ValueError:
            return None
        if local.tzname() == name:
            return local.utcoffset()
    minutes = _ABBREVIATIONS.get(name)
    return timedelta(minutes=minutes) if minutes is not None else None


def listing_stamp(at: datetime | None, text: str | None, tz: tzinfo) -> Stamp | None:
    """The date a feed or sitemap gave for a URL: read again from its ``text`` (so its
    precision and zone are known), else the parser's ``at`` taken as a zoned time
    (00:00:00 UTC sharp: a day)."""
    if text:
        got = parse_stamp(text, tz)
        if got is not None:
            return got
    if at is None:
        return None
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    if at.year < MIN_YEAR or at > now_utc() + MAX_FUTURE:
        return None
    if (at.hour, at.minute, at.second) == (0, 0, 0):
        return Stamp(day_label(at.date()), DAY)
    return Stamp(at, TIME)
