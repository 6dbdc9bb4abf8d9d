"""The store conformance suite: every backend runs the same tests.

Each test receives ``store``, a fresh, migrated, empty archive of one backend, and
builds what it needs through the store's public methods only (``tests.support.
store_rows``), never SQL, so the suite says what any backend must do: same values,
same order where callers depend on it, same idempotence, same errors.

Adding a backend (the PostgreSQL issue): write an opener below that makes a fresh
empty archive (a throwaway database per test) and add it to ``BACKENDS``; skip with
a message inside the opener when the backend's server cannot be started here.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from untold.store import open_store
from untold.store.base import Store

# (the test's own temporary folder, the session's factory) -> what to pass to
# open_store for a fresh, empty archive
Opener = Callable[[Path, pytest.TempPathFactory], str | Path]


def _sqlite(tmp: Path, factory: pytest.TempPathFactory) -> Path:
    """A copy of one empty archive migrated once per session (migrating takes 0.1 s a
    test, ten times what the tests themselves take), in the test's own folder."""
    template = factory.getbasetemp() / "store-template" / "untold.sqlite"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        open_store(template).close()  # a clean close leaves one file (no WAL)
    path = tmp / "archive" / "untold.sqlite"
    path.parent.mkdir(parents=True)
    shutil.copyfile(template, path)
    return path


# backend name -> its opener. The PostgreSQL backend adds "postgres": a URL to a new
# database of a throwaway cluster started once per session.
BACKENDS: dict[str, Opener] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def archive_location(request: pytest.FixtureRequest, tmp_path: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> str | Path:
    """Where a fresh archive of the parametrised backend lives (path or URL)."""
    return BACKENDS[request.param](tmp_path, tmp_path_factory)


@pytest.fixture
def store(archive_location: str | Path) -> Iterator[Store]:
    """A fresh, migrated, empty archive, opened for writing."""
    s = open_store(archive_location)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def reopen(archive_location: str | Path) -> Iterator[Callable[..., Store]]:
    """Open the same archive again (another connection, as another process would);
    every store it opened is closed at the end."""
    opened: list[Store] = []

    def again(*, readonly: bool = False) -> Store:
        s = open_store(archive_location, readonly=readonly)
        opened.append(s)
        return s

    yield again
    for s in opened:
        s.close()
