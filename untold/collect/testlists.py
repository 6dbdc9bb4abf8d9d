"""Import outlets from a Citizen Lab test list (``url,category_code,...`` CSV).

The test lists (github.com/citizenlab/test-lists, ``lists/<cc>.csv``) name
websites researchers test for blocking, one URL per row with a category code;
the ``NEWS`` rows of a country's list are a ready-made set of outlets to watch.

Pipeline:

1. Read the CSV (UTF-8, BOM tolerated) and check its header has the ``url``
   and ``category_code`` columns of the format; a wrong header is an
   :class:`ImportFormatError` that names the file and the expected header.
2. Keep rows whose category is in ``categories`` (all rows when empty).
3. Reduce each URL to a bare host name (lower case, IDNA/punycode, no
   ``www.``, no port) and merge rows of one host into one outlet, in file order,
   joining their notes.
4. Give each outlet an id from its host (``[a-z0-9_.-]``, unique: ``-2``,
   ``-3`` on a clash) and a country: given, else from a two-letter file
   name (``kz.csv`` -> ``KZ``), else ``""`` (``global.csv``).
5. :func:`outlets_to_toml` writes ``[[outlets]]`` tables for a study file,
   with the notes and listed URLs as comments.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from untold.errors import ImportFormatError, InputError

__all__ = ["EXPECTED_HEADER", "OutletEntry", "outlets_from_testlist", "outlets_to_toml"]

EXPECTED_HEADER = ("url", "category_code", "category_description", "date_added", "source",
                   "notes")
# The config's outlet id pattern allows 64 characters; leave room for a "-NN" suffix.
MAX_ID_BASE = 60

_HOST_OK = re.compile(r"[a-z0-9.-]+\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class OutletEntry:
    """One outlet imported from a test list (merged from all rows of its host)."""

    id: str
    name: str
    domains: tuple[str, ...]
    country: str = ""
    notes: str = ""  # the rows' notes joined with "; " ("" when none)
    urls: tuple[str, ...] = ()  # the URLs the list gives for this host, in file order


def outlets_from_testlist(
    path: Path, *, country: str | None = None, categories: Sequence[str] = ("NEWS",)
) -> list[OutletEntry]:
    """Outlets for the rows of ``path`` whose ``category_code`` is in ``categories``."""
    path = Path(path)
    wanted = {c.strip().upper() for c in categories if c.strip()}
    cc = _country(path, country)
    by_host: dict[str, tuple[list[str], list[str]]] = {}  # host -> (urls, notes)
    for line_no, row in _rows(path):
        if wanted and (row.get("category_code") or "").strip().upper() not in wanted:
            continue
        url = (row.get("url") or "").strip()
        host = _host(url)
        if host is None:
            raise ImportFormatError(
                f"line {line_no}: {url!r} is not an http(s) URL with a host name",
                source=str(path), hint="fix or delete that row")
        urls, notes = by_host.setdefault(host, ([], []))
        urls.append(url)
        note = _CONTROL.sub(" ", row.get("notes") or "").strip()
        if note and note not in notes:
            notes.append(note)
    out: list[OutletEntry] = []
    used: set[str] = set()
    for host, (urls, notes) in by_host.items():
        oid = _unique_id(host, used)
        out.append(OutletEntry(id=oid, name=_display_name(host), domains=(host,), country=cc,
                               notes="; ".join(notes), urls=tuple(urls)))
    return out


def outlets_to_toml(entries: Iterable[OutletEntry]) -> str:
    """``[[outlets]]`` tables for a study file, one per entry, loadable by ``tomllib``."""
    blocks = []
    for e in entries:
        lines = ["[[outlets]]"]
        if e.notes:
            lines.append(f"# notes: {_comment(e.notes)}")
        if any(urlsplit(u).path not in ("", "/") or urlsplit(u).query for u in e.urls):
            lines.append(f"# test-list URLs: {_comment(' '.join(e.urls))}")
        lines += [
            f"id = {_toml_str(e.id)}",
            f"name = {_toml_str(e.name)}",
            f"domains = [{', '.join(_toml_str(d) for d in e.domains)}]",
            f"country = {_toml_str(e.country)}",
            "languages = []",
            "groups = []",
        ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, row) pairs after checking the header (stage 1)."""
    expected = ",".join(EXPECTED_HEADER)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError("file not found", source=str(path),
                         hint="give the path of a test-list CSV such as lists/kz.csv") from exc
    except UnicodeDecodeError as exc:
        raise ImportFormatError("is not UTF-8 text", source=str(path),
                                hint=f"a test list is UTF-8 CSV with the header {expected}"
                                ) from exc
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", source=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))  # keeps newlines inside quotes
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise ImportFormatError(f"is not CSV ({exc})", source=str(path),
                                hint=f"expected the header {expected}") from exc
    missing = [c for c in ("url", "category_code") if c not in header]
    if missing:
        found = ",".join(header)[:80] or "nothing"
        raise ImportFormatError(
            f"is not a Citizen Lab test list: no {' or '.join(missing)} column "
            f"(header is {found!r})", source=str(path),
            hint=f"expected the header {expected}")
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if isinstance(k, str)}
    except csv.Error as exc:
        raise ImportFormatError(f"line {reader.line_num}: {exc}", source=str(path),
                                hint=f"expected CSV with the header {expected}") from exc


def _country(path: Path, country: str | None) -> str:
    if country is not None:
        cc = country.strip().upper()
        if cc and not re.fullmatch(r"[A-Z]{2}", cc):
            raise InputError(f"{country!r} is not a two-letter country code",
                             source="--country", hint="use an ISO 3166 code such as KZ")
        return cc
    stem = path.stem.strip().upper()
    return stem if re.fullmatch(r"[A-Z]{2}", stem) else ""  # kz.csv -> KZ; global.csv -> ""


def _host(url: str) -> str | None:
    """Bare host of ``url`` (stage 3), or None when it has none."""
    if "://" not in url:
        url = "http://" + url  # some rows omit the scheme
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    host = host.rstrip(".").removeprefix("www.")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return host if _HOST_OK.match(host) and "." in host else None


def _unique_id(host: str, used: set[str]) -> str:
    """Outlet id from a host (stage 4): valid for the study schema and not yet used."""
    base = re.sub(r"[^a-z0-9_.-]+", "-", host.lower()).lstrip("_.-")[:MAX_ID_BASE]
    base = base.rstrip("_.-") or "outlet"
    oid, n = base, 1
    while oid in used:
        n += 1
        oid = f"{base}-{n}"
    used.add(oid)
    return oid


def _display_name(host: str) -> str:
    """The host as people read it: punycode labels shown in their script."""
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def _comment(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _toml_str(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
