"""Storage: schema, migrations and backends behind one interface (``Store``)."""

from __future__ import annotations

from pathlib import Path

from untold.models import AddOutcome, FrontierEntry, NewArticle
from untold.store.base import Store

__all__ = ["AddOutcome", "FrontierEntry", "NewArticle", "Store", "open_store"]


def open_store(path: str | Path, *, readonly: bool = False) -> Store:
    """Open (and migrate) the archive database at ``path``.

    A ``postgresql://`` URL will select the PostgreSQL backend once it exists.
    """
    from untold.store.sqlite import SQLiteStore

    return SQLiteStore(Path(path), readonly=readonly)
