"""Fixtures of the extraction tests."""

from __future__ import annotations

import pytest

from tests.support.scrapinghub import BENCH, BenchmarkRun, present, run_benchmark


@pytest.fixture(scope="session")
def scrapinghub_run() -> BenchmarkRun:
    """The Scrapinghub benchmark pages through ``extract_page``, once per session."""
    if not present():
        pytest.skip(f"{BENCH} not found: ../shared is absent (the benchmark data set)")
    return run_benchmark()
