"""The statistics layer against values computed by hand (binomial coefficients, products)."""

from __future__ import annotations

import math

import pytest

from untold.analyze.stats import (
    benjamini_hochberg,
    beta_binom_lower_tail,
    beta_reference,
    did_exact,
    fisher_exact,
    newcombe_diff,
    rate_ratio,
    simes,
    wilson,
)
from untold.analyze.wording import chance, one_in, pct

C = math.comb


def test_fisher_exact_two_sided_and_mid_p_by_hand() -> None:
    # [[1, 9], [8, 2]]: 9 stating of 20, 10 in group one; P(x) = C(9,x) C(11,10-x) / C(20,10)
    total = C(20, 10)
    pmf = {x: C(9, x) * C(11, 10 - x) / total for x in range(10)}
    # tables as unlikely as x=1 or less: x in {0, 1, 8, 9}
    classic = pmf[0] + pmf[1] + pmf[8] + pmf[9]
    assert fisher_exact(1, 10, 8, 10, mid_p=False) == pytest.approx(classic, rel=1e-9)
    assert classic == pytest.approx(1012 / 184756, rel=1e-12)
    # mid-p: half of the tables exactly as likely as the one seen (x=1 and x=8)
    assert fisher_exact(1, 10, 8, 10) == pytest.approx(pmf[0] + pmf[9] + 0.5 * (pmf[1] + pmf[8]),
                                                       rel=1e-9)
    assert fisher_exact(0, 5, 0, 5) == 1.0  # nobody states it: nothing to compare


def test_the_briefs_example_twelve_articles_none_stating_against_eighty_percent() -> None:
    # reference: 3 homogeneous outlets, 40 of 50 each -> Jeffreys posterior Beta(120.5, 30.5)
    a, b, pooled = beta_reference([(40, 50), (40, 50), (40, 50)])
    assert (a, b, pooled) == (120.5, 30.5, 0.8)
    # P(X = 0) under BetaBinomial(12, a, b) = prod_{i<12} (b + i) / (a + b + i)
    p0 = math.prod((b + i) / (a + b + i) for i in range(12))
    assert beta_binom_lower_tail(0, 12, a, b, mid_p=False) == pytest.approx(p0, rel=1e-9)
    assert beta_binom_lower_tail(0, 12, a, b) == pytest.approx(p0 / 2, rel=1e-9)
    assert p0 < 1e-7 and p0 > 0.2 ** 12  # the reference's uncertainty widens the tail
    # one article without the fact is no evidence: probability 0.2-ish
    assert beta_binom_lower_tail(0, 1, a, b, mid_p=False) == pytest.approx(b / (a + b))


def test_reference_spread_is_modelled_only_when_outlets_really_differ() -> None:
    # 20 %, 90 %, 10 %, 100 % of 10 each: far more spread than sampling explains
    a, b, pooled = beta_reference([(2, 10), (9, 10), (1, 10), (10, 10)])
    assert pooled == pytest.approx(0.55)
    assert a + b < 5  # a wide beta: any outlet's rate is plausible
    # 80 %, 90 %, 70 %, 100 %: within sampling noise -> pooled posterior
    a2, b2, _ = beta_reference([(8, 10), (9, 10), (7, 10), (10, 10)])
    assert (a2, b2) == (34.5, 6.5)


def test_wilson_and_newcombe_intervals_by_hand() -> None:
    z = 1.959963984540054
    lo, hi = wilson(0, 12)
    assert lo == pytest.approx(0.0, abs=1e-12)
    assert hi == pytest.approx(z * z / (12 + z * z), rel=1e-9)  # Wilson's upper bound at k=0
    assert wilson(5, 0) == (0.0, 1.0)
    d, dlo, dhi = newcombe_diff(0, 12, 96, 120)
    l2, u2 = wilson(96, 120)
    assert d == pytest.approx(-0.8)
    assert dlo == pytest.approx(-0.8 - math.sqrt(0 + (u2 - 0.8) ** 2), rel=1e-9)
    assert dhi == pytest.approx(-0.8 + math.sqrt(hi ** 2 + (0.8 - l2) ** 2), rel=1e-9)


def test_benjamini_hochberg_and_simes_by_hand() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    # sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, min(0.06, 0.0533), 0.0533, 0.5
    assert q == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert benjamini_hochberg([]) == []
    assert simes([0.01, 0.04, 0.03, 0.5]) == pytest.approx(0.04)


def test_did_exact_is_the_hypergeometric_tail_when_exposures_balance() -> None:
    # treated: 10 before, 0 after; control 50 / 50; exposures equal -> psi0 = 1, and the
    # treated-after count is central hypergeometric: P(0) = C(100, 50) / C(110, 50)
    res = did_exact(0, 10, 50, 50, 100, 100, 1000, 1000)
    p0 = C(10, 0) * C(100, 50) / C(110, 50)
    assert res.p_value == pytest.approx(0.5 * p0, rel=1e-6)
    assert res.ratio == 0.0 and res.ci_low == 0.0 and res.ci_high < 0.6
    assert res.expected_after == pytest.approx(10 * 50 / 110, rel=1e-6)
    # no change at all: ratio 1, p one half
    same = did_exact(10, 10, 50, 50, 100, 100, 1000, 1000)
    assert same.ratio == pytest.approx(1.0) and same.p_value == pytest.approx(0.5)
    # twice the output after the event: half the share, so 5 after of 10 before is "no change"
    assert did_exact(10, 10, 50, 50, 200, 100, 1000, 1000).ratio == pytest.approx(0.5, rel=0.05)


def test_rate_ratio_exact_interval() -> None:
    rr, lo, hi, p = rate_ratio(2, 100, 20, 100)
    assert rr == pytest.approx(0.1)
    # conditional on 22 events, k1 ~ Binomial(22, 1/2): p = 2 * (P(<=1) + P(=2)/2)
    tail = (C(22, 0) + C(22, 1) + 0.5 * C(22, 2)) / 2 ** 22
    assert p == pytest.approx(2 * tail, rel=1e-9)
    assert lo < 0.1 < hi < 0.5


def test_wording_for_non_statisticians() -> None:
    assert pct(0.8) == "80 %" and pct(0.004) == "0.4 %"
    assert chance(1 / 2500) == "about 1 time in 2,500"
    assert chance(1e-12) == "less than 1 time in a billion"
    assert chance(0.7) == "more often than not"
    assert one_in(0.022) == "1 in 45" and one_in(1e-12) == "1 in a billion"
