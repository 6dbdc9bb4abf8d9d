"""The package's one Wilson interval, swept against a 40-digit reference.

Two copies used to disagree on 2,250 of the 20,099 (k, n) pairs with n < 200:
one left the formula's rounding residue at the edges (5.6e-17 for 0/3 instead
of 0) and accepted k > n. Now ``stats`` re-exports the ``intervals`` one.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from untold.analyze import intervals, stats
from untold.analyze.intervals import Z95, wilson, wilson_many

MAX_N = 200  # every (k, n) with n below this: the counts a day of one outlet gives
TOLERANCE = 1e-12  # float arithmetic against 40 digits: far below any printed figure


def reference(k: int, n: int) -> tuple[Decimal, Decimal]:
    """Wilson's bounds for k of n, computed with 40 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 40
        z = Decimal(Z95)  # the float's exact binary value
        z2 = z * z
        p = Decimal(k) / Decimal(n)
        nn = Decimal(n)
        denom = 1 + z2 / nn
        centre = (p + z2 / (2 * nn)) / denom
        half = z / denom * (p * (1 - p) / nn + z2 / (4 * nn * nn)).sqrt()
        return centre - half, centre + half


def test_one_function_for_every_caller() -> None:
    assert stats.wilson is intervals.wilson


def test_every_pair_below_two_hundred_against_a_high_precision_reference() -> None:
    checked = 0
    for n in range(1, MAX_N):
        for k in range(n + 1):
            lo, hi = wilson(k, n)
            ref_lo, ref_hi = reference(k, n)
            share = Fraction(k, n)
            # inside [0, 1], around the observed share (compared exactly, no rounding)
            assert 0 <= Fraction(lo) <= share <= Fraction(hi) <= 1, (k, n, lo, hi)
            # exact at the ends, and only there
            assert (lo == 0.0) == (k == 0), (k, n, lo)
            assert (hi == 1.0) == (k == n), (k, n, hi)
            if k > 0:
                assert abs(Decimal(lo) - ref_lo) < Decimal(TOLERANCE), (k, n, lo, ref_lo)
            if k < n:
                assert abs(Decimal(hi) - ref_hi) < Decimal(TOLERANCE), (k, n, hi, ref_hi)
            checked += 1
    assert checked == 20_099


def test_the_pairs_the_copies_disagreed_on() -> None:
    # the formula alone leaves 5.6e-17 at 0/3; the edges are exact now
    assert wilson(0, 3)[0] == 0.0 and stats.wilson(0, 3)[0] == 0.0
    assert wilson(3, 3)[1] == 1.0 and stats.wilson(3, 3)[1] == 1.0
    assert wilson(0, 3)[1] == pytest.approx(0.561497, abs=1e-6)  # z²/(3 + z²)


def test_no_trials_is_no_information_whatever_k_says() -> None:
    # checked first: 5 of 0 is (0, 1) as the findings expect, not an error
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(5, 0) == (0.0, 1.0)
    assert wilson_many([0, 5], [0, 0]) == ([0.0, 0.0], [1.0, 1.0])


@pytest.mark.parametrize(("k", "n"), [(4, 3), (200, 199), (-1, 0), (-1, 5), (0, -1), (3, -2)])
def test_impossible_counts_are_refused(k: int, n: int) -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(k, n)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        stats.wilson(k, n)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_many([k], [n])


def test_newcombe_difference_takes_the_same_intervals() -> None:
    # the difference's interval is built from the two Wilson intervals: exact ends too
    d, lo, hi = stats.newcombe_diff(0, 3, 3, 3)
    assert d == -1.0 and lo == -1.0
    assert hi == pytest.approx(-1.0 + (wilson(0, 3)[1] ** 2 + (1 - wilson(3, 3)[0]) ** 2) ** 0.5)
