"""``api.analyze`` / ``api.story_results`` and ``untold analyze`` on a real archive."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.archives.stories import STUDY, build
from untold import api
from untold.errors import ConfigError, StoreError
from untold.models import CaptureRecord, ExtractedArticle
from untold.store import NewArticle, open_store
from untold.text.minhash import minhash_signature, text_hash


@pytest.fixture(scope="module")
def study_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("stories-api"))


def untold(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "untold", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_analyze_stores_every_story_and_reports_progress(study_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    results = api.analyze(study_path, progress=lambda *a: calls.append(a))
    assert [r.story_id for r in results] == ["kz", "open", "none"]
    assert calls == [(0, 3, "kz"), (1, 3, "open"), (2, 3, "none"), (3, 3, "")]
    assert all(r.run_id is not None for r in results)
    assert api.story_results(study_path) == results
    one = api.analyze(study_path, story_ids=["none"], bucket="day")
    assert [r.bucket for r in one] == ["day"]
    assert [r.run_id for r in api.story_results(study_path)] == [
        results[0].run_id, results[1].run_id, one[0].run_id]
    summary = api.story_summary(results[0])
    assert {k: summary[k] for k in ("matching", "reprints", "covered", "silent", "unreachable",
                                    "no_output", "not_collected", "uncurated_covered",
                                    "first_outlet", "first_time")} == {
        "matching": 6, "reprints": 2, "covered": 3, "silent": 1, "unreachable": 2,
        "no_output": 1, "not_collected": 1, "uncurated_covered": 1,
        "first_outlet": "state1", "first_time": "2026-03-10T09:00:00Z"}


def test_unknown_story_and_missing_archive(tmp_path: Path, study_path: Path) -> None:
    with pytest.raises(ConfigError, match="no story with id 'zz'"):
        api.analyze(study_path, story_ids=["zz"])
    fresh = tmp_path / "fresh.toml"
    fresh.write_text(STUDY, encoding="utf-8")
    assert api.story_results(fresh) == []
    with pytest.raises(StoreError, match="archive not found"):
        api.analyze(fresh)
    empty = tmp_path / "empty.toml"
    empty.write_text('[study]\nname = "e"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="no stories"):
        api.analyze(empty)


def test_own_republication_is_not_a_reprint(tmp_path: Path) -> None:
    """A near-duplicate of the outlet's OWN earlier text stays original."""
    path = tmp_path / "s.toml"
    path.write_text('[[outlets]]\nid = "a"\nname = "A"\ndomains = ["a.example"]\n'
                    '[[stories]]\nid = "s"\ntitle = "S"\nquery = "учения"\n', encoding="utf-8")
    st = api.load(path)
    store = open_store(st.db_path)
    text = ("Сегодня в Казахстане начались учения спасателей и продлятся до пятницы по "
            "всей стране с участием военных и добровольцев из разных городов и сёл.")
    for n, (day, body) in enumerate([(10, text), (11, text + " Обновлено.")], start=1):
        t = datetime(2026, 3, day, 9, tzinfo=UTC)
        url = f"https://a.example/{n}"
        cid = store.add_capture(CaptureRecord(url=url, outlet_id="a", kind="article",
                                              fetched_at=t, status=200, failure=None,
                                              warc_file=None, warc_offset=None,
                                              warc_length=None, sha256=None))
        store.add_articles([NewArticle(ExtractedArticle(
            url=url, canonical_url=url, title="Учения", text=body, author=None, published=t,
            language="ru", language_confidence=1.0, text_hash=text_hash(body),
            minhash=minhash_signature(body)), "a", cid, t, None)])
    linked = store.conn.execute("SELECT COUNT(*) FROM near_duplicates").fetchone()[0]
    store.close()
    assert linked == 1  # the store did link them
    [r] = api.analyze(path)
    assert r.reprints == ()
    assert (r.coverage[0].matching, r.coverage[0].original, r.coverage[0].reprints) == (2, 2, 0)


@pytest.mark.timeout(120)
@pytest.mark.slow
def test_cli_analyze_prints_a_summary(study_path: Path) -> None:
    res = untold("analyze", str(study_path), "--story", "kz")
    assert res.returncode == 0, res.stderr
    line = next(ln for ln in res.stdout.splitlines() if "│ kz" in ln)
    cells = [c.strip() for c in line.strip("│ ").split("│")]
    assert cells == ["kz", "6", "2", "3", "1", "2", "1", "1", "state1", "2026-03-10 09:00",
                     "Выборы"]
    res = untold("analyze", str(study_path), "--format", "json")
    rows = json.loads(res.stdout)
    assert [r["story"] for r in rows] == ["kz", "open", "none"]
    assert rows[2]["matching"] == 0 and rows[2]["first_outlet"] is None
    res = untold("analyze", str(study_path), "--story", "kz", "--format", "csv")
    assert res.stdout.splitlines()[1].startswith("kz,Kazakhstan,2026-03-10T00:00:00Z,")


@pytest.mark.timeout(120)
@pytest.mark.slow
def test_cli_analyze_errors_are_one_line(study_path: Path) -> None:
    # a wrong command line exits 2; a story the study does not define is a failure (1)
    for args, message, code in ((["--story", "nope"], "no story with id 'nope'", 1),
                                (["--bucket", "week"], "unknown bucket 'week'", 2),
                                (["--format", "xml"], "unknown format 'xml'", 2)):
        res = untold("analyze", str(study_path), *args)
        assert res.returncode == code
        assert message in res.stderr and "Traceback" not in res.stderr


def test_a_damaged_archive_is_one_clear_error(tmp_path: Path) -> None:
    study = build(tmp_path)
    st = api.load(study)
    store = open_store(st.db_path)
    store.conn.execute("DROP INDEX articles_outlet_pub")  # what a damaged copy might lack
    store.close()
    with pytest.raises(StoreError, match="story 'kz' could not be analysed") as info:
        api.analyze(study, story_ids=["kz"])
    assert info.value.hint == "check the archive with 'untold check'"
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
