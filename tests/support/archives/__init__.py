"""Real archives for tests: a study file and its SQLite archive, filled through the store.

Each data set is a module of its own (its docstring lists what it holds, so tests can
check numbers computed by hand):

- ``small``: five outlets over ten days, exact counts for hand-computed statistics;
- ``reach``: six outlets over thirty days, with reachability measurements;
- ``stories``: a two-day story whose numbers are listed article by article;
- ``report``: pages written to real WARC files, findings and verdicts, for the report;
- ``evidence``: an archive collected by ``untold collect`` from loopback outlets, WARC
  files made outside any archive, and ways to damage them.

The builders share the two steps every hand-built archive takes, both here: a study
file written and its archive opened with the study's outlets (``open_study``), and an
article stored as the collector stores one, a capture row and then the extracted page
(``stored_article``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from untold.config import Study, load_study
from untold.models import CaptureRecord, ExtractedArticle, NewArticle
from untold.store import open_store
from untold.store.base import Store

# Where an article's capture says its WARC record lies: (file, offset, length). Archives
# whose tests read counts, not evidence, point at a file that does not exist.
NO_WARC = "a.warc.gz"
# The SHA-256 such captures claim; never checked (no WARC record behind it).
NO_SHA256 = "00"


def open_study(dest: Path, toml: str) -> tuple[Path, Study, Store]:
    """Write ``toml`` as ``dest/study.toml``, open its archive and register its outlets;
    return (study path, study, store). The caller closes the store."""
    path = dest / "study.toml"
    path.write_text(toml, encoding="utf-8")
    study = load_study(path)
    store = open_store(study.db_path)
    store.sync_outlets(study.outlets)
    return path, study, store


def stored_article(store: Store, *, outlet: str, url: str, fetched_at: datetime, title: str,
                   text: str, published: datetime | None, text_hash: str,
                   warc: tuple[str, int, int], sha256: str = NO_SHA256,
                   language: str = "ru", confidence: float = 0.9, minhash: bytes = b"",
                   content_type: str = "", record_id: str | None = None) -> NewArticle:
    """Store the capture of ``url`` (status 200) and return its extracted article, ready
    for ``store.add_articles`` (callers add one at a time or in batches)."""
    warc_file, offset, length = warc
    cid = store.add_capture(CaptureRecord(
        url=url, outlet_id=outlet, kind="article", fetched_at=fetched_at, status=200,
        failure=None, warc_file=warc_file, warc_offset=offset, warc_length=length,
        sha256=sha256, content_type=content_type, record_id=record_id))
    art = ExtractedArticle(
        url=url, canonical_url=url, title=title, text=text, author=None,
        published=published, language=language, language_confidence=confidence,
        text_hash=text_hash, minhash=minhash)
    return NewArticle(art, outlet, cid, fetched_at, sha256)
