"""A picklable extraction job for worker processes (collect and revisit use it), and
the start-up every worker pool of untold gives its workers."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

__all__ = ["ExtractJob", "run_extract_job", "worker_init", "worker_pool"]

ORPHAN_CHECK_S = 1.0  # how often a worker checks that the process it works for still runs


@dataclass(frozen=True)
class ExtractJob:
    url: str
    body: bytes
    headers: Mapping[str, str]
    languages: Sequence[str]
    timezone: str = ""  # the outlet's IANA zone: zone-less times on the page are its clock


def run_extract_job(job: ExtractJob) -> Any:
    """Run in a worker: HTML bytes -> ExtractResult (article or skip reason)."""
    from untold.extract import extract_page

    return extract_page(url=job.url, body=job.body, headers=dict(job.headers),
                        outlet_languages=tuple(job.languages), outlet_timezone=job.timezone)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(ORPHAN_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)  # our run was killed: do not linger as an orphan


def worker_init(parent: int) -> None:
    """Worker start-up: exit on our own when the run that started us dies (kill -9
    included). Forked workers hold each other's pipe ends, so without this the
    workers of a killed run wait for work forever."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="untold-orphan-watch").start()


def worker_pool(workers: int, *, fork: bool = False) -> ProcessPoolExecutor:
    """A process pool whose workers exit when this process dies.

    ``fork``: start the workers by forking where the system can, so they start in
    milliseconds with untold (and whatever this process loaded) already imported.
    """
    method = "fork" if fork and "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context(method),
                               initializer=worker_init, initargs=(os.getpid(),))
