"""Articles per outlet and day: a summary table, so attention's denominators
are read (a row per outlet and day) instead of counted (every article of the
window) for each story.

``article_day_counts`` (schema v5) holds, per outlet and UTC day of
``COALESCE(published, fetched_at)``, how many articles the archive has;
``day_counts_state`` records which articles that describes: the highest
article id and the number of articles. Articles are only ever added (never
updated or deleted by untold), so :func:`refresh` adds the days of articles
above the recorded id, and rebuilds the table when the count disagrees
(articles were removed). A reader uses the summary only when its state
matches the articles its own snapshot sees (:func:`summary_is_current`);
otherwise it counts from the index, so a stale summary can never be used.
"""

from __future__ import annotations

from collections.abc import Sequence

from untold.store.base import Store

__all__ = ["refresh", "summary_counts", "summary_is_current"]

Counts = dict[tuple[str, str], int]


def refresh(store: Store) -> str:
    """Bring the summary up to date (a write transaction); say what was done:
    ``current``, ``added`` (articles above the recorded id), ``rebuilt``, or
    ``unavailable`` (read-only store, or an archive without the tables)."""
    return store.refresh_day_counts()


def summary_is_current(store: Store) -> bool:
    """Whether the summary describes exactly the articles the store's snapshot sees."""
    return store.day_counts_current()


def summary_counts(store: Store, outlet_ids: Sequence[str], first_day: str,
                   last_day: str) -> Counts:
    """Articles per (outlet, day) for the days ``first_day`` .. ``last_day`` (inclusive)."""
    return store.day_counts(outlet_ids, first_day, last_day)
