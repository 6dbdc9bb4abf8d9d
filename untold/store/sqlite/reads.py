"""What the analyses, the search and the report read from the SQLite backend, in one
mixin: each area's queries live in their own module (``stories``,
``daycounts`` ...); SQLiteStore mixes this one in."""

from __future__ import annotations

from untold.store.sqlite.daycounts import DayCountsMixin
from untold.store.sqlite.edits_reads import EditsReadsMixin
from untold.store.sqlite.findings import FindingsReadsMixin
from untold.store.sqlite.languages import LanguagesMixin
from untold.store.sqlite.search import SearchMixin
from untold.store.sqlite.stories import StoriesMixin

__all__ = ["ReadsMixin"]


class ReadsMixin(StoriesMixin, DayCountsMixin, FindingsReadsMixin, LanguagesMixin,
                 SearchMixin, EditsReadsMixin):
    """The analyses' read methods (see each base's module)."""
