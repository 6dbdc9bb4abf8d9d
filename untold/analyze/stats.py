"""Small, exact-where-possible statistics behind the findings.

Every function takes counts and returns plain floats, so the rules (and the
calibration benchmark, which simulates counts directly) share one code path.
Discrete tests report Lancaster's mid-p when ``mid_p`` is set: the ordinary
exact p-value is conservative for small counts (a 5 % test rejects far less
than 5 % of the time), the mid-p is close to nominal on average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as st
from scipy.special import betaln, chdtrc, gammaln

# the package's one Wilson interval, re-exported: the rules import it from here
from untold.analyze.intervals import wilson

__all__ = [
    "DiD",
    "benjamini_hochberg",
    "beta_binom_lower_tail",
    "beta_reference",
    "did_exact",
    "fisher_exact",
    "fisher_lower",
    "newcombe_diff",
    "rate_ratio",
    "reference_spread",
    "simes",
    "wilson",
]

# Outlets' spread is modelled only when a chi-square test finds it: estimating it from
# noise would widen every reference and make omission tests needlessly conservative.
HETEROGENEITY_LEVEL = 0.05


def newcombe_diff(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """Difference p1 - p2 with Newcombe's hybrid score interval (method 10)."""
    p1 = k1 / n1 if n1 else 0.0
    p2 = k2 / n2 if n2 else 0.0
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(-1.0, lo), min(1.0, hi)


def fisher_exact(k1: int, n1: int, k2: int, n2: int, *, mid_p: bool = True) -> float:
    """Two-sided p of Fisher's exact test on [[k1, n1-k1], [k2, n2-k2]].

    The mid-p counts half the probability of tables as likely as the one seen.
    """
    if n1 <= 0 or n2 <= 0 or k1 + k2 in (0, n1 + n2):
        return 1.0  # one margin is empty: nothing can differ
    lo, hi = max(0, k1 + k2 - n2), min(n1, k1 + k2)
    support = np.arange(lo, hi + 1)
    pmf = st.hypergeom.pmf(support, n1 + n2, k1 + k2, n1)
    p_obs = float(pmf[k1 - lo])
    tol = p_obs * (1 + 1e-7)
    more_extreme = float(pmf[pmf < p_obs / (1 + 1e-7)].sum())
    as_likely = float(pmf[(pmf <= tol) & (pmf >= p_obs / (1 + 1e-7))].sum())
    p = more_extreme + (0.5 * as_likely if mid_p else as_likely)
    return min(1.0, p)


def fisher_lower(k1: int, n1: int, k2: int, n2: int, *, mid_p: bool = True) -> float:
    """One-sided Fisher exact p that group one states it less: P(X <= k1) for
    X ~ Hypergeometric(n1 + n2, k1 + k2, n1) (mid-p: half of P(X = k1))."""
    if n1 <= 0 or n2 <= 0:
        return 1.0
    m, k = n1 + n2, k1 + k2
    p = float(st.hypergeom.cdf(k1, m, k, n1))
    if mid_p:
        p -= 0.5 * float(st.hypergeom.pmf(k1, m, k, n1))
    return min(1.0, max(0.0, p))


def reference_spread(counts: Sequence[tuple[int, int]]) -> bool:
    """Do the reference outlets' rates differ more than sampling explains?"""
    ks = np.array([c[0] for c in counts if c[1] > 0], dtype=float)
    ns = np.array([c[1] for c in counts if c[1] > 0], dtype=float)
    if len(ns) < 3 or ns.sum() == 0:
        return False
    pooled = float(ks.sum() / ns.sum())
    return 0 < pooled < 1 and _heterogeneous(ks, ns, pooled)


def beta_reference(counts: Sequence[tuple[int, int]]) -> tuple[float, float, float]:
    """Beta(a, b) describing a reference group's per-outlet rate, and its pooled rate.

    ``counts`` are (stating, articles) per reference outlet. Outlets' rates vary
    more than sampling explains (house style, audience), so the spread between
    outlets is estimated by the method of moments (Kleinman 1973); when it is
    not larger than sampling noise the pooled rate's Jeffreys posterior is used.
    """
    ks = np.array([c[0] for c in counts], dtype=float)
    ns = np.array([c[1] for c in counts], dtype=float)
    keep = ns > 0
    ks, ns = ks[keep], ns[keep]
    total_n = float(ns.sum())
    if total_n == 0:
        return 0.5, 0.5, 0.5
    pooled = float(ks.sum()) / total_n
    a0, b0 = float(ks.sum()) + 0.5, total_n - float(ks.sum()) + 0.5  # Jeffreys posterior
    if len(ns) >= 3 and 0 < pooled < 1 and _heterogeneous(ks, ns, pooled):
        rates = ks / ns
        # weighted spread of rates: estimates p(1-p)(1 + (nbar-1) rho)
        s2 = float((ns * (rates - pooled) ** 2).sum()) / (len(ns) - 1)
        # moment estimate of the intra-outlet correlation rho (0: no extra spread)
        nbar = (total_n - float((ns ** 2).sum()) / total_n) / (len(ns) - 1)
        rho = (s2 / (pooled * (1 - pooled)) - 1) / max(nbar - 1, 1e-9)
        if rho > 1e-6:
            ess = max((1 - rho) / rho, 1.0)
            if ess < a0 + b0:
                return pooled * ess, (1 - pooled) * ess, pooled
    return a0, b0, pooled


