"""Numbers in words a non-statistician reads: percentages and "1 in N" chances."""

from __future__ import annotations

import math

__all__ = ["chance", "one_in", "pct", "times"]


def pct(x: float) -> str:
    """0.8 -> "80 %"; small non-zero shares keep a decimal (0.004 -> "0.4 %")."""
    if x != 0 and abs(x) < 0.01:
        return f"{x * 100:.1f} %"
    return f"{x * 100:.0f} %"


def chance(p: float) -> str:
    """A probability as "about 1 time in 2,500" (or "about half the time")."""
    if math.isnan(p):
        return "with unknown probability"
    if p >= 0.5:
        return "more often than not"
    if p <= 1e-9:
        return "less than 1 time in a billion"
    n = 1 / p
    digits = max(0, math.floor(math.log10(n)) - 1)
    n_round = round(n, -digits) if digits else round(n)
    return f"about 1 time in {int(n_round):,}"


def times(ratio: float) -> str:
    """A ratio as "a third as often" or "2.5 times as often"."""
    if math.isnan(ratio):
        return "an unknown multiple"
    if ratio == 0:
        return "not at all"
    if ratio < 1:
        return f"{ratio:.2f} times as often (a drop of {pct(1 - ratio)})"
    return f"{ratio:.1f} times as often"


def one_in(p: float) -> str:
    """A share as "1 in 2,500" (or a percentage when larger than 1 in 20)."""
    if p > 0.05 or math.isnan(p):
        return pct(p)
    if p <= 1e-9:
        return "1 in a billion"
    return chance(p).replace("about 1 time in", "1 in")
