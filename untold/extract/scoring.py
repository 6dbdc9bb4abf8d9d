"""Scoring of article-text extraction, as the Scrapinghub benchmark does it.

The article-extraction benchmark (github.com/scrapinghub/article-extraction-benchmark,
``evaluate.py``) scores an extractor like this, and this module reproduces it
exactly so that our figures compare with the published ones:

1. tokens: both texts are split into ``\\w+`` runs (case kept, Unicode aware);
2. shingles: every run of 4 consecutive tokens, as a multiset; a text with
   fewer than 4 tokens (but at least one) is a single shorter shingle, an
   empty text has none;
3. per page: TP = multiset overlap, FP = predicted surplus, FN = truth surplus,
   then divided by TP+FP+FN so every page weighs the same;
4. precision is averaged over the pages that predicted something (TP+FP > 0,
   so an empty extraction costs recall, not precision), recall over the pages
   whose truth has text (TP+FN > 0); a page with FP = FN = 0 scores 1 for both;
5. F1 is the harmonic mean of the two averages; "±" is the standard deviation
   over 1,000 bootstrap resamples of the pages (the benchmark's current
   ``evaluate.py``; older versions printed ``1.96 * std``, see ``Metric.ci``);
6. accuracy (also reported upstream) is the share of pages whose token lists
   are identical.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "BOOTSTRAP_SAMPLES",
    "SHINGLE_TOKENS",
    "BenchmarkScore",
    "Metric",
    "PageCounts",
    "page_counts",
    "score_counts",
    "score_pages",
    "tokenize",
]

SHINGLE_TOKENS = 4  # the benchmark's shingle length
BOOTSTRAP_SAMPLES = 1000  # the benchmark's number of bootstrap resamples
CI_Z = 1.96  # older benchmark versions printed 1.96 * bootstrap std as "±"

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class PageCounts:
    """One page's normalised TP/FP/FN, and whether its token lists are identical."""

    tp: float
    fp: float
    fn: float
    exact: bool = False


@dataclass(frozen=True)
class Metric:
    """A mean over pages with its bootstrap standard deviation."""

    value: float
    std: float

    @property
    def ci(self) -> float:
        """Half-width of a 95% interval (what older benchmark versions printed as "±")."""
        return CI_Z * self.std


@dataclass(frozen=True)
class BenchmarkScore:
    precision: Metric
    recall: Metric
    f1: Metric
    accuracy: Metric
    pages: int

    def summary(self) -> str:
        return (f"pages={self.pages}  precision={self.precision.value:.4f} ± {self.precision.std:.4f}"
                f"  recall={self.recall.value:.4f} ± {self.recall.std:.4f}"
                f"  F1={self.f1.value:.4f} ± {self.f1.std:.4f}"
                f"  accuracy={self.accuracy.value:.4f} ± {self.accuracy.std:.4f}")


def tokenize(text: str | None) -> list[str]:
    """The benchmark's tokens: ``\\w+`` runs, case kept."""
    return _TOKEN_RE.findall(text or "")


def _shingles(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    # max(1, ...) keeps one (short) shingle for a text of 1..n-1 tokens;
    # an empty token list yields an empty tuple, which is dropped.
    grams = (tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(g for g in grams if g)


def page_counts(true: str | None, pred: str | None, n: int = SHINGLE_TOKENS) -> PageCounts:
    """Normalised TP/FP/FN of a prediction against the truth for one page."""
    true_tokens, pred_tokens = tokenize(true), tokenize(pred)
    t, p = _shingles(true_tokens, n), _shingles(pred_tokens, n)
    tp = float(sum((t & p).values()))
    fp = float(sum((p - t).values()))
    fn = float(sum((t - p).values()))
    total = tp + fp + fn
    exact = true_tokens == pred_tokens
    if total > 0:
        return PageCounts(tp / total, fp / total, fn / total, exact)
    return PageCounts(0.0, 0.0, 0.0, exact)


def _precision(c: PageCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    if c.tp == c.fp == 0:
        return 0.0
    return c.tp / (c.tp + c.fp)


def _recall(c: PageCounts) -> float:
    if c.fp == c.fn == 0:
        return 1.0
    if c.tp == c.fn == 0:
        return 0.0
    return c.tp / (c.tp + c.fn)


def _point(counts: Sequence[PageCounts]) -> tuple[float, float, float, float]:
    precs = [_precision(c) for c in counts if c.tp + c.fp > 0]
    recs = [_recall(c) for c in counts if c.tp + c.fn > 0]
    p = statistics.fmean(precs) if precs else 0.0
    r = statistics.fmean(recs) if recs else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    acc = statistics.fmean(1.0 if c.exact else 0.0 for c in counts)
    return p, r, f1, acc


def score_counts(counts: Sequence[PageCounts], *, bootstrap: int = BOOTSTRAP_SAMPLES,
                 seed: int = 0) -> BenchmarkScore:
    """Precision, recall, F1 and accuracy over pages, with bootstrap standard deviations."""
    if not counts:
        raise ValueError("no pages to score")
    point = _point(counts)
    rng = random.Random(seed)
    n = len(counts)
    samples = [_point([counts[rng.randrange(n)] for _ in range(n)]) for _ in range(bootstrap)]

    def metric(i: int) -> Metric:
        std = statistics.stdev(s[i] for s in samples) if len(samples) > 1 else 0.0
        return Metric(point[i], std)

    return BenchmarkScore(metric(0), metric(1), metric(2), metric(3), n)


def score_pages(truth: Mapping[str, str | None], pred: Mapping[str, str | None], *,
                bootstrap: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> BenchmarkScore:
    """Score predictions against the truth; both map page id -> article text.

    A page missing from ``pred`` (or None there) counts as an empty extraction.
    """
    counts = [page_counts(truth[k], pred.get(k)) for k in sorted(truth)]
    return score_counts(counts, bootstrap=bootstrap, seed=seed)
