"""Language of an article: letters first, a statistical detector where they are silent.

Statistical detectors confuse the Turkic languages of Central Asia (langid
calls plain Kyrgyz news "kk" with probability 1.0), while the alphabets
settle it: Kazakh writes ә ғ қ ұ һ і, Kyrgyz writes ң ө ү but none of the
Kazakh letters, Russian has none of them and does have ы and э.

Pipeline:

1. take a bounded prefix (``LANG_PREFIX_CHARS``); fewer than
   ``MIN_LANG_LETTERS`` letters gives "und";
2. Cyrillic text: letter evidence decides kk, ky, tg, uz and ru outright
   (share thresholds below, per Cyrillic letter);
3. anything else, or Cyrillic the letters leave open (Ukrainian, Bulgarian,
   Mongolian, a short Kyrgyz snippet...): langid, which ships its model, over
   the languages the script allows; Kazakh and Kyrgyz are dropped from the
   candidates when their letters are missing;
4. the outlet's declared languages are a prior (``HINT_PRIOR_ODDS``): they
   tip close calls and short texts, never a clear detector verdict; weak
   Kyrgyz letter evidence on a Kyrgyz-language outlet counts as Kyrgyz.

Why langid and not lingua: lingua has no Kyrgyz, Uzbek or Tajik model (it
calls the Kyrgyz test article Russian), and on a 600-character sample langid,
scored sparsely as below, costs 0.5 ms against lingua's 2.5 ms with all
languages loaded (0.5 ms restricted to five). Letters settle most Cyrillic
text before any detector runs.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "HINT_PRIOR_ODDS",
    "LANG_PREFIX_CHARS",
    "MIN_LANG_LETTERS",
    "LanguageGuess",
    "detect_language",
]

LANG_PREFIX_CHARS = 600  # ~90 words: enough letters for the shares below; langid's cost grows with it
MIN_LANG_LETTERS = 24  # fewer letters (a caption, a bare headline) cannot be told apart reliably
CYRILLIC_MAJORITY = 0.5  # share of letters that makes a text "Cyrillic"
KK_MIN_SHARE = 0.02  # Kazakh news runs ~8% ә ғ қ ұ һ і; a Russian text quoting names stays < 1%
KY_MIN_SHARE = 0.015  # Kyrgyz news runs ~5% ң ө ү
KY_WEAK_SHARE = 0.004  # below KY_MIN_SHARE but above stray: Kyrgyz if the outlet says it writes Kyrgyz
STRAY_SHARE = 0.004  # a few foreign letters (a quoted name) do not make a language
RU_MIN_SHARE = 0.004  # Russian text has ы or э in roughly every other sentence
RU_FUNCTION_MIN_SHARE = 0.12  # Russian runs ~25% и, в, на, что...; Kazakh and Kyrgyz ~0%
RU_FUNCTION_MIN_COUNT = 2  # one "с" or "а" in a short snippet is chance, not syntax
TG_MIN_SHARE = 0.005  # ӣ ӯ ҷ are Tajik only, so a few suffice
UZ_MIN_SHARE = 0.015  # Uzbek Cyrillic runs ~3% ў ҳ
HINT_PRIOR_ODDS = 20.0  # an outlet's declared language is 20x as likely a priori as another
LETTER_MAX_CONFIDENCE = 0.99  # letter counts are strong evidence, never proof

_CYR_RE = re.compile("[\u0400-\u04ff]")
_CYR_WORD_RE = re.compile("[\u0400-\u04ff]+")
# Frequent Russian function words that are not words in Kazakh or Kyrgyz.
_RU_FUNCTION_WORDS = frozenset({
    "и", "в", "во", "на", "с", "со", "по", "что", "не", "о", "об", "из", "к", "от", "для",
    "за", "как", "это", "он", "она", "они", "его", "ее", "её", "их", "также", "который",
    "которые", "которая", "при", "но", "а", "же", "был", "была", "были", "было", "будет",
    "до", "после", "или", "уже", "ещё", "еще", "только", "так", "этом", "том",
})
_KK = "әғқұһі"  # Kazakh letters absent from Kyrgyz and Russian (і also in Ukrainian/Belarusian)
_KK_STRONG = "әұ"  # Kazakh letters absent from Uzbek, Tajik and Ukrainian as well
_KY = "ңөү"  # Kyrgyz letters (shared with Kazakh)
_TG = "ӣӯҷ"  # Tajik only
_UZ = "ўҳ"  # Uzbek (with қ ғ); ў alone is Belarusian
_RU = "ыэ"  # Russian letters absent from Ukrainian, Bulgarian, Serbian, Macedonian
# Letters that rule Russian out: Ukrainian, Belarusian, South Slavic, Turkic, Mongolian, Tajik.
_NOT_RU = "іїєґўјљњђћѓќѕџөүңәғқұһҳӣӯҷҗҙҫҡ"
# Languages langid knows that are never written in Cyrillic (a Cyrillic text's
# n-grams can still score for them on tiny samples).
_LATIN_ONLY = frozenset({
    "af", "an", "br", "bs", "ca", "cs", "cy", "da", "de", "en", "eo", "es", "et", "eu", "fi",
    "fo", "fr", "ga", "gl", "hr", "ht", "hu", "id", "is", "it", "jv", "la", "lb", "lt", "lv",
    "mg", "ms", "mt", "nb", "nl", "nn", "no", "oc", "pl", "pt", "qu", "ro", "rw", "se", "sk",
    "sl", "sq", "sv", "sw", "tl", "tr", "vi", "vo", "wa", "xh", "zu",
})


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1, or "und"
    confidence: float  # 0..1
    method: str  # too_short | letters | detector | hint


@functools.cache
def _langid() -> Any:
    """langid's identifier, built once per process (about 1.5 s) and kept."""
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=False)


