"""Opening an SQLite archive that is not there or not an archive: one StoreError.

(The backend-neutral behaviour of an opened store is the conformance suite in
``tests/store``; these two concern the SQLite file itself.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from untold.errors import StoreError
from untold.store import open_store


def test_opening_a_file_that_is_not_an_archive_is_one_store_error(tmp_path: Path) -> None:
    bogus = tmp_path / "not.sqlite"
    bogus.write_bytes(b"this is not a database file at all " * 200)
    with pytest.raises(StoreError):
        open_store(bogus)


def test_opening_a_missing_archive_read_only_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="archive not found"):
        open_store(tmp_path / "nowhere" / "untold.sqlite", readonly=True)
