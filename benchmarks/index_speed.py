"""Index speed: already-extracted articles into a fresh SQLite archive.

Run from the repository root::

    .venv/bin/python benchmarks/index_speed.py [--n 20000] [--batch 200] [--profile]

Builds N ``ExtractedArticle`` objects in memory first — English and Russian
texts of ~30 sentences sampled from the real article bodies in
../shared/data/extraction-benchmark, 5% of them reprints of an earlier article
with one sentence added — with their text hashes and MinHash signatures
computed beforehand by ``untold.text.minhash``, and the captures they cite
inserted beforehand. Then it times ``store.add_articles`` in batches: the
articles rows, the stemmed FTS5 index, the LSH band rows and the near-duplicate
look-ups. It prints articles/s against the 2,000/s target and how the time
splits between stemming (``store.textindex.index_text``), LSH keys and the
rest (SQLite); ``--profile`` adds the top functions of a cProfile run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from untold.models import CaptureRecord, ExtractedArticle  # noqa: E402
from untold.store import NewArticle, open_store  # noqa: E402
from untold.text.minhash import lsh_keys, minhash_signatures, text_hash  # noqa: E402
from untold.text.textindex import index_text  # noqa: E402

TRUTH = REPO / ".." / "shared" / "data" / "extraction-benchmark" / "ground-truth.json"
TARGET_PER_S = 2000
DEFAULT_N = 20_000
DEFAULT_BATCH = 1000  # as the WARC importer's STORE_BATCH
SENTENCES_PER_ARTICLE = (20, 40)  # ~3-5 kB of text: a typical news article
RUSSIAN_SHARE = 0.2
REPRINT_SHARE = 0.05  # wire copies: exercise the near-duplicate path
_SPLIT = re.compile(r"(?<=[.!?])\s+")
_CYR = re.compile("[\u0400-\u04ff]")


def sentence_pools() -> tuple[list[str], list[str]]:
    if not TRUTH.is_file():
        sys.exit(f"{TRUTH}: not found: this benchmark needs ../shared beside the repo")
    bodies = [v["articleBody"] for v in json.loads(TRUTH.read_text(encoding="utf-8")).values()]
    sents = [s.strip() for b in bodies for s in _SPLIT.split(b) if len(s.strip()) > 20]
    return [s for s in sents if not _CYR.search(s)], [s for s in sents if _CYR.search(s)]


def build_articles(n: int, *, stems: bool = True) -> list[ExtractedArticle]:
    rng = random.Random(20250301)
    latin, cyrillic = sentence_pools()
    texts: list[tuple[str, str, str]] = []  # (title, text, language)
    for i in range(n):
        if texts and rng.random() < REPRINT_SHARE:
            title, text, lang = texts[rng.randrange(len(texts))]
            texts.append((title, text + f" Updated {i}.", lang))
            continue
        lang = "ru" if rng.random() < RUSSIAN_SHARE else "en"
        pool = cyrillic if lang == "ru" else latin
        picked = rng.sample(pool, rng.randint(*SENTENCES_PER_ARTICLE))
        texts.append((picked[0][:120], " ".join(picked) + f" ({i})", lang))
    sigs = minhash_signatures(t for _, t, _ in texts)
    base = datetime(2025, 3, 1, tzinfo=UTC)
    return [
        ExtractedArticle(
            url=f"https://news{i % 50}.example.kz/{i}", canonical_url=f"https://news{i % 50}"
            f".example.kz/{i}", title=title, text=text, author=None,
            published=base + timedelta(minutes=i), language=lang, language_confidence=0.99,
            text_hash=text_hash(text), minhash=sig,
            # extraction computes the index text on the worker cores (extract.pipeline)
            index_title=index_text(title) if stems else "",
            index_body=index_text(text) if stems else "",
            lsh=tuple(lsh_keys(sig)) if stems else ())
        for i, ((title, text, lang), sig) in enumerate(zip(texts, sigs, strict=True))
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    ap.add_argument("--profile", action="store_true", help="cProfile the timed part")
    ap.add_argument("--stem-in-writer", action="store_true",
                    help="leave the index text and LSH keys to the store (as for articles extracted by an "
                    "older untold) instead of taking it from extraction")
    a = ap.parse_args()

    t0 = time.perf_counter()
    arts = build_articles(a.n, stems=not a.stem_in_writer)
    chars = sum(len(x.text) for x in arts) / len(arts)
    print(f"{len(arts)} articles, {chars:.0f} characters on average, built with signatures "
          f"in {time.perf_counter() - t0:.1f} s (not timed below)", flush=True)

    with tempfile.TemporaryDirectory(prefix="untold-index-") as tmp:
        store = open_store(Path(tmp) / "archive.sqlite")
        conn = store.conn  # type: ignore[attr-defined]
        when = datetime(2025, 3, 2, tzinfo=UTC)
        conn.execute("BEGIN")
        cap_ids = [store._insert_capture(conn, CaptureRecord(  # type: ignore[attr-defined]
            url=x.url, outlet_id=f"news{i % 50}", kind="import", fetched_at=when, status=200,
            failure=None, warc_file="bench.warc.gz", warc_offset=i, warc_length=1,
            sha256=None)) for i, x in enumerate(arts)]
        conn.execute("COMMIT")
        items = [NewArticle(article=x, outlet_id=f"news{i % 50}", capture_id=c,
                            fetched_at=when, sha256=None)
                 for i, (x, c) in enumerate(zip(arts, cap_ids, strict=True))]

        prof = cProfile.Profile() if a.profile else None
        new = near = 0
        c0 = time.process_time()
        t0 = time.perf_counter()
        if prof:
            prof.enable()
        for i in range(0, len(items), a.batch):
            for out in store.add_articles(items[i:i + a.batch]):
                new += out.outcome == "new"
                near += out.near_duplicate_of is not None
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        problems = store.integrity_check()
        store.close()

    rate = len(items) / wall
    t1 = time.perf_counter()
    for x in arts:
        index_text(x.title)
        index_text(x.text)
    stem_s = time.perf_counter() - t1
    t1 = time.perf_counter()
    for x in arts:
        lsh_keys(x.minhash)
    lsh_s = time.perf_counter() - t1
    print()
    mode = ("stemmed by the writer" if a.stem_in_writer
            else "index text from extraction, as the pipeline hands it over")
    print(f"store.add_articles ({mode}), batches of {a.batch}: {len(items)} articles in {wall:.2f} s = "
          f"{rate:,.0f} articles/s; target {TARGET_PER_S:,}/s: ratio {rate / TARGET_PER_S:.2f}")
    print(f"  by CPU time (steadier on a busy machine): {len(items) / cpu:,.0f} articles/s, "
          f"ratio {len(items) / cpu / TARGET_PER_S:.2f}")
    print(f"  stored {new} new, {near} linked as near-duplicates; integrity: "
          f"{problems or 'ok'}")
    if not a.stem_in_writer:
        stem_s = lsh_s = 0.0  # done at extraction, outside the timed part
    print(f"  where the time goes (measured apart): stemming for FTS "
          f"{1000 * stem_s / len(arts):.2f} ms/article ({100 * stem_s / wall:.0f}%), "
          f"LSH keys {1000 * lsh_s / len(arts):.2f} ms/article ({100 * lsh_s / wall:.0f}%), "
          f"the rest (SQLite inserts, FTS5, LSH look-ups, similarity) "
          f"{1000 * (wall - stem_s - lsh_s) / len(arts):.2f} ms/article "
          f"({100 * (wall - stem_s - lsh_s) / wall:.0f}%)")
    if prof:
        print()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
