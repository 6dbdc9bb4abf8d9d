"""Country names and demonyms in Russian, Kazakh, Kyrgyz and English.

A fact or a story query that names a country names it in one language; the
same fact in another language uses another word (Казахстан, Қазақстан,
Казакстан, Kazakhstan). This shipped lexicon lets untold

* tell which languages a query word belongs to (``languages_of``): Казахстан
  is Russian, Казакстан Kyrgyz, Сирия all three Cyrillic languages alike;
* give a fact untold proposed itself its forms in the other languages
  (``entity_of`` and ``query_forms``), so that "Казахстан" found in Russian
  articles is also looked for as Kazakhstan and Қазақстан;
* recognise a story's own query terms in every language, so that a story
  searched as "Kazakhstan" never gets "Казахстан" proposed as a fact.

Forms are lower case with ё written е. A form ending in ``*`` covers every
word starting with it (the case endings of Russian and the suffixes of
Kazakh and Kyrgyz); several words are a phrase. Names and demonyms of one
country are one entity: Russian ``казах*`` covers Казахстан as well as
казахи, and the other languages follow so the entity means the same in each.

The countries: Central Asia and its neighbours, and the states most often in
its news. The list is data, not code: extend ``ENTITIES`` to add one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from untold.text.scripts import word_tokens

__all__ = ["ENTITIES", "LEXICON_LANGUAGES", "MIN_LEXICON_PREFIX", "Entity", "entity_by_id",
           "entity_of", "form_matches", "languages_of", "query_forms"]

LEXICON_LANGUAGES = ("ru", "kk", "ky", "en")
MIN_LEXICON_PREFIX = 4  # a typed prefix shorter than this (ка*) reaches too many names to say


@dataclass(frozen=True)
class Entity:
    id: str                                  # ISO 3166-1 alpha-2
    forms: dict[str, tuple[str, ...]]        # language -> forms (word, prefix*, "a b")


def _e(code: str, ru: str, kk: str, ky: str, en: str) -> Entity:
    return Entity(code, {"ru": tuple(ru.split(",")), "kk": tuple(kk.split(",")),
                         "ky": tuple(ky.split(",")), "en": tuple(en.split(","))})


ENTITIES: tuple[Entity, ...] = (
    _e("KZ", "казах*", "қазақ*", "казак*", "kazakh*"),
    _e("KG", "кыргыз*,киргиз*", "қырғыз*", "кыргыз*", "kyrgyz*,kirghiz*,kirgiz*"),
    _e("UZ", "узбек*", "өзбек*", "өзбек*", "uzbek*"),
    _e("TJ", "таджик*", "тәжік*", "тажик*", "tajik*"),
    _e("TM", "туркмен*", "түрікмен*", "түркмөн*", "turkmen*"),
    _e("RU", "росси*,русск*", "ресей*,орыс*", "росси*,орус*", "russia*"),
    _e("CN", "китай*,китае*,китайц*", "қытай*", "кытай*", "china,chinese"),
    _e("AF", "афган*", "ауған*", "ооган*", "afghan*"),
    _e("SY", "сири*", "сири*", "сири*", "syria*"),
    _e("IQ", "ирак*", "ирак*", "ирак*", "iraq*"),
    _e("IR", "иран*", "иран*", "иран*", "iran*"),
    _e("TR", "турци*,турецк*,турок*,турки", "түркия*,түрік,түрікт*", "түркия*,түрк,түрктө*",
       "turkey,türkiye,turkish,turk,turks"),
    _e("UA", "украин*", "украин*", "украин*", "ukrain*"),
    _e("US", "сша,соединенные штаты,америк*", "ақш,америк*", "акш,америк*",
       "united states,usa,america*"),
    _e("GB", "великобритани*,британ*", "ұлыбритания*,британ*", "улуу британия*,британ*",
       "united kingdom,britain*,british,uk"),
    _e("DE", "германи*,немец*,немецк*,немц*", "германия*,неміс*", "германия*,немис*",
       "germany,german*"),
    _e("FR", "франци*,француз*", "франция*,француз*", "франция*,француз*", "france,french"),
    _e("IN", "индия,индийск*,индиец,индийц*", "үндістан*,үнді*",
       "индия*,индиялык*", "india,indian*"),
    _e("PK", "пакистан*", "пәкістан*", "пакистан*", "pakistan*"),
    _e("MN", "монгол*", "моңғол*", "монгол*", "mongol*"),
    _e("AZ", "азербайджан*", "әзірбайжан*", "азербайжан*", "azerbaijan*,azeri*"),
    _e("GE", "грузи*,грузин*", "грузия*", "грузия*", "georgia*"),
    _e("AM", "армени*,армян*", "армения*", "армения*", "armenia*"),
    _e("BY", "беларус*,белорус*", "беларусь*", "беларусь*", "belarus*"),
    _e("IL", "израил*", "израиль*,израил*", "израиль*", "israel*"),
    _e("JP", "япони*,японск*,японц*", "жапония*", "япония*", "japan*"),
    _e("KR", "корея,корейск*,корейц*,кореец", "корея*", "корея*", "korea*"),
)


def _parse_form(form: str) -> tuple[tuple[str, ...], bool]:
    return tuple(word_tokens(form)), form.endswith("*")


def form_matches(tokens: tuple[str, ...], prefix: bool, form: str) -> int:
    """How well the words ``tokens`` (``prefix``: the last is a typed prefix) meet
    one lexicon form: 0 when they do not, else the form's length (longer forms
    are more specific: ``туркмен*`` over ``турок*``).

    A word meets a form's word when equal, when the form is a prefix form and
    the word extends it (Казахстана meets ``казах*``), or when the word is a
    typed prefix of at least ``MIN_LEXICON_PREFIX`` letters that the form
    extends (``казахст*`` meets ``казах*`` and Kazakh... both ways).
    """
    ftoks, fprefix = _parse_form(form)
    if len(ftoks) != len(tokens) or not tokens:
        return 0
    for i, (t, f) in enumerate(zip(tokens, ftoks, strict=True)):
        last = i == len(tokens) - 1
        ok = t == f or (last and fprefix and t.startswith(f)) or (
            last and prefix and len(t) >= MIN_LEXICON_PREFIX and f.startswith(t))
        if not ok:
            return 0
    return len(form)


def _matches(tokens: tuple[str, ...], prefix: bool) -> list[tuple[int, Entity, str]]:
    """(specificity, entity, language) of every form the words meet."""
    out = []
    for ent in ENTITIES:
        for lang, forms in ent.forms.items():
            best = max((form_matches(tokens, prefix, f) for f in forms), default=0)
            if best:
                out.append((best, ent, lang))
    return out


def languages_of(text: str, prefix: bool = False) -> set[str]:
    """The languages in which ``text`` (a word, prefix or phrase) is a country's
    name or demonym; empty when the lexicon does not know it."""
    return {lang for _, _, lang in _matches(tuple(word_tokens(text)), prefix)}


def entity_of(text: str, prefix: bool = False) -> Entity | None:
    """The country ``text`` names (its most specific match), or None."""
    found = _matches(tuple(word_tokens(text)), prefix)
    if not found:
        return None
    best = max(score for score, _, _ in found)
    ents = {e.id: e for score, e, _ in found if score == best}
    return next(iter(ents.values())) if len(ents) == 1 else None


def entity_by_id(code: str) -> Entity | None:
    """The entity with ISO code ``code``, or None."""
    return next((e for e in ENTITIES if e.id == code), None)


def query_forms(entity: Entity, languages: Iterable[str] = LEXICON_LANGUAGES) -> list[str]:
    """The entity's forms in ``languages`` as search-language alternatives."""
    out: list[str] = []
    for lang in languages:
        for form in entity.forms.get(lang, ()):
            q = f'"{form.rstrip("*")}"' if " " in form else form
            if q not in out:
                out.append(q)
    return out
