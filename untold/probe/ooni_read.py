"""Read OONI measurements: JSON, JSONL, gzip of either, and OONI API responses.

``read_file`` yields ``(where, measurement)`` or ``(where, InputError)`` per
item, so one bad line (or a null, or a truncated gzip tail) is reported with
its file and line while the rest of the batch goes on.

API shapes understood: a raw measurement (``/api/v1/raw_measurement``), a
``measurement_meta`` answer (``{"raw_measurement": "<json>", ...}``) and a list
answer (``{"results": [...]}``) whose items carry ``raw_measurement``. Items of
``/api/v1/measurements`` hold only metadata and are reported as such.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from untold.errors import ImportFormatError, InputError

__all__ = ["Item", "read_file", "unwrap"]

Item = tuple[str, dict[str, Any] | InputError]
WEB_CONNECTIVITY = "web_connectivity"
# lists and API answers inside each other: OONI's shapes nest two deep (a list of API
# answers, each with results); deeper is not a measurement file, and unbounded depth
# would exhaust Python's stack
MAX_WRAPPING = 8
TOO_DEEP = "nested too deeply (deeper than any measurement)"


def _loads(text: str) -> Any:
    """``json.loads``; JSON nested deeper than Python's parser can go (an attack, or not
    OONI data) is reported as a JSON error like any other, not a RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, text[:1], 0) from None


def _open(path: Path) -> IO[str]:
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def read_file(path: str | Path) -> Iterator[Item]:
    """Every measurement of one file, or an error for each item that is not one."""
    path = Path(path)
    if not path.is_file():
        yield str(path), InputError("file not found", source=str(path))
        return
    n = 0
    try:
        with _open(path) as fh:
            for item in _items(path, fh):
                n += 1
                yield item
        if n == 0:
            yield str(path), ImportFormatError("no measurements in file", source=str(path))
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        yield str(path), ImportFormatError(
            f"cannot read further: {exc}", source=str(path),
            hint="the file is truncated or not UTF-8 JSON/JSONL (gzip allowed)")


def _items(path: Path, fh: IO[str]) -> Iterator[Item]:
    first = True
    for n, line in enumerate(fh, 1):
        if not line.strip():
            continue
        if first and not _parses(line) and line.lstrip()[:1] in "{[":
            # a pretty-printed document: read it whole
            yield from _whole(path, line + fh.read())
            return
        first = False
        yield from _line(path, n, line)


def _parses(line: str) -> bool:
    try:
        _loads(line)
    except json.JSONDecodeError:
        return False
    return bool(line.strip())


def _line(path: Path, n: int, line: str) -> Iterator[Item]:
    try:
        doc = _loads(line)
    except json.JSONDecodeError as exc:
        yield f"{path}:{n}", ImportFormatError(
            f"not JSON: {exc.msg} at column {exc.colno}", source=f"{path}:{n}",
            hint="each line of a JSONL file must be one measurement")
        return
    yield from unwrap(doc, f"{path}:{n}")


def _whole(path: Path, text: str) -> Iterator[Item]:
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        if sum(1 for ln in text.splitlines()[1:] if _parses(ln)) > 0:
            # JSONL whose first line is damaged: report it, keep the others
            yield f"{path}:1", ImportFormatError("not JSON", source=f"{path}:1",
                                                 hint="each line must be one measurement")
            for n, ln in enumerate(text.splitlines()[1:], 2):
                if ln.strip():
                    yield from _line(path, n, ln)
            return
        yield str(path), ImportFormatError(
            f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=str(path),
            hint="give one measurement (JSON), one per line (JSONL), or an OONI API answer")
        return
    yield from unwrap(doc, str(path))


def unwrap(doc: Any, where: str, depth: int = 0) -> Iterator[Item]:
    """Measurements inside one JSON value (a measurement, a list, an API answer)."""
    wrapper = isinstance(doc, list) or (isinstance(doc, dict) and (
        isinstance(doc.get("results"), list) or "raw_measurement" in doc))
    if wrapper and depth >= MAX_WRAPPING:
        yield where, ImportFormatError(f"lists or API answers {TOO_DEEP}", source=where,
                                       hint="give measurements, lists of them or OONI API "
                                            "answers")
        return
    if isinstance(doc, list):
        for i, d in enumerate(doc):
            yield from unwrap(d, f"{where}[{i}]", depth + 1)
        return
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        for i, d in enumerate(doc["results"]):
            yield from unwrap(d, f"{where} results[{i}]", depth + 1)
        return
    if isinstance(doc, dict) and "raw_measurement" in doc:
        raw = doc["raw_measurement"]
        if isinstance(raw, str):
            try:
                raw = _loads(raw)
            except json.JSONDecodeError as exc:
                yield where, ImportFormatError(f"raw_measurement is not JSON: {exc.msg}",
                                               source=where)
                return
        yield from unwrap(raw, where, depth + 1)
        return
    yield where, _check(doc, where)


def _check(doc: Any, where: str) -> dict[str, Any] | InputError:
    if not isinstance(doc, dict):
        return ImportFormatError(f"{type(doc).__name__ if doc is not None else 'null'}, "
                                 "not a measurement", source=where,
                                 hint="a measurement is a JSON object with test_keys")
    if "measurement_url" in doc and "test_keys" not in doc:
        return ImportFormatError("an API listing item without the measurement itself",
                                 source=where,
                                 hint="fetch /api/v1/raw_measurement for each item")
    name = doc.get("test_name")
    if name != WEB_CONNECTIVITY:
        return ImportFormatError(f"test_name is {name!r}, not {WEB_CONNECTIVITY!r}",
                                 source=where,
                                 hint="untold scores Web Connectivity measurements only")
    if "test_keys" not in doc:
        return ImportFormatError("no test_keys", source=where,
                                 hint="a measurement needs test_keys (it may be null)")
    return doc
