"""Facts of a story: which articles state them, and which facts to propose.

A fact is a search-language query (``[[stories]] facts = {id = "query"}`` in
the study file); an article states it when the query engine matches it, so
case forms and word order rules are the search's own (see ``untold.query``).

When a story names no facts, untold proposes candidates from its coverage:
names (natasha's Russian NER, which ships its models in the pip package and
runs offline), numbers and quoted phrases that recur in several outlets. For
other languages the name heuristic is transparent: runs of capitalised words
that do not start a sentence. Candidates are phrase queries, matched the
same way as facts a person wrote.

A candidate is never one of the story's own query terms or a phrase holding
one (``StoryTerms``), and it carries the languages it can be stated in: those
whose sampled articles state it, plus those the country lexicon gives it
forms in, plus those where its transliteration is in use (see
``untold.analyze.fact_languages``).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from untold.analyze.fact_languages import StoryTerms, attested, lexicon_node, spellings_in
from untold.query import Node, Or, parse
from untold.store.base import Store
from untold.text.lexicon import LEXICON_LANGUAGES, entity_by_id, entity_of, query_forms
from untold.text.scripts import KNOWN_LANGUAGES, compatible_languages, translit_key
from untold.text.textindex import index_text, tokenize

__all__ = ["CandidateFact", "candidate_facts", "candidate_node", "extract_candidates",
           "match_facts"]

MAX_CANDIDATE_SAMPLE = 300  # articles read for candidates: NER costs ~15 ms an article
MIN_CANDIDATE_OUTLETS = 2  # a phrase only one outlet uses is its house style, not a fact
MIN_CANDIDATE_ARTICLES = 3  # fewer mentions cannot show anyone leaving it out
MAX_CANDIDATES = 10  # each candidate is one more test per outlet: keep the family small
NAME_KEY_LETTERS = 4  # Russian name endings change at most the stem's tail
MAX_PHRASE_WORDS = 8  # longer quotes are sentences; phrase matching would be brittle
MAX_SPELLINGS = 3  # transliterations added to a candidate: the common ones, not every typo

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[ \u00a0.,]\d{3})*(?:[.,]\d+)?(?:\s?%|\s?процент\w*)?")
_QUOTED = re.compile(r"[«\"“„]([^«»\"“”„]{3,120})[»\"”“]")
_CAPS = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+(?:\s+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)*)")
_CYR = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class CandidateFact:
    id: str
    query: str
    label: str
    kind: str              # name | number | quote
    outlets: int           # outlets whose sampled articles state it
    articles: int          # sampled articles stating it
    languages: tuple[str, ...] = ()  # languages it can be stated in (compared only there)
    country: str = ""      # lexicon entity (ISO code) whose forms it also matches
    forms: tuple[str, ...] = ()  # those forms, as search terms (other languages)


def candidate_node(c: CandidateFact) -> Node:
    """What a candidate matches: its phrase (and spellings), or any of its lexicon forms."""
    node = parse(c.query)
    entity = entity_by_id(c.country) if c.country else None
    return node if entity is None else Or((node, lexicon_node(entity, LEXICON_LANGUAGES)))


def match_facts(store: Store, facts: Mapping[str, str | Node],
                story_ids: set[int]) -> dict[str, set[int]]:
    """For each fact id, the story articles whose text the fact's query matches.

    No time window: the story's articles are already in it, and a window would make
    SQLite walk the window's articles instead of the fact's matches."""
    return store.matches_among({fid: parse(q) if isinstance(q, str) else q
                                for fid, q in facts.items()}, story_ids)


@lru_cache(maxsize=1)
def _natasha() -> tuple[Any, Any]:
    # loaded on first use only (about a second): no work at import time
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def _names_ru(text: str) -> list[str]:
    from natasha import Doc

    seg, ner = _natasha()
    doc = Doc(text)
    doc.segment(seg)
    doc.tag_ner(ner)
    return [s.text for s in doc.spans if s.type in ("PER", "LOC", "ORG")]


def _names_other(text: str) -> list[str]:
    return [m.group(1) for m in _CAPS.finditer(text)]


def extract_candidates(text: str, language: str) -> list[tuple[str, str]]:
    """(kind, surface phrase) pairs found in one article."""
    found: list[tuple[str, str]] = []
    use_ner = language == "ru" or (language == "und" and _CYR.search(text[:500]) is not None)
    for name in (_names_ru(text) if use_ner else _names_other(text)):
        found.append(("name", name))
    found += [("number", m.group(0).strip()) for m in _NUMBER.finditer(text)
              if len(re.sub(r"\D", "", m.group(0))) >= 2]  # "1" and "5" recur by chance
    found += [("quote", m.group(1).strip()) for m in _QUOTED.finditer(text)
              if 2 <= len(tokenize(m.group(1))) <= MAX_PHRASE_WORDS]
    return found


def _key(kind: str, phrase: str) -> str:
    """What makes two mentions the same candidate. Names: the first NAME_KEY_LETTERS
    letters of each word's stem, since Snowball stems Russian surnames unevenly
    (Токаев -> тока, Токаева -> токаев); numbers and quotes: their stems."""
    stems = index_text(phrase)
    if kind != "name":
        return stems
    return " ".join(w[:NAME_KEY_LETTERS] for w in stems.split())


def _query_for(phrase: str) -> str:
    # punctuation is not indexed, and quotes cannot be escaped: a phrase of its words
    return '"' + " ".join(tokenize(phrase)) + '"'


def candidate_facts(articles: Iterable[tuple[int, str, str, str]],
                    story_query: str = "") -> list[CandidateFact]:
    """Recurring names, numbers and quotes in (id, outlet, language, text) articles.

    Phrases are keyed by their stems, so case forms of one name count together.
    A phrase holding any term of ``story_query`` (a word, a phrase's word, a
    prefix, in any alternative, or a country it names in any language) is left
    out: every story article states those by construction.
    """
    story = StoryTerms.of(story_query)
    arts = list(articles)
    per_language: Counter[str] = Counter(lang for _, _, lang, _ in arts)
    seen_outlets: dict[str, set[str]] = defaultdict(set)
    seen_articles: dict[str, set[int]] = defaultdict(set)
    seen_languages: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    surface: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    own: dict[str, bool] = {}
    for aid, oid, lang, text in arts:
        for kind, phrase in extract_candidates(text, lang):
            key = _key(kind, phrase)
            if not key:
                continue
            if key not in own:
                own[key] = story.contains(phrase)
            if own[key]:
                continue
            seen_outlets[key].add(oid)
            seen_articles[key].add(aid)
            seen_languages[key][lang].add(aid)
            surface[key][(kind, phrase)] += 1
    keep = [k for k in seen_outlets if len(seen_outlets[k]) >= MIN_CANDIDATE_OUTLETS
            and len(seen_articles[k]) >= MIN_CANDIDATE_ARTICLES]
    keep.sort(key=lambda k: (-len(seen_outlets[k]), -len(seen_articles[k]), k))
    tokens = _Tokens(arts)
    out: list[CandidateFact] = []
    countries: set[str] = set()
    for k in keep:
        if len(out) >= MAX_CANDIDATES:
            break
        # the most frequent form names it; among equals the shortest (the nominative)
        kind, phrase = min(surface[k].items(), key=lambda kv: (-kv[1], len(kv[0][1]), kv[0]))[0]
        entity = entity_of(phrase) if kind == "name" else None
        if entity is not None and entity.id in countries:
            continue  # Казахстан and Қазақстан: one country, one fact (its forms cover both)
        slug = re.sub(r"[^a-z0-9а-яё]+", "-", phrase.lower()).strip("-")[:40] or "fact"
        counts = {lang: (len(ids), per_language[lang]) for lang, ids in seen_languages[k].items()}
        # articles of undetermined language (too short to tell) are never compared
        languages = {lang for lang in attested(counts) if lang in KNOWN_LANGUAGES}
        query = _query_for(phrase)
        forms: tuple[str, ...] = ()
        if entity is not None:  # a country: its names in every language of the lexicon
            countries.add(entity.id)
            languages |= set(LEXICON_LANGUAGES)
            forms = tuple(query_forms(entity))
        elif kind == "name":  # a name: its spellings in other scripts, where in use
            spelled, more = _spellings(phrase, counts, per_language, tokens)
            languages |= more
            query = " OR ".join([query, *(_query_for(sp) for sp in spelled)])
        out.append(CandidateFact(id=f"auto-{kind}-{slug}", query=query,
                                 label=phrase, kind=kind, outlets=len(seen_outlets[k]),
                                 articles=len(seen_articles[k]),
                                 languages=tuple(sorted(languages)),
                                 country=entity.id if entity is not None else "", forms=forms))
    return out


class _Tokens:
    """Tokens and transliteration keys of the sampled articles, per language (once)."""

    def __init__(self, arts: list[tuple[int, str, str, str]]) -> None:
        self.arts = arts
        self.by_language: dict[str, list[tuple[int, list[str], list[str]]]] = {}

    def of(self, lang: str) -> list[tuple[int, list[str], list[str]]]:
        if lang not in self.by_language:
            rows = []
            for aid, _, la, text in self.arts:
                if la == lang:
                    toks = tokenize(text)
                    rows.append((aid, toks, [translit_key(t) for t in toks]))
            self.by_language[lang] = rows
        return self.by_language[lang]


def _spellings(phrase: str, counts: dict[str, tuple[int, int]], per_language: Counter[str],
               tokens: _Tokens) -> tuple[list[str], set[str]]:
    """Spellings of a name in the languages whose alphabet cannot write it as found
    (Ерлан Карин in English articles: "Yerlan Karin"), and the languages that use them
    as often as the name is used where it was found."""
    foreign = sorted(lang for lang in per_language if lang in KNOWN_LANGUAGES
                     and lang not in counts and not compatible_languages(phrase, [lang]))
    if not foreign:
        return [], set()
    found: dict[str, tuple[int, int]] = {}
    spelled: Counter[str] = Counter()
    for lang in foreign:
        hits = spellings_in(phrase, tokens.of(lang))
        if hits:
            found[lang] = (len(hits), per_language[lang])
            for c in hits.values():
                spelled.update(c)
    more = attested({**counts, **found}) & set(found)
    if not more:
        return [], set()
    return [sp for sp, _ in spelled.most_common(MAX_SPELLINGS)], more


def sample_story_articles(store: Store, by_outlet: dict[str, list[int]],
                          limit: int = MAX_CANDIDATE_SAMPLE) -> list[tuple[int, str, str, str]]:
    """Up to ``limit`` story articles, taken in turn from each outlet (no outlet dominates)."""
    picked: list[int] = []
    queues = {o: list(ids) for o, ids in sorted(by_outlet.items())}
    while len(picked) < limit and any(queues.values()):
        for q in queues.values():
            if q and len(picked) < limit:
                picked.append(q.pop(0))
    return [(int(r[0]), str(r[1]), str(r[2]), f"{r[3]}. {r[4]}")
            for r in store.article_texts(picked)]
