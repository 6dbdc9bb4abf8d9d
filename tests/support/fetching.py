"""Fetching in tests: small-limit settings, a fetcher run on a WARC writer, and the WARC
records read back (digests checked by warcio), with the failure records among them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from warcio.archiveiterator import ArchiveIterator

from untold.collect.fetcher import Fetcher
from untold.collect.warcwriter import WarcWriter
from untold.config import FetchSettings
from untold.models import FetchResult

T = TypeVar("T")


def settings(**kw: Any) -> FetchSettings:
    """Small limits so hostile endpoints are cut off fast; loopback allowed (the servers
    are on 127.0.0.1): tests of the address policy pass ``allow_private=False``."""
    base: dict[str, Any] = {"timeout": 1.5, "delay": 0.0, "retries": 2, "max_body": 1_000_000,
                            "max_redirects": 3, "concurrency": 8, "per_host": 4,
                            "allow_private": True}
    base.update(kw)
    return FetchSettings(**base)


def run_fetches(st: FetchSettings, warc_dir: Path,
                body: Callable[[Fetcher], Awaitable[T]], **fetcher_kw: Any) -> T:
    async def main() -> T:
        with WarcWriter(warc_dir) as w:
            async with Fetcher(st, w, **fetcher_kw) as f:
                return await body(f)
    return asyncio.run(main())


def fetch_one(st: FetchSettings, warc_dir: Path, url: str, **kw: Any) -> FetchResult:
    return run_fetches(st, warc_dir, lambda f: f.fetch(url, **kw))


@dataclass
class Rec:
    type: str
    uri: str
    warc: dict[str, str]
    status: str | None
    http: dict[str, str]
    payload: bytes
    file: str
    offset: int


def warc_records(warc_dir: Path) -> list[Rec]:
    """Every record of every WARC file, digests checked by warcio (raises on mismatch)."""
    out = []
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests="raise")
            for r in it:
                parts = []
                while chunk := r.raw_stream.read(65536):
                    parts.append(chunk)
                http = ({k.lower(): v for k, v in r.http_headers.headers}
                        if r.http_headers else {})
                status = r.http_headers.get_statuscode() if r.http_headers else None
                out.append(Rec(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "",
                               dict(r.rec_headers.headers), status, http, b"".join(parts),
                               path.name, it.get_record_offset()))
                assert r.digest_checker.passed is not False, r.digest_checker.problems
    return out


def failures_for(recs: list[Rec], url: str) -> list[dict[str, object]]:
    return [json.loads(r.payload) for r in recs
            if r.type == "metadata" and r.uri == url and b'"failure"' in r.payload
            and r.warc.get("WARC-Refers-To") is None]
