"""Library entry points: the whole public surface. The CLI (and any other front end)
calls only these.

Each function takes a study file path (or a loaded :class:`Study`) and does one
user-level job; long jobs accept a ``progress`` callback. The entry points live in
one private module per area (``_archive``: start, collect, import, check, search and
export; ``_stories``, ``_findings``, ``_edits``, ``_report``, ``_probe``, ``_ooni`` and
``_demo``), with what they share once in ``_common``; this module names them all.
"""

from untold.api._archive import (
    archive_check,
    collect,
    disk_usage,
    export,
    import_warcs,
    init_study,
    remove_archive,
    search,
    status,
    testlist_to_toml,
)
from untold.api._common import StudyLike, load, open_archive
from untold.api._demo import demo
from untold.api._edits import (
    analyze_edits,
    article_diff,
    edit_events,
    edits_report_section,
    revisit,
    watch,
)
from untold.api._findings import (
    FINDING_FIELDS,
    TEST_FIELDS,
    WHY_CODES,
    compute_findings,
    finding_row,
    finding_tests,
    findings,
)
from untold.api._ooni import (
    OoniImportStats,
    install_fingerprints,
    load_fingerprints,
    make_ooni_measurement,
    ooni_import,
    rescore_files,
    rescore_study,
    write_ooni_measurement,
)
from untold.api._probe import (
    ARTICLES_PER_OUTLET,
    ProbeOptions,
    ensure_probe_consent,
    probe,
    probe_notice,
    probe_targets,
    start_probe_helper,
)
from untold.api._report import report, report_context
from untold.api._stories import (
    analyze,
    select_stories,
    story_coverage,
    story_results,
    story_summary,
)
from untold.config import Study
from untold.store import Store

__all__ = [
    "ARTICLES_PER_OUTLET",
    "FINDING_FIELDS",
    "TEST_FIELDS",
    "WHY_CODES",
    "OoniImportStats",
    "ProbeOptions",
    "Store",
    "Study",
    "StudyLike",
    "analyze",
    "analyze_edits",
    "archive_check",
    "article_diff",
    "collect",
    "compute_findings",
    "demo",
    "disk_usage",
    "edit_events",
    "edits_report_section",
    "ensure_probe_consent",
    "export",
    "finding_row",
    "finding_tests",
    "findings",
    "import_warcs",
    "init_study",
    "install_fingerprints",
    "load",
    "load_fingerprints",
    "make_ooni_measurement",
    "ooni_import",
    "open_archive",
    "probe",
    "probe_notice",
    "probe_targets",
    "remove_archive",
    "report",
    "report_context",
    "rescore_files",
    "rescore_study",
    "revisit",
    "search",
    "select_stories",
    "start_probe_helper",
    "status",
    "story_coverage",
    "story_results",
    "story_summary",
    "testlist_to_toml",
    "watch",
    "write_ooni_measurement",
]
