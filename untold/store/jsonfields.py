"""JSON in text columns: the one way the store writes lists and dicts."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps"]


def dumps(v: Any) -> str:
    """``v`` as JSON text: non-ASCII kept as written (readable in the SQLite shell),
    keys sorted (equal dicts give equal text), anything else JSON cannot hold as
    its ``str`` (a date in a finding's detail)."""
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
