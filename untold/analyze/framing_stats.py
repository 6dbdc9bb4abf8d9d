"""Per-word statistics of the framing rule: a day-stratified comparison of two sides.

Input: which articles use which word (a sparse 0/1 matrix), each article's side,
time stratum and outlet. For each word: the Cochran–Mantel–Haenszel statistic
(the side-A articles using it, summed over strata, against its expectation with
every stratum's margins fixed), its exact two-sided mid-p from the convolution
of the strata's hypergeometric distributions (normal once its variance is
large), the smallest p-value its margins allow (Tarone's screen), the outlets'
dispersion around their side's daily rate, the same-day shares and the
log-odds ratio shrunk with an informative Dirichlet prior. ``framing`` explains
why these choices; this module only computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import chdtrc, gammaln, ndtr, ndtri

from untold.analyze.stats import HETEROGENEITY_LEVEL

__all__ = ["PRIOR_ARTICLES", "WordStats", "exact_stratified", "log_odds", "word_tests"]

PRIOR_ARTICLES = 10.0  # alpha0: pseudo-articles of the background share added to each side
# Variance of the statistic from which the normal approximation replaces the exact
# convolution (a loop per word): from 10 on (sd ~3 articles) the normal mid-p is near the
# exact one (median ratio ~1 on simulated stories) and larger in the far tail, so it errs
# towards no finding; below it, it can be several times too small.
EXACT_BELOW = 10.0
# Words whose normal p-value is above this keep it: below EXACT_BELOW the normal value
# errs on the small side only for small p-values (those get the exact one), and a word
# at p >= 1 % cannot decide Simes' test or Benjamini-Hochberg's list unless a fifth of
# all words are that small; the exact loop costs milliseconds a word.
EXACT_CHECK = 0.01


def log_odds(ya: np.ndarray, na: float, yb: np.ndarray, nb: float, rate: np.ndarray,
             strength: float = PRIOR_ARTICLES) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio delta and its Wald z per word, with an informative prior.

    Monroe et al. (2008) put a Dirichlet prior alpha_w = alpha0 * pi_w on the
    vocabulary, pi_w the background share of word w; counted once per article
    each word is a binomial draw per article and the prior one
    Beta(alpha_w, alpha0 - alpha_w) per word (``strength`` is alpha0, ``rate`` pi_w):
    delta = log((ya + alpha_w) / (na + alpha0 - ya - alpha_w)) - (the same for b),
    var(delta) ~ 1/(ya + alpha_w) + 1/(na + alpha0 - ya - alpha_w) + (the same for b).
    With ``rate`` the comparison's pooled share (as ``word_tests`` uses it) a word one
    side never uses keeps a finite variance; the rule's p-values come from the
    stratified exact test, not from this z.
    """
    a = strength * rate
    b = strength * (1.0 - rate)
    da = np.log((ya + a) / (na - ya + b))
    db = np.log((yb + a) / (nb - yb + b))
    delta = da - db
    var = 1.0 / (ya + a) + 1.0 / (na - ya + b) + 1.0 / (yb + a) + 1.0 / (nb - yb + b)
    return delta, delta / np.sqrt(var)


@dataclass
class WordStats:
    """Per word (arrays over ``terms``): the stratified test and what a reader needs."""

    terms: list[str]
    p: np.ndarray
    min_p: np.ndarray          # smallest p attainable with these margins (Tarone)
    z: np.ndarray              # signed normal quantile of p: > 0, side A uses it more
    log_odds: np.ndarray
    ya: np.ndarray             # articles using it, as is
    yb: np.ndarray
    share_a: np.ndarray        # same-day shares
    share_b: np.ndarray
    outlets_a: np.ndarray      # outlets of A using it more than B does on their days
    outlets_b: np.ndarray
    dispersion: np.ndarray


class _LogChoose:
    """log C(n, k) from a table of log factorials (one gammaln call for all words)."""

    def __init__(self, n_max: int) -> None:
        self.lf = gammaln(np.arange(n_max + 2, dtype=float) + 1.0)

    def __call__(self, n: np.ndarray, k: np.ndarray) -> np.ndarray:
        n, k = n.astype(int), k.astype(int)
        return np.asarray(self.lf[n] - self.lf[k] - self.lf[n - k])


