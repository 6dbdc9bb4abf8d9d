"""The benchmark scoring, checked on hand-computed cases and its edge cases."""

from __future__ import annotations

import pytest

from untold.extract.scoring import PageCounts, page_counts, score_counts, score_pages, tokenize


def test_tokens_are_unicode_words_with_case_kept() -> None:
    assert tokenize("Ала-Тоо's NEWS, 2024!") == ["Ала", "Тоо", "s", "NEWS", "2024"]
    assert tokenize(None) == []


def test_identical_texts_are_all_true_positives() -> None:
    assert page_counts("a b c d e f", "a b c d e f") == PageCounts(1.0, 0.0, 0.0, True)


def test_counts_are_multiset_shingle_overlaps_normalised_per_page() -> None:
    # truth shingles: abcd bcde cdef; prediction: abcd bcde cdex + abcd (repeat)
    counts = page_counts("a b c d e f", "a b c d e x a b c d")
    # pred shingles: abcd bcde cdex dexa exab xabc abcd -> abcd x2
    # tp = abcd(1) + bcde(1) = 2; fp = abcd(1 extra) + cdex dexa exab xabc = 5; fn = cdef = 1
    assert counts.tp == pytest.approx(2 / 8)
    assert counts.fp == pytest.approx(5 / 8)
    assert counts.fn == pytest.approx(1 / 8)
    assert not counts.exact


def test_texts_shorter_than_a_shingle_are_one_short_shingle() -> None:
    # Upstream keeps one shingle of all tokens for 1..3 tokens.
    assert page_counts("one two", "one two") == PageCounts(1.0, 0.0, 0.0, True)
    assert page_counts("one two", "one three") == PageCounts(0.0, 0.5, 0.5, False)
    # a 3-token text never matches the 4-token shingles of a longer one
    assert page_counts("a b c", "a b c d").tp == 0.0


def test_empty_extraction_costs_recall_not_precision() -> None:
    empty = page_counts("a b c d e", "")
    assert empty == PageCounts(0.0, 0.0, 1.0, False)
    perfect = page_counts("a b c d e", "a b c d e")
    score = score_counts([empty, perfect], bootstrap=0)
    # precision averages only pages that predicted something (upstream rule)
    assert score.precision.value == 1.0
    assert score.recall.value == 0.5
    assert score.f1.value == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert score.accuracy.value == 0.5


def test_both_empty_is_neither_precision_nor_recall_but_exact() -> None:
    both = page_counts("", None)
    assert both == PageCounts(0.0, 0.0, 0.0, True)
    score = score_counts([both, page_counts("a b c d", "a b c d x")], bootstrap=0)
    assert score.precision.value == pytest.approx(0.5)  # only the second page counts
    assert score.recall.value == 1.0


def test_score_pages_treats_missing_predictions_as_empty_and_bootstraps() -> None:
    truth = {"p1": "a b c d e f g", "p2": "h i j k l m", "p3": "n o p q r"}
    pred = {"p1": "a b c d e f g", "p2": "h i j k"}
    score = score_pages(truth, pred, bootstrap=200, seed=1)
    assert score.pages == 3
    assert score.recall.value < 1.0
    assert 0.0 < score.f1.std < 0.5
    assert score.f1.ci == pytest.approx(1.96 * score.f1.std)
    assert "F1=" in score.summary()
    with pytest.raises(ValueError):
        score_counts([])
