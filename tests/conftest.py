"""Shared fixtures: paths to the repo and to ../shared (absent on a user's clone)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip("../shared/data not found: the real data sets are absent in this clone")
    return SHARED / "data"
