"""Exact and near-duplicate keys of article text.

Pipeline:

1. normalise: Unicode NFKC, case-fold, ё→е, invisible characters (soft
   hyphen, zero-width space, BOM) removed, every run of whitespace one space;
2. exact key: SHA-256 hex of the normalised text (``text_hash``), stable
   under re-wrapping, re-indentation and case changes;
3. near key: a MinHash of the set of word 5-shingles (``NUM_PERM``
   permutations, datasketch, scheme and seed pinned so signatures stay
   comparable across processes and library upgrades), serialised as a
   version byte and little-endian uint32 values;
4. LSH: the signature cut into ``LSH_BANDS`` bands of ``LSH_ROWS`` rows; each
   band's hash is a key the store indexes. Two texts share at least one key
   with probability 1 - (1 - J**LSH_ROWS)**LSH_BANDS (J: their Jaccard
   similarity); candidates are then confirmed with ``similarity``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

from untold.errors import InputError

__all__ = [
    "LSH_BANDS",
    "LSH_ROWS",
    "NEAR_DUPLICATE_THRESHOLD",
    "NUM_PERM",
    "SHINGLE_WORDS",
    "candidate_probability",
    "lsh_keys",
    "minhash_signature",
    "minhash_signatures",
    "normalize_text",
    "similarity",
    "text_hash",
]

NUM_PERM = 128  # estimate std at J=0.8 is sqrt(.8*.2/128) = 0.035: tight enough to confirm a reprint
SHINGLE_WORDS = 5  # word 5-grams: shared phrases, not shared vocabulary
NEAR_DUPLICATE_THRESHOLD = 0.8  # a reprint with a new headline and a paragraph added stays above it
LSH_ROWS = 8  # with 16 bands: P(candidate) = 0.95 at J=0.8, 0.06 at J=0.5 (see candidate_probability)
LSH_BANDS = NUM_PERM // LSH_ROWS
MINHASH_SEED = 1  # fixed: signatures must be comparable across processes and runs
MINHASH_SCHEME = "affine32"  # pinned: datasketch 2.0 changed the default, old sketches are incomparable
SIGNATURE_VERSION = 1  # first byte of a serialised signature; bump when any of these (or the hash) changes
BAND_KEY_BYTES = 8  # 64-bit band keys: accidental collisions among millions of articles stay negligible

_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_WORD_RE = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """The text as the exact-duplicate key sees it (stage 1)."""
    text = _INVISIBLE_RE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.replace("ё", "е").split())


def text_hash(text: str) -> str:
    """SHA-256 hex of the normalised text."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def _shingles(normalized: str) -> list[bytes]:
    words = _WORD_RE.findall(normalized)
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i:i + SHINGLE_WORDS]).encode("utf-8")
            for i in range(len(words) - SHINGLE_WORDS + 1)]


@functools.cache
def _permutations() -> Any:
    """datasketch's permutation parameters, generated once per process."""
    from datasketch import MinHash  # imported here: datasketch takes ~1 s to import

    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations


def _serialise(hashvalues: Any) -> bytes:
    return bytes([SIGNATURE_VERSION]) + np.asarray(hashvalues, dtype="<u4").tobytes()


def minhash_signatures(texts: Iterable[str], *, normalized: bool = False) -> list[bytes]:
    """Serialised MinHash signatures of several texts (one set-up for all).

    An empty text gives ``b""`` (no signature: nothing to be near to).
    """
    from datasketch import MinHash

    perms = _permutations()
    out: list[bytes] = []
    for text in texts:
        shingles = _shingles(text if normalized else normalize_text(text))
        if not shingles:
            out.append(b"")
            continue
        # crc32 hashes a shingle 4x faster than datasketch's sha1 default; affine32
        # pre-mixes every hash with MurmurHash3's finaliser, so crc32's linearity is harmless.
        m = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                    permutations=perms, hashfunc=zlib.crc32)
        m.update_batch(shingles)
        out.append(_serialise(m.hashvalues))
    return out


def minhash_signature(text: str, *, normalized: bool = False) -> bytes:
    """Serialised MinHash signature of one text (``b""`` for an empty text)."""
    return minhash_signatures([text], normalized=normalized)[0]


def _values(signature: bytes) -> np.ndarray:
    if len(signature) != 1 + 4 * NUM_PERM or signature[0] != SIGNATURE_VERSION:
        raise InputError(
            f"not a version-{SIGNATURE_VERSION} MinHash signature of {NUM_PERM} values "
            f"({len(signature)} bytes)",
            hint="recompute signatures with untold.extract.minhash_signature",
        )
    return np.frombuffer(signature, dtype="<u4", offset=1)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0..1).

    Raises ``InputError`` for bytes that are not a signature of this version.
    """
    return float(np.count_nonzero(_values(a) == _values(b))) / NUM_PERM


def lsh_keys(minhash: bytes) -> list[tuple[int, bytes]]:
    """(band index, band key) pairs to store and to look candidates up by."""
    values = _values(minhash)
    keys: list[tuple[int, bytes]] = []
    for band in range(LSH_BANDS):
        chunk = values[band * LSH_ROWS:(band + 1) * LSH_ROWS].tobytes()
        keys.append((band, hashlib.blake2b(chunk, digest_size=BAND_KEY_BYTES).digest()))
    return keys


def candidate_probability(jaccard: float, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> float:
    """Chance that two texts of this Jaccard similarity share an LSH key."""
    return 1.0 - (1.0 - jaccard ** rows) ** bands