def exact_stratified(t: int, na: np.ndarray, nb: np.ndarray, m: np.ndarray,
                     lc: _LogChoose | None = None) -> tuple[float, float]:
    """Two-sided mid-p of a sum of per-stratum hypergeometric counts, and its smallest value.

    Stratum s: na[s] and nb[s] articles, m[s] of them using the word; side a's
    count is Hypergeometric(na + nb, m, na), ``t`` the sum seen. The sum's
    distribution is the strata's convolution; two-sided by doubling the smaller
    mid-p tail (Lancaster's mid-p: half the probability of the value seen)."""
    na, nb, m = (np.asarray(v, dtype=int) for v in (na, nb, m))
    lf = (lc or _LogChoose(int((na + nb).max(initial=1)))).lf
    pmf = np.ones(1)
    shift = 0
    for a_s, b_s, m_s in zip(na.tolist(), nb.tolist(), m.tolist(), strict=True):
        lo, hi = max(0, m_s - b_s), min(a_s, m_s)
        shift += lo
        if hi <= lo:
            continue
        x = np.arange(lo, hi + 1)
        logp = (lf[a_s] + lf[b_s] + lf[m_s] + lf[a_s + b_s - m_s] - lf[a_s + b_s]
                - lf[x] - lf[a_s - x] - lf[m_s - x] - lf[b_s - m_s + x])
        pmf = np.convolve(pmf, np.exp(logp))
    if len(pmf) == 1:
        return 1.0, 1.0
    pmf = pmf / pmf.sum()
    k = t - shift
    at = float(pmf[k])
    lower = float(pmf[:k].sum()) + 0.5 * at
    return min(1.0, 2.0 * min(lower, 1.0 - lower)), float(min(pmf[0], pmf[-1]))


def _dense(m: sparse.spmatrix) -> np.ndarray:
    return np.asarray(m.todense(), dtype=float)


def word_tests(x: sparse.csr_matrix, side_a: np.ndarray, stratum: np.ndarray,
               outlet: np.ndarray, terms: list[str]) -> WordStats:
    """The stratified comparison of every word (columns of ``x``, articles x words, 0/1).

    ``side_a``: per article, True on side A; ``stratum`` and ``outlet``: per article,
    an index (0..S-1, 0..O-1). Every stratum must hold articles of both sides."""
    n_s, n_o, n_art = int(stratum.max()) + 1, int(outlet.max()) + 1, len(side_a)
    rows, ones = np.arange(n_art), np.ones(n_art)
    a = _dense(sparse.csr_matrix((ones * side_a, (stratum, rows)), shape=(n_s, n_art)) @ x)
    b = _dense(sparse.csr_matrix((ones * ~side_a, (stratum, rows)), shape=(n_s, n_art)) @ x)
    na = np.bincount(stratum[side_a], minlength=n_s).astype(float)[:, None]
    nb = np.bincount(stratum[~side_a], minlength=n_s).astype(float)[:, None]
    n, m = na + nb, a + b
    t = a.sum(axis=0)
    e = (na * m / n).sum(axis=0)
    var = (na * nb * m * (n - m) / (n * n * np.maximum(n - 1, 1))).sum(axis=0)
    pa, pb = a / na, b / nb                                     # side rates per stratum
    xo = _dense(sparse.csr_matrix((ones, (outlet, rows)), shape=(n_o, n_art)) @ x)
    phi, more_a, more_b = _dispersion(xo, outlet, stratum, side_a, na, nb, pa, pb, var)

    # the test, with the statistic's variance multiplied by the outlets' dispersion
    scale = np.sqrt(np.where(var > 0, var * phi, 1.0))
    z_abs = np.where(var > 0, np.abs(t - e) / scale, 0.0)
    lc = _LogChoose(int(n.max()))
    lo = np.maximum(0.0, m - nb)
    hi = np.minimum(na, m)
    # smallest attainable p (exact: the convolution's end points are products)
    log_lo = (lc(na + 0 * lo, lo) + lc(nb + 0 * lo, m - lo) - lc(n + 0 * m, m)).sum(axis=0)
    log_hi = (lc(na + 0 * hi, hi) + lc(nb + 0 * hi, m - hi) - lc(n + 0 * m, m)).sum(axis=0)
    min_exact = np.exp(np.minimum(log_lo, log_hi))
    z_max = np.where(var > 0, -ndtri(np.clip(min_exact, 1e-300, 1.0) / 2), 0.0) / np.sqrt(phi)
    z_max = np.where(lo.sum(axis=0) < hi.sum(axis=0), z_max, 0.0)
    p_norm = 2.0 * ndtr(-z_abs)
    for j in np.flatnonzero((var > 0) & (var < EXACT_BELOW) & (p_norm < EXACT_CHECK)):
        live = (m[:, j] > 0) & (m[:, j] < n[:, 0])
        p_j, _ = exact_stratified(int(a[live, j].sum()), na[live, 0], nb[live, 0],
                                  m[live, j], lc)
        z_abs[j] = -ndtri(p_j / 2) / np.sqrt(phi[j])
    p = np.where(var > 0, 2.0 * ndtr(-z_abs), 1.0)
    min_p = np.where(var > 0, 2.0 * ndtr(-z_max), 1.0)
    z = np.sign(t - e) * z_abs

    # effect: same-day shares (Mantel-Haenszel day weights), shrunk log-odds
    wts = (na * nb / n)[:, 0]
    share_a = (wts @ pa) / wts.sum()
    share_b = (wts @ pb) / wts.sum()
    n_a, n_b = float(na.sum()), float(nb.sum())
    pooled = np.clip((share_a * n_a + share_b * n_b) / (n_a + n_b), 1e-9, 1 - 1e-9)
    delta, _ = log_odds(share_a * n_a, n_a, share_b * n_b, n_b, pooled)
    return WordStats(terms=terms, p=p, min_p=min_p, z=z, log_odds=delta,
                     ya=a.sum(axis=0), yb=b.sum(axis=0), share_a=share_a, share_b=share_b,
                     outlets_a=more_a, outlets_b=more_b, dispersion=phi)


