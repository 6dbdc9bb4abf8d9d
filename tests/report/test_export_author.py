"""``untold export`` includes each article's author (issue 10, case 5), in every format,
after the columns it always had; a hostile author reaches a CSV as text."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.archives.report import build
from untold.config import load_study
from untold.models import CaptureRecord, ExtractedArticle
from untold.store import NewArticle, open_store

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]
AUTHORS = {"https://free.example/author/1": "Анна Иванова",
           "https://free.example/author/2": '=HYPERLINK("http://x","y")'}
OLD_COLUMNS = ["id", "outlet", "url", "canonical_url", "title", "text", "language", "published",
               "fetched_at", "capture_sha256"]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path, _ = build(tmp_path_factory.mktemp("author"))
    store = open_store(load_study(path).db_path)
    when = datetime(2026, 3, 11, 9, tzinfo=UTC)
    try:
        for i, (url, author) in enumerate(AUTHORS.items()):
            cid = store.add_capture(CaptureRecord(
                url=url, outlet_id="free", kind="article", fetched_at=when, status=200,
                failure=None, warc_file=None, warc_offset=None, warc_length=None, sha256=None))
            text = f"Floods report {i}: the river rose overnight, the mayor said."
            store.add_articles([NewArticle(ExtractedArticle(
                url=url, canonical_url=url, title=f"Floods, by an author {i}", text=text,
                author=author, published=when, language="en", language_confidence=0.9,
                text_hash=f"author-{i}"), "free", cid, when, None)])
    finally:
        store.close()
    return path


def _export(study: Path, fmt: str, out: Path) -> None:
    r = subprocess.run([*UNTOLD, "export", str(study), "--format", fmt, "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_jsonl_and_parquet_have_the_author(study: Path, tmp_path: Path) -> None:
    _export(study, "jsonl", tmp_path / "a.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text("utf-8").splitlines()]
    assert list(rows[0]) == [*OLD_COLUMNS, "author"]
    got = {r["url"]: r["author"] for r in rows if r["url"] in AUTHORS}
    assert got == AUTHORS
    assert all(r["author"] is None for r in rows if r["url"] not in AUTHORS)

    import pyarrow.parquet as pq

    _export(study, "parquet", tmp_path / "a.parquet")
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column_names == [*OLD_COLUMNS, "author"]
    pairs = dict(zip(table.column("url").to_pylist(), table.column("author").to_pylist(),
                     strict=True))
    assert {u: pairs[u] for u in AUTHORS} == AUTHORS


def test_csv_has_the_author_neutralised(study: Path, tmp_path: Path) -> None:
    _export(study, "csv", tmp_path / "a.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text("utf-8"),
                                           newline="")))
    assert list(rows[0]) == [*OLD_COLUMNS, "author"]
    got = {r["url"]: r["author"] for r in rows if r["url"] in AUTHORS}
    assert got == {"https://free.example/author/1": "Анна Иванова",
                   "https://free.example/author/2": '\'=HYPERLINK("http://x","y")'}
