"""Serve the example and collect it with untold's real collector, pass by pass (test support).

The server's clock is set to each pass time in turn (weekly, plus one between
the story's break and the warning), so the archive sees the ecosystem as a
collector running through those two months would: articles before they were
edited or deleted, the blocked outlet's TLS handshakes reset from its block time
on, and the outlet that is down failing during its outage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from untold.demo import scenario as sc
from untold.demo.generator import Ecosystem, generate
from untold.demo.server import DemoServer
from untold.demo.study import build_example

__all__ = ["collect_example"]


def collect_example(dest: str | Path, *, eco: Ecosystem | None = None,
                    passes: Sequence[datetime] | None = None,
                    progress: Callable[..., None] | None = None) -> dict[str, Any]:
    """Build the example in ``dest``, serve it and collect it at each pass time.

    Returns the study and ground-truth paths, the archive directory, the
    ground truth and one ``CollectStats`` per pass.
    """
    from untold import api
    from untold.config import load_study

    eco = eco or generate()
    with DemoServer(eco) as server:
        # the port changes each run; the archive (and what it holds) stays
        paths = build_example(dest, port=server.port, tls_port=server.tls_port,
                              ca_file=server.ca_file, eco=eco)
        study = load_study(paths["study"])
        stats = []
        for t in passes if passes is not None else sc.collect_passes():
            server.now = t
            stats.append(api.collect(study, progress=progress))
    return {**paths, "archive": study.archive_dir, "stats": stats, "server_hits": server.hits}
