"""Tokens for the full-text index: the same function at index and query time.

SQLite's FTS5 cannot load a Snowball tokenizer from Python, so untold stems in
Python and hands FTS5 a space-separated string of stems (the ``unicode61``
tokenizer then only splits on spaces). Cyrillic words are stemmed with the
Russian Snowball stemmer, Latin words with the English one; Kazakh and Kyrgyz
words pass through the Russian stemmer too, which strips little, and the query
compiler matches them by prefix. Stemming is deterministic, so a query word
and an indexed word meet on the same stem: Казахстан, Казахстана, Казахстану
all become ``казахста``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

__all__ = ["index_text", "query_forms", "stem_word", "tokenize"]

# Words: letters/digits with inner apostrophes or hyphens kept apart.
_GAPS = re.compile(r"[\W_]+", re.UNICODE)  # between words: [^\W_]+ are the words
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@lru_cache(maxsize=2)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    s = Stemmer.Stemmer(lang)
    s.maxCacheSize = 200_000
    return s


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, with ё folded to е (Russian writes both)."""
    # splitting on the gaps is about twice as fast as finding the words
    parts = _GAPS.split(text.lower().replace("ё", "е"))
    if parts and not parts[-1]:
        parts.pop()
    if parts and not parts[0]:
        del parts[0]
    return parts


# Stems of words seen lately: news repeats its vocabulary, and a dict look-up is
# several times cheaper than classifying and stemming each token again.
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 400_000  # ~60 MB at worst; cleared whole when full


def _stem_all(words: list[str]) -> list[str]:
    cache = _STEM_CACHE
    missing = set(words).difference(cache)
    if missing:
        if len(cache) + len(missing) > _STEM_CACHE_MAX:
            cache.clear()
        cyr = [w for w in missing if _CYRILLIC.search(w)]
        lat = [w for w in missing if not _CYRILLIC.search(w)]
        if cyr:
            cache.update(zip(cyr, _stemmer("russian").stemWords(cyr), strict=True))
        if lat:
            cache.update(zip(lat, _stemmer("english").stemWords(lat), strict=True))
    return list(map(cache.__getitem__, words))


def stem_word(word: str) -> str:
    """The index form of one (already lower-cased) word."""
    toks = tokenize(word)
    return _stem_all(toks)[0] if toks else ""


def index_text(text: str) -> str:
    """The string FTS5 indexes for ``text``: stems joined by spaces."""
    return " ".join(_stem_all(tokenize(text)))


def query_forms(word: str) -> list[tuple[str, bool]]:
    """Index forms a query word must match, as (form, is_prefix) alternatives.

    Latin: the exact stem. Cyrillic: the stem as a prefix, plus the stem of the
    stem exactly. Snowball does not give one stem for every case form
    (Казахстан -> казахста, Казахстану -> казахстан); stemming the stem
    again reaches the shorter one, and the prefix catches longer forms and
    Kazakh/Kyrgyz suffixes (Қазақстанның).
    """
    stem = stem_word(word)
    if not stem:
        return []
    if not _CYRILLIC.search(stem):
        return [(stem, False)]
    forms = [(stem, True)]
    again = _stemmer("russian").stemWord(stem)
    if again and again != stem:
        forms.append((again, False))
    return forms
