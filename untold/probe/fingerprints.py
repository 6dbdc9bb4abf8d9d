"""Blocking fingerprints in OONI's CSV format (github.com/ooni/blocking-fingerprints).

Columns: ``name, scope, other_names, location_found, pattern_type, pattern,
confidence_no_fp, expected_countries, source, exp_url, notes``.
``location_found`` is ``dns`` (an answer IP), ``body`` or ``header.<name>``;
``pattern_type`` is ``full``, ``prefix``, ``contains`` or ``regexp``. Scope
``fp`` marks a known false positive (a CDN challenge, a parked-domain page).

untold does not bundle OONI's database (its repository names no licence that
allows it); it ships a small set written for untold (``data/fingerprints_builtin.csv``)
and ``untold ooni fingerprints update FILE...`` installs user-downloaded CSVs.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from untold.errors import ImportFormatError

__all__ = ["BUILTIN_FILE", "Fingerprint", "Fingerprints", "builtin", "builtin_csv", "load_csv",
           "parse_csv", "split"]

# untold's own small set (Apache-2.0 like the rest of untold): facts about well-documented
# block pages in OONI's CSV format, shipped as package data and edited as the CSV it is
BUILTIN_FILE = "data/fingerprints_builtin.csv"

REQUIRED = ("name", "scope", "location_found", "pattern_type", "pattern")
PATTERN_TYPES = ("full", "prefix", "contains", "regexp")
# OONI: national, ISP, product (vendor), institution, vendor blockpage, injected
# block, provider, and fp (a known false positive)
SCOPES = ("nat", "isp", "prod", "inst", "vbw", "injb", "prov", "fp")
# OONI's regexps are written for Go's RE2; a body is cut before matching so a
# pathological pattern cannot stall a batch (block pages are small).
MAX_BODY_CHARS = 200_000


@dataclass(frozen=True)
class Fingerprint:
    name: str
    scope: str
    location: str          # "dns", "body" or "header.<lowercase name>"
    pattern_type: str
    pattern: str
    countries: tuple[str, ...] = ()
    confidence: int | None = None

    @property
    def false_positive(self) -> bool:
        return self.scope == "fp"

    def matches(self, text: str) -> bool:
        if self.pattern_type == "full":
            return text == self.pattern
        if self.pattern_type == "prefix":
            return text.startswith(self.pattern)
        if self.pattern_type == "contains":
            return self.pattern in text
        return re.search(self.pattern, text[:MAX_BODY_CHARS]) is not None


@dataclass(frozen=True)
class Fingerprints:
    dns: tuple[Fingerprint, ...]
    http: tuple[Fingerprint, ...]

    def __add__(self, other: Fingerprints) -> Fingerprints:
        return Fingerprints(self.dns + other.dns, self.http + other.http)

    def match_dns(self, ip: str) -> Fingerprint | None:
        return next((f for f in self.dns if f.matches(ip)), None)

    def match_http(self, body: str | None, headers: dict[str, str], *,
                   vague: bool = True) -> Fingerprint | None:
        """The first matching HTTP fingerprint; headers keyed in lowercase.
        ``vague=False`` skips "vague blocking word" (vbw) patterns."""
        for f in self.http:
            if not vague and f.scope == "vbw":
                continue
            if f.location == "body":
                if body and f.matches(body):
                    return f
            elif f.location.startswith("header."):
                value = headers.get(f.location[7:])
                if value is not None and f.matches(value):
                    return f
        return None

    @staticmethod
    def builtin() -> Fingerprints:
        return builtin()


def load_csv(path: Path) -> list[Fingerprint]:
    """Read one fingerprint CSV file; a malformed row is an error naming its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"cannot read fingerprint file: {exc}", source=str(path),
                                hint="give a UTF-8 CSV in OONI's fingerprint format") from exc
    return parse_csv(text, source=str(path))


def parse_csv(text: str, *, source: str) -> list[Fingerprint]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFormatError(
            f"not a fingerprint CSV: missing column(s) {', '.join(missing)}", source=source,
            hint="the header must include " + ", ".join(REQUIRED))
    out = []
    for row in reader:
        where = f"{source}:{reader.line_num}"
        if None in row:
            raise ImportFormatError("row has more fields than the header", source=where,
                                    hint="quote fields that contain commas")
        out.append(_row(row, where))
    if not out:
        raise ImportFormatError("no fingerprints in file", source=source)
    return out


def _row(row: dict[str, str | None], where: str) -> Fingerprint:
    def get(key: str) -> str:
        return (row.get(key) or "").strip()

    name, scope, loc, ptype = get("name"), get("scope"), get("location_found"), get("pattern_type")
    pattern = row.get("pattern") or ""
    if not name or not pattern:
        raise ImportFormatError("empty name or pattern", source=where)
    if scope not in SCOPES:
        raise ImportFormatError(f"unknown scope {scope!r}", source=where,
                                hint=f"use one of {', '.join(SCOPES)}")
    if ptype not in PATTERN_TYPES:
        raise ImportFormatError(f"unknown pattern_type {ptype!r}", source=where,
                                hint=f"use one of {', '.join(PATTERN_TYPES)}")
    if loc != "dns" and loc != "body" and not (loc.startswith("header.") and len(loc) > 7):
        raise ImportFormatError(f"unknown location_found {loc!r}", source=where,
                                hint="use dns, body or header.<name>")
    if ptype == "regexp":
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ImportFormatError(f"bad regexp {pattern!r}: {exc}", source=where) from exc
    conf = get("confidence_no_fp")
    countries = tuple(c.strip() for c in get("expected_countries").split(",") if c.strip())
    return Fingerprint(name, scope, loc.lower(), ptype, pattern, countries,
                       int(conf) if conf.isdigit() else None)


def split(items: list[Fingerprint]) -> Fingerprints:
    return Fingerprints(tuple(f for f in items if f.location == "dns"),
                        tuple(f for f in items if f.location != "dns"))


def builtin_csv() -> str:
    """The built-in set's CSV text, as shipped in the package."""
    return resources.files("untold").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")


@cache
def builtin() -> Fingerprints:
    """untold's built-in set (read once)."""
    return split(parse_csv(builtin_csv(), source=f"untold builtin fingerprints ({BUILTIN_FILE})"))
