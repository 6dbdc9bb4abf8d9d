"""Findings: calibration and power of every kind of finding, and speed.

Run from the repository root::

    .venv/bin/python benchmarks/findings_calibration.py            # everything
    .venv/bin/python benchmarks/findings_calibration.py --skip pipeline --skip speed  # (1)-(2)

Prints, in one process:

  (1) calibration: ``--studies`` (>= 200) simulated studies with no effect
      (``findings_sim.simulate``: 12 outlets in two groups, 30 days, 3 facts stated
      at one rate everywhere, an event naming one group, and story texts drawn from
      a Zipf vocabulary with time-varying topic words and outlets' house styles).
      Each kind of finding (omission by an outlet, by a group; silence after an
      event, at a change point; framing) is run as its own multiplicity family, and
      all rules together, as ``untold findings`` does. Per kind and overall: the
      share of studies with any test at q <= 0.05 (the level: nominal 5 %, target
      within +-2 points) and with any finding (also past the rule's effect-size
      thresholds, what a user sees: at most the level, so its target is <= 7 %),
      each with its 95 % Wilson interval. Then framing alone under the time
      artefact (the "state" outlets stop covering the story after the event, so
      their articles sit in the early days while the topic words move): with the
      rule's day strata, and with one stratum (the comparison without time) for
      contrast;
  (2) power: ``--power-studies`` simulated studies per kind with one effect planted at a
      stated size, all rules run together (texts only where framing is planted: one
      framing test more in the family changes the others' power by nothing visible,
      and texts double the time): the share where the planted pattern is found
      (target >= 90 %): an outlet never stating a fact the others state at
      60-95 % (8-20 story articles; and the corner: exactly 8, 60 %); a group stating
      a fact 30 points less often; a group's attention falling to a quarter after the
      event; the same from a day with no event near (change point); a group using one
      word in 70 % of its story articles against 15 % elsewhere (and 60 % against
      15 %, without a target; with the words wrongly listed beside it);
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from findings_sim import FRAMING_RATES, simulate  # noqa: E402

SMALLER_FRAMING = (0.6, 0.15)  # a smaller framing effect, reported without a target

from untold.analyze import framing  # noqa: E402
from untold.analyze.findings import Q_MAX, RULES, evaluate  # noqa: E402
from untold.analyze.findings_data import RuleTest, StoryData  # noqa: E402
from untold.analyze.stats import wilson  # noqa: E402

NOMINAL = Q_MAX
TOLERANCE = 0.02  # calibration target: nominal +- 2 percentage points
POWER_TARGET = 0.90
SPEED_TARGET_S = 10.0
KINDS: dict[str, tuple[str, ...]] = {  # kind of finding -> its rules
    "omission.outlet": ("omission.outlet",),
    "omission.group": ("omission.group",),
    "silence.event": ("silence.event_group", "silence.event_outlet"),
    "silence.change_point": ("silence.change_point",),
    "framing": ("framing.log_odds",),
}
GROUP_OMISSION = 0.30  # planted: the group states the fact 30 points less often
SILENCE_FACTOR = 0.25  # planted: the group's story attention falls to a quarter
EARLY_DAYS = 9  # planted: a drop this many days before the event (not an event silence)
EXTRA_FACTS = {  # with the example's two facts: ten facts, each in the story's four languages
    "men": "мужчин* OR men OR ер* OR эркек*", "authorities": "власт* OR authorities OR билік*",
    "recording": "запис* OR recording OR жазба* OR жазуу*", "unknown": "неизвестн* OR unknown",
    "two": "двух OR two OR екі OR эки", "published": "опубликова* OR published",
    "check": "провер* OR check* OR тексер*", "kazakhstan": "Казахстан* OR Kazakhstan OR Қазақстан*"}


def _family(data: StoryData, tests: dict[str, list[RuleTest]],
            rule_ids: tuple[str, ...]) -> tuple[bool, bool]:
    """(any test at q <= Q_MAX, any finding) with ``rule_ids`` as the only rules:
    ``evaluate`` itself, on the tests already computed."""
    def cached(rid: str) -> Callable[[StoryData, Any], list[RuleTest]]:
        return lambda d, c: tests[rid]

    rules = tuple(replace(r, condition=cached(r.id)) for r in RULES if r.id in rule_ids)
    res = evaluate(data, None, rules)
    return (any(t.detail.get("in_family") and float(t.detail.get("q_value", 1.0)) <= Q_MAX
                for t in res.tests), bool(res.findings))


def _null_one(args: tuple[int, dict[str, tuple[str, ...]]]) -> dict[str, tuple[bool, bool]]:
    """One no-effect study, the ``kinds`` given (texts only when framing is among them)."""
    seed, kinds = args
    data, _ = simulate(np.random.default_rng(seed), texts="framing" in kinds)
    wanted = {r for rules in kinds.values() for r in rules}
    tests = {r.id: r.run(data, None) for r in RULES if r.id in wanted}
    out = {kind: _family(data, tests, rules) for kind, rules in kinds.items()}
    out["all"] = _family(data, tests, tuple(tests))
    return out


def _artefact_one(seed: int) -> tuple[bool, bool, bool, bool]:
    """Framing alone, the "state" outlets silent after the event: (q, finding) with the
    day strata and with one stratum."""
    data, _ = simulate(np.random.default_rng(50_000 + seed), texts=True, silence=True)
    out: list[bool] = []
    for by_time in (True, False):
        tests = {"framing.log_odds": framing.framing_tests(data, None, by_time=by_time)}
        out += _family(data, tests, ("framing.log_odds",))
    return out[0], out[1], out[2], out[3]


def _power_one(args: tuple[str, int]) -> tuple[bool, float]:
    """One study with one planted effect of ``kind``; (found, extra figure)."""
    kind, seed = args
    rng = np.random.default_rng(10_000 + seed + 100_000 * list(KINDS).index(kind.split("/")[0]))
    extra = 0.0
    if kind.startswith("omission.outlet"):
        corner = kind.endswith("/corner")
        n = 8 if corner else int(rng.integers(8, 21))
        rate = 0.6 if corner else float(rng.uniform(0.6, 0.95))
        data, pl = simulate(rng, omission=True, omission_articles=n, omission_rate=rate)
        extra = pl.omission_n
    elif kind == "omission.group":
        data, pl = simulate(rng, group_omission=GROUP_OMISSION)
    elif kind == "silence.event":
        data, pl = simulate(rng, silence=True, silence_factor=SILENCE_FACTOR)
    elif kind == "silence.event/early":
        data, pl = simulate(rng, silence=True, silence_factor=SILENCE_FACTOR,
                            silence_lead=EARLY_DAYS)
    elif kind.startswith("silence.change_point"):
        group = "state" if kind.endswith("/state") else "independent"
        data, pl = simulate(rng, change=True, change_group=group,
                            silence_factor=SILENCE_FACTOR)
    else:
        data, pl = simulate(rng, framing=True, framing_rates=(
            SMALLER_FRAMING if kind.endswith("/smaller") else FRAMING_RATES))
    found = evaluate(data).findings
    state = {o for o, out in data.outlets.items() if "state" in out.groups}
    hit = False
    for f in found:
        if kind.startswith("omission.outlet"):
            hit |= (f.rule == "omission.outlet" and pl.omission is not None
                    and (f.subject, f.detail.get("fact")) == pl.omission)
        elif kind == "omission.group":
            hit |= (f.rule == "omission.group" and f.subject == "group:state"
                    and f.detail.get("fact") == pl.group_omission)
        elif kind == "silence.event/early" and f.rule == "silence.change_point":
            extra = 1.0  # the earlier drop is still reported, as a change point
        elif kind.startswith("silence.event"):
            hit |= ((f.rule == "silence.event_group" and "state" in f.subject)
                    or (f.rule == "silence.event_outlet" and f.subject in state))
        elif kind.startswith("silence.change_point"):
            hit |= f.rule == "silence.change_point"
        elif kind.startswith("framing") and f.rule == "framing.log_odds":
            state_side = "differing_group" if f.subject == "group:state" else "differing_others"
            listed = [r["term"] for k in ("differing_group", "differing_others")
                      for r in f.detail.get(k, [])]
            hit |= pl.framing in [r["term"] for r in f.detail.get(state_side, [])]
            extra += len([w for w in listed if w != pl.framing])
    return hit, extra


def _rate(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k / n:6.1%} [{lo:.1%}, {hi:.1%}]"


POWER = {  # planted effect -> (its stated size, has the >= 90 % target)
    "omission.outlet": ("an outlet with 8-20 story articles never states a fact the others "
                        "state at 60-95 %", True),
    "omission.outlet/corner": ("  the corner: exactly 8 articles, others at 60 %", False),
    "omission.group": (f"the group states a fact {GROUP_OMISSION * 100:.0f} points less "
                       "often (others at 60-95 %)", True),
    "silence.event": (f"the group's story attention falls to {SILENCE_FACTOR:.0%} after the "
                      "event", True),
    "silence.event/early": (f"  the same, beginning {EARLY_DAYS} days before the event: "
                            "an event silence here is false (target <= 5 %)", False),
    "silence.change_point": (f"the same ({SILENCE_FACTOR:.0%}) from day 6 of 30, no event "
                             "within 2 days, in the group the split names", True),
    "silence.change_point/state": ("the same in the other group of the split (the rule "
                                   "judges both sides)", True),
    "framing": (f"the group uses one word in {FRAMING_RATES[0]:.0%} of its story articles, "
                f"the others in {FRAMING_RATES[1]:.0%}", True),
    "framing/smaller": (f"  the same at {SMALLER_FRAMING[0]:.0%} against "
                        f"{SMALLER_FRAMING[1]:.0%}", False),
}


def statistics_layer(studies: int, power_studies: int, workers: int,
                     only: str = "") -> None:
    """(1) and (2); with ``only`` (a prefix such as "silence"), the kinds and planted
    effects whose names start with it, and no framing texts unless framing is among them."""
    kinds = {k: v for k, v in KINDS.items() if k.startswith(only)}
    planted = {k: v for k, v in POWER.items() if k.startswith(only)}
    t0 = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        null = list(pool.map(_null_one, [(s, kinds) for s in range(studies)], chunksize=4))
        artefact = (list(pool.map(_artefact_one, range(studies), chunksize=4))
                    if "framing" in kinds else [])
        jobs = [(k, s) for k in planted for s in range(power_studies)]
        power = dict(zip(jobs, pool.map(_power_one, jobs, chunksize=4), strict=True))
    took = time.perf_counter() - t0
    print(f"(1) calibration, {studies} no-effect studies (12 outlets, 30 days, texts; "
          f"{took:.0f} s for (1) and (2) on {workers} workers):")
    print(f"    {'kind (own family)':24} {'any q <= 0.05 [95 % CI]':26} {'/ 5 %':6} "
          f"{'3-7 %':6} {'any finding [95 % CI]':26} <= 7 %")
    for kind in [*kinds, "all"]:
        kq = sum(r[kind][0] for r in null)
        kf = sum(r[kind][1] for r in null)
        ok = abs(kq / studies - NOMINAL) <= TOLERANCE
        okf = kf / studies <= NOMINAL + TOLERANCE
        label = "all rules together" if kind == "all" else kind
        print(f"    {label:24} {_rate(kq, studies):26} {kq / studies / NOMINAL:6.2f} "
              f"{'PASS' if ok else 'FAIL':6} {_rate(kf, studies):26} "
              f"{'PASS' if okf else 'FAIL'}")
    if artefact:
        print(f"    time artefact, framing alone ({studies} studies; the \"state\" outlets "
              "stop covering the story after the event):")
    for label, i in (("day strata (the rule)", 0), ("one stratum (no time)", 2))[
            :2 if artefact else 0]:
        kq = sum(r[i] for r in artefact)
        kf = sum(r[i + 1] for r in artefact)
        mark = "PASS" if kf / studies <= NOMINAL + TOLERANCE else "FAIL"
        print(f"      {label:22} any q <= 0.05 {_rate(kq, studies)}, any finding "
              f"{_rate(kf, studies)}" + (f" ({mark})" if i == 0 else " (for contrast)"))
    print(f"(2) power, {power_studies} studies per planted effect, all rules together "
          f"(target >= {POWER_TARGET:.0%}):")
    for kind, (size, target) in planted.items():
        res = [power[(kind, s)] for s in range(power_studies)]
        k = sum(h for h, _ in res)
        n = power_studies
        mark = ("PASS" if k / n >= POWER_TARGET else "FAIL") if target else "-"
        line = (f"    {kind:27} {_rate(k, n):26} ratio {k / n / POWER_TARGET:.2f} "
                f"{mark:4} {size}")
        if kind == "omission.outlet":
            line += f" (median {int(np.median([x for _, x in res]))} articles)"
        if kind == "silence.event/early":
            ok = k / n <= NOMINAL
            line = (f"    {kind:27} {_rate(k, n):26} {'PASS' if ok else 'FAIL':4} {size}; "
                    f"change point found in {sum(x for _, x in res) / n:.0%}")
        if kind.startswith("framing"):
            line += (f"; other words listed as differing: {np.mean([x for _, x in res]):.2f} "
                     "a study")
        print(line)


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
    ap.add_argument("--studies", type=int, default=300,
                    help="simulated no-effect studies (>= 200)")
    ap.add_argument("--power-studies", type=int, default=200,
                    help="simulated studies per planted effect")
    ap.add_argument("--pipeline", type=int, default=20, help="generated archives each way")
    ap.add_argument("--pipeline-articles", type=int, default=3000)
    ap.add_argument("--articles", type=int, default=1_000_000, help="archive size for (4)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/untold-story-bench"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="", help="kinds whose names start with this (e.g. "
                    "'silence'): (1)-(2) for those only, faster")
    ap.add_argument("--skip", action="append", default=[], choices=["stats", "pipeline", "speed"])
    args = ap.parse_args()
    if "stats" not in args.skip:
        statistics_layer(max(args.studies, 1), max(args.power_studies, 1), args.workers,
                         args.only)
    if "pipeline" not in args.skip and args.pipeline > 0:
        pipeline(args.pipeline, args.pipeline_articles, args.workers)
    if "speed" not in args.skip:
        speed(args.workdir, args.articles)


if __name__ == "__main__":
    main()
