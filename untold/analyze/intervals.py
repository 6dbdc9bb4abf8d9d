"""Confidence intervals for proportions (shares of attention, rates of coverage).

The Wilson score interval is used rather than the normal ("Wald") one because
story shares are small and counts per day are often tiny: Wald gives
intervals below zero or of zero width at 0/n, Wilson stays inside [0, 1] and
keeps a sensible width (Brown, Cai & DasGupta 2001).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["Z95", "wilson", "wilson_many"]

Z95 = 1.959963984540054  # two-sided 95 %: the standard normal's 0.975 quantile


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``k`` successes out of ``n``.

    ``n == 0`` says nothing about the share, so the interval is all of [0, 1]
    (whatever ``k`` is: no trials, no information). Otherwise ``k > n`` is an
    error, and the bounds are exact at the edges (0 when ``k == 0``, 1 when
    ``k == n``) instead of the formula's rounding residue (5.6e-17 at 0/3).
    The one Wilson interval of the package: ``stats`` re-exports it.
    """
    if n < 0 or k < 0:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    if k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def wilson_many(k: Sequence[int], n: Sequence[int],
                z: float = Z95) -> tuple[list[float], list[float]]:
    """:func:`wilson` for many counts at once (same arithmetic, same results)."""
    ka = np.asarray(k, dtype=np.float64)
    na = np.asarray(n, dtype=np.float64)
    # n == 0 is all of [0, 1] whatever k is, as in :func:`wilson`
    if ka.shape != na.shape or bool(np.any((ka < 0) | (na < 0) | ((ka > na) & (na > 0)))):
        raise ValueError("need 0 <= k <= n for every pair, and as many k as n")
    safe = np.where(na > 0, na, 1.0)
    p = np.where(na > 0, ka / safe, 0.0)  # any k of 0 trials: masked below
    z2 = z * z
    denom = 1.0 + z2 / safe
    centre = (p + z2 / (2 * safe)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / safe + z2 / (4 * safe * safe))
    low = np.where(ka == 0, 0.0, np.maximum(0.0, centre - half))
    high = np.where(ka == na, 1.0, np.minimum(1.0, centre + half))
    low = np.where(na == 0, 0.0, low)
    high = np.where(na == 0, 1.0, high)
    return low.tolist(), high.tolist()
