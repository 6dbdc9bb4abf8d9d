"""CSV files untold writes never hold a cell a spreadsheet would run as a formula.

Article titles come from the pages: a title ``=HYPERLINK(...)`` must reach the
CSV as text (a leading ``'``, as OWASP recommends), in ``untold export``,
``untold search`` and ``untold findings``; numbers stay numbers. The report's CSV
download is tested in real Chromium (test_browser.py).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.archives.report import build
from untold.config import load_study
from untold.models import FindingRecord
from untold.store import open_store
from untold.text.spreadsheet import FORMULA_STARTS, SafeDictWriter, safe_cell

pytestmark = pytest.mark.slow

UNTOLD = [sys.executable, "-m", "untold"]
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _assert_neutral(cells: list[str]) -> None:
    for h in HOSTILE:
        assert "'" + h in cells, (h, cells)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], cells


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report tests' archive with hostile titles, and a stored deletion finding about
    a hostile subject: such findings have an effect but no p- or q-value."""
    path, ids = build(tmp_path_factory.mktemp("csv"), titles=HOSTILE)
    store: Any = open_store(load_study(path).db_path)  # the SQLite backend's analysis tables
    try:
        run = store.start_analysis("edits", story_id="floods", rules_version="test-1")
        store.add_findings(run, [FindingRecord(
            kind="deletion", rule="edit.deleted", rules_version="test-1", subject="-2+3",
            story_id="floods", sentence="@SUM(A1) deleted an article about the floods.",
            effect=-0.33, evidence=[(ids["+1"], "deleted")])])
        store.finish_analysis(run)
    finally:
        store.close()
    return path


def test_the_cell_rule() -> None:
    for h in HOSTILE:
        assert safe_cell(h) == "'" + h
    for fine in ("Floods", "", "a=b", "'quoted", "1+1"):
        assert safe_cell(fine) == fine
    for number in (-2, -0.5, 3, None, True):
        assert safe_cell(number) is number  # numbers stay numbers
    buf = io.StringIO(newline="")
    w = SafeDictWriter(buf, fieldnames=["title", "n"])
    w.writeheader()
    w.writerows([{"title": h, "n": -1} for h in HOSTILE])
    rows = _rows(buf.getvalue())
    _assert_neutral([r["title"] for r in rows])
    assert {r["n"] for r in rows} == {"-1"}


def test_export_csv(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    r = subprocess.run([*UNTOLD, "export", str(study), "--format", "csv", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = _rows(out.read_bytes().decode("utf-8"))
    _assert_neutral([r["title"] for r in rows])
    assert all(r["id"].isdigit() for r in rows)


def test_search_csv(study: Path) -> None:
    r = subprocess.run([*UNTOLD, "search", str(study), "flood", "--format", "csv"],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = _rows(r.stdout.decode("utf-8"))
    _assert_neutral([r["title"] for r in rows])


def test_findings_csv(study: Path) -> None:
    r = subprocess.run([*UNTOLD, "findings", str(study), "--stored", "--format", "csv"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    [row] = [r for r in _rows(r.stdout) if r["rule"] == "edit.deleted"]
    assert row["subject"] == "'-2+3" and row["sentence"].startswith("'@SUM(A1)")
    assert row["effect"] == "-0.33"  # a number, not "'-0.33"


def test_findings_table_with_findings_that_have_no_q_value(study: Path) -> None:
    """The default table printed "unsupported format string passed to NoneType" (case 9)."""
    r = subprocess.run([*UNTOLD, "findings", str(study), "--stored"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    [line] = [ln for ln in r.stdout.splitlines() if "deletion" in ln]
    assert " - " in line and "-0.33" in line and "-2+3" in line


def test_export_refuses_a_missing_folder(study: Path, tmp_path: Path) -> None:
    """'-o /no/such/dir/x' is refused in one line; no folder is made (case 9)."""
    target = tmp_path / "no" / "such" / "x.csv"
    r = subprocess.run([*UNTOLD, "export", str(study), "--format", "csv", "-o", str(target)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: {target.parent}: the output's folder does not exist "
        "(create it first, or give a path in an existing folder)"]
    assert not (tmp_path / "no").exists()
