"""untold's extraction on the Scrapinghub article-extraction benchmark (181 pages).

Runs the whole ``extract_page`` pipeline (bytes in, as the importer calls it)
and scores the text with the benchmark's own method. Published for the same
pages: trafilatura 2.0.0 F1 0.958 ± 0.006.
"""

from __future__ import annotations

import pytest

from tests.support.scrapinghub import BenchmarkRun
from untold.extract.scoring import score_pages

pytestmark = pytest.mark.slow

MIN_F1 = 0.95  # below the published trafilatura figure minus one std: a real regression


def test_extraction_f1_on_scrapinghub_benchmark(scrapinghub_run: BenchmarkRun,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert len(scrapinghub_run.truth) == 181
    truth: dict[str, str | None] = {}
    pred: dict[str, str | None] = {}
    skipped: dict[str, str] = {}
    for key, item in scrapinghub_run.truth.items():
        truth[key] = item["articleBody"]
        res = scrapinghub_run.results[key]
        if res.article is None:
            skipped[key] = res.skipped or "?"
            pred[key] = None
        else:
            pred[key] = res.article.text
    score = score_pages(truth, pred)
    with capsys.disabled():
        print(f"\nScrapinghub benchmark, untold extract_page: {score.summary()}"
              f"  skipped={len(skipped)}")
    assert score.pages == 181
    assert score.f1.value >= MIN_F1, (score.summary(), skipped)
