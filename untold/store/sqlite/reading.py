"""Database errors met while reading, as one ``StoreError`` in the caller's words."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from untold.errors import StoreError

__all__ = ["ReadingMixin"]


class ReadingMixin:
    """Mixed into SQLiteStore (through the read mixins); ``path`` comes from it."""

    path: Path

    @contextmanager
    def reading(self, failure: str, *, hint: str = "check the archive with 'untold check'",
                source: bool = True) -> Iterator[None]:
        """A database error inside becomes one ``StoreError``: ``failure: <error>``
        (with the archive's path as its source unless ``source`` is False)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{failure}: {exc}", source=str(self.path) if source else None,
                             hint=hint) from exc
