"""The SQLite backend: one archive file, FTS5 for search, one mixin module per area.

``store.py`` holds :class:`SQLiteStore` (connection, migrations, the archive's core
writes); each other module adds one area's methods (analysis, edits, evidence,
reachability, stories, ...) and ``schema.py`` holds the SQL schema and migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from untold.store.sqlite.store import SQLiteStore

if TYPE_CHECKING:
    from untold.store.base import Store

__all__ = ["SQLiteStore"]


if TYPE_CHECKING:
    def _implements_store(store: SQLiteStore) -> Store:
        """Never called: mypy fails here when the backend lacks a member of ``Store`` or
        has one with an incompatible signature (a backend implements every area)."""
        return store
