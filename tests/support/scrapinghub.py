"""The Scrapinghub benchmark pages through untold's ``extract_page`` (fixture in conftest.py):
the body-F1 test and the dates-and-titles test read the same extractions."""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from untold.extract import ExtractResult, extract_page

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
BENCH = SHARED / "data" / "extraction-benchmark"


@dataclass(frozen=True)
class BenchmarkRun:
    truth: dict[str, dict[str, str]]  # id -> {"url", "articleBody"}
    results: dict[str, ExtractResult]  # id -> untold's extraction


def present() -> bool:
    return (BENCH / "ground-truth.json").is_file()


def run_benchmark() -> BenchmarkRun:
    """Every page, as the importer calls the pipeline (bytes in, no outlet hints)."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # per-page warnings are noise
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    results = {}
    for key, item in truth.items():
        with gzip.open(BENCH / "html" / f"{key}.html.gz") as fh:
            body = fh.read()
        results[key] = extract_page(url=item["url"], body=body,
                                    headers={"Content-Type": "text/html"})
    return BenchmarkRun(truth, results)
