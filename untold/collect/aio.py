"""Running many fetches at once, and stopping them all cleanly when one fails for good.

``asyncio.gather`` lets the other tasks run on after the first error, and
``as_completed`` leaves them orphaned: when the disk fills up, every fetch in
flight then fails on its own and prints its own "Task exception was never
retrieved" traceback. :func:`all_or_first_error` cancels the rest at the first
error, waits for them to finish (so nothing is written half-way after the
error), and raises that first error alone; :func:`cleanup` keeps a clean-up
that fails the same way from hiding it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from untold.errors import UntoldError

__all__ = ["all_or_first_error", "cleanup"]

T = TypeVar("T")


async def all_or_first_error(aws: Iterable[Awaitable[T]]) -> list[T]:
    """Results of ``aws`` run concurrently, in order; the first exception cancels the rest."""
    tasks = [asyncio.ensure_future(a) for a in aws]
    if not tasks:
        return []
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:  # we were cancelled ourselves: take the tasks down with us
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    failed = next((t for t in tasks if t.done() and not t.cancelled()
                   and t.exception() is not None), None)
    if failed is None:
        return [t.result() for t in tasks]
    for t in tasks:
        t.cancel()
    # every task's outcome is retrieved here, so none is reported as "never retrieved"
    await asyncio.gather(*tasks, return_exceptions=True)
    exc = failed.exception()
    assert exc is not None
    raise exc


def cleanup(failing: bool) -> contextlib.AbstractContextManager[object]:
    """Around clean-up in a ``finally``: when the run is already failing (the disk is
    full, say), a clean-up that fails the same way must not hide the first error."""
    return contextlib.suppress(UntoldError, OSError) if failing else contextlib.nullcontext()
