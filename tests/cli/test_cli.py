"""The CLI as a user runs it: errors on one line, init (the demo: tests/demo)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

UNTOLD = [sys.executable, "-m", "untold"]


@pytest.mark.slow
def test_failures_are_one_line_with_exit_1(tmp_path: Path) -> None:
    """A malformed study or a missing input file is a failure (1), not a usage error (2):
    the command line could be right, the files say otherwise."""
    bad = tmp_path / "s.toml"
    bad.write_text('[[outlets]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\nfeed = []\n')
    r = subprocess.run([*UNTOLD, "status", str(bad)], capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown key 'outlets.0.feed'" in lines[0] and ":5:" in lines[0]
    bad.write_text('[[outlets]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\n')
    r = subprocess.run([*UNTOLD, "import", str(bad), str(tmp_path / "none.warc.gz")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'none.warc.gz'}: WARC file not found (check the path)"]


def test_init_from_testlist(tmp_path: Path) -> None:
    csv = tmp_path / "kz.csv"
    csv.write_text("url,category_code,category_description,date_added,source,notes\n"
                   "https://kloop.kg/,NEWS,News Media,2014-04-15,citizenlab,blocked in KZ\n"
                   "https://example.org/x,HUMR,Human Rights,2014-04-15,citizenlab,\n")
    r = subprocess.run([*UNTOLD, "init", str(tmp_path / "s.toml"), "--from-testlist", str(csv)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from untold.config import load_study

    st = load_study(tmp_path / "s.toml")
    assert [o.domains for o in st.outlets] == [("kloop.kg",)]
    assert st.outlets[0].country == "KZ"
