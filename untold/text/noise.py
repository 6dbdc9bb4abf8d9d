"""What changes between two fetches of an article are noise, not edits.

A page fetched twice rarely comes back byte-identical: view counters tick,
"updated at" lines move, related-article and advertising blocks rotate, and
some pages carry a per-request timestamp or token. ``mask_text`` rewrites an
article's text into its *substance*: those parts removed or masked, white
space collapsed. Two versions whose masked texts (and titles) are equal are
the same version; what was masked is counted per kind, so a report can say
how much noise was ignored.

The rules are conservative on purpose: a number in a sentence of the article
("12 killed" -> "5 killed") is substance. Only short lines that look like
page furniture are masked, plus long opaque tokens that no reader writes.

Counters and stamps in any language: a line that carries a number, has at most
``COUNTER_MAX_WORDS`` words besides its numbers and is not a sentence (it does
not end in ``. ! ? …``) has its numbers masked (``mask_counters``). So
"Көрүлдү: 358" -> "Көрүлдү: 1 534", "👁 1.2K", "Updated 14:35" or a label no
list knows are noise whatever their language, while any change of its words is
still an edit. Why these bounds: a counter's or stamp's label is one to four
words in every language seen ("Views", "Көрүлдү", "Last updated", "Бұл
жаңалықты … адам оқыды"), a date adds a month or weekday name, so six words
cover them; a sentence that reports a figure ends in a full stop, so "12 people
were killed." -> "15 people were killed." stays an edit even when it is short,
and a longer line is a paragraph, whose numbers are news. Titles are exempt:
a headline is short, unpunctuated, and its figures are news. The price: a
figure that is news on a short unpunctuated line of its own (a fact box's
"Погибших: 12") is masked too, as nothing in the text tells it from a counter.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["COUNTER_MAX_WORDS", "FURNITURE_MAX_WORDS", "MaskedText", "mask_counters",
           "mask_text", "masked_hash", "shingles"]

FURNITURE_MAX_WORDS = 14  # a counter or "updated" line is short; a sentence of news is longer
TOKEN_MIN_CHARS = 16  # hex/base64 runs this long are ids or tokens, not words anyone wrote
COUNTER_MAX_WORDS = 6  # a counter's or stamp's label and a date's names; see the docstring

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?)?\b"
                   r"|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
_TOKEN = re.compile(rf"\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])"
                    rf"[A-Za-z0-9+/_-]{{{TOKEN_MIN_CHARS},}}=*")
_NUMBER = re.compile(r"\d[\d\s.,]*")
# A count or stamp as pages print it: digit groups joined by thousands separators (space,
# no-break and thin spaces, . , ' ’), a decimal part, clock and date punctuation (: / - T),
# then a K/M (Latin or Cyrillic) abbreviation or a Z, and a "+": "1 534", "1,5K", "14:35",
# "12.03.2024", "10K+". It is a whole token: "5км", "COVID19" and "2024г" are words.
_COUNT = re.compile(r"(?<!\w)\d+(?:(?:[\s.,'’:/-]|T)\d+)*[KkMmКкМмZ]?\+?(?!\w)")
# The end of a sentence: a full stop, ! ? or an ellipsis, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*$")
_LETTER = re.compile(r"[^\W\d_]")
_COUNT_MASK = "\u2063num"  # what a masked count reads as (no reader writes U+2063)
# Lines that are page furniture whatever their numbers say (ru, kk, ky, en).
_COUNTER = re.compile(
    r"(просмотр|прочитал|комментари|views?\b|reads?\b|comments?\b|shares?\b|likes?\b"
    r"|қаралым|оқылды|пікір|көрүү|каралды)", re.I)
_UPDATED = re.compile(
    r"(обновлен|изменен|опубликован|updated|last modified|published|generated|"
    r"жаңартыл|жарияланды|жаңыланды|жарыяланды|сгенерирован|request id|время сервера)", re.I)
# A line that opens a block of links or advertising: it and what follows are dropped.
_BLOCK_START = re.compile(
    r"^\s*(читайте также|смотрите также|похожие (новости|материалы|статьи)|по теме|"
    r"ещё по теме|еще по теме|related( articles| stories| news)?|read (also|more)|see also|"
    r"more on this|реклама|advertisement|sponsored|partner content|материалы партнеров|"
    r"оқи отырыңыз|тақырыпқа|окуңуз|жарнама|кулактандыруу)\s*:?\s*$", re.I)
_AD_LINE = re.compile(r"^\s*(реклама|advertisement|sponsored|ad|жарнама)\s*[:.-]?\s*\S*$",
                      re.I)


@dataclass(frozen=True)
class MaskedText:
    """An article text reduced to its substance, and what was masked, per kind."""

    text: str
    noise: dict[str, int] = field(default_factory=dict)


def _furniture(line: str, words: int) -> str | None:
    """The noise kind of a short furniture line, or None when it is substance."""
    if words > FURNITURE_MAX_WORDS:
        return None
    if _COUNTER.search(line) and _NUMBER.search(line):
        return "counter"
    if _UPDATED.search(line) and (_TIME.search(line) or _DATE.search(line)
                                  or _NUMBER.search(line)):
        return "updated_line"
    if _AD_LINE.match(line):
        return "ad"
    return None


def mask_counters(line: str) -> tuple[str, int]:
    """``line`` with its counts masked if it is a counter or stamp line (see the module
    docstring), and how many were masked; any other line comes back unchanged, with 0."""
    line = line.strip()
    if not line or _SENTENCE_END.search(line):
        return line, 0
    masked, n = _COUNT.subn(_COUNT_MASK, line)
    if not n:
        return line, 0
    words = sum(1 for w in masked.replace(_COUNT_MASK, " ").split() if _LETTER.search(w))
    if words > COUNTER_MAX_WORDS:
        return line, 0
    return masked, n


def mask_text(text: str, *, title: bool = False) -> MaskedText:
    """The substance of ``text`` (see the module docstring) and the noise counted.

    ``title``: ``text`` is a headline, whose numbers are never masked as counts.
    """
    noise: Counter[str] = Counter()
    out: list[str] = []
    in_block = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _WS.sub(" ", raw).strip()
        if not line:
            in_block = False  # a blank line ends a link/ad block
            continue
        if _BLOCK_START.match(line):
            noise["related_block"] += 1
            in_block = True
            continue
        words = len(line.split())
        if in_block and words <= FURNITURE_MAX_WORDS:
            noise["related_block"] += 1  # a headline of the block
            continue
        in_block = False
        kind = _furniture(line, words)
        if kind is not None:
            noise[kind] += 1
            continue
        line, n = _TOKEN.subn("\u2063tok", line)
        noise["token"] += n
        if not title:
            line, n = mask_counters(line)
            if n:
                noise["count_line"] += 1
                out.append(line)
                continue
        if words <= FURNITURE_MAX_WORDS:
            # a short line with a clock time is a timestamp; in a long sentence it is news
            line, n = _TIME.subn("\u2063time", line)
            noise["timestamp"] += n
        out.append(line)
    return MaskedText(text="\n".join(out), noise={k: v for k, v in noise.items() if v})


def masked_hash(title: str, text: str) -> str:
    """Identity of a version: SHA-256 of masked title and masked text."""
    t = mask_text(title, title=True).text
    body = mask_text(text).text
    return hashlib.sha256(f"{t}\x00{body}".encode()).hexdigest()


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def shingles(text: str, k: int = 3) -> set[str]:
    """Word k-shingles of letters only (digits dropped): a page's look, for likeness."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}
