"""Word-level differences between two versions of an article.

Stages of ``diff_text(old, new)``:

1. split both texts into sentences (after ``. ! ? …`` and at line ends),
   keeping every character, so the pieces join back into the texts;
2. match sentences (``difflib`` on whole sentences: a long article has a few
   hundred, so this is fast even for 10,000 words);
3. inside each run of replaced sentences, match words (``\\w`` is Unicode, so
   Cyrillic, Kazakh and Kyrgyz letters are words) and whitespace/punctuation;
4. count sentences added, removed and changed, and words added and removed.

The result holds both sides as segments ``(tag, text)``: ``same`` /
``removed`` on the old side, ``same`` / ``added`` on the new side, ready for a
side-by-side view. Titles are diffed the same way, separately.

With ``noise=True`` (article text, as the revisit judges it) a whole line that
is a counter or stamp (``text.noise.mask_counters``) is compared with its
counts masked: "Көрүлдү: 358" -> "Көрүлдү: 1 534" is shown unchanged and not
counted, so an edit's summary counts only what the outlet changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from untold.text.noise import mask_counters

__all__ = ["TextDiff", "diff_text"]

_STOP = re.compile(r"[.!?…]+|\n+")
# after . ! ? …: closing quotes/brackets, then white space or the end ("3.5" and "т.е." go on)
_AFTER_STOP = re.compile(r"[\"'»”)\]]*(?:\s+|$)")
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORDISH = re.compile(r"\w", re.UNICODE)

Segment = tuple[str, str]

SAME_SENTENCE_RATIO = 0.5  # half the tokens kept: the same sentence, edited
MAX_PAIRINGS = 2500  # sentence pairs compared per replaced run; beyond, a rewrite


@dataclass
class TextDiff:
    """Both sides as tagged segments, and what changed, counted."""

    old: list[Segment] = field(default_factory=list)
    new: list[Segment] = field(default_factory=list)
    sentences_added: list[str] = field(default_factory=list)
    sentences_removed: list[str] = field(default_factory=list)
    sentences_changed: list[tuple[str, str]] = field(default_factory=list)
    words_added: int = 0
    words_removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.sentences_added or self.sentences_removed or self.sentences_changed)

    def summary(self) -> dict[str, int]:
        return {"sentences_added": len(self.sentences_added),
                "sentences_removed": len(self.sentences_removed),
                "sentences_changed": len(self.sentences_changed),
                "words_added": self.words_added, "words_removed": self.words_removed}

    def removed_text(self) -> str:
        return " ".join(t.strip() for tag, t in self.old if tag == "removed").strip()


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _STOP.finditer(text):
        end = m.end()
        if text[m.start()] != "\n":
            tail = _AFTER_STOP.match(text, end)
            if tail is None:
                continue
            end = tail.end()
        if end > start:
            out.append(text[start:end])
            start = end
    if start < len(text):
        out.append(text[start:])
    return out


def _key(sentence: str) -> str:
    # whitespace alone never makes two sentences different
    return " ".join(sentence.split())


def _keys(pieces: list[str], noise: bool) -> list[str]:
    """What each piece is compared by: its key; with ``noise``, a piece that is a whole
    line has its counts masked as ``mask_text`` masks that line (never part of a line)."""
    keys = [_key(s) for s in pieces]
    if not noise:
        return keys
    line_start = True
    for i, s in enumerate(pieces):
        line_end = i == len(pieces) - 1 or "\n" in s[len(s.rstrip()):]
        if line_start and line_end:
            keys[i] = mask_counters(keys[i])[0]
        line_start = "\n" in s[len(s.rstrip()):]
    return keys


def _push(side: list[Segment], tag: str, text: str) -> None:
    if not text:
        return
    if side and side[-1][0] == tag:
        side[-1] = (tag, side[-1][1] + text)
    else:
        side.append((tag, text))


def _words(text: str) -> int:
    return sum(1 for t in _TOKEN.findall(text) if _WORDISH.match(t))


def _word_diff(d: TextDiff, old: str, new: str) -> None:
    """Word-level segments of one replaced run of sentences."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ka = [t if t.strip() else " " for t in a]
    kb = [t if t.strip() else " " for t in b]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        left, right = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            _push(d.old, "same", left)
            _push(d.new, "same", right)
            continue
        # whitespace-only differences are layout, shown as unchanged
        _push(d.old, "removed" if left.strip() else "same", left)
        _push(d.new, "added" if right.strip() else "same", right)
        d.words_removed += _words(left)
        d.words_added += _words(right)


def _pair(d: TextDiff, old: list[str], new: list[str]) -> None:
    """Pair replaced sentences in order by likeness: a pair is a changed sentence,
    the rest were removed or added."""
    if len(old) * len(new) > MAX_PAIRINGS:
        d.sentences_removed += old
        d.sentences_added += new
        return
    j = 0
    for s in old:
        ws = _TOKEN.findall(s)
        for k in range(j, len(new)):
            m = SequenceMatcher(None, ws, _TOKEN.findall(new[k]), autojunk=False)
            if m.ratio() >= SAME_SENTENCE_RATIO:
                d.sentences_added += new[j:k]
                d.sentences_changed.append((s, new[k]))
                j = k + 1
                break
        else:
            d.sentences_removed.append(s)
    d.sentences_added += new[j:]


def diff_text(old: str, new: str, *, noise: bool = False) -> TextDiff:
    """Sentence- then word-level diff of two texts (see the module docstring); ``noise``:
    counter and stamp lines whose counts alone changed are unchanged."""
    d = TextDiff()
    sa, sb = _sentences(old), _sentences(new)
    ka, kb = [_key(s) for s in sa], [_key(s) for s in sb]
    ma, mb = _keys(sa, noise), _keys(sb, noise)  # what is compared
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ma, mb, autojunk=False).get_opcodes():
        left, right = "".join(sa[i1:i2]), "".join(sb[j1:j2])
        if tag == "equal" or left.split() == right.split():
            # equal, or only split differently (a line break became a space)
            _push(d.old, "same", left)
            _push(d.new, "same", right)
            continue
        real_a = [s for s in ka[i1:i2] if s]
        real_b = [s for s in kb[j1:j2] if s]
        if tag == "delete" or not real_b:
            d.sentences_removed += real_a
            d.words_removed += _words(left)
            _push(d.old, "removed" if real_a else "same", left)
            _push(d.new, "same", right)
            continue
        if tag == "insert" or not real_a:
            d.sentences_added += real_b
            d.words_added += _words(right)
            _push(d.old, "same", left)
            _push(d.new, "added" if real_b else "same", right)
            continue
        _pair(d, real_a, real_b)
        _word_diff(d, left, right)
    return d
