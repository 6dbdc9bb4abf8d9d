"""What the analyses, the search and the report read from the SQLite backend, in one
mixin: each area's queries live in their own module (``sqlite_stories``,
``sqlite_daycounts`` ...); SQLiteStore mixes this one in."""

from __future__ import annotations

from untold.store.sqlite_daycounts import DayCountsMixin
from untold.store.sqlite_edits_analysis import EditsReadsMixin
from untold.store.sqlite_findings import FindingsReadsMixin
from untold.store.sqlite_languages import LanguagesMixin
from untold.store.sqlite_search import SearchMixin
from untold.store.sqlite_stories import StoriesMixin

__all__ = ["ReadsMixin"]


class ReadsMixin(StoriesMixin, DayCountsMixin, FindingsReadsMixin, LanguagesMixin,
                 SearchMixin, EditsReadsMixin):
    """The analyses' read methods (see each base's module)."""
