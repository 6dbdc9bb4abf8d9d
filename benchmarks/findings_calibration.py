"""Findings: calibration under no effect, power for a planted omission, and speed.

Run from the repository root::

    .venv/bin/python benchmarks/findings_calibration.py            # everything
    .venv/bin/python benchmarks/findings_calibration.py --articles 50000 --pipeline 10

Prints, in one process:

  (1) calibration, statistics layer: ``--studies`` (>= 200) simulated studies with
      no effect (``findings_sim.simulate``: 12 outlets in two groups, 30 days, 3
      facts stated at one rate everywhere, an event naming one group), each run
      through every rule and one Benjamini–Hochberg correction, as ``untold
      findings`` does (framing needs texts and is left to (3)). The share of
      studies with any test at q <= 0.05 (the statistical level; nominal 5 %, the
      target is within +-2 points) and with any finding (also past the effect-size
      thresholds: what a user would see);
  (2) power: ``--studies`` simulated studies with one planted omission (one outlet
      with 8-20 story articles never states a fact the others state at 60-95 %):
      the share where that omission is found (target >= 90 %), and at the corner
      (exactly 8 articles, reference 60 %);
  (3) the same through the full pipeline: ``--pipeline`` generated archives
      (``untold.demo.bulk.fill_archive``, text, FTS, facts by query, framing) with
      nothing planted, and as many with the example's planted omission and
      silence: share with any finding, share finding both plants;
  (4) speed: ``compute_findings`` for one story with 10 facts over 100 outlets in an
      archive of ``--articles`` articles (default 1,000,000; built once and cached
      under ``--workdir``, shared with story_speed.py), against the 10 s target,
      and the ratio to the baseline: counting the story's articles once with the
      query engine (``count_matches``), the least any analysis must do.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from findings_sim import simulate  # noqa: E402

from untold.analyze.findings import Q_MAX, evaluate  # noqa: E402

NOMINAL = Q_MAX
TOLERANCE = 0.02  # calibration target: nominal +- 2 percentage points
POWER_TARGET = 0.90
SPEED_TARGET_S = 10.0
EXTRA_FACTS = {  # with the example's two facts: ten facts, each in the story's four languages
    "men": "мужчин* OR men OR ер* OR эркек*", "authorities": "власт* OR authorities OR билік*",
    "recording": "запис* OR recording OR жазба* OR жазуу*", "unknown": "неизвестн* OR unknown",
    "two": "двух OR two OR екі OR эки", "published": "опубликова* OR published",
    "check": "провер* OR check* OR тексер*", "kazakhstan": "Казахстан* OR Kazakhstan OR Қазақстан*"}


def _null_one(seed: int) -> tuple[bool, bool, list[str]]:
    data, _ = simulate(np.random.default_rng(seed))
    r = evaluate(data)
    rejected = [t.rule for t in r.tests if t.detail.get("in_family")
                and float(t.detail.get("q_value", 1.0)) <= Q_MAX]
    return bool(rejected), bool(r.findings), rejected


def _power_one(args: tuple[int, bool]) -> tuple[bool, int, float]:
    """One study with a planted omission: 8-20 story articles at the omitting outlet
    and a reference rate of 60-95 % (``corner``: exactly 8 and 60 %)."""
    seed, corner = args
    rng = np.random.default_rng(10_000 + seed)
    n = 8 if corner else int(rng.integers(8, 21))
    rate = 0.6 if corner else float(rng.uniform(0.6, 0.95))
    data, pl = simulate(rng, omission=True, omission_articles=n, omission_rate=rate)
    r = evaluate(data)
    hit = any(f.rule == "omission.outlet" and pl.omission is not None
              and (f.subject, f.detail.get("fact")) == pl.omission for f in r.findings)
    return hit, pl.omission_n, pl.omission_rate


def statistics_layer(studies: int, workers: int) -> None:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        null = list(pool.map(_null_one, range(studies), chunksize=8))
        power = list(pool.map(_power_one, [(s, False) for s in range(studies)], chunksize=8))
        corner = list(pool.map(_power_one, [(s, True) for s in range(studies)], chunksize=8))
    any_q = sum(a for a, _, _ in null) / studies
    any_f = sum(b for _, b, _ in null) / studies
    se = (NOMINAL * (1 - NOMINAL) / studies) ** 0.5
    ok = abs(any_q - NOMINAL) <= TOLERANCE
    print(f"(1) calibration, statistics layer, {studies} no-effect studies "
          f"({time.perf_counter() - t0:.0f} s with (2)):")
    print(f"    any test at q <= {NOMINAL:.2f}: {any_q:.1%} (nominal {NOMINAL:.0%} +- "
          f"{TOLERANCE:.0%}: {'PASS' if ok else 'FAIL'}; Monte Carlo s.e. {se:.1%})")
    print(f"    any finding (q and effect-size thresholds): {any_f:.1%}")
    rules: dict[str, int] = {}
    for _, _, rej in null:
        for r in set(rej):
            rules[r] = rules.get(r, 0) + 1
    print(f"    studies with a rejection, by rule: {json.dumps(rules)}")
    pw = sum(h for h, _, _ in power) / studies
    pc = sum(h for h, _, _ in corner) / studies
    ns = [n for _, n, _ in power]
    print(f"(2) power, planted omission (reference rate 60-95 %, outlet with 8-20 story "
          f"articles, median {int(np.median(ns))}): {pw:.1%} found "
          f"(target >= {POWER_TARGET:.0%}: {'PASS' if pw >= POWER_TARGET else 'FAIL'})")
    print(f"    corner (exactly 8 articles, reference 60 %): {pc:.1%} found")


def _pipeline_one(args: tuple[int, bool, int]) -> tuple[int, bool, bool, list[str]]:
    seed, patterns, n_articles = args
    from untold import api
    from untold.demo.bulk import fill_archive

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "archive").mkdir()
        res = fill_archive(root / "archive" / "archive.sqlite", n_articles=n_articles,
                           seed=seed, patterns=patterns)
        (root / "study.toml").write_text(res["study_toml"], encoding="utf-8")
        found = api.compute_findings(root / "study.toml")
    truth = res["truth"]
    omission = any(f.rule == "omission.outlet" and f.subject in truth["omission"]
                   for f in found)
    silence = any(f.rule == "silence.event_outlet" and f.subject in truth["silent"]
                  for f in found)
    return len(found), omission, silence, [f"{f.rule}:{f.subject}" for f in found]


def pipeline(n: int, n_articles: int, workers: int) -> None:
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        null = list(pool.map(_pipeline_one, [(1000 + s, False, n_articles) for s in range(n)]))
        planted = list(pool.map(_pipeline_one, [(2000 + s, True, n_articles)
                                                for s in range(n)]))
    print(f"(3) full pipeline ({n_articles:,} ordinary articles a study, "
          f"{time.perf_counter() - t0:.0f} s):")
    false = [x for x in null if x[0]]
    print(f"    {n} no-effect archives: any finding in {len(false) / n:.0%} "
          f"({[x[3] for x in false]})")
    both = sum(1 for x in planted if x[1] and x[2]) / n
    print(f"    {n} planted archives: omission found {sum(x[1] for x in planted) / n:.0%}, "
          f"silence found {sum(x[2] for x in planted) / n:.0%}, both {both:.0%}")


def build_archive(workdir: Path, n: int, n_outlets: int, days: int, seed: int) -> Path:
    """The study file of a cached bulk archive (same layout and key as story_speed.py,
    so the two benchmarks share one 1,000,000-article archive); built when missing."""
    from untold.demo.bulk import fill_archive

    root = workdir / f"bulk-n{n}-o{n_outlets}-d{days}-s{seed}"
    if (root / "done.json").exists():
        return root / "study.toml"
    db = root / "archive" / "archive.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    for old in db.parent.glob("archive.sqlite*"):
        old.unlink()
    t0 = time.perf_counter()
    print(f"building the archive ({n:,} articles) under {root} ...", file=sys.stderr)
    info = fill_archive(db, n_articles=n, n_outlets=n_outlets, days=days, seed=seed)
    (root / "study.toml").write_text(info["study_toml"], encoding="utf-8")
    (root / "done.json").write_text(json.dumps({"built_s": time.perf_counter() - t0}))
    return root / "study.toml"


def speed(workdir: Path, n_articles: int) -> None:
    from untold.analyze.findings import run_story
    from untold.config import load_study
    from untold.query import count_matches
    from untold.store import open_store

    study_path = build_archive(workdir, n_articles, 100, 365, 1)
    st = load_study(study_path)
    story = st.stories[0]
    facts = {**story.facts, **EXTRA_FACTS}
    store = open_store(st.db_path)
    try:
        t0 = time.perf_counter()
        n_story = count_matches(store, story.query, since=story.start, until=story.end)
        base = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, found = run_story(store, st, story, facts=facts)
        took = time.perf_counter() - t0
        n_outlets = len(st.outlets)
    finally:
        store.close()
    print(f"(4) speed: one story ({n_story:,} articles), {len(facts)} facts, {n_outlets} "
          f"outlets, archive of {n_articles:,} articles: {took:.2f} s "
          f"({took / SPEED_TARGET_S:.2f} of the {SPEED_TARGET_S:.0f} s target: "
          f"{'PASS' if took < SPEED_TARGET_S else 'FAIL'}); baseline count_matches "
          f"{base:.3f} s, ratio {took / max(base, 1e-9):.0f}x; {len(found)} findings")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--studies", type=int, default=300, help="simulated studies (>= 200)")
    ap.add_argument("--pipeline", type=int, default=20, help="generated archives each way")
    ap.add_argument("--pipeline-articles", type=int, default=3000)
    ap.add_argument("--articles", type=int, default=1_000_000, help="archive size for (4)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/untold-story-bench"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip", action="append", default=[], choices=["stats", "pipeline", "speed"])
    args = ap.parse_args()
    if "stats" not in args.skip:
        statistics_layer(max(args.studies, 1), args.workers)
    if "pipeline" not in args.skip and args.pipeline > 0:
        pipeline(args.pipeline, args.pipeline_articles, args.workers)
    if "speed" not in args.skip:
        speed(args.workdir, args.articles)


if __name__ == "__main__":
    main()
