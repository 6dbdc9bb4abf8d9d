"""SQL lives only in ``untold/store/``: no other module talks to a database.

A second backend (PostgreSQL) is a new module under ``store/`` only if nothing else
builds SQL, runs it or catches a driver's exceptions. Read with ``ast``: calls of
``execute``/``executemany``/``executescript``, imports of a database driver, and
string constants that read as SQL statements.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "untold"
DRIVERS = {"sqlite3", "psycopg", "psycopg2", "psycopg_pool", "sqlalchemy", "apsw"}
RUNNERS = {"execute", "executemany", "executescript"}
# a statement's opening words, as SQL reads and not as prose: "SELECT x FROM", "INSERT INTO"
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|CREATE\s+(TABLE|INDEX|"
                 r"VIRTUAL)|UPDATE\s+\w+\s+SET|DELETE\s+FROM|DROP\s+TABLE|PRAGMA\s+\w+)\b",
                 re.S)


def violations(source: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in DRIVERS]
        elif isinstance(node, ast.ImportFrom) and node.module \
                and node.module.split(".")[0] in DRIVERS:
            out.append(f"imports from {node.module}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in RUNNERS:
            out.append(f"calls .{node.func.attr}() on line {node.lineno}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and SQL.search(node.value):
            out.append(f"SQL text on line {node.lineno}: {node.value[:40]!r}")
    return out


def test_no_sql_outside_the_store() -> None:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        if bad := violations(path.read_text(encoding="utf-8")):
            found[rel] = bad
    assert found == {}, f"database work outside untold/store/: {found}"


def test_the_check_can_fail() -> None:
    assert violations("import sqlite3\n") == ["imports sqlite3"]
    assert violations("from psycopg import sql\n") == ["imports from psycopg"]
    assert violations("store.conn.execute('x')\n") == ["calls .execute() on line 1"]
    assert violations("q = 'SELECT id FROM articles'\n")[0].startswith("SQL text")
    assert violations("q = 'INSERT OR IGNORE INTO t VALUES (1)'\n")
    # prose and the search language are not SQL
    assert violations("m = 'select the outlets from the study'\n") == []
    assert violations("q = 'видео AND NOT (казнь OR NEAR/3(a b))'\n") == []
