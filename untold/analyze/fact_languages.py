"""In which languages a fact can be stated, and which words are the story's own.

An omission test compares how often outlets state a fact. That comparison is
fair only among articles that *could* state it: an English article never
contains "граждане Казахстана", so an English outlet "omitting" it says
nothing about the outlet. Every fact therefore gets the set of languages it
has forms in, and is compared only among articles in those languages.

Written facts (a query in the study file): the languages of each word, from

1. the country lexicon (``untold.text.lexicon``): Казахстан is Russian,
   Қазақстан Kazakh, Казакстан Kyrgyz, Kazakhstan English;
2. the alphabet (``untold.text.scripts``): a Cyrillic word is in no Latin
   language; ә ғ қ ұ һ і make it Kazakh, ң ө ү Kazakh or Kyrgyz;
3. a word placed so settles its neighbours: ``азамат* NEAR/3 қазақстан*`` is
   Kazakh, whatever азамат alone could be;
4. when an alternative is still open between several languages of the story
   (``подлинность NEAR/4 подтвердить``: Russian, Kazakh or Kyrgyz letters),
   the archive: the languages whose articles of the same outlets and days
   use each such word at a comparable rate (``attested``). Single words, not
   the fact, are counted, over all the window's articles, so an outlet
   leaving the fact out does not take its language with it.

A phrase, NEAR or AND needs all its words in one language, OR alternatives
add up, ``lang:xx`` restricts, NOT adds nothing. Articles whose language is
undetermined (``und``, too short to tell) are never compared on a fact.

Proposed facts (``untold.analyze.facts``): the languages they were found in,
plus the languages the lexicon gives forms in (a proposed "Казахстан" also
matches Kazakhstan and Қазақстан), plus those where a transliteration of a
proposed name is actually used (Ерлан Карин as "Yerlan Karin").

The story's own query terms (every word of every alternative, phrases and
prefixes included, and their lexicon forms in the other languages) are
never proposed as facts: every story article contains them by construction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from untold.errors import QueryError
from untold.query import (
    And,
    Field,
    Filter,
    Form,
    Match,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    Word,
    parse,
)
from untold.query.compiler import normalise
from untold.text.lexicon import Entity, entity_of, form_matches, languages_of
from untold.text.scripts import KNOWN_LANGUAGES, compatible_languages, translit_key
from untold.text.textindex import index_text, stem_word, tokenize

__all__ = [
    "ATTEST_RATIO",
    "MIN_ATTEST_ARTICLES",
    "StoryTerms",
    "attested",
    "fact_languages",
    "lexicon_node",
    "spellings_in",
    "word_leaves",
]

ATTEST_RATIO = 0.25  # a language using a word at under a quarter of the top rate quotes it
MIN_ATTEST_ARTICLES = 2  # one article using a word may be a quotation or a mislabelled text
# Words of a story query's phrase that are in every article of their language,
# not the story's: a candidate containing "of" or "в" is not the story's own term.
FUNCTION_WORDS = frozenset({
    "the", "of", "and", "in", "on", "at", "to", "for", "a", "an", "by", "with", "from",
    "в", "на", "и", "с", "по", "о", "об", "из", "к", "от", "для", "за", "не", "во", "со",
    "мен", "және", "жана", "менен",
})
# a query expands to at most this many alternatives; beyond them the rest get no
# language (a fact compared more narrowly, never more widely)
MAX_ALTERNATIVES = 512
MAX_TRANSLIT_LEN_DIFF = 2  # Карина/Karin: a case ending, not another name
MIN_TRANSLIT_PREFIX = 4  # shorter keys meet too many other words by their start

# how many articles use a word, per language: (language -> (using, all))
Attest = Callable[[Node, frozenset[str]], set[str]]


def attested(counts: Mapping[str, tuple[int, int]]) -> set[str]:
    """The languages among ``counts`` (language -> (articles using the word, all
    articles)) that really write the word: at least ``MIN_ATTEST_ARTICLES`` articles
    and a rate at least ``ATTEST_RATIO`` of the highest rate among them."""
    rates = {lang: k / n for lang, (k, n) in counts.items() if n and k >= MIN_ATTEST_ARTICLES}
    if not rates:
        return set()
    top = max(rates.values())
    return {lang for lang, r in rates.items() if r >= ATTEST_RATIO * top}


# -- the words of a query -------------------------------------------------------------


def word_leaves(node: Node, *, positive: bool = True) -> list[Term | Prefix | Phrase]:
    """The text leaves (words, prefixes, phrases) of a syntax tree; with ``positive``
    not those under NOT (an excluded word is not what the query is about)."""
    if isinstance(node, Term | Prefix | Phrase):
        return [node]
    if isinstance(node, Near):
        return word_leaves(node.left, positive=positive) + word_leaves(node.right,
                                                                      positive=positive)
    if isinstance(node, And | Or):
        return [leaf for c in node.children for leaf in word_leaves(c, positive=positive)]
    if isinstance(node, Field):
        return word_leaves(node.child, positive=positive)
    if isinstance(node, Not):
        return [] if positive else word_leaves(node.child, positive=positive)
    return []  # filters


def _leaf_text(leaf: Term | Prefix | Phrase) -> str:
    return leaf.text if isinstance(leaf, Phrase) else leaf.word


# -- which languages a written fact can be stated in ---------------------------------


@dataclass(frozen=True)
class _Unit:
    """One word (or a whole lexicon phrase) of an alternative, as the alphabet and
    the lexicon place it."""

    text: str
    prefix: bool
    languages: frozenset[str]  # the present languages it can be written in
    pinned: bool               # the lexicon or a distinctive alphabet says so


def _units(leaf: Term | Prefix | Phrase, present: frozenset[str]) -> list[_Unit]:
    text = _leaf_text(leaf)
    prefix = isinstance(leaf, Prefix)
    lex = languages_of(text, prefix)
    if lex:  # a whole lexicon form ("соединенные штаты", "united kingdom")
        return [_Unit(text, prefix, frozenset(lex & present), True)]
    out = []
    words = tokenize(text)
    for i, w in enumerate(words):
        p = prefix and i == len(words) - 1
        lex = languages_of(w, p)
        if lex:
            out.append(_Unit(w, p, frozenset(lex & present), True))
        elif not any(ch.isalpha() for ch in w):  # a number is written alike everywhere
            out.append(_Unit(w, p, present & KNOWN_LANGUAGES, True))
        else:  # қазақстан: only Kazakh's alphabet holds it, whatever the story's languages
            unique = len(compatible_languages(w, KNOWN_LANGUAGES)) <= 1
            out.append(_Unit(w, p, frozenset(compatible_languages(w, present)), unique))
    return out


# an alternative: its words, and the languages a lang: filter allows (None: any)
_Alt = tuple[tuple[_Unit, ...], frozenset[str] | None]
_ANY: list[_Alt] = [((), None)]


def _product(a: list[_Alt], b: list[_Alt]) -> list[_Alt]:
    out = []
    for ua, la in a:
        for ub, lb in b:
            out.append((ua + ub, la if lb is None else lb if la is None else la & lb))
            if len(out) >= MAX_ALTERNATIVES:
                return out
    return out


def _alternatives(n: Node, present: frozenset[str]) -> list[_Alt]:
    """The query as an OR of alternatives, each an AND of words (disjunctive form;
    NOT and filters other than lang: place no condition on the language)."""
    if isinstance(n, Term | Prefix | Phrase):
        return [(tuple(_units(n, present)), None)]
    if isinstance(n, Near):
        return _product(_alternatives(n.left, present), _alternatives(n.right, present))
    if isinstance(n, Field):
        return _alternatives(n.child, present)
    if isinstance(n, Filter):
        return [((), frozenset({n.value}))] if n.name == "lang" else _ANY
    if isinstance(n, And):
        out = _ANY
        for c in n.children:
            out = _product(out, _alternatives(c, present))
        return out
    if isinstance(n, Or):
        return [a for c in n.children for a in _alternatives(c, present)][:MAX_ALTERNATIVES]
    return _ANY  # NOT: the words an alternative must lack say nothing of its language


def _alternative_languages(units: tuple[_Unit, ...], allowed: frozenset[str],
                           attest: Attest) -> set[str]:
    """The languages one alternative can match in: those every word can be written in;
    where that leaves several, each word the lexicon or alphabet does not place must
    also be used by that language's articles (``attested``). A placed word settles it
    for its neighbours: азамат* NEAR/3 қазақстан* is Kazakh."""
    langs = set(allowed)
    for u in units:
        langs &= u.languages
    if not langs or (len(langs) == 1 and any(u.pinned for u in units)):
        return langs
    for u in units:
        if not u.pinned:
            node: Node = Prefix(u.text) if u.prefix else Term(u.text)
            langs &= attest(node, frozenset(langs))
            if not langs:
                break
    return langs


def fact_languages(node: Node, present: Collection[str], attest: Attest) -> frozenset[str]:
    """The languages among ``present`` (the story articles' languages) in which the
    query ``node`` can match: the union over its alternatives (OR) of the languages
    all words of the alternative (AND, NEAR, a phrase) can be written in, restricted
    by ``lang:``. Only languages with a known alphabet are ever returned."""
    pres = frozenset(present) & KNOWN_LANGUAGES
    out: set[str] = set()
    for units, allowed in _alternatives(node, pres):
        out |= _alternative_languages(units, pres if allowed is None else allowed & pres,
                                      attest)
    return frozenset(out)


# -- the story's own terms --------------------------------------------------------------


def _hits(form: Form, stem: str) -> bool:
    return stem.startswith(form.text) if form.prefix else stem == form.text


@dataclass
class StoryTerms:
    """The story query's terms, to keep them out of proposed facts."""

    forms: list[Form]
    entities: list[Entity]

    @classmethod
    def of(cls, query: str) -> StoryTerms:
        try:
            node = parse(query) if query.strip() else None
        except QueryError:
            node = None
        forms: list[Form] = []
        entities: dict[str, Entity] = {}
        for leaf in word_leaves(node) if node is not None else []:
            match = normalise(leaf)
            words = tokenize(_leaf_text(leaf))
            if isinstance(match, Match) and len(match.words) == len(words):
                for w, word in zip(words, match.words, strict=True):
                    if w not in FUNCTION_WORDS and len(w) > 1:
                        forms += [f for f in word.forms if f not in forms]
            prefix = isinstance(leaf, Prefix)
            for i, w in enumerate(words):
                ent = entity_of(w, prefix and i == len(words) - 1)
                if ent is not None:
                    entities[ent.id] = ent
            whole = entity_of(_leaf_text(leaf), prefix)
            if whole is not None:
                entities[whole.id] = whole
        return cls(forms, list(entities.values()))

    def contains(self, phrase: str) -> bool:
        """Whether ``phrase`` holds any of the terms, by the index's stems and prefixes,
        or names a country the story query names (in any language)."""
        stems = index_text(phrase).split()
        if any(_hits(f, s) for f in self.forms for s in stems):
            return True
        toks = tuple(tokenize(phrase))
        for ent in self.entities:
            for forms in ent.forms.values():
                for form in forms:
                    for i in range(len(toks)):
                        for j in range(i + 1, min(len(toks), i + 3) + 1):
                            if form_matches(toks[i:j], False, form):
                                return True
        return False


# -- forms of a proposed fact in other languages -----------------------------------


def _lexicon_word(token: str, prefix: bool) -> Word:
    """One lexicon word as index forms: its exact stem, and with ``prefix`` every
    indexed word starting with it (Ресей is indexed as рес, Ресейдің as ресейдің)."""
    stem = stem_word(token) or token
    forms = [Form(stem, False)]
    if prefix:
        forms.insert(0, Form(token, True))
    return Word(tuple(dict.fromkeys(forms)))


def lexicon_node(entity: Entity, languages: Iterable[str]) -> Node:
    """The entity's forms in ``languages`` as one query (an OR of phrases), matched
    as written: the query syntax would shorten a prefix to its stem (ресей* to рес*)."""
    matches: list[Node] = []
    for lang in languages:
        for form in entity.forms.get(lang, ()):
            toks = tokenize(form)
            prefix = form.endswith("*")
            m = Match(tuple(_lexicon_word(t, prefix and i == len(toks) - 1)
                            for i, t in enumerate(toks)))
            if m not in matches:
                matches.append(m)
    return matches[0] if len(matches) == 1 else Or(tuple(matches))


def _keys_meet(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return (len(short) >= MIN_TRANSLIT_PREFIX and long.startswith(short)
            and len(long) - len(short) <= MAX_TRANSLIT_LEN_DIFF)


def spellings_in(phrase: str, texts: Iterable[tuple[int, list[str], list[str]]]
                 ) -> dict[int, Counter[str]]:
    """Where a transliteration of ``phrase`` occurs: per article id, the spellings found
    (``Ерлан Карин`` -> ``yerlan karin``). ``texts`` gives each article as (id, its
    tokens, their ``translit_key``s)."""
    keys = [translit_key(w) for w in tokenize(phrase)]
    if not keys or any(len(k) < 2 for k in keys):
        return {}
    out: dict[int, Counter[str]] = {}
    n = len(keys)
    for aid, toks, tk in texts:
        for i in range(len(toks) - n + 1):
            if all(_keys_meet(tk[i + j], keys[j]) for j in range(n)):
                out.setdefault(aid, Counter())[" ".join(toks[i:i + n])] += 1
    return out
