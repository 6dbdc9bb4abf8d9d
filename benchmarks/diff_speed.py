"""Diff speed: two 10,000-word versions of a Russian article, word by word.

Run from the repository root::

    .venv/bin/python benchmarks/diff_speed.py [--words 10000] [--repeat 20]

The old version is ~10,000 words of Russian sentences built from the demo
outlets' paragraphs (real Cyrillic words, varied order and numbers); the new
one has 2% of its sentences edited (a number or a word changed), 1% removed
and 1% added, like a stealth edit of a long article. Prints the median time
of ``untold.analyze.diff.diff_text`` against the 50 ms target, and of the
naive baseline (``difflib.SequenceMatcher`` over the two word lists), with
the ratio between them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.outlet_site import PARAS  # noqa: E402
from untold.analyze.diff import diff_text  # noqa: E402

TARGET_MS = 50.0


def texts(words: int, seed: int = 7) -> tuple[str, str]:
    rng = random.Random(seed)
    vocab = [w.strip(".,") for p in PARAS["ru"] for w in p.split()]
    sentences: list[str] = []
    n = 0
    while n < words:
        k = rng.randint(8, 25)
        s = " ".join(rng.choice(vocab) for _ in range(k))
        s = s[0].upper() + s[1:] + f" {rng.randint(1, 999)}."
        sentences.append(s)
        n += k + 1
    new = []
    for s in sentences:
        r = rng.random()
        if r < 0.01:
            continue  # removed
        if r < 0.03:
            ws = s.split()
            ws[rng.randrange(len(ws))] = rng.choice(vocab)
            s = " ".join(ws)
        new.append(s)
        if rng.random() < 0.01:
            new.append("Добавленное предложение о " + rng.choice(vocab) + ".")
    return "\n".join(sentences), "\n".join(new)


def median_ms(fn: object, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    old, new = texts(args.words)
    d = diff_text(old, new)
    print(f"old {len(old.split())} words, new {len(new.split())} words: {d.summary()}")
    ours = median_ms(lambda: diff_text(old, new), args.repeat)
    wa, wb = old.split(), new.split()
    naive = median_ms(lambda: SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes(),
                      max(3, args.repeat // 4))
    print(f"diff_text: {ours:.1f} ms (median of {args.repeat}); target < {TARGET_MS:.0f} ms: "
          f"{'OK' if ours < TARGET_MS else 'MISSED'} ({ours / TARGET_MS:.2f} of the target)")
    print(f"baseline difflib over word lists: {naive:.1f} ms; diff_text is "
          f"{naive / ours:.1f}x faster")


if __name__ == "__main__":
    main()
