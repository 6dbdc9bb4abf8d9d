"""The 181 real pages of the extraction benchmark (../shared), imported from a WARC."""

from __future__ import annotations

import gzip
import json
import re
from contextlib import closing
from pathlib import Path

import pytest

from tests.support.warcs import make_study, page_records, write_warc
from untold.collect.warcimport import import_warcs
from untold.store import open_store

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "extraction-benchmark"
MIN_STORED = 0.9  # every page is an article; a few may be too short or be paywalled stubs
MIN_MATCHED = 0.8  # stored texts that hold the start of the benchmark's own article body
_WS = re.compile(r"\W+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def test_benchmark_pages_import_once_each(tmp_path: Path) -> None:
    if not (BENCH / "ground-truth.json").is_file():
        pytest.skip("extraction benchmark not found: ../shared is absent")
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(v["url"], gzip.decompress((BENCH / "html" / f"{k}.html.gz").read_bytes()))
             for k, v in sorted(truth.items())]
    warc = write_warc(tmp_path / "bench.warc.gz", page_records(pages))
    study = make_study(tmp_path)
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [warc], workers=2)
        assert stats.errors == []
        assert stats.pages == len(pages)
        stored = stats.articles_new + stats.duplicates
        assert stored >= MIN_STORED * len(pages), stats.as_dict()
        assert store.integrity_check() == []
        texts = dict(store.conn.execute("SELECT url, text FROM articles").fetchall())  # type: ignore[attr-defined]
        by_url = {v["url"]: v["articleBody"] for v in truth.values()}
        matched = sum(1 for u, t in texts.items()
                      if _norm(by_url[u])[:60] in _norm(t))
        assert matched >= MIN_MATCHED * len(texts), (matched, len(texts))
        # real domains become uncurated outlets, one per registrable domain
        outlets = {o.id for o in store.outlets() if not o.curated}
        assert "wsj.com" in outlets and "nytimes.com" in outlets
        again = import_warcs(study, store, [warc], workers=2)
        assert again.articles_new == 0 and again.already_imported == len(pages)
