"""Articles out of the archive into other tools: JSON Lines, CSV, Parquet.

Streams in batches, so exporting a million articles needs little memory. The
output is written to a temporary file and renamed, so an interrupted export
never leaves a half file under the final name. CSV cells that a spreadsheet would
run as a formula (a title ``=HYPERLINK(...)``) are written as text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from untold.errors import UntoldError
from untold.models import ArticleRecord
from untold.text.spreadsheet import SafeDictWriter
from untold.timeutil import to_iso

__all__ = ["EXPORT_FIELDS", "FORMATS", "export_articles"]

FORMATS = ("jsonl", "csv", "parquet")
EXPORT_FIELDS = ("id", "outlet", "url", "canonical_url", "title", "text", "language",
                 "published", "fetched_at", "capture_sha256", "author")  # new columns go last
PARQUET_BATCH = 5_000  # rows per Parquet row group: bounded memory, good compression


def _row(a: ArticleRecord) -> dict[str, Any]:
    return {
        "id": a.id, "outlet": a.outlet_id, "url": a.url, "canonical_url": a.canonical_url,
        "title": a.title, "text": a.text, "language": a.language,
        "published": to_iso(a.published), "fetched_at": to_iso(a.fetched_at),
        "capture_sha256": a.sha256, "author": a.author,
    }


def _batches(rows: Iterable[dict[str, Any]], n: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def export_articles(articles: Iterable[ArticleRecord], fmt: str, out: Path) -> int:
    """Write ``articles`` to ``out`` in ``fmt``; return the number written."""
    if fmt not in FORMATS:
        raise UntoldError(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    _check_target(out)
    tmp = out.with_name(out.name + ".part")
    rows = (_row(a) for a in articles)
    n = 0
    try:
        if fmt == "jsonl":
            with tmp.open("w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
                    n += 1
        elif fmt == "csv":
            with tmp.open("w", encoding="utf-8", newline="") as f:
                w = SafeDictWriter(f, fieldnames=EXPORT_FIELDS)  # titles are the pages'
                w.writeheader()
                for r in rows:
                    w.writerow(r)
                    n += 1
        else:
            n = _parquet(rows, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _check_target(out: Path) -> None:
    """Refuse an output path whose folder is missing (a typo must not grow a directory
    tree) or that is itself a folder, before anything is written."""
    if out.is_dir():
        raise UntoldError("the output path is a folder", source=str(out),
                          hint="give a file name, e.g. -o articles.csv")
    if not out.parent.is_dir():
        raise UntoldError("the output's folder does not exist", source=str(out.parent),
                          hint="create it first, or give a path in an existing folder")


def _parquet(rows: Iterable[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([
        ("id", pa.int64()), ("outlet", pa.string()), ("url", pa.string()),
        ("canonical_url", pa.string()), ("title", pa.string()), ("text", pa.string()),
        ("language", pa.string()), ("published", pa.string()), ("fetched_at", pa.string()),
        ("capture_sha256", pa.string()), ("author", pa.string()),
    ])
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as w:
        for batch in _batches(rows, PARQUET_BATCH):
            w.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
        if n == 0:
            w.write_table(pa.Table.from_pylist([], schema=schema))
    return n
