"""HTML bytes and HTTP headers to text, surviving mislabelled and broken encodings.

Pipeline:

1. BOM: a byte-order mark wins over any declaration (as in browsers);
2. declaration: ``charset=`` of the Content-Type header, else a ``<meta>``
   charset in the first ``META_SCAN_BYTES``;
3. verification: bytes that are valid UTF-8 with non-ASCII content are UTF-8
   whatever the label says (a single-byte page is practically never valid
   UTF-8); a page labelled (or assumed) UTF-8 that is not valid UTF-8 is
   mostly UTF-8 with a few broken bytes, or cp1251 (common in Central Asia),
   or else whatever charset_normalizer finds;
4. mojibake repair: cp1251 or UTF-8 text that was decoded as Latin-1 upstream
   ("Ðóññêèé", "Ð ÑƒÑ") is re-decoded when the whole page shows the pattern.

Decoding never raises: invalid bytes become U+FFFD. ``DecodedHtml`` records
which codec was used and why, for ``ExtractedArticle.extra``.
"""

from __future__ import annotations

import codecs
import functools
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "META_SCAN_BYTES",
    "DecodedHtml",
    "declared_charset",
    "decode_html",
    "header_value",
    "repair_mojibake",
]

META_SCAN_BYTES = 16_384  # <meta charset> sits in <head>; some heads carry kilobytes of inline script first
SNIFF_BYTES = 65_536  # enough text for charset_normalizer to decide, bounded for speed
UTF8_MAX_BAD_SHARE = 0.02  # more invalid sequences than this per non-ASCII char: not UTF-8 with a few broken bytes
CP1251_MAX_MIXED_SHARE = 0.1  # Cyrillic letters touching Latin ones, per Cyrillic letter: Western text misread
CP1251_MIN_LOWER_SHARE = 0.6  # real cp1251 text is mostly lower-case Cyrillic; KOI8-R or UTF-8 read as cp1251 is not
MOJIBAKE_MIN_RUNS = 8  # "words" of 3+ Latin-1 letters needed before a page is called mojibake
MOJIBAKE_MIN_SHARE = 0.5  # share of the page's non-ASCII letters such runs must cover (French: ~0)

# Labels browsers accept that Python's codec registry does not know.
_ALIASES = {
    "x-cp1251": "cp1251",
    "win-1251": "cp1251",
    "unicode-1-1-utf-8": "utf-8",
    "x-user-defined": "cp1252",
}
# The HTML standard reads these labels as windows-1252 (a superset).
_AS_CP1252 = {"ascii", "iso8859-1", "latin-1"}
_LATIN_SINGLE_BYTE = {"cp1252", "iso8859-1", "iso8859-15", "latin-1", "ascii"}  # where mojibake hides

# Case spelled out instead of re.I so the search can skip ahead to "<".
_META_CHARSET_RE = re.compile(
    rb"<[mM][eE][tT][aA][^>]{0,512}?[cC][hH][aA][rR][sS][eE][tT]\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})"
)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Three or more consecutive letters from the Latin-1 upper half: a Cyrillic
# word seen through Latin-1 ("Ðóññêèé"); real Western text has one accent per word.
_LATIN1_RUN_RE = re.compile("[\u00c0-\u00ff]{3,}")
_LATIN1_LETTER_RE = re.compile("[\u00c0-\u00ff]")
# "Ð" or "Ñ" (lead bytes of UTF-8 Cyrillic) followed by a continuation byte as
# Latin-1 or cp1252 shows it: UTF-8 Cyrillic seen through Latin-1 ("ÐŸÑ€Ð¸").
_UTF8_AS_LATIN1_RE = re.compile(
    "[\u00d0\u00d1][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# The same two patterns in UTF-8 bytes (a page double-encoded upstream): three
# Latin-1 letters in a row (C3 xx each), or "Ð"/"Ñ" (C3 90/91) followed by
# the UTF-8 of a C1 control or a cp1252 symbol (lead bytes C2 C5 C6 CB E2).
_UTF8_MOJIBAKE_BYTES_RE = re.compile(
    rb"\xc3(?:[\x80-\xbf]\xc3[\x80-\xbf]\xc3[\x80-\xbf]|[\x90\x91][\xc2\xc5\xc6\xcb\xe2])"
)
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_CYRILLIC_LOWER_RE = re.compile("[\u0430-\u045f]")
_MIXED_SCRIPT_RE = re.compile("[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")


@dataclass(frozen=True)
class DecodedHtml:
    """Decoded page text and how it was obtained."""

    text: str
    encoding: str  # the page's real codec (Python name), e.g. "utf-8", "cp1251"
    source: str  # bom | header | meta | verified | sniffed | default
    declared: str | None = None  # the charset label the server or page gave, if any
    note: str = ""  # what was wrong, e.g. "labelled utf-8; bytes are not utf-8, read as cp1251"

    def as_extra(self) -> dict[str, str]:
        """The fields recorded in ``ExtractedArticle.extra``."""
        out = {"encoding": self.encoding, "encoding_source": self.source}
        if self.declared:
            out["encoding_declared"] = self.declared
        if self.note:
            out["encoding_note"] = self.note
        return out


def header_value(headers: Mapping[str, str] | None, name: str) -> str:
    """A header's value by case-insensitive name ("" when absent)."""
    if not headers:
        return ""
    value = headers.get(name)
    if value is not None:
        return value
    lname = name.lower()
    for key, val in headers.items():
        if key.lower() == lname:
            return val
    return ""


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"';").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name == "utf-8-sig":
        return "utf-8"
    return "cp1252" if name in _AS_CP1252 else name


