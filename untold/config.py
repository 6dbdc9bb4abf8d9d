"""Study files (TOML) -> validated models.

A study file names the outlets to watch and where the archive lives; later
sections add stories and events. Unknown keys are errors (a typo must not be
silently ignored), reported with the key, its table and its line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from untold.errors import ConfigError, QueryError
from untold.models import Outlet

__all__ = [
    "CollectSettings",
    "EventConfig",
    "FetchSettings",
    "OutletConfig",
    "QueryCheck",
    "RevisitSettings",
    "StoryConfig",
    "Study",
    "load_study",
]

DEFAULT_USER_AGENT = "untold/0.1 (+https://github.com/untold-news/untold; news research crawler)"
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
# Checks one search-language query, raising QueryError when it is malformed (the
# query language's compile_query; passed in by the caller that loads studies).
QueryCheck = Callable[[str], object]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FetchSettings(_Strict):
    """How politely to fetch. Defaults suit a laptop crawling news sites."""

    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = Field(16, ge=1, le=512)  # all hosts together
    per_host: int = Field(2, ge=1, le=64)  # simultaneous requests to one host
    delay: float = Field(1.0, ge=0.0, le=600.0)  # seconds between requests to one host
    timeout: float = Field(30.0, gt=0.0, le=600.0)  # per request, connect+read
    max_body: int = Field(20_000_000, ge=1024)  # bytes after decompression
    max_redirects: int = Field(10, ge=0, le=50)
    retries: int = Field(2, ge=0, le=10)  # transient errors only
    respect_robots: bool = True
    # host[:port] -> ip:port, like curl --resolve: for local mirrors and the demo
    resolve: dict[str, str] = {}
    # connect to loopback/private/link-local/reserved addresses too (untold.net.addresses):
    # off by default, so a link, redirect or DNS answer cannot turn the collector against
    # the machine or network it runs on; on only for local mirrors, the demo and tests
    allow_private: bool = False
    # when an outlet's https fails at the TLS layer (handshake, certificate, TLS
    # version; not timeouts or refusals), try the same URL over plain http and store
    # both attempts. Off by default: a TLS failure can be interception or blocking (a
    # measurement in itself), and plain http lets anyone on the path alter what is
    # stored as the outlet's page; on for sites known to have broken or outdated TLS
    http_fallback: bool = False
    # a PEM file of CA certificates trusted besides the public roots (a lab, a local
    # mirror, the demo), relative to the study file; read when fetching starts, not when
    # the study is loaded (a study is read long after a lab's CA may be gone)
    ca_file: str | None = None


class CollectSettings(_Strict):
    max_articles_per_outlet: int = Field(1000, ge=1)  # new article URLs per run
    link_discovery_pages: int = Field(1, ge=0, le=50)  # pages crawled for links when no feed/sitemap
    sitemap_max_depth: int = Field(3, ge=1, le=10)
    sitemap_max_urls: int = Field(50_000, ge=1)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> float:
    """Seconds in ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"``, ``"1w"`` (ValueError otherwise)."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration (write e.g. \"30m\", \"6h\", \"2d\")")
    return float(m.group(1)) * _DURATION_UNITS[m.group(2)]


class RevisitSettings(_Strict):
    """When stored articles are fetched again to catch stealth edits and deletions."""

    # offsets from the first fetch: hours at first, daily for a week, weekly for a month
    schedule: list[str] = ["1h", "6h", "1d", "2d", "3d", "4d", "5d", "6d", "7d", "14d",
                           "21d", "30d"]
    failure_retry: str = "1h"  # after a network failure or 5xx, try again this soon
    max_failure_retries: int = Field(24, ge=0)  # then move on along the schedule
    watch_interval: str = "5m"  # `untold watch`: pause between passes
    probe_not_found: bool = True  # learn each site's not-found page (soft 404s)
    check_listings: bool = True  # notice articles dropped from feeds and sitemaps

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: list[str]) -> list[str]:
        secs = [parse_duration(x) for x in v]
        if secs != sorted(set(secs)):
            raise ValueError("schedule offsets must increase (e.g. [\"1h\", \"1d\", \"7d\"])")
        return v

    @field_validator("failure_retry", "watch_interval")
    @classmethod
    def _duration(cls, v: str) -> str:
        parse_duration(v)
        return v

    def offsets(self) -> list[float]:
        return [parse_duration(x) for x in self.schedule]


class OutletConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    domains: list[str] = Field(min_length=1)
    country: str = ""
    languages: list[str] = []
    groups: list[str] = []
    feeds: list[str] = []
    sitemaps: list[str] = []
    homepage: str | None = None
    # IANA zone (Asia/Almaty) in which the outlet's times written without a zone are
    # read; "": its country's when the country has one zone (timeutil), else UTC
    timezone: str = ""

    @field_validator("domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        out = []
        for d in v:
            d = d.strip().lower().rstrip(".")
            if not re.fullmatch(r"[a-z0-9.-]+(:\d+)?|\[[0-9a-f:]+\](:\d+)?", d):
                raise ValueError(f"{d!r} is not a domain name (write it without scheme or path)")
            out.append(d)
        return out

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if v and not re.fullmatch(r"[A-Za-z]{2}", v):
            raise ValueError(f"{v!r} is not an ISO 3166 two-letter country code")
        return v.upper()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        from untold.timeutil import check_timezone

        return check_timezone(v)

    def to_outlet(self) -> Outlet:
        return Outlet(
            id=self.id,
            name=self.name,
            domains=tuple(self.domains),
            country=self.country,
            languages=tuple(self.languages),
            groups=tuple(self.groups),
            feeds=tuple(self.feeds),
            sitemaps=tuple(self.sitemaps),
            homepage=self.homepage,
            timezone=self.timezone,
        )


class EventConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    time: datetime
    description: str
    groups: list[str] = []
    countries: list[str] = []


class StoryConfig(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    query: str
    start: datetime | None = None
    end: datetime | None = None
    facts: dict[str, str] = {}


class _StudyHeader(_Strict):
    name: str = "study"
    archive: str | None = None  # directory, relative to the study file
    description: str = ""


class _StudyFile(_Strict):
    study: _StudyHeader = _StudyHeader()
    fetch: FetchSettings = FetchSettings()  # type: ignore[call-arg]
    collect: CollectSettings = CollectSettings()  # type: ignore[call-arg]
    revisit: RevisitSettings = RevisitSettings()  # type: ignore[call-arg]
    outlets: list[OutletConfig] = []
    stories: list[StoryConfig] = []
    events: list[EventConfig] = []


class Study(BaseModel):
    """A loaded, validated study: what the rest of untold works from."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    path: Path
    name: str
    description: str
    archive_dir: Path
    fetch: FetchSettings
    collect: CollectSettings
    revisit: RevisitSettings = RevisitSettings()  # type: ignore[call-arg]
    outlets: tuple[Outlet, ...]
    stories: tuple[StoryConfig, ...]
    events: tuple[EventConfig, ...]

    @property
    def db_path(self) -> Path:
        return self.archive_dir / "archive.sqlite"

    @property
    def warc_dir(self) -> Path:
        return self.archive_dir / "warc"

    def outlet(self, outlet_id: str) -> Outlet:
        for o in self.outlets:
            if o.id == outlet_id:
                return o
        raise ConfigError(f"no outlet with id {outlet_id!r}", source=str(self.path))

    def outlet_for_host(self, host: str) -> Outlet | None:
        """The curated outlet whose domain is ``host`` or a parent of it."""
        host = host.lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        best: tuple[int, Outlet] | None = None
        for o in self.outlets:
            for d in o.domains:
                d0 = d[4:] if d.startswith("www.") else d
                if (host == d0 or host.endswith("." + d0)) and (best is None or len(d0) > best[0]):
                    best = (len(d0), o)
        return best[1] if best else None


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line number of a validation error location in TOML text."""
    lines = text.splitlines()
    start = 0
    key: str | None = None
    parts = list(loc)
    if parts and isinstance(parts[0], str):
        table = parts.pop(0)
        if parts and isinstance(parts[0], int):
            idx = parts.pop(0)
            seen = -1
            for i, ln in enumerate(lines):
                if re.match(rf"\s*\[\[\s*{re.escape(table)}\s*\]\]", ln):
                    seen += 1
                    if seen == idx:
                        start = i
                        break
        else:
            for i, ln in enumerate(lines):
                if re.match(rf"\s*\[\s*{re.escape(table)}\s*\]", ln):
                    start = i
                    break
            else:
                key = table
    if parts and isinstance(parts[0], str):
        key = parts[0]
    if key is None:
        return start + 1 if start else None
    for i in range(start, len(lines)):
        if i > start and re.match(r"\s*\[", lines[i]):
            break
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", lines[i]):
            return i + 1
    return start + 1 if start else None


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key {loc!r}"
    if err["type"] == "missing":
        return f"missing key {loc!r}"
    return f"{loc}: {err['msg']}"


def _query_texts(value: Any) -> list[str]:
    """The query strings in a fact's value (a string, or a list / table of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [q for v in value for q in _query_texts(v)]
    return []


def _check_queries(parsed: _StudyFile, path: Path, text: str, check: QueryCheck) -> None:
    """Every story's query and fact must parse: checked when the study is loaded, so
    a typo stops ``collect`` (or any command) before it fetches anything, not an
    ``analyze`` hours later. The error names the story, the fact and the line."""
    for i, story in enumerate(parsed.stories):
        todo = [("query", "query", story.query)]
        todo += [(f"fact {fid!r}", "facts", q) for fid, v in story.facts.items()
                 for q in _query_texts(v)]
        for what, key, query in todo:
            try:
                check(query)
            except QueryError as exc:
                line = _line_of(text, ("stories", i, key))
                fix = "fix the story's query" if key == "query" else "fix the fact's query"
                raise ConfigError(
                    f"story {story.id!r}, {what}: {exc.message} of {query!r}",
                    source=f"{path}:{line}" if line else str(path),
                    hint=f"{exc.hint}; {fix} in the study file" if exc.hint
                    else f"{fix} in the study file (see 'untold search --help')",
                ) from exc


def load_study(path: str | Path, *, check_query: QueryCheck | None = None) -> Study:
    """Read and validate a study file; raise ConfigError naming key and line.

    ``check_query`` checks each story's query and facts (``untold.api.load`` passes
    the query language's compiler; config sits below that language, so it cannot
    import it): a malformed one fails the load with the story, the fact and the
    line of the study file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            "study file not found", source=str(path), hint="run 'untold init' to write an example"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read study file: {exc}", source=str(path)) from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", source=str(path)) from exc
    try:
        parsed = _StudyFile.model_validate(raw)
    except ValidationError as exc:
        # a typo shows as an unknown key *and* a missing one: name the typo first
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        line = _line_of(text, tuple(err["loc"]))
        where = f"{path}:{line}" if line else str(path)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        hint = None
        if err["type"] == "extra_forbidden":
            hint = "check the spelling; see 'untold init' for every key"
        raise ConfigError(_describe(err) + more, source=where, hint=hint) from exc

    seen: dict[str, int] = {}
    for i, o in enumerate(parsed.outlets):
        if o.id in seen:
            line = _line_of(text, ("outlets", i, "id"))
            raise ConfigError(
                f"duplicate outlet id {o.id!r} (first used by outlet #{seen[o.id] + 1})",
                source=f"{path}:{line}" if line else str(path),
                hint="give every outlet its own id",
            )
        seen[o.id] = i
    for kind, items in (("story", parsed.stories), ("event", parsed.events)):
        ids = [it.id for it in items]
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            raise ConfigError(f"duplicate {kind} id {sorted(dup)[0]!r}", source=str(path))

    if check_query is not None:
        _check_queries(parsed, path, text, check_query)

    archive = Path(parsed.study.archive) if parsed.study.archive else Path(path.stem + "-archive")
    if not archive.is_absolute():
        archive = path.resolve().parent / archive
    fetch = parsed.fetch
    if fetch.ca_file and not Path(fetch.ca_file).is_absolute():  # like the archive's path
        fetch = fetch.model_copy(update={"ca_file": str(path.resolve().parent / fetch.ca_file)})
    return Study(
        path=path.resolve(),
        name=parsed.study.name,
        description=parsed.study.description,
        archive_dir=archive,
        fetch=fetch,
        collect=parsed.collect,
        revisit=parsed.revisit,
        outlets=tuple(o.to_outlet() for o in parsed.outlets),
        stories=tuple(parsed.stories),
        events=tuple(parsed.events),
    )
