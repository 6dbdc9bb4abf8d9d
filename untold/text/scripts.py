"""Which languages a written word can belong to, language names, and a
transliteration key that lets one name meet its spelling in another script.

Facts are compared only between articles that could state them (see
``untold.analyze.facts``), so untold must know, for a query word, which of the
languages of a study it can be written in. The alphabet settles most of it:
a Cyrillic word cannot occur in an English text, a word with ә ғ қ ұ һ і is
Kazakh (of the languages here), ң ө ү are Kazakh or Kyrgyz. What the alphabet
leaves open (a plain Cyrillic word may be Russian, Kazakh or Kyrgyz) the
caller settles with the country lexicon (``untold.text.lexicon``) or with
the archive (how often each language's articles use the word).

``translit_key`` reduces a word of any script to a rough Latin skeleton
(Ерлан and Yerlan both become ``erlan``, Токаев and Tokayev ``tokaev``), so a
name untold proposes in Russian can be looked for in English articles. The
key is lossy on purpose: it is only ever used to find spellings that articles
actually use, never to declare that an article states something.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "ALPHABETS",
    "KNOWN_LANGUAGES",
    "compatible_languages",
    "language_list",
    "language_name",
    "language_names",
    "translit_key",
    "word_tokens",
]

_LATIN = "a-z\u00c0-\u024f\u1e00-\u1effʻʼ"
_RU = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# The letters each language's articles are written with, as a regex class body
# (lower case). Cyrillic languages get their own alphabets, since their extra
# letters tell them apart; Latin-script languages share one alphabet (an
# English text quotes "Erdoğan" and "Türkiye"), and the archive tells them
# apart where several are in one study. A language not listed is "unknown":
# its articles are never compared on a written fact.
ALPHABETS: dict[str, str] = {
    "ru": _RU,
    "kk": _RU + "әғқңөұүһі",
    "ky": _RU + "ңөү",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш" + _LATIN,
    "tg": "абвгғдеёжзиӣйкқлмнопрстуӯфхҳчҷшъэюя",
    "uz": _LATIN + "абвгғдеёжзийкқлмнопрстуўфхҳцчшъэюя",
    "mn": _RU + "өү",
    "tt": _RU + "әөүҗңһ",
    "ba": _RU + "әөүғҡңҙҫһ",
    **{code: _LATIN for code in (
        "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "bs", "ro",
        "hu", "fi", "et", "lv", "lt", "sv", "da", "no", "nb", "nn", "is", "ga", "ca", "eu",
        "gl", "tr", "az", "tk", "sq", "id", "ms", "vi", "tl", "sw", "af", "la", "mt", "cy")},
    "ar": _ARABIC, "fa": _ARABIC, "ur": _ARABIC, "ps": _ARABIC, "ug": _ARABIC,
    "he": "\u0590-\u05ff", "yi": "\u0590-\u05ff",
    "zh": _HAN, "ja": _HAN + "\u3040-\u30ff\u31f0-\u31ff", "ko": "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f",
    "hi": "\u0900-\u097f", "mr": "\u0900-\u097f", "ne": "\u0900-\u097f",
    "hy": "\u0530-\u058f", "ka": "\u10a0-\u10ff", "el": "\u0370-\u03ff\u1f00-\u1fff",
    "th": "\u0e00-\u0e7f",
}
KNOWN_LANGUAGES = frozenset(ALPHABETS)

_NAMES = {
    "ru": "Russian", "kk": "Kazakh", "ky": "Kyrgyz", "en": "English", "uz": "Uzbek",
    "tg": "Tajik", "tk": "Turkmen", "uk": "Ukrainian", "be": "Belarusian", "bg": "Bulgarian",
    "mk": "Macedonian", "sr": "Serbian", "mn": "Mongolian", "tt": "Tatar", "ba": "Bashkir",
    "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "cs": "Czech", "tr": "Turkish", "az": "Azerbaijani",
    "ar": "Arabic", "fa": "Persian", "ur": "Urdu", "ps": "Pashto", "ug": "Uyghur",
    "he": "Hebrew", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "hi": "Hindi",
    "hy": "Armenian", "ka": "Georgian", "el": "Greek", "und": "undetermined",
}

_GAPS = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d")


def word_tokens(text: str) -> list[str]:
    """Lower-case word tokens with ё folded to е (as the search index splits text)."""
    return [t for t in _GAPS.split(text.lower().replace("ё", "е")) if t]


def language_name(code: str) -> str:
    """English name of a language code (the code itself when unknown)."""
    return _NAMES.get(code, code)


def language_names(codes: Iterable[str]) -> str:
    """``Kazakh and Russian`` (sorted by name; "no language" when empty)."""
    names = sorted(language_name(c) for c in set(codes))
    if not names:
        return "no language"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def language_list(codes: Iterable[str]) -> str:
    """``Russian- and Kazakh-language`` for a sentence (sorted by name)."""
    names = sorted(language_name(c) for c in set(codes))
    if not names:
        return "no"
    if len(names) == 1:
        return f"{names[0]}-language"
    return ", ".join(f"{n}-" for n in names[:-1]) + f" and {names[-1]}-language"


_COMPILED: dict[str, re.Pattern[str]] = {}


def _outside(code: str) -> re.Pattern[str]:
    pat = _COMPILED.get(code)
    if pat is None:
        # a letter outside the alphabet (digits and the word's joiners are not letters)
        pat = _COMPILED[code] = re.compile(f"[^{ALPHABETS[code]}\\d\\W_]")
    return pat


def compatible_languages(word: str, languages: Iterable[str]) -> set[str]:
    """The languages among ``languages`` whose alphabet holds every letter of ``word``.

    Digits are in every alphabet (a number can be stated in any language), and
    languages without a known alphabet (``und``, rare codes) hold none: untold
    cannot tell whether such articles could state the word.
    """
    text = word.lower().replace("ё", "е")
    return {c for c in languages if c in ALPHABETS and not _outside(c).search(text)}


# Cyrillic (Russian, Kazakh, Kyrgyz, Ukrainian...) to a plain Latin spelling.
_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "a", "ғ": "g", "қ": "k", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u",
    "һ": "h", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ҳ": "h", "ӣ": "i",
    "ӯ": "u", "ҷ": "j", "ʻ": "", "ʼ": "", "'": "",
})
# Spelling variants of one sound in Latin transliterations, folded to one letter;
# order matters (longest first).
_FOLDS = (("shch", "sh"), ("dzh", "j"), ("kh", "h"), ("zh", "j"), ("ts", "c"), ("tz", "c"),
          ("ch", "c"), ("sh", "s"), ("gh", "g"), ("ph", "f"), ("dj", "j"), ("ng", "n"),
          ("y", "i"), ("w", "v"), ("q", "k"), ("x", "ks"))
_GLIDE = re.compile(r"(^|[aeiou])i(?=[aeiou])")  # Yerlan, Tokayev, Mariya: a glide, not a vowel
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)  # news repeats its words; about 5 us a word otherwise
def translit_key(word: str) -> str:
    """A rough Latin skeleton of one word, the same for its common spellings in
    Cyrillic and Latin (``Ерлан``/``Yerlan``/``Erlan`` -> ``erlan``)."""
    text = word.lower().replace("ё", "е").translate(_TO_LATIN)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))
    text = text.replace("ı", "i")
    for old, new in _FOLDS:
        text = text.replace(old, new)
    text = _GLIDE.sub(r"\1", text)
    text = _DOUBLE.sub(r"\1", text)
    return "".join(ch for ch in text if ch.isalnum())
