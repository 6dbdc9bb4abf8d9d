"""A picklable extraction job for worker processes (collect and revisit use it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ExtractJob", "run_extract_job"]


@dataclass(frozen=True)
class ExtractJob:
    url: str
    body: bytes
    headers: Mapping[str, str]
    languages: Sequence[str]


def run_extract_job(job: ExtractJob) -> Any:
    """Run in a worker: HTML bytes -> ExtractResult (article or skip reason)."""
    from untold.extract import extract_page

    return extract_page(url=job.url, body=job.body, headers=dict(job.headers),
                        outlet_languages=tuple(job.languages))
