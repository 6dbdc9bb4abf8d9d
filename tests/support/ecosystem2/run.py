"""Serve ecosystem 2 and collect it with untold's real collector, pass by pass.

At each of ``scenario.PASSES`` the server's clock is set to the pass time and
untold collects what is new and revisits what is due (``revisit`` on the same
simulated time), as a cron job running through those six weeks would. The
study and ``ground_truth.json`` are written beside the archive.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support.ecosystem2 import scenario as sc
from tests.support.ecosystem2.generator import Ecosystem, generate
from tests.support.ecosystem2.server import EcoServer
from tests.support.ecosystem2.study import STUDY_FILE, study_toml
from tests.support.ecosystem2.truth import ground_truth

__all__ = ["GROUND_TRUTH_FILE", "collect_ecosystem", "connect"]

GROUND_TRUTH_FILE = "ground_truth.json"


def collect_ecosystem(dest: str | Path, *, eco: Ecosystem | None = None,
                      passes: Sequence[datetime] = sc.PASSES) -> dict[str, Any]:
    """Write the study and ground truth in ``dest``, serve the ecosystem and collect and
    revisit it at each pass time. Returns paths, per-pass stats, server hits and seconds."""
    from untold import api
    from untold.config import load_study

    eco = eco or generate()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    truth = ground_truth(eco)
    (dest / GROUND_TRUTH_FILE).write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    t0 = time.monotonic()
    collected, revisited = [], []
    with EcoServer(eco, now=passes[0]) as server:
        (dest / STUDY_FILE).write_text(study_toml(server.ports()), encoding="utf-8")
        study = load_study(dest / STUDY_FILE)
        for t in passes:
            server.now = t
            collected.append(api.collect(study))
            revisited.append(api.revisit(study, now=t))
    return {"study": dest / STUDY_FILE, "ground_truth": dest / GROUND_TRUTH_FILE,
            "truth": truth, "archive": study.archive_dir, "db": study.db_path,
            "collected": collected, "revisited": revisited, "hits": server.hits,
            "seconds": round(time.monotonic() - t0, 1), "eco": eco}


def connect(result: dict[str, Any]) -> sqlite3.Connection:
    """A read-only connection to the archive ``collect_ecosystem`` filled."""
    return sqlite3.connect(f"file:{Path(result['db'])}?mode=ro", uri=True)
