"""Story analysis speed: coverage matrix + daily attention by group for one query.

Builds (once, cached under ``--workdir``) an archive of N articles over M
outlets and D days, then times, in this one process:

  (a) untold: ``compute_story`` over the whole period with daily buckets (FTS5
      match set; SQL GROUP BY over it; the per-day article summary for the
      denominators, brought up to date first; index range counts for the
      fetches; reprints; samples), best of ``--repeat``;
  (b) baseline: one pass over the same texts (title + body) from the same
      archive with compiled Python regexes, counting matches and output per
      outlet and day, and per group and day, in dicts.

Prints both times, their ratio (target: (a) < 1 s at 1,000,000 articles and
(b)/(a) >= 50), whether the two agree on the matches per outlet, the time to
store the result as observations, and the archive's size on disk per article.

Run: ``.venv/bin/python benchmarks/story_speed.py`` (1,000,000 articles; the
first run builds the archive, later runs reuse it); ``--articles 50000`` for a
quick run. The archive comes from ``untold.demo.bulk.fill_archive`` (the
example's outlets and planted patterns: its story, reprints, a silent outlet).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from untold.analyze.attention import floor_time
from untold.analyze.daycounts import refresh
from untold.analyze.stories import compute_story, save_story_result
from untold.config import Study, load_study
from untold.demo.bulk import fill_archive
from untold.store import open_store
from untold.timeutil import from_iso

TARGET_SECONDS = 1.0
TARGET_REPORT_SECONDS = 30.0  # `untold report` on the 1,000,000-article archive
TARGET_RATIO = 50.0
# The baseline's regexes, all of which must match (title + text, any case): what a
# researcher would write for the bulk story's query (video AND killing, as Russian,
# English and Kazakh/Kyrgyz word starts).
BULK_REGEXES = (r"\b(?:видео|video|бейнежазба)", r"\b(?:казн|execution|өлтір|өлтүр)")


def build_archive(workdir: Path, n: int, n_outlets: int, days: int, seed: int) -> Path:
    """The study file of a cached archive with these parameters (built when missing)."""
    key = f"bulk-n{n}-o{n_outlets}-d{days}-s{seed}"
    root = workdir / key
    study_path = root / "study.toml"
    if (root / "done.json").exists():
        return study_path
    root.mkdir(parents=True, exist_ok=True)
    db = root / "archive" / "archive.sqlite"
    for p in db.parent.glob("archive.sqlite*"):
        p.unlink()
    db.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    print(f"building the archive ({n:,} articles) under {root} ...", file=sys.stderr)
    info = fill_archive(db, n_articles=n, n_outlets=n_outlets, days=days, seed=seed,
                        patterns=True)
    store = open_store(db)
    lo, hi = store.conn.execute("SELECT MIN(COALESCE(published, fetched_at)), "
                                "MAX(COALESCE(published, fetched_at)) FROM articles").fetchone()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    study_path.write_text(info["study_toml"], encoding="utf-8")
    (root / "done.json").write_text(json.dumps({"built_s": time.perf_counter() - t0,
                                                "first": lo, "last": hi}))
    return study_path


def baseline(study: Study, regexes: list[str], start: str,
             end: str) -> tuple[float, Counter[str]]:
    """One pass over every text with compiled regexes (all must match), counting in dicts:
    story articles and output per outlet and day, then per group and day."""
    t0 = time.perf_counter()
    patterns = [re.compile(r, re.IGNORECASE) for r in regexes]
    groups_of = {o.id: o.groups for o in study.outlets}
    matching: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    store = open_store(study.db_path, readonly=True)
    cur = store.conn.execute("SELECT outlet_id, COALESCE(published, fetched_at), title, text "
                             "FROM articles")
    for outlet, t, title, text in cur:
        if not start <= t < end:
            continue
        day = t[:10]
        total[(outlet, day)] += 1
        doc = title + "\n" + text
        if all(p.search(doc) for p in patterns):
            matching[(outlet, day)] += 1
    store.close()
    by_group: Counter[tuple[str, str]] = Counter()
    group_total: Counter[tuple[str, str]] = Counter()
    per_outlet: Counter[str] = Counter()
    for (outlet, day), k in matching.items():
        per_outlet[outlet] += k
        for g in groups_of.get(outlet, ()):
            by_group[(g, day)] += k
    for (outlet, day), k in total.items():
        for g in groups_of.get(outlet, ()):
            group_total[(g, day)] += k
    return time.perf_counter() - t0, per_outlet


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/untold-story-bench"),
                    help="where the archive is built and cached")
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--outlets", type=int, default=100)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--query", default=None, help="story query (default: the archive's story)")
    ap.add_argument("--regex", action="append", default=None,
                    help="the baseline's regex (repeat: all must match); default: the "
                         "equivalent of the archive's story")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-report", dest="report", action="store_false",
                    help="skip timing `untold report` on the archive")
    args = ap.parse_args()

    study_path = build_archive(args.workdir, args.articles, args.outlets, args.days, args.seed)
    built = json.loads((study_path.parent / "done.json").read_text())
    study = load_study(study_path)
    # the whole period as the window: every article of the year is counted
    first, last = from_iso(built["first"]), from_iso(built["last"])
    assert first is not None and last is not None
    story = study.stories[0].model_copy(update={
        "start": floor_time(first, "day"), "end": floor_time(last, "day") + timedelta(days=1),
        **({"query": args.query} if args.query else {})})
    regexes = args.regex or list(BULK_REGEXES)
    db_files = list(study.db_path.parent.glob("archive.sqlite*"))
    size = sum(p.stat().st_size for p in db_files)
    store = open_store(study.db_path)
    n = store.count_articles()
    t0 = time.perf_counter()
    summary = refresh(store)  # once per new articles, as `untold analyze` does
    summary_s = time.perf_counter() - t0
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = compute_story(store, study, story, bucket="day")
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    ours, ours_cpu = min(times), min(cpu)
    t0 = time.perf_counter()
    save_story_result(store, result)
    stored = time.perf_counter() - t0
    store.close()
    c0 = time.process_time()
    base_s, base_counts = baseline(study, regexes, result.window_start, result.window_end)
    base_cpu = time.process_time() - c0
    ours_counts = {c.outlet_id: c.matching for c in result.coverage if c.matching}
    common = sum(min(base_counts[o], ours_counts.get(o, 0)) for o in base_counts)

    print(f"archive: {n:,} articles, {len(study.outlets)} outlets, window "
          f"{result.window_start[:10]} .. {result.window_end[:10]} (daily buckets)")
    print(f"archive size on disk: {size / 1e6:,.1f} MB = {size / max(n, 1):,.0f} bytes/article")
    print(f"story {story.query!r}: {result.matching_total:,} matching articles, "
          f"{len(result.coverage)} coverage rows, {len(result.attention):,} attention points "
          f"({sum(1 for p in result.attention if p.subject_kind == 'group'):,} group-days), "
          f"{len(result.reprints):,} reprints")
    print(f"(a) untold, coverage matrix + daily attention by group and outlet: {ours:.3f} s "
          f"wall, {ours_cpu:.3f} s CPU (best of {args.repeat}: "
          f"{', '.join(f'{t:.3f}' for t in times)}); target < {TARGET_SECONDS} s -> "
          f"{'OK' if ours < TARGET_SECONDS else 'MISSED'}")
    print(f"(b) baseline, compiled regex over every text {regexes}: {base_s:.2f} s wall, "
          f"{base_cpu:.2f} s CPU")
    ratio, ratio_cpu = base_s / ours, base_cpu / max(ours_cpu, 1e-9)
    print(f"ratio (b)/(a): {ratio:,.0f}x wall, {ratio_cpu:,.0f}x CPU; target >= "
          f"{TARGET_RATIO:.0f}x -> {'OK' if ratio >= TARGET_RATIO else 'MISSED'}")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall times stretch on a busy machine; CPU times much less)")
    print(f"agreement: regex {sum(base_counts.values()):,} story articles, untold "
          f"{sum(ours_counts.values()):,}; {common:,} the same per outlet "
          "(the index matches word stems, the regex word starts)")
    print(f"per-day article summary before timing: {summary} in {summary_s:.2f} s "
          "(built once, then extended by new articles)")
    print(f"storing the result as observations: {stored:.3f} s")
    if args.report:
        # `untold report` as a user runs it: a fresh process, the study's stored analysis
        out = args.workdir / "report.html"
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "untold", "report", str(study_path),
                            "-o", str(out)], capture_output=True, text=True)
        rep_s = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"untold report failed: {r.stderr[-2000:]}")
        print(f"(c) untold report on this archive: {rep_s:.1f} s wall "
              f"({out.stat().st_size / 1e6:.1f} MB); target < {TARGET_REPORT_SECONDS:.0f} s -> "
              f"{'OK' if rep_s < TARGET_REPORT_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
