"""First reports, lags and reprints by date precision (issue 10, case 4): an article whose
date is only a day (stored as 00:00 UTC of it) is any time that day in its outlet's zone,
so it never wins a first report, nor counts as the original of a reprint, against a timed
article of the same day; its lag is in days. Real SQLite archive, real report HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from untold.analyze.stories import analyze_story
from untold.config import load_study
from untold.models import CaptureRecord, ExtractedArticle
from untold.report.context import ReportContext
from untold.report.sections_story import story_section
from untold.store import NewArticle, open_store
from untold.text.minhash import minhash_signature, text_hash

STUDY = """
[study]
name = "precision"
archive = "arch"

[[outlets]]
id = "dayonly"
name = "Day Only"
domains = ["dayonly.example"]
country = "KZ"

[[outlets]]
id = "timed"
name = "Timed"
domains = ["timed.example"]
country = "KZ"

[[stories]]
id = "quake"
title = "Earthquake"
query = "землетрясение"
start = 2026-03-09T00:00:00Z
end = 2026-03-13T00:00:00Z
"""

QUAKE = ("В Алматы ночью произошло землетрясение магнитудой пять баллов, толчки ощущались "
         "во многих районах города, жители выходили на улицы, сообщений о разрушениях и "
         "пострадавших пока не поступало, спасатели проверяют состояние зданий и дорог.")


def _archive(tmp_path: Path, articles: list[tuple[str, datetime, str]]) -> Path:
    """(outlet, published, precision) articles, all with the same story text."""
    path = tmp_path / "study.toml"
    path.write_text(STUDY, encoding="utf-8")
    study = load_study(path)
    store = open_store(study.db_path)
    try:
        store.sync_outlets(study.outlets)
        for n, (outlet, published, precision) in enumerate(articles, start=1):
            url = f"https://{outlet}.example/{n}"
            fetched = datetime(2026, 3, 12, tzinfo=UTC)
            cid = store.add_capture(CaptureRecord(
                url=url, outlet_id=outlet, kind="article", fetched_at=fetched, status=200,
                failure=None, warc_file="t.warc.gz", warc_offset=n, warc_length=1,
                sha256=f"{n:064x}"))
            text = QUAKE + f" Материал {outlet}."
            art = ExtractedArticle(
                url=url, canonical_url=url, title="Землетрясение", text=text, author=None,
                published=published, language="ru", language_confidence=0.9,
                text_hash=text_hash(text), minhash=minhash_signature(text),
                published_precision=precision, published_source="time")
            store.add_articles([NewArticle(art, outlet, cid, fetched, f"{n:064x}")])
    finally:
        store.close()
    return path


def _analyse(path: Path) -> object:
    study = load_study(path)
    store = open_store(study.db_path)
    try:
        return analyze_story(store, study, "quake")
    finally:
        store.close()


def test_a_day_only_date_never_wins_over_a_timed_one_that_day(tmp_path: Path) -> None:
    # the day-only article was stored first and labels its day 00:00 UTC; the timed
    # one is 17:00 in Almaty the same day
    path = _archive(tmp_path, [("dayonly", datetime(2026, 3, 10, tzinfo=UTC), "day"),
                               ("timed", datetime(2026, 3, 10, 12, tzinfo=UTC), "time")])
    result = _analyse(path)
    first = result.first_report  # type: ignore[attr-defined]
    assert (first.outlet_id, first.published_precision) == ("timed", "time")
    cov = {c.outlet_id: c for c in result.coverage}  # type: ignore[attr-defined]
    assert (cov["timed"].lag_hours, cov["timed"].lag_days) == (0.0, None)
    assert (cov["dayonly"].first_precision, cov["dayonly"].lag_hours,
            cov["dayonly"].lag_days) == ("day", None, 0)
    # the texts are near-duplicates: which copied which cannot be told the same day
    assert result.reprints == ()  # type: ignore[attr-defined]
    html = story_section(result, ReportContext(title="t"))  # type: ignore[arg-type]
    assert "2026-03-10 (date only)" in html and "same day (date only)" in html
    assert "2026-03-10 00:00" not in html  # never shown as a time it does not have


def test_a_day_that_ended_before_the_timed_article_still_comes_first(tmp_path: Path) -> None:
    # 20:00 UTC on the 10th is 01:00 on the 11th in Almaty: the day-only article's day
    # (the 10th, in its outlet's zone) ended before it
    path = _archive(tmp_path, [("timed", datetime(2026, 3, 10, 20, tzinfo=UTC), "time"),
                               ("dayonly", datetime(2026, 3, 10, tzinfo=UTC), "day")])
    result = _analyse(path)
    assert result.first_report.outlet_id == "dayonly"  # type: ignore[attr-defined]
    cov = {c.outlet_id: c for c in result.coverage}  # type: ignore[attr-defined]
    assert (cov["timed"].lag_hours, cov["timed"].lag_days) == (None, 1)
    (rep,) = result.reprints  # type: ignore[attr-defined]
    assert (rep.outlet_id, rep.of_outlet_id) == ("timed", "dayonly")


@pytest.mark.slow
def test_the_cli_table_shows_a_day_only_first_report_as_a_day(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _archive(tmp_path, [("timed", datetime(2026, 3, 10, 20, tzinfo=UTC), "time"),
                               ("dayonly", datetime(2026, 3, 10, tzinfo=UTC), "day")])
    done = subprocess.run([sys.executable, "-m", "untold", "analyze", str(path)],
                          capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    assert "2026-03-10 (date only)" in done.stdout
    assert "2026-03-10 00:00" not in done.stdout
    js = subprocess.run([sys.executable, "-m", "untold", "analyze", str(path), "--format",
                         "json"], capture_output=True, text=True, timeout=120)
    row = __import__("json").loads(js.stdout)[0]
    assert (row["first_outlet"], row["first_precision"]) == ("dayonly", "day")