def _heterogeneous(ks: np.ndarray, ns: np.ndarray, pooled: float) -> bool:
    """Pearson's chi-square test that outlets' rates differ (at HETEROGENEITY_LEVEL)."""
    chi2 = float((((ks - ns * pooled) ** 2) / (ns * pooled * (1 - pooled))).sum())
    return float(chdtrc(len(ns) - 1, chi2)) < HETEROGENEITY_LEVEL


def beta_binom_lower_tail(k: int, n: int, a: float, b: float, *, mid_p: bool = True) -> float:
    """P(X <= k) for X ~ BetaBinomial(n, a, b) (mid-p: half of P(X = k)).

    Summed from the pmf C(n,x) B(x+a, n-x+b) / B(a,b) in logs: exact, and far faster
    than freezing a scipy distribution for each of thousands of tests.
    """
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0 if not mid_p else 1.0 - 0.5 * _bb_pmf(np.array([n]), n, a, b)[0]
    x = np.arange(0, k + 1)
    pmf = _bb_pmf(x, n, a, b)
    p = float(pmf.sum()) - (0.5 * float(pmf[-1]) if mid_p else 0.0)
    return min(1.0, max(0.0, p))


def _bb_pmf(x: np.ndarray, n: int, a: float, b: float) -> np.ndarray:
    log_c = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
    return np.asarray(np.exp(log_c + betaln(x + a, n - x + b) - betaln(a, b)))


def rate_ratio(k1: int, e1: float, k0: int, e0: float) -> tuple[float, float, float, float]:
    """Rate ratio (k1/e1)/(k0/e0), exact 95 % interval and two-sided mid-p.

    Conditional on k1 + k0, k1 is binomial with p = e1 r1 / (e1 r1 + e0 r0), so
    the Clopper-Pearson interval of p maps to an exact interval of the ratio.
    """
    n = k1 + k0
    if n == 0 or e1 <= 0 or e0 <= 0:
        return math.nan, 0.0, math.inf, 1.0
    scale = e0 / e1
    lo_p = float(st.beta.ppf(0.025, k1, n - k1 + 1)) if k1 > 0 else 0.0
    hi_p = float(st.beta.ppf(0.975, k1 + 1, n - k1)) if k1 < n else 1.0
    rr = (k1 / e1) / (k0 / e0) if k0 > 0 else math.inf
    p0 = e1 / (e1 + e0)
    dist = st.binom(n, p0)
    lower = float(dist.cdf(k1)) - 0.5 * float(dist.pmf(k1))
    upper = float(dist.sf(k1)) + 0.5 * float(dist.pmf(k1))
    return rr, _odds(lo_p) * scale, _odds(hi_p) * scale, min(1.0, 2 * min(lower, upper))


def _odds(p: float) -> float:
    return p / (1 - p) if p < 1 else math.inf


@dataclass(frozen=True)
class DiD:
    """Difference in differences of story attention, as a ratio of rate ratios."""

    ratio: float        # (treated after/before) / (control after/before); 1 = no change
    ci_low: float
    ci_high: float
    p_value: float      # one-sided (attention fell) mid-p, exact conditional test
    expected_after: float  # treated story articles after, had they followed the control


def did_exact(a: int, b: int, c: int, d: int, ea: float, eb: float, ec: float,
              ed: float, *, interval: bool = True) -> DiD:
    """Exact conditional test that treated attention fell relative to control.

    a, b: treated story articles after / before the event; c, d: control's;
    ea..ed: all articles published (the exposure) in the same cells. With
    Poisson counts and a common story trend, the 2x2 table conditional on its
    margins follows Fisher's noncentral hypergeometric distribution with odds
    psi0 = (ea ed)/(eb ec) under "no change"; its conditional odds ratio over
    psi0 is the ratio of rate ratios.
    """
    psi0 = (ea * ed) / (eb * ec)
    m, n_t, n_after = a + b + c + d, a + b, a + c
    if n_t == 0 or c + d == 0 or n_after == 0 or n_after == m:
        return DiD(math.nan, 0.0, math.inf, 1.0, math.nan)
    nc = st.nchypergeom_fisher
    p = float(nc.cdf(a, m, n_t, n_after, psi0)) - 0.5 * float(nc.pmf(a, m, n_t, n_after, psi0))
    mean = float(nc.mean(m, n_t, n_after, psi0))
    if not interval:  # the p-value alone (Tarone's screen asks for the smallest possible)
        return DiD(math.nan, 0.0, math.inf, min(1.0, max(0.0, p)), mean)
    res = st.contingency.odds_ratio([[a, b], [c, d]], kind="conditional")
    ci = res.confidence_interval(0.95)
    return DiD(float(res.statistic) / psi0, float(ci.low) / psi0, float(ci.high) / psi0,
               min(1.0, max(0.0, p)), mean)


def benjamini_hochberg(pvals: Sequence[float]) -> list[float]:
    """BH-adjusted q-values, in the input order."""
    m = len(pvals)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: pvals[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvals[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def simes(pvals: Sequence[float]) -> float:
    """Simes' combined p-value: is any of these hypotheses false? (valid under PRDS)"""
    if not pvals:
        return 1.0
    s = sorted(pvals)
    m = len(s)
    return min(1.0, min(p * m / (i + 1) for i, p in enumerate(s)))
