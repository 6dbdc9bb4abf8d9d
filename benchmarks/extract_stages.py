"""Per-stage cost of untold's extraction over the Scrapinghub benchmark pages.

Prints mean milliseconds per page for each stage of ``extract_page`` and for
trafilatura alone (text only, and with the metadata untold needs), then the
overhead ratios the design budget refers to: untold's own stages should cost
at most ~10% on top of the trafilatura call they accompany.
Times are CPU time of this process (``time.process_time``), so other load on
the machine disturbs them little; each stage is timed over all pages in
``--rounds`` rounds after a warm-up, and the best round is reported.

Run: ``.venv/bin/python benchmarks/extract_stages.py [--rounds 3] [--pages N]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "data" / "extraction-benchmark"


def _load(limit: int | None) -> list[tuple[str, bytes]]:
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(BENCH / "html" / f"{key}.html.gz") as fh:
            pages.append((truth[key]["url"], fh.read()))
    return pages


def _time(fn: Callable[[Any], Any], inputs: list[Any], rounds: int) -> float:
    """Best-of-rounds mean CPU milliseconds per input."""
    for item in inputs[:5]:
        fn(item)  # warm-up: lazy models, caches
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for item in inputs:
            fn(item)
        best = min(best, (time.process_time() - start) / len(inputs) * 1000)
    return best


def _paired(fa: Callable[[Any], Any], fb: Callable[[Any], Any], inputs: list[Any],
            rounds: int) -> tuple[float, float]:
    """Mean CPU ms per input of two functions timed alternately on each input,
    so drift in machine load hits both alike."""
    ta = tb = 0.0
    for _ in range(rounds):
        for item in inputs:
            start = time.process_time()
            fa(item)
            mid = time.process_time()
            fb(item)
            ta += mid - start
            tb += time.process_time() - mid
    n = rounds * len(inputs)
    return ta / n * 1000, tb / n * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=None, help="use only the first N pages")
    args = parser.parse_args()
    if not (BENCH / "ground-truth.json").is_file():
        print(f"skipped: {BENCH} not found (../shared is absent in this clone)")
        return 0

    import logging

    import trafilatura

    from untold.extract.article import TRAFILATURA_OPTIONS, extract_article
    from untold.extract.canonical import find_canonical
    from untold.extract.decoding import decode_html
    from untold.extract.language import detect_language
    from untold.extract.pipeline import extract_page
    from untold.text.minhash import minhash_signature, normalize_text

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its warnings are not ours
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    headers = {"Content-Type": "text/html"}
    pages = _load(args.pages)
    decoded = [(url, decode_html(body, headers).text) for url, body in pages]
    parts = [(url, extract_article(text, url)) for url, text in decoded]
    texts = [p.text for _, p in parts if not isinstance(p, str)]
    normalized = [normalize_text(t) for t in texts]
    n_pages, n_texts, rounds = len(pages), len(texts), args.rounds
    share = n_texts / n_pages  # per-text stages run only on pages that gave an article

    text_only = {**TRAFILATURA_OPTIONS, "with_metadata": False}
    base: list[tuple[str, float]] = [
        ("trafilatura.extract, defaults (benchmark's runner)",
         _time(lambda d: trafilatura.extract(d[1], include_comments=False), decoded, rounds)),
        ("trafilatura, untold options, text only",
         _time(lambda d: trafilatura.bare_extraction(d[1], url=d[0], **text_only), decoded, rounds)),
        ("3 trafilatura, untold options + title/author/date",
         _time(lambda d: extract_article(d[1], d[0]), decoded, rounds)),
    ]
    rows: list[tuple[str, float]] = [
        ("1-2 gate + decode", _time(lambda p: decode_html(p[1], headers), pages, rounds)),
        ("4 canonical URL", _time(lambda d: find_canonical(d[1], d[0]), decoded, rounds)),
        ("5a normalise + SHA-256",
         share * _time(lambda t: normalize_text(t).encode("utf-8"), texts, rounds)),
        ("5b MinHash", share * _time(lambda t: minhash_signature(t, normalized=True),
                                     normalized, rounds)),
        ("6 language", share * _time(detect_language, texts, rounds)),
    ]
    traf_ms, whole_ms = _paired(
        lambda p: extract_article(decode_html(p[1], headers).text, p[0]),
        lambda p: extract_page(url=p[0], body=p[1], headers=headers), pages, rounds)
    print(f"{n_pages} pages ({n_texts} with article text), best of {rounds} rounds, CPU ms/page")
    for name, ms in base + rows:
        print(f"  {name:<55} {ms:8.2f}")
    plain, ours_traf = base[0][1], base[2][1]
    own = sum(ms for _, ms in rows)
    print(f"  {'sum of untold stages 1-2, 4-6 (excluding trafilatura)':<55} {own:8.2f}")
    print(f"  {'paired: decode + trafilatura call':<55} {traf_ms:8.2f}")
    print(f"  {'paired: extract_page, whole pipeline':<55} {whole_ms:8.2f}")
    print(f"untold's own stages / its trafilatura call:                  {own / ours_traf:7.1%}")
    print(f"whole pipeline / (decode + trafilatura call), paired:        {whole_ms / traf_ms:7.3f}")
    print(f"trafilatura metadata (title/author/date) / text-only call:   "
          f"{ours_traf / base[1][1] - 1:7.1%}")
    print(f"whole pipeline / trafilatura.extract with defaults:          {whole_ms / plain:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
