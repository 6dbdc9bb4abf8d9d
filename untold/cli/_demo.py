"""The ``untold demo`` command: thin, calling :mod:`untold.api` only."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from untold import api
from untold.cli._archive import status
from untold.cli._common import out, progress

__all__ = ["register"]


def demo(dest: Annotated[Path, typer.Argument(help="Where to build the example study.")]
         = Path("untold-demo"),
         scale: Annotated[float, typer.Option(
             min=0.01, max=1.0, help="Share of the example's ordinary news to build "
             "(the story and its planted patterns are always whole).")] = 1.0) -> None:
    """Build the bundled example, collect it from loopback, analyse it; print the report's path.

    The example is a synthetic news ecosystem with planted patterns (an omitted fact,
    a silence after a warning, reprints, an edit, deletions, an outlet blocked by a TLS
    reset, one by a DNS block page, one down for a day); its ground truth is written
    beside the study. untold's probe measures the outlets from the collector's network
    against a control helper started on 127.0.0.1, and OONI measurements from another
    network are imported.
    """
    t0 = time.monotonic()
    with progress() as p:
        task = p.add_task("building the example", total=None, rate=0.0, info="")

        def tick(stage: str, detail: Any) -> None:
            if stage in ("collect", "revisit", "probe"):
                done, n, t = detail
                p.update(task, description=f"{stage} (clock {t:%Y-%m-%d %H:%M})", total=n,
                         completed=done, rate=0.0, info=f"{time.monotonic() - t0:.0f} s")
            else:
                p.update(task, description=stage, info=f"{time.monotonic() - t0:.0f} s")

        res = api.demo(dest, scale=scale, progress=tick)
        p.update(task, description="done", completed=p.tasks[0].total)
    status(res["study"], format="table")
    found = res["findings"]
    kinds = Counter(f["kind"] for f in found)
    out.print(f"findings: {len(found)} "
              f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or 'none'}); "
              f"ground truth: {res['ground_truth']}")
    ooni = res["ooni"]
    out.print(f"reachability: {res['measured']} measurements by untold's probe (with a "
              f"control), {ooni.imported + ooni.already} OONI measurements imported")
    out.print(f"study: {escape(str(res['study']))}")
    out.print(f"archive: {escape(str(res['archive']))}")
    sys.stdout.flush()
    print(Path(res["report"]).resolve())


def register(app: typer.Typer) -> None:
    """Add this area's command to the main app."""
    app.command()(demo)
