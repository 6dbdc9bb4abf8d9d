"""``untold watch``: collect and revisit in a loop until SIGINT or SIGTERM.

A signal sets a stop flag: a collection under way is cancelled at its next
await (collection is resumable, and nothing is half-written: store writes
hold no await), a revisit pass starts no new check and lets the ones in
flight finish and be stored, then the loop exits and the WARC files close.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from typing import Any

import httpx

from untold.collect.revisit import Clock, RevisitStats, revisit_async
from untold.config import Study, parse_duration
from untold.store.base import Store

__all__ = ["watch", "watch_async"]


async def watch_async(study: Study, store: Store, *, stop: asyncio.Event,
                      interval: float | None = None, passes: int | None = None,
                      collect: bool = True, clock: Clock | None = None,
                      transport: httpx.AsyncBaseTransport | None = None,
                      on_pass: Callable[[int, RevisitStats], None] | None = None,
                      ) -> list[RevisitStats]:
    """Loop collect + revisit until ``stop`` is set (or ``passes`` passes are done)."""
    from untold.collect.pipeline import collect_async

    wait = parse_duration(study.revisit.watch_interval) if interval is None else interval
    done: list[RevisitStats] = []
    while not stop.is_set():
        if collect:
            job = asyncio.create_task(collect_async(study, store, transport=transport))
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait({job, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not job.done():
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
                break
            job.result()  # a collection error is the user's to see
        stats = await revisit_async(study, store, clock=clock, stop=stop, transport=transport)
        done.append(stats)
        if on_pass is not None:
            on_pass(len(done), stats)
        if passes is not None and len(done) >= passes:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
    return done


def watch(study: Study, store: Store, **kw: Any) -> list[RevisitStats]:
    """``watch_async`` with SIGINT and SIGTERM setting the stop flag."""

    async def main() -> list[RevisitStats]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        sigs = (signal.SIGINT, signal.SIGTERM)
        for s in sigs:
            loop.add_signal_handler(s, stop.set)
        try:
            return await watch_async(study, store, stop=stop, **kw)
        finally:
            for s in sigs:
                loop.remove_signal_handler(s)

    return asyncio.run(main())
