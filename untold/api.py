"""Library entry points. The CLI and the web dashboard call only these.

Each function takes a study file path (or a loaded :class:`Study`) and does one
user-level job; long jobs accept a ``progress`` callback.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from untold.config import Study, load_study
from untold.errors import ConfigError, UntoldError
from untold.store import Store, open_store

__all__ = [
    "archive_check",
    "collect",
    "export",
    "import_warcs",
    "init_study",
    "load",
    "open_archive",
    "search",
    "status",
    "testlist_to_toml",
]

StudyLike = str | Path | Study


def load(study: StudyLike) -> Study:
    return study if isinstance(study, Study) else load_study(study)


def open_archive(study: StudyLike, *, readonly: bool = False) -> Store:
    """The study's archive; created (and migrated) on first write."""
    return open_store(load(study).db_path, readonly=readonly)


def init_study(path: str | Path, *, force: bool = False, testlist: Path | None = None,
               country: str | None = None) -> Path:
    """Write a commented example study file (optionally with a test list's outlets)."""
    path = Path(path)
    if path.exists() and not force:
        raise ConfigError("file exists", source=str(path), hint="use --force to overwrite")
    text = resources.files("untold").joinpath("data/study.example.toml").read_text("utf-8")
    if testlist is not None:
        head, _, _ = text.partition("# One [[outlets]] table per outlet.")
        text = head + testlist_to_toml(testlist, country=country)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def testlist_to_toml(csv_path: Path, *, country: str | None = None) -> str:
    """``[[outlets]]`` tables for the NEWS rows of a Citizen Lab test-list CSV."""
    from untold.collect.testlists import outlets_from_testlist, outlets_to_toml

    return outlets_to_toml(outlets_from_testlist(Path(csv_path), country=country))


def collect(study: StudyLike, *, outlets: Sequence[str] = (),
            progress: Callable[..., None] | None = None, transport: Any = None,
            now: datetime | None = None) -> Any:
    """Discover and fetch new articles (see ``collect.pipeline``). ``now`` dates the
    fetches on a simulated clock (the demo); default the wall clock."""
    from untold.collect.pipeline import collect as run

    st = load(study)
    unknown = set(outlets) - {o.id for o in st.outlets}
    if unknown:
        raise ConfigError(f"no outlet with id {sorted(unknown)[0]!r}", source=str(st.path))
    store = open_archive(st)
    try:
        return run(st, store, outlets=outlets, progress=progress, transport=transport,
                   clock=(lambda: now) if now is not None else None)
    finally:
        store.close()


def import_warcs(study: StudyLike, files: Sequence[Path], *, only_study_outlets: bool = False,
                 progress: Callable[..., None] | None = None,
                 workers: int | None = None) -> Any:
    """Load web archives (own crawls, CC-NEWS) into the study's archive."""
    from untold.collect.warcimport import import_warcs as run

    st = load(study)
    for f in files:
        if not Path(f).is_file():
            raise UntoldError("WARC file not found", source=str(f))
    store = open_archive(st)
    try:
        store.sync_outlets(st.outlets)
        return run(st, store, [Path(f) for f in files], only_study_outlets=only_study_outlets,
                   workers=workers, progress=progress)
    finally:
        store.close()


def status(study: StudyLike) -> list[dict[str, Any]]:
    """Per outlet: articles, date range, last success, frontier and recent failures."""
    st = load(study)
    if not st.db_path.exists():
        return [{"outlet": o.id, "name": o.name, "curated": True, "articles": 0,
                 "first_published": None, "last_published": None, "last_success": None,
                 "failures": {}, "frontier": {}} for o in st.outlets]
    store = open_archive(st, readonly=True)
    try:
        rows = store.outlet_status()
        counts = store.frontier_counts()
        for r in rows:
            r["frontier"] = counts.get(r["outlet"], {})
        return rows
    finally:
        store.close()


def export(study: StudyLike, fmt: str, out: Path | None = None) -> tuple[Path, int]:
    """Write the archive's articles as jsonl, csv or parquet; return (path, count)."""
    from untold.report.export import FORMATS, export_articles

    st = load(study)
    if fmt not in FORMATS:
        raise UntoldError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    out = Path(out) if out else st.archive_dir / f"articles.{fmt}"
    store = open_archive(st, readonly=True)
    try:
        n = export_articles(store.iter_articles(), fmt, out)
    finally:
        store.close()
    return out, n


