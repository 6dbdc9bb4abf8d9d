"""Tests import only ``tests.support``: never another test module, nor a conftest.

A helper that several tests need lives in the support package (tests/support), so a
test module can be moved, renamed or deleted without breaking another, and pytest
never imports a test module a second time under another name. Reads every module
under tests/ (imports inside functions included) with ``ast``; nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SUPPORT = "tests.support"


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import; ``from a import b`` gives both
    ``a`` and ``a.b`` (``b`` may be a module)."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.lineno, node.module))
            out.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
    return out


def violations(path: Path, source: str) -> list[str]:
    """What ``path`` imports that it must not: a ``tests`` module outside the support
    package, any ``test_*`` module or a ``conftest``, a relative import, or a neighbour
    reached by changing ``sys.path``."""
    found = []
    tree = ast.parse(source, filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            found.append(f"{path}:{node.lineno}: relative import (use tests.support)")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                and isinstance(node.value.value, ast.Name) and node.value.value.id == "sys" \
                and node.value.attr == "path" and node.attr in ("insert", "append", "extend"):
            found.append(f"{path}:{node.lineno}: changes sys.path to import a neighbour "
                         "(use tests.support)")
    for line, name in _imported(tree):
        parts = name.split(".")
        in_tests = parts[0] == "tests"
        if in_tests and not (name == SUPPORT or name.startswith(SUPPORT + ".")) \
                and len(parts) > 1:
            found.append(f"{path}:{line}: imports {name} (a test module's neighbour; "
                         "move what is shared to tests/support)")
        elif any(p.startswith("test_") or p == "conftest" for p in parts[1:] if in_tests) \
                or parts[0].startswith("test_") or parts[0] == "conftest":
            found.append(f"{path}:{line}: imports {name} (a test module or conftest)")
    return found


def test_no_test_module_imports_another() -> None:
    files = sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(files) > 100  # the walk found the suite
    found = [v for p in files for v in violations(p.relative_to(TESTS.parent),
                                                   p.read_text("utf-8"))]
    assert found == [], "\n".join(found)


def test_the_check_sees_each_kind_of_violation() -> None:
    bad = {
        "from tests.report.test_browser import Watch": "test_browser",
        "from tests.collect.fetch.conftest import settings": "conftest",
        "import tests.analyze.findings.test_stats": "test_stats",
        "from tests.demo import test_server": "test_server",
        "from .pages import ARTICLES": "relative",
        "import sys\nsys.path.insert(0, '.')\nfrom stories_archive import build": "sys.path",
        "def f():\n    from tests.probe.live.conftest import Net": "conftest",
    }
    for source, word in bad.items():
        found = violations(Path("tests/x/test_y.py"), source)
        assert any(word in f for f in found), (source, found)
    ok = ("from tests.support.archives.small import build\n"
          "from tests.support import report_sample as sample\nimport pytest\n"
          "from untold.probe.verdicts import score\n")
    assert violations(Path("tests/x/test_y.py"), ok) == []
