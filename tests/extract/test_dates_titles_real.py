"""Dates, times of day and headlines of real pages against a hand annotation (issue 10).

The 181 pages of the Scrapinghub benchmark (../shared, MIT licence) were annotated
by hand: the visible dateline and headline are the truth, the page's metadata only
confirms (benchmarks/data/scrapinghub_dates_titles.json, with the evidence for each
page). untold's extraction must reach the issue's targets; these are accuracy
figures, not timings, so a regression fails here. benchmarks/extract_dates_titles.py
prints the same figures beside bare trafilatura and htmldate, and the pages missed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.scrapinghub import BenchmarkRun
from untold.extract.scoring import score_pages
from untold.extract.scoring_dates import Prediction, load_annotations, score_dates_titles

pytestmark = pytest.mark.slow

ANNOTATIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / \
    "scrapinghub_dates_titles.json"
TARGET_DAY = 0.99  # the targets
TARGET_TIME = 0.97
TARGET_TITLE = 0.90
TARGET_F1 = 0.964  # the body F1 before this work: not below it (to three decimals)


def _predictions(run: BenchmarkRun) -> dict[str, Prediction]:
    out = {}
    for key, res in run.results.items():
        a = res.article
        if a is None:
            continue
        day_only = (a.published_precision or a.extra.get("published_precision")) == "day"
        out[key] = Prediction(title=a.title, published=a.published, day_only=day_only)
    return out


def test_annotation_covers_the_benchmark(scrapinghub_run: BenchmarkRun) -> None:
    ann = load_annotations(ANNOTATIONS)
    assert sorted(a.id for a in ann) == sorted(scrapinghub_run.truth)
    assert sum(a.day is not None for a in ann) >= 170  # pages without a date are few
    assert sum(a.time is not None for a in ann) >= 130


def test_dates_times_and_titles_reach_the_targets(scrapinghub_run: BenchmarkRun,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    score = score_dates_titles(load_annotations(ANNOTATIONS), _predictions(scrapinghub_run))
    truth = {k: v["articleBody"] for k, v in scrapinghub_run.truth.items()}
    pred = {k: (r.article.text if r.article else None)
            for k, r in scrapinghub_run.results.items()}
    f1 = score_pages(truth, pred).f1.value
    with capsys.disabled():
        print(f"\nreal pages, untold: day {score.day_ok}/{score.day_n} = {score.day:.3f}, "
              f"time {score.time_ok}/{score.time_n} = {score.time:.3f}, "
              f"title {score.title_ok}/{score.title_n} = {score.title:.3f}, body F1 {f1:.4f}")
    assert score.title >= TARGET_TITLE, score.misses["title"]
    assert score.day >= TARGET_DAY, score.misses["day"]
    assert score.time >= TARGET_TIME, score.misses["time"]
    assert round(f1, 3) >= TARGET_F1