def _count(text: str, letters: str) -> int:
    return sum(text.count(ch) for ch in letters)


def _letter_confidence(share: float, threshold: float) -> float:
    """0.75 at the threshold, rising to LETTER_MAX_CONFIDENCE at twice the threshold."""
    return min(LETTER_MAX_CONFIDENCE, 0.75 + 0.24 * max(0.0, share - threshold) / threshold)


def _cyrillic_by_letters(lower: str, cyr: int, declared: Sequence[str]) -> LanguageGuess | None:
    """Decide among the Cyrillic languages of the region by alphabet, or None.

    Russian syntax (its function words) comes first: a Russian report quoting
    "Мәжіліс" or "Жогорку Кеңеш" keeps its language however many names it cites.
    """

    def share(letters: str) -> float:
        return _count(lower, letters) / cyr

    words = _CYR_WORD_RE.findall(lower)
    ru_words = sum(1 for w in words if w in _RU_FUNCTION_WORDS)
    if ru_words >= RU_FUNCTION_MIN_COUNT and ru_words >= RU_FUNCTION_MIN_SHARE * len(words):
        ru = share(_RU)
        if ru >= RU_MIN_SHARE and share(_NOT_RU) < STRAY_SHARE:
            return LanguageGuess("ru", _letter_confidence(ru, RU_MIN_SHARE), "letters")
        return None  # Ukrainian, Belarusian, Bulgarian...: the detector knows them
    kk, kk_strong, ky = share(_KK), share(_KK_STRONG), share(_KY)
    if share(_TG) >= TG_MIN_SHARE and kk_strong < STRAY_SHARE:
        return LanguageGuess("tg", _letter_confidence(share(_TG), TG_MIN_SHARE), "letters")
    uz = share(_UZ)
    if uz >= UZ_MIN_SHARE and share("қғ") >= STRAY_SHARE and kk_strong < STRAY_SHARE \
            and ky < STRAY_SHARE:
        return LanguageGuess("uz", _letter_confidence(uz, UZ_MIN_SHARE), "letters")
    if kk >= KK_MIN_SHARE and kk_strong + share("ғқһ") >= KK_MIN_SHARE / 2:
        return LanguageGuess("kk", _letter_confidence(kk, KK_MIN_SHARE), "letters")
    if kk < STRAY_SHARE:
        # Kyrgyz, not Mongolian (which writes ө ү but never ң).
        if ky >= KY_MIN_SHARE and "ң" in lower:
            return LanguageGuess("ky", _letter_confidence(ky, KY_MIN_SHARE), "letters")
        if ky >= KY_WEAK_SHARE and "ky" in declared:
            return LanguageGuess("ky", _letter_confidence(ky, KY_WEAK_SHARE) - 0.2, "hint")
    return None


def _detect(sample: str, *, cyrillic: bool, excluded: frozenset[str],
            declared: Sequence[str]) -> LanguageGuess:
    """langid over the allowed languages, with the declared ones as a prior."""
    ident = _langid()
    fv = ident.instance2fv(sample)
    idx = np.flatnonzero(fv)
    # langid's nb_classprobs is a dense BLAS dot; OpenBLAS threads then busy-wait
    # on a second core (doubling CPU per page). The sparse sum below is the same
    # value with plain element-wise numpy.
    logp = (ident.nb_ptc[idx] * fv[idx, None]).sum(axis=0) + ident.nb_pc
    prior = math.log(HINT_PRIOR_ODDS)
    plain: list[tuple[float, str]] = []
    for lang, lp in zip(ident.nb_classes, logp, strict=True):
        code = str(lang)
        if code in excluded or (cyrillic and code in _LATIN_ONLY):
            continue
        plain.append((float(lp), code))
    hinted = [(lp + (prior if code in declared else 0.0), code) for lp, code in plain]
    top_score, best = max(hinted)
    total = sum(math.exp(score - top_score) for score, _ in hinted)
    method = "detector" if max(plain)[1] == best else "hint"
    return LanguageGuess(best, 1.0 / total, method)


def detect_language(text: str, declared: Sequence[str] = ()) -> LanguageGuess:
    """ISO 639-1 language of ``text`` with a confidence (stages 1-4 above).

    ``declared`` are the outlet's languages (ISO 639-1), a hint.
    """
    sample = text[:LANG_PREFIX_CHARS]
    if len(text) > LANG_PREFIX_CHARS:
        sample = sample.rsplit(None, 1)[0]  # no truncated last word
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters < MIN_LANG_LETTERS:
        return LanguageGuess("und", 0.0, "too_short")
    declared = tuple(d.lower() for d in declared)
    lower = sample.lower()
    cyr = len(_CYR_RE.findall(sample))
    cyrillic = cyr >= CYRILLIC_MAJORITY * letters
    if cyrillic:
        guess = _cyrillic_by_letters(lower, cyr, declared)
        if guess is not None:
            return guess
        # Kazakh or Kyrgyz without its own letters is a detector error.
        excluded = frozenset(
            code for code, letters in (("kk", _KK), ("ky", _KY))
            if _count(lower, letters) / cyr < STRAY_SHARE
        )
        return _detect(sample, cyrillic=True, excluded=excluded, declared=declared)
    return _detect(sample, cyrillic=False, excluded=frozenset(), declared=declared)
