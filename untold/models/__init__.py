"""Plain records that cross module boundaries (collect -> extract -> store -> analyze).

They are dataclasses with no behaviour, so any stage can build them and any backend
can store them; one module per concept. Everything is re-exported here:
``from untold.models import Outlet`` is the way to import them.
"""

from __future__ import annotations

from untold.models.articles import AddOutcome, ArticleRecord, ExtractedArticle, NewArticle
from untold.models.captures import (
    CaptureLocation,
    CaptureRange,
    CaptureRecord,
    FetchResult,
    WarcFileEntry,
    capture_record,
)
from untold.models.findings import FindingRecord, ObservationRecord
from untold.models.listings import FrontierEntry, ListingObservation, ListingSpan
from untold.models.outlets import Outlet
from untold.models.revisits import CheckRecord, EditEvent, Tracked, Version
from untold.models.rules import Rule, RuleTable, Threshold, parse_version
from untold.models.verdicts import Verdict

__all__ = [
    "AddOutcome", "ArticleRecord", "CaptureLocation", "CaptureRange", "CaptureRecord",
    "CheckRecord", "EditEvent", "ExtractedArticle", "FetchResult", "FindingRecord",
    "FrontierEntry", "ListingObservation", "ListingSpan", "NewArticle", "ObservationRecord",
    "Outlet", "Rule", "RuleTable", "Threshold", "Tracked", "Verdict", "Version", "WarcFileEntry",
    "capture_record", "parse_version",
]