def declared_charset(body: bytes,
                     headers: Mapping[str, str] | None) -> tuple[str | None, str, str | None]:
    """(codec, where, raw label): from the Content-Type header, else a <meta> tag.

    An unknown label gives codec None (the page is then treated as undeclared).
    """
    match = _HEADER_CHARSET_RE.search(header_value(headers, "content-type"))
    if match and _codec(match.group(1)):
        return _codec(match.group(1)), "header", match.group(1)
    meta = _META_CHARSET_RE.search(body[:META_SCAN_BYTES])
    if meta:
        label = meta.group(1).decode("ascii", "replace")
        codec = _codec(label)
        # A <meta> claiming UTF-16/32 sits in ASCII-compatible bytes, so it
        # cannot be true; browsers read such pages as UTF-8.
        if codec and codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"
        if codec:
            return codec, "meta", label
    label = match.group(1) if match else (meta.group(1).decode("ascii", "replace") if meta else None)
    return None, "default", label


def _non_ascii_chars(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _looks_cp1251(text: str) -> bool:
    """Whether a cp1251 reading gives Cyrillic words: mostly lower case, not
    letters stuck inside Latin words (a Western page read as cp1251: "prйsident")."""
    cyr = len(_CYRILLIC_RE.findall(text))
    if cyr == 0:
        return False
    if len(_MIXED_SCRIPT_RE.findall(text)) > CP1251_MAX_MIXED_SHARE * cyr:
        return False
    return len(_CYRILLIC_LOWER_RE.findall(text)) / cyr >= CP1251_MIN_LOWER_SHARE


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, invalid sequences) when ``data`` is UTF-8 with at most a few broken bytes."""
    loose = data.decode("utf-8", "replace")
    bad = loose.count("\ufffd")
    non_ascii = _non_ascii_chars(loose)
    if non_ascii > bad and bad <= UTF8_MAX_BAD_SHARE * non_ascii:
        return loose, bad
    return None


def _decode_not_utf8(body: bytes, label: str | None) -> DecodedHtml:
    """Bytes labelled UTF-8 (or nothing) that fail strict UTF-8: broken UTF-8,
    cp1251, or whatever charset_normalizer finds."""
    shown = label or "nothing"
    mostly = _mostly_utf8(body)
    if mostly is not None:
        return DecodedHtml(mostly[0], "utf-8", "verified", label,
                           f"{mostly[1]} invalid utf-8 sequences replaced")
    cp = body.decode("cp1251", "replace")
    if _looks_cp1251(cp):
        return DecodedHtml(cp, "cp1251", "sniffed", label,
                           f"labelled {shown}; bytes are not utf-8, read as cp1251")
    from charset_normalizer import from_bytes  # imported here: rarely needed, not free

    best = from_bytes(body[:SNIFF_BYTES]).best()
    codec = _codec(best.encoding) if best is not None else None
    if codec and codec != "utf-8":
        return DecodedHtml(_decode_single_byte(body, codec), codec, "sniffed", label,
                           f"labelled {shown}; bytes are not utf-8, charset_normalizer chose {codec}")
    loose = body.decode("utf-8", "replace")
    return DecodedHtml(loose, "utf-8", "default", label,
                       f"{loose.count(chr(0xFFFD))} invalid utf-8 sequences replaced; "
                       "no better charset found")


@functools.cache
def _cp1252_to_latin1() -> dict[int, int]:
    """Map the characters cp1252 puts at bytes 0x80-0x9F back to those code points."""
    table: dict[int, int] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[ord(bytes([byte]).decode("cp1252"))] = byte
        except UnicodeDecodeError:
            continue  # five bytes are undefined in cp1252 (Latin-1 readers keep them as is)
    return table


@functools.cache
def _latin1_to_cp1252() -> dict[int, int]:
    return {byte: char for char, byte in _cp1252_to_latin1().items()}


def _decode_single_byte(body: bytes, codec: str) -> str:
    """Decode with ``codec``; windows-1252 as browsers do it (undefined bytes kept
    as C1 controls), so a later mojibake repair can restore every byte."""
    if codec == "cp1252":
        return body.decode("latin-1").translate(_latin1_to_cp1252())
    return body.decode(codec, "replace")


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """Undo a whole page's UTF-8-as-Latin-1 or cp1251-as-Latin-1 mis-decoding.

    Returns the text and the codec it really was in ("utf-8" or "cp1251"), or
    the text untouched and None. A page that already holds real Cyrillic is
    left alone: the damage must be page-wide to be undone page-wide.
    """
    utf8_pairs = len(_UTF8_AS_LATIN1_RE.findall(text))
    runs = _LATIN1_RUN_RE.findall(text)
    if (utf8_pairs < MOJIBAKE_MIN_RUNS and len(runs) < MOJIBAKE_MIN_RUNS) \
            or _CYRILLIC_RE.search(text):
        return text, None
    raw = text.translate(_cp1252_to_latin1()).encode("latin-1", "replace")
    if utf8_pairs >= MOJIBAKE_MIN_RUNS:
        mostly = _mostly_utf8(raw)
        if mostly is not None:
            return mostly[0], "utf-8"
    letters = len(_LATIN1_LETTER_RE.findall(text))
    if len(runs) >= MOJIBAKE_MIN_RUNS and sum(map(len, runs)) >= MOJIBAKE_MIN_SHARE * letters:
        fixed = raw.decode("cp1251", "replace")
        if _looks_cp1251(fixed):
            return fixed, "cp1251"
    return text, None


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> DecodedHtml:
    """Decode an HTML page's bytes (stages 1-4 above); never raises on bad bytes."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return DecodedHtml(body.decode(bom_codec, "replace"), bom_codec, "bom")
    codec, where, label = declared_charset(body, headers)
    if codec and codec.startswith(("utf-16", "utf-32")):  # only a header can say so
        return DecodedHtml(body.decode(codec, "replace"), codec, where, label)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        if codec in (None, "utf-8"):
            return _finish(_decode_not_utf8(body, label), body)
        mostly = _mostly_utf8(body)
        if mostly is not None:  # UTF-8 with a broken byte or two, whatever the label
            return _finish(DecodedHtml(mostly[0], "utf-8", "verified", label,
                                       f"labelled {label}; bytes are utf-8 with "
                                       f"{mostly[1]} invalid sequences replaced"), body)
        return _finish(DecodedHtml(_decode_single_byte(body, codec), codec, where, label), body)
    if codec in (None, "utf-8") or body.isascii():
        return _finish(DecodedHtml(text, codec or "utf-8", where, label), body)
    # Valid UTF-8 with non-ASCII bytes under another label: the label is wrong.
    return _finish(DecodedHtml(text, "utf-8", "verified", label,
                               f"labelled {label}; bytes are valid utf-8"), body)


def _finish(dec: DecodedHtml, body: bytes) -> DecodedHtml:
    """Repair mojibake where a UTF-8 or Latin reading may hide one.

    For UTF-8 the text scan only runs when the bytes show the pattern
    (``_UTF8_MOJIBAKE_BYTES_RE``), a search that skips ahead to C3 bytes, so
    ordinary pages, accented Western ones included, pay almost nothing.
    """
    if dec.encoding == "utf-8":
        if sum(1 for _ in itertools.islice(_UTF8_MOJIBAKE_BYTES_RE.finditer(body),
                                           MOJIBAKE_MIN_RUNS)) < MOJIBAKE_MIN_RUNS:
            return dec
    elif dec.encoding not in _LATIN_SINGLE_BYTE:
        return dec
    fixed, real = repair_mojibake(dec.text)
    if real is None:
        return dec
    note = f"{real} text had been read as {dec.encoding} before; repaired"
    return DecodedHtml(fixed, real, dec.source, dec.declared,
                       f"{dec.note}; {note}" if dec.note else note)
