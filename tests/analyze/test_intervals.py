"""Wilson score intervals against values computed by hand (and published tables)."""

from __future__ import annotations

import pytest

from untold.analyze.intervals import Z95, wilson, wilson_many


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # p = 1/2, n = 2: centre 1/2, half-width z/(1+z²/2)·sqrt(1/8 + z²/16) = 0.40547
    (1, 2, 0.094531, 0.905469),
    (2, 3, 0.207660, 0.938508),
    (3, 6, 0.187616, 0.812384),
    (2, 5, 0.117621, 0.769276),
    (5, 10, 0.236593, 0.763407),   # Newcombe (1998), table I
    (0, 2, 0.0, 0.657620),
    (0, 10, 0.0, 0.277533),
    (1, 1, 0.206549, 1.0),
])
def test_wilson_matches_hand_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=1e-6)
    assert hi == pytest.approx(high, abs=1e-6)


def test_wilson_edges_are_exact() -> None:
    assert wilson(0, 7)[0] == 0.0
    assert wilson(7, 7)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)  # nothing published: nothing known about the share
    assert abs(Z95 - 1.959964) < 1e-6


@pytest.mark.parametrize(("k", "n"), [(3, 2), (-1, 4), (0, -1)])
def test_wilson_rejects_impossible_counts(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(k, n)


def test_wilson_many_equals_wilson_exactly() -> None:
    pairs = [(k, n) for n in range(0, 40) for k in range(0, n + 1)]
    lows, highs = wilson_many([k for k, _ in pairs], [n for _, n in pairs])
    assert list(zip(lows, highs, strict=True)) == [wilson(k, n) for k, n in pairs]
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_many([2], [1])
