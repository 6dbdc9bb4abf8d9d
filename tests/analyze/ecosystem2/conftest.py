"""The collected ecosystem 2, built once per session, and its analyses through the CLI.

``eco2`` serves the ecosystem on loopback, collects and revisits it at every
pass time with untold's real collector (``run.collect_ecosystem``), then runs
the analyses as a user would: ``untold analyze``, ``untold findings`` and
``untold edits``, each ``--format json`` in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from contextlib import closing
from typing import Any

import pytest

from tests.support.ecosystem2.run import collect_ecosystem, connect

UNTOLD = [sys.executable, "-m", "untold"]
CLI_TIMEOUT = 600  # seconds for one analysis command on two busy cores


def run_cli(*args: str) -> Any:
    """An untold command's JSON output (the command must succeed)."""
    r = subprocess.run([*UNTOLD, *args], capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert r.returncode == 0, f"untold {' '.join(args)} failed:\n{r.stderr[-3000:]}"
    return json.loads(r.stdout)


@pytest.fixture(scope="session")
def eco2(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The collected archive's paths, ground truth, per-pass stats and the analyses' JSON."""
    result = collect_ecosystem(tmp_path_factory.mktemp("ecosystem2"))
    study = str(result["study"])
    t0 = time.monotonic()
    result["analyze"] = run_cli("analyze", study, "--format", "json")
    result["findings"] = run_cli("findings", study, "--format", "json")
    result["edits"] = run_cli("edits", study, "--format", "json")
    result["analysis_seconds"] = round(time.monotonic() - t0, 1)
    with closing(connect(result)) as conn:
        result["url_of"] = {int(i): str(u) for i, u in conn.execute("SELECT id, url FROM articles")}
    return result
