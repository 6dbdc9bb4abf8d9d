"""Library entry point for ``untold demo`` (re-exported by :mod:`untold.api`): the
bundled example built and run through every stage, as a user would run them."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from untold.api._archive import collect
from untold.api._common import load
from untold.api._edits import analyze_edits, revisit
from untold.api._findings import compute_findings, findings
from untold.api._ooni import install_fingerprints, ooni_import
from untold.api._probe import ProbeOptions, probe, start_probe_helper
from untold.api._report import report
from untold.api._stories import analyze

__all__ = ["demo"]


def demo(dest: str | Path = "untold-demo", *, scale: float = 1.0,
         progress: Callable[[str, Any], None] | None = None) -> dict[str, Any]:
    """Build the bundled example in ``dest`` and run the whole pipeline on it.

    Offline and for real: the example's outlets are served by a local server on
    127.0.0.1 (the study reaches it through ``[fetch] resolve``) whose clock steps
    through the example's two months; at each step untold collects what is new
    and revisits what is due, as a cron job would. Twice a day of that clock,
    untold's probe measures every outlet's home page from the collector's network
    (where the example's censor resets one outlet's TLS handshakes and answers a
    block page for another's name) against a real control, an ``untold helper``
    on 127.0.0.1; the example's OONI measurements from another network are
    imported. Then it analyses the story, computes the findings (omissions,
    silences, framing, edits) and writes the report. ``progress(stage, detail)``
    is told of each step. Returns the paths (study, ground truth, archive,
    report) and the stats of each stage.
    """
    from untold.demo import scenario as sc
    from untold.demo.generator import generate
    from untold.demo.measure import probe_options
    from untold.demo.ooni import example_fingerprints_csv, write_ooni_file
    from untold.demo.server import DemoServer
    from untold.demo.study import build_example
    from untold.demo.truth import blocking_truth

    def tell(stage: str, detail: Any = None) -> None:
        if progress is not None:
            progress(stage, detail)

    eco = generate(scale=scale)
    passes = sc.collect_passes()
    probes = sc.probe_times()
    # one clock for both: (time, what happens then), a pass counting as two steps
    steps = sorted([(t, "collect") for t in passes] + [(t, "probe") for t in probes])
    total = 2 * len(passes) + len(probes)
    collected: list[Any] = []
    revisited: list[Any] = []
    measured = 0
    dest = Path(dest)
    with DemoServer(eco, now=passes[0]) as server:
        # the port changes each run; the archive (and what it holds) stays
        paths = build_example(dest, port=server.port, tls_port=server.tls_port,
                              ca_file=server.ca_file, eco=eco)
        if server.dns_block_method != "blockpage":  # no second loopback address here
            truth = json.loads(paths["ground_truth"].read_text(encoding="utf-8"))
            truth["blocking"] = blocking_truth(server.dns_block_method)
            paths["ground_truth"].write_text(json.dumps(truth, ensure_ascii=False, indent=1),
                                             encoding="utf-8")
        st = load(paths["study"])
        # the example censor's block page, as a study carries the fingerprints of the
        # block pages of the networks it measures
        fp_file = dest / "ooni" / "example-blockpage.csv"
        fp_file.parent.mkdir(parents=True, exist_ok=True)
        fp_file.write_text(example_fingerprints_csv(), encoding="utf-8")
        install_fingerprints([fp_file], study=st)
        done = 0
        with _control_helper(server) as (control_url, token):
            opts = probe_options(server, control_url, token)
            for t, what in steps:
                server.now = t
                if what == "probe":
                    tell("probe", (done, total, t))
                    measured += len(_run_probes(st, opts, t))
                    done += 1
                    continue
                tell("collect", (done, total, t))
                # a simulation: its fetches are dated at its clock, so fetch counts,
                # first-seen times and versions line up with the example's time
                collected.append(collect(st, now=t))
                tell("revisit", (done + 1, total, t))
                revisited.append(revisit(st, now=t, date_captures=True))
                done += 2
    tell("import OONI measurements", None)
    ooni = ooni_import(st, [write_ooni_file(dest / "ooni", eco)])
    tell("analyze", None)
    stories = analyze(st)
    edits = analyze_edits(st)
    tell("findings", None)
    compute_findings(st)
    listed = findings(st)  # the statistics' findings and those of edits and deletions
    tell("report", None)
    out = report(st, analyze_missing=False)
    return {"study": paths["study"], "ground_truth": paths["ground_truth"],
            "archive": st.archive_dir, "report": out, "collected": collected,
            "revisited": revisited, "stories": stories, "edits": edits,
            "findings": listed, "measured": measured, "ooni": ooni}


@contextmanager
def _control_helper(server: Any) -> Iterator[tuple[str, str]]:
    """A real ``untold helper`` on 127.0.0.1 for the demo: yields (url, token)."""
    from untold.demo.measure import HELPER_BURST, HELPER_RATE_PER_S, control_options

    token = secrets.token_urlsafe(24)
    helper = start_probe_helper(
        "127.0.0.1:0", control_options(server), token=token, allow_private=True,
        allow_ports=[server.port, server.tls_direct_port], rate_per_s=HELPER_RATE_PER_S,
        burst=HELPER_BURST)
    helper.start()
    try:
        yield helper.url, token
    finally:
        helper.stop()


def _run_probes(study: Any, opts: ProbeOptions, t: datetime) -> list[dict[str, Any]]:
    """Probe every outlet's home page once at the example's time ``t`` and store it."""
    clock: Callable[[], datetime] = lambda: t  # noqa: E731 (the run's instant)
    return probe(study, options=opts, i_understand=True, articles_per_outlet=0, clock=clock)