def _dispersion(xo: np.ndarray, outlet: np.ndarray, stratum: np.ndarray, side_a: np.ndarray,
                na: np.ndarray, nb: np.ndarray, pa: np.ndarray, pb: np.ndarray,
                var: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """House style: the factor by which outlets' own word rates multiply the variance of
    each word's statistic (1: articles as independent draws), and the outlets of each
    side using a word more than the other side does on their days.

    Model: an outlet uses a word at its side's daily rate shifted by its own offset on
    the logit scale, with variance ``s2`` (quasi-likelihood; a beta-binomial-like
    spread, larger in absolute terms for common words). Within a side and stratum,
    with the side's count fixed, an outlet's count is hypergeometric when articles
    are independent: its total over strata has a known conditional variance ``v``,
    and its squared residual from the side's daily rates exceeds ``v`` by about
    ``s2 * d``, ``d`` the square of its articles weighted by p(1-p). ``s2`` is
    estimated for each word by moments, and for all words together (many outlets x
    words: precise); the larger of the two is used, so a word that some outlets
    favour far more than others (a site's own term) keeps its wide spread, and the
    few outlets of one word never make a word look more regular than words are.
    The statistic's extra variance is ``s2`` times the sum over outlets of their
    articles' weight in it (Mantel–Haenszel's (nb/n) on side A, -(na/n) on side B)
    times p(1-p), squared."""
    n_o, n_s = xo.shape[0], na.shape[0]
    nos = np.zeros((n_o, n_s))
    np.add.at(nos, (outlet, stratum), 1.0)
    o_side_a = np.zeros(n_o, dtype=bool)
    o_side_a[outlet[side_a]] = True
    ng = np.where(o_side_a[:, None], na.T, nb.T)               # outlets x strata: side size
    frac = np.where(ng > 1, (ng - nos) / np.maximum(ng - 1, 1), 0.0)
    n = na + nb
    pq = (pa * na + pb * nb) / n
    pq = pq * (1 - pq)                                          # strata x words, pooled
    weight = np.where(o_side_a[:, None], (nb / n).T, -(na / n).T)  # outlets x strata
    excess = ((nos * weight) @ pq) ** 2                         # outlets x words, / s2
    shape = xo.shape[1]
    r2, v, d = np.zeros(xo.shape), np.zeros(xo.shape), np.zeros(xo.shape)  # outlets x words
    more = {True: np.zeros(shape), False: np.zeros(shape)}
    for side, own, other in ((True, pa, pb), (False, pb, pa)):
        sel = np.flatnonzero(o_side_a == side)
        if not len(sel):
            continue
        w = nos[sel]
        r2[sel] = (xo[sel] - w @ own) ** 2
        v[sel] = (w * frac[sel]) @ (own * (1 - own))
        d[sel] = ((w * (1 - w / np.maximum(ng[sel], 1))) @ pq) ** 2
        more[side] = (xo[sel] > w @ other).sum(axis=0).astype(float)
    resid2, cvar, dsum = r2.sum(axis=0), v.sum(axis=0), d.sum(axis=0)
    ok = dsum > 0
    s2_all = _weighted_median((resid2[ok] - cvar[ok]) / dsum[ok], dsum[ok]) if ok.any() else 0.0
    # a word whose outlets spread more than the common spread allows (Pearson's
    # chi-square over outlets at HETEROGENEITY_LEVEL, a degree of freedom lost to each
    # side's rates) gets its own, larger spread: a site's own term is not the group's
    den = v + s2_all * d
    chi2 = (r2 / np.where(den > 0, den, 1.0) * (den > 0)).sum(axis=0)
    sides = (den[o_side_a] > 0).any(axis=0).astype(int) + (den[~o_side_a] > 0).any(axis=0)
    df = (den > 0).sum(axis=0) - sides
    own_spread = ok & (df > 0) & (chdtrc(np.maximum(df, 1), chi2) < HETEROGENEITY_LEVEL)
    s2 = np.full(shape, s2_all)
    s2[own_spread] = np.maximum(s2_all, (resid2[own_spread] - cvar[own_spread])
                                / dsum[own_spread])
    phi = np.ones(shape)
    live = var > 0
    phi[live] = 1.0 + s2[live] * excess.sum(axis=0)[live] / var[live]
    return phi, more[True], more[False]


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """The median of ``x`` with weights ``w`` (>= 0 result: a spread below zero is noise)."""
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return max(0.0, float(x[order][np.searchsorted(cum, 0.5 * cum[-1])]))
