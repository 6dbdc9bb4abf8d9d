"""JSON text columns are written by one function (there were four ``_dumps`` in store/)."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from untold.store.jsonfields import dumps

STORE = Path(__file__).resolve().parents[2] / "untold" / "store"


def test_one_dumps_in_the_store() -> None:
    defined = sorted(
        f"{path.relative_to(STORE).as_posix()}:{node.name}"
        for path in STORE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.lstrip("_") in ("dumps", "json_dumps", "to_json"))
    assert defined == ["jsonfields.py:dumps"]


def test_dumps_is_stable_and_readable() -> None:
    # sorted keys: equal dicts give equal text; non-ASCII as written; dates as str
    assert dumps({"b": 1, "a": "Қазақстан"}) == '{"a": "Қазақстан", "b": 1}'
    assert dumps({"a": 1, "b": 2}) == dumps({"b": 2, "a": 1})
    assert dumps([date(2026, 12, 2)]) == '["2026-12-02"]'