def archive_check(study: StudyLike, *, quick: bool = False, deep: bool = False,
                  workers: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Any:
    """Is the evidence there? The database's integrity and every capture's WARC record.

    Returns a :class:`untold.collect.evidence.CheckReport` (``.ok``, ``.lines()``):
    the SQLite and full-text index checks, then each capture matched with its WARC
    record, imported WARC files that moved or changed, and notes (a killed run's
    truncated tail). Default (full): the stored bytes of each record hashed and
    compared with their digest taken at capture time (imported files: whole, with
    the registry); ``quick``: record headers only; ``deep``: every record inflated
    and its payload's digest verified. The database is checked on a connection of
    its own while the WARC files are read.
    """
    from untold.collect.evidence import DEEP, FULL, QUICK, check_evidence
    from untold.errors import UsageError

    if quick and deep:
        raise UsageError("--quick and --deep exclude each other", source="--deep",
                         hint="give one of them (or neither, for the full check)")
    st = load(study)
    if not st.db_path.exists():
        raise UntoldError("archive not found", source=str(st.db_path),
                          hint="run 'untold collect' or 'untold import' first")
    mode = QUICK if quick else DEEP if deep else FULL
    store = open_archive(st)
    try:
        return check_evidence(store, st.warc_dir, mode=mode, workers=workers,
                              progress=progress,
                              database=lambda: _database_problems(st, thorough=deep))
    finally:
        store.close()


def _database_problems(st: Study, *, thorough: bool) -> list[str]:
    """The database's own checks, on a connection of their own (they run in a thread);
    SQLite's full index-by-index integrity check only with ``--deep``."""
    store = open_archive(st)  # FTS5's integrity-check is issued as a write
    try:
        return store.integrity_check(thorough=thorough)
    finally:
        store.close()


def disk_usage(study: StudyLike) -> int:
    st = load(study)
    return sum(p.stat().st_size for p in st.archive_dir.rglob("*") if p.is_file()) \
        if st.archive_dir.exists() else 0


def remove_archive(study: StudyLike) -> None:
    st = load(study)
    if st.archive_dir.exists():
        shutil.rmtree(st.archive_dir)


def search(study: StudyLike, query: str, *, since: Any = None, until: Any = None,
           outlets: Sequence[str] = (), groups: Sequence[str] = (),
           limit: int | None = None) -> list[Any]:
    """Articles matching a search-language query (see ``untold.query``), oldest first."""
    from untold.query import parse
    from untold.query import search as run

    node = parse(query)  # fail on a bad query before touching the archive
    store = open_archive(study, readonly=True)
    try:
        return run(store, node, since=since, until=until, outlets=outlets, groups=groups,
                   limit=limit)
    finally:
        store.close()


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
    from untold.api_edits import analyze_edits, revisit
    from untold.api_findings import compute_findings, findings
    from untold.api_ooni import install_fingerprints, ooni_import
    from untold.api_report import report
    from untold.api_stories import analyze
    from untold.demo import scenario as sc
    from untold.demo.generator import generate
    from untold.demo.measure import control_helper, probe_options, run_probes
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
        st = load_study(paths["study"])
        # the example censor's block page, as a study carries the fingerprints of the
        # block pages of the networks it measures
        fp_file = dest / "ooni" / "example-blockpage.csv"
        fp_file.parent.mkdir(parents=True, exist_ok=True)
        fp_file.write_text(example_fingerprints_csv(), encoding="utf-8")
        install_fingerprints([fp_file], study=st)
        done = 0
        with control_helper(server) as (control_url, token):
            opts = probe_options(server, control_url, token)
            for t, what in steps:
                server.now = t
                if what == "probe":
                    tell("probe", (done, total, t))
                    measured += len(run_probes(st, server, opts, t))
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


# Areas keep their entry points in their own modules; this is the one surface.
from untold.api_edits import *  # noqa: E402,F403
from untold.api_findings import *  # noqa: E402,F403
from untold.api_ooni import *  # noqa: E402,F403
from untold.api_probe import *  # noqa: E402,F403
from untold.api_report import *  # noqa: E402,F403
from untold.api_stories import *  # noqa: E402,F403
