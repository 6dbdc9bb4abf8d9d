"""The store Protocols are the whole seam: callers never need the backend class.

The conformance suite (``test_protocols.py``) checks that the backend has every member
the Protocols declare; this checks the other direction: every public method of the
SQLite backend is declared by an area Protocol (so no caller has to reach past
``Store`` for it), and no module outside ``untold/store`` types a store as ``Any`` or
names the backend class.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import get_type_hints

from typing_extensions import get_protocol_members, is_protocol

from untold.api._common import open_archive
from untold.store import base
from untold.store.base import Store
from untold.store.sqlite import SQLiteStore

PACKAGE = Path(__file__).resolve().parents[2] / "untold"
# the backend's own plumbing, not part of the seam: a write transaction on its connection
BACKEND_ONLY = {"transaction"}
# a parameter or attribute named like a store, typed Any (or object): what the seam forbids
STORE_AS_ANY = re.compile(r"\bstore\w*\s*:\s*[\"']?(Any|object)\b")


def _declared() -> set[str]:
    out: set[str] = set()
    for obj in vars(base).values():
        if inspect.isclass(obj) and is_protocol(obj):
            out |= get_protocol_members(obj)
    return out


def test_every_public_backend_method_is_in_a_protocol() -> None:
    public = {name for name, member in inspect.getmembers(SQLiteStore)
              if not name.startswith("_") and callable(member)}
    undeclared = sorted(public - BACKEND_ONLY - _declared())
    assert undeclared == [], f"SQLiteStore methods no Protocol declares: {undeclared}"


def test_store_is_the_union_of_the_areas() -> None:
    areas = [obj for name, obj in vars(base).items()
             if inspect.isclass(obj) and is_protocol(obj) and name != "Store"
             and obj.__module__ == base.__name__]
    assert len(areas) >= 4  # archive, revisits, analysis, reachability at least
    for area in areas:
        assert area in Store.__mro__, f"Store does not include {area.__name__}"
    assert get_protocol_members(Store) == _declared()


def test_no_caller_types_a_store_as_any_or_names_the_backend() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if rel.parts[1] == "store":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if STORE_AS_ANY.search(line) or "SQLiteStore" in line:
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []


def test_open_archive_returns_the_protocol() -> None:
    assert get_type_hints(open_archive)["return"] is Store
