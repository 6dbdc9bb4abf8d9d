"""Attention over time: a story's share of each outlet's (and group's) output.

Normalised as Media Cloud does: for every bucket (day or hour) the story's
articles are divided by ALL the articles the outlet or group published in that
bucket, so an outlet that publishes a lot does not look more attentive than
one that publishes little. Each share carries a Wilson 95 % interval.

All counting is the store's (``untold.store.sqlite.stories``): the story's
matches (selected by :mod:`untold.analyze.stories`) per outlet and bucket;
every article per outlet and day from the per-day summary (:mod:`.daycounts`)
when it is current, else (and for hours) by index range counts on
``(outlet_id, published)`` (:func:`output_counts`). Python (numpy) only adds
the counted cells up into group lines; it never loops over articles.

An article's time is ``published``, or ``fetched_at`` when the page gave no
date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

import numpy as np

from untold.analyze.daycounts import summary_counts
from untold.analyze.intervals import wilson_many
from untold.analyze.results import AttentionPoint
from untold.models import Outlet
from untold.store.base import Store
from untold.timeutil import to_iso

__all__ = [
    "ALL_OUTLETS",
    "AUTO_HOUR_MAX_SPAN",
    "BUCKET_CHARS",
    "Bucket",
    "attention_points",
    "bucket_bounds",
    "bucket_keys",
    "choose_bucket",
    "floor_time",
    "match_counts",
    "output_counts",
]

Bucket = Literal["day", "hour"]
# ISO times are "YYYY-MM-DDTHH:MM:SSZ"; a bucket key is the first N characters.
BUCKET_CHARS: dict[str, int] = {"day": 10, "hour": 13}
# A window up to three days long is read by the hour (a breaking story's first
# hours matter); longer ones by the day, where hourly counts are mostly zeros.
AUTO_HOUR_MAX_SPAN = timedelta(hours=72)
# The subject of the line that adds up every study outlet.
ALL_OUTLETS = "*"
# Up to this many (outlet, bucket) pairs, output is counted by one index range
# count per pair (a year of days for 500 outlets); beyond (a year of hours), by
# one GROUP BY whose sort costs more per article but does not grow with pairs.
SEEK_MAX_PAIRS = 200_000

Counts = dict[tuple[str, str], int]  # (outlet id, bucket key) -> articles


def choose_bucket(start: datetime, end: datetime, bucket: str | None) -> Bucket:
    if bucket is None:
        return "hour" if end - start <= AUTO_HOUR_MAX_SPAN else "day"
    if bucket not in BUCKET_CHARS:
        raise ValueError(f"bucket must be 'day' or 'hour', not {bucket!r}")
    return "day" if bucket == "day" else "hour"


def floor_time(t: datetime, bucket: str) -> datetime:
    t = t.replace(minute=0, second=0, microsecond=0)
    return t.replace(hour=0) if bucket == "day" else t


def bucket_keys(start: datetime, end: datetime, bucket: str) -> list[str]:
    """Every bucket key in ``[start, end)``, in order."""
    step = timedelta(days=1) if bucket == "day" else timedelta(hours=1)
    n = BUCKET_CHARS[bucket]
    keys: list[str] = []
    t = floor_time(start, bucket)
    while t < end:
        keys.append((to_iso(t) or "")[:n])
        t += step
    return keys


def match_counts(store: Store, bucket: str) -> Counts:
    """Story articles per (outlet, bucket), of the story the store selected."""
    return store.story_match_counts(BUCKET_CHARS[bucket])


def bucket_bounds(keys: Sequence[str], start: datetime, end: datetime,
                  bucket: str) -> list[tuple[str, str, str]]:
    """(key, from, to) of each bucket, clipped to the window ``[start, end)``."""
    step = timedelta(days=1) if bucket == "day" else timedelta(hours=1)
    t = floor_time(start, bucket)
    out = []
    for k in keys:
        out.append((k, to_iso(max(t, start)) or "", to_iso(min(t + step, end)) or ""))
        t += step
    return out


def output_counts(store: Store, outlet_ids: Sequence[str],
                  bounds: Sequence[tuple[str, str, str]], bucket: str, *,
                  summary: bool = False) -> Counts:
    """All articles per (outlet, bucket) over ``bounds`` (from :func:`bucket_bounds`).

    With ``summary`` (the per-day table is current, see :mod:`.daycounts`) whole
    days are read from it and only clipped edge days are counted. Counting:
    dated articles from the ``(outlet_id, published)`` index alone, one range
    count per outlet and bucket (a seek and a short walk) up to
    :data:`SEEK_MAX_PAIRS` pairs, else one ``GROUP BY`` (which sorts every
    article of the window); undated ones (few) visit their rows for ``fetched_at``.
    """
    if not outlet_ids or not bounds:
        return {}
    ids = list(outlet_ids)
    out: Counts = {}
    todo = list(bounds)
    if summary and bucket == "day":
        whole = [b for b in bounds if b[1].endswith("T00:00:00Z") and b[2].endswith("T00:00:00Z")]
        if whole:
            out.update(summary_counts(store, ids, whole[0][0], whole[-1][0]))
            todo = [b for b in bounds if b not in whole]
    if todo:
        for key, n in _counted(store, ids, todo, bucket, grouped=len(todo) == len(bounds)
                               and len(ids) * len(todo) > SEEK_MAX_PAIRS).items():
            out[key] = out.get(key, 0) + n
    return out


def _counted(store: Store, ids: list[str], bounds: Sequence[tuple[str, str, str]],
             bucket: str, *, grouped: bool) -> Counts:
    """Articles per (outlet, bucket) for ``bounds``, counted from the index."""
    dated, undated = store.output_rows(ids, bounds, BUCKET_CHARS[bucket], grouped=grouped)
    keys = {b[0] for b in bounds}
    out: Counts = {}
    for o, b, c in [*dated, *(r for r in undated if r[1] in keys)]:
        out[(o, b)] = out.get((o, b), 0) + int(c)
    return out


def _grid(counts: Counts, oi: dict[str, int], ki: dict[str, int]) -> np.ndarray:
    """Grouped rows as an outlets x buckets matrix (rows of other outlets dropped)."""
    grid = np.zeros((len(oi), len(ki)), dtype=np.int64)
    cells = [(oi[o], ki[k], n) for (o, k), n in counts.items() if o in oi and k in ki]
    if cells:
        r, c, n = zip(*cells, strict=True)
        np.add.at(grid, (np.array(r), np.array(c)), np.array(n, dtype=np.int64))
    return grid


def attention_points(keys: Sequence[str], outlets: Iterable[Outlet], study_ids: set[str],
                     matching: Counts, totals: Counts, *,
                     per_outlet: bool = True) -> list[AttentionPoint]:
    """Group lines (dense: every bucket), then outlet lines (sparse).

    Groups come first: ``*`` (every study outlet), then each group name of the
    study's outlets, sorted; each has a point for every bucket of the window.
    An outlet has a point only for buckets where it published (``total > 0``),
    so a year of a hundred outlets stays small; a missing bucket means 0 of 0.
    The sums are matrix products over the grouped counts, never article loops.
    """
    outlets = list(outlets)
    oi = {o.id: i for i, o in enumerate(outlets)}
    ki = {k: j for j, k in enumerate(keys)}
    tot, mat = _grid(totals, oi, ki), _grid(matching, oi, ki)
    names = sorted({g for o in outlets if o.id in study_ids for g in o.groups})
    member = np.zeros((1 + len(names), len(outlets)), dtype=np.int64)
    gi = {g: 1 + i for i, g in enumerate(names)}
    for o in outlets:
        if o.id in study_ids:
            member[0, oi[o.id]] = 1
            for g in o.groups:
                member[gi[g], oi[o.id]] = 1
    gtot, gmat = member @ tot, member @ mat
    subjects = [ALL_OUTLETS, *names]
    rows: list[tuple[str, str, Literal["outlet", "group"]]] = [
        (k, g, "group") for g in subjects for k in keys]
    m_all: list[int] = gmat.ravel().tolist()
    t_all: list[int] = gtot.ravel().tolist()
    if per_outlet:
        r, c = np.nonzero(tot)  # row-major: outlet by outlet, buckets in order
        rows += [(keys[j], outlets[i].id, "outlet") for i, j in zip(r.tolist(), c.tolist(),
                                                                   strict=True)]
        m_all += mat[r, c].tolist()
        t_all += tot[r, c].tolist()
    lows, highs = wilson_many(m_all, t_all)
    return [AttentionPoint(bucket=k, subject=s, subject_kind=kind, matching=m, total=t,
                           share=m / t if t else 0.0, ci_low=lo, ci_high=hi)
            for (k, s, kind), m, t, lo, hi in zip(rows, m_all, t_all, lows, highs,
                                                  strict=True)]
