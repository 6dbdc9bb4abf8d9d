"""Extraction: fetched HTML bytes to an ``ExtractedArticle``.

Entry point ``extract_page`` (see ``untold.extract.pipeline`` for its stages).
The text keys it computes (``text_hash``, MinHash signatures, ``lsh_keys``) come
from ``untold.text.minhash``, which the store's near-duplicate index uses too.
Heavy dependencies (trafilatura, langid, datasketch, courlan) load on first use.
"""

from __future__ import annotations

from untold.extract.language import LanguageGuess, detect_language
from untold.extract.pipeline import (
    NO_TEXT,
    NOT_ARTICLE,
    NOT_HTML,
    SKIP_REASONS,
    TOO_LARGE,
    TOO_SHORT,
    ExtractResult,
    PageInput,
    extract_many,
    extract_page,
)
from untold.text.minhash import (
    NEAR_DUPLICATE_THRESHOLD,
    lsh_keys,
    minhash_signature,
    normalize_text,
    similarity,
    text_hash,
)

__all__ = [
    "NEAR_DUPLICATE_THRESHOLD",
    "NOT_ARTICLE",
    "NOT_HTML",
    "NO_TEXT",
    "SKIP_REASONS",
    "TOO_LARGE",
    "TOO_SHORT",
    "ExtractResult",
    "LanguageGuess",
    "PageInput",
    "detect_language",
    "extract_many",
    "extract_page",
    "lsh_keys",
    "minhash_signature",
    "normalize_text",
    "similarity",
    "text_hash",
]
