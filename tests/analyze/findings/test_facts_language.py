"""Facts are compared only among articles that could state them (issue 10, case 1).

Real SQLite archives (written through the store, as collection writes them),
real query parsing and matching; every test here fails on the rules that
compared a Russian phrase with English articles.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from untold import api
from untold.analyze.fact_languages import StoryTerms, attested, fact_languages
from untold.analyze.facts import candidate_facts
from untold.analyze.findings import evaluate
from untold.analyze.findings_data import load_story_data
from untold.config import load_study
from untold.models import CaptureRecord, ExtractedArticle
from untold.query import Node, parse
from untold.store import NewArticle, open_store
from untold.text.lexicon import entity_of, languages_of
from untold.text.scripts import compatible_languages, language_list, translit_key

pytestmark = pytest.mark.timeout(180)
START = datetime(2026, 5, 1, tzinfo=UTC)


def _archive(dest: Path, outlets: dict[str, tuple[str, str]], texts: dict[str, list[str]],
             story: str, facts: dict[str, str] | None = None,
             filler: dict[str, str] | None = None) -> Path:
    """A study and archive: ``outlets`` id -> (group, language); ``texts`` id -> the
    outlet's story articles; ``filler`` language -> an ordinary article's text (three
    a day per outlet, so the archive holds the languages' everyday words too)."""
    toml = '[study]\nname = "lang"\narchive = "archive"\n\n' + "\n".join(
        f'[[outlets]]\nid = "{o}"\nname = "Outlet {o.upper()}"\ndomains = ["{o}.example"]\n'
        f'groups = ["{g}"]\nlanguages = ["{lang}"]\n' for o, (g, lang) in outlets.items())
    toml += f'\n[[stories]]\nid = "s"\ntitle = "S"\nquery = {json.dumps(story, ensure_ascii=False)}\n'
    if facts:
        toml += "facts = { " + ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}"
                                          for k, v in facts.items()) + " }\n"
    (dest / "study.toml").write_text(toml, encoding="utf-8")
    st = load_study(dest / "study.toml")
    store = open_store(st.db_path)
    store.sync_outlets(st.outlets)
    n = 0
    for o, (_, lang) in outlets.items():
        rows = [(t, "История") for t in texts.get(o, [])]
        rows += [((filler or {}).get(lang, ""), "Обзор")] * (3 * 10 if filler else 0)
        for k, (text, title) in enumerate(rows):
            if not text:
                continue
            n += 1
            # spread evenly over the same ten days: no outlet goes quiet part-way
            when = START + timedelta(hours=240 * k / len(rows) + (n % 3))
            body = f"{text} ({n})"
            url = f"https://{o}.example/{n}"
            cid = store.add_capture(CaptureRecord(
                url=url, outlet_id=o, kind="article", fetched_at=when, status=200,
                failure=None, warc_file="a.warc.gz", warc_offset=n, warc_length=1, sha256="00"))
            art = ExtractedArticle(url=url, canonical_url=url, title=title, text=body,
                                   author=None, published=when, language=lang,
                                   language_confidence=0.9,
                                   text_hash=hashlib.sha256(body.encode()).hexdigest())
            store.add_articles([NewArticle(art, o, cid, when, "00")])
    store.close()
    return dest / "study.toml"


def _data(study: Path, facts: dict[str, str] | None = None, propose: bool = True) -> Any:
    st = load_study(study)
    store = open_store(st.db_path)
    data = load_story_data(store, st, st.stories[0], facts=facts, propose=propose)
    result = evaluate(data, store)
    store.close()
    return data, result


RU = ("Опубликовано «видео казни» двух мужчин. Министр Ерлан Карин заявил: "
      "«Мы не оставим это без ответа». Погибшие — граждане Казахстана")
EN = ("A video of the execution of two men was published. Minister Yerlan Karin "
      "said the government would respond. The victims were citizens of Kazakhstan")
FILLER = {"ru": "Погода в городе будет тёплой, граждане готовятся к празднику",
          "en": "The weather will be warm, and citizens prepare for the holiday",
          "kk": "Ауа райы жылы болады, азаматтар мерекеге дайындалып жатыр",
          "ky": "Аба ырайы жылуу болот, жарандар майрамга даярданып жатышат"}


def test_an_english_outlet_is_not_accused_of_omitting_a_russian_phrase(tmp_path: Path) -> None:
    """The false finding of the report: untold proposed a Russian phrase holding the
    story's own word, then reported an English outlet "omitting" it (0 of 27 vs 27)."""
    outlets = {f"r{i}": ("domestic", "ru") for i in range(1, 5)}
    outlets["e1"] = ("foreign", "en")
    texts: dict[str, list[str]] = {f"r{i}": [f"{RU}. Заметка {i}-{k}." for k in range(7)]
                                   for i in range(1, 5)}
    texts["e1"] = [f"{EN}. Note {k}." for k in range(27)]
    study = _archive(tmp_path, outlets, texts, story="видео OR video")
    found = api.compute_findings(study)
    assert found == [], [f.sentence for f in found]
    data, result = _data(study)
    by_label = {c.label.lower(): c for c in data.proposed}
    # the phrase holding the story's word "видео" is never proposed ...
    assert not [c for c in data.proposed if "видео" in c.label.lower()]
    # ... a Russian quote is compared among Russian-language articles only ...
    quote = by_label["мы не оставим это без ответа"]
    assert quote.languages == ("ru",)
    [e1] = [t for t in result.tests if t.subject == "e1" and t.detail["fact"] == quote.id]
    assert e1.p_value is None and "English" in e1.reason and "Russian" in e1.reason
    # ... and a name is looked for in English as it is spelled there
    karin = by_label["ерлан карин"]
    assert karin.languages == ("en", "ru") and '"yerlan karin"' in karin.query
    assert data.fact_hits[karin.id] >= set(data.by_outlet()["e1"])
    # the stored counts are the compared ones: e1 has no article the quote could be in
    from untold.analyze.findings import observations

    counts = {(o.subject, o.key): o.value for o in observations(data, result)
              if o.kind == "fact_count"}
    assert counts[("e1", quote.id)]["articles"] == 0
    assert counts[("e1", quote.id)]["not_comparable"] == 27
    assert counts[("e1", quote.id)]["languages"] == ["ru"]
    assert counts[("r1", quote.id)]["articles"] == 7


def test_story_terms_are_never_proposed_in_a_phrase_by_prefix_or_in_another_language(
        ) -> None:
    query = '("видео казни" OR video) AND (расстрел* OR Kazakhstan)'
    arts = []
    for i, outlet in enumerate(["a", "b", "c", "d"]):
        arts.append((10 * i + 1, outlet, "ru",
                     "Жуткое «видео казни» разошлось по сети. Эксперты назвали «расстрелом "
                     "без суда» то, что произошло. В Казахстане объявлен траур. Сообщил "
                     "Нурлан Абенов."))
        arts.append((10 * i + 2, outlet, "en",
                     "The footage was shared by Video Central Agency. Officials in "
                     "Astana Region said Nurlan Abenov confirmed it."))
    labels = {c.label for c in candidate_facts(arts, query)}
    assert "Нурлан Абенов" in labels  # the test can see a candidate that is not the story's
    assert not any("видео" in lab.lower() for lab in labels)  # a phrase's word
    assert not any("расстрел" in lab.lower() for lab in labels)  # by prefix: расстрелом
    assert not any("video" in lab.lower() for lab in labels)  # another alternative's word
    assert not any(lab.startswith("Казахстан") for lab in labels)  # Kazakhstan, in Russian
    terms = StoryTerms.of(query)
    assert terms.contains("Қазақстанның") and terms.contains("расстреляли")
    assert not terms.contains("Нурлан Абенов")
    # without the story query the same articles do propose them: the rule is what removes them
    unfiltered = {c.label.lower() for c in candidate_facts(arts)}
    assert "видео казни" in unfiltered


def test_a_fact_with_russian_and_english_forms_is_compared_across_both(tmp_path: Path) -> None:
    outlets = {"r1": ("local", "ru"), "r2": ("local", "ru"), "r3": ("local", "ru"),
               "e1": ("wire", "en"), "e2": ("wire", "en"), "e3": ("solo", "en")}
    texts = {o: [f"{RU}. Заметка {k}." for k in range(8)] for o in ("r1", "r2", "r3")}
    texts |= {o: [f"{EN}. Note {k}." for k in range(8)] for o in ("e1", "e2")}
    texts["e3"] = [f"A video of the execution was published. Note {k}." for k in range(10)]
    facts = {"nationality": "(граждан* NEAR/3 казахстан*) OR (citizens NEAR/3 Kazakhstan)",
             "ru_only": "граждан* NEAR/3 казахстан*"}
    study = _archive(tmp_path, outlets, texts, story="видео OR video", facts=facts,
                     filler=FILLER)
    data, result = _data(study)
    omitted = [(f.subject, f.detail["fact"]) for f in result.findings
               if f.rule == "omission.outlet"]
    assert omitted == [("e3", "nationality")]  # not e1..e3 for the Russian-only form
    assert data.fact_languages == {"nationality": frozenset({"ru", "en"}),
                                   "ru_only": frozenset({"ru"})}
    [f] = [f for f in result.findings if f.rule == "omission.outlet"]
    assert f.detail["languages"] == ["en", "ru"]
    # compared with r1..r3 and e1..e2 (no outlet shares its group): both languages
    assert f.detail["reference_outlets"] == ["e1", "e2", "r1", "r2", "r3"]
    assert f.detail["reference_articles"] == 40
    assert "Compared among English- and Russian-language articles" in f.sentence
    # the Russian-only form: English outlets are not compared at all, either way
    ru_only = [t for t in result.tests if t.rule == "omission.outlet"
               and t.detail["fact"] == "ru_only"]
    assert all(t.p_value is None for t in ru_only)
    assert {t.subject for t in ru_only if "not compared" in t.reason} == {"e1", "e2", "e3"}
    # a Russian outlet has only two other Russian outlets to be compared with: too few
    assert {t.subject for t in ru_only if "only 2 other outlet(s)" in t.reason} == {
        "r1", "r2", "r3"}
    groups = [t for t in result.tests if t.rule == "omission.group"
              and t.detail["fact"] == "ru_only"]
    assert all(set(t.detail["group_outlets"]) | set(t.detail["other_outlets"])
               <= {"r1", "r2", "r3"} for t in groups)


def test_lexicon_gives_country_names_and_demonyms_in_four_languages() -> None:
    assert languages_of("Казахстана") == {"ru"}
    assert languages_of("Қазақстанның") == {"kk"}
    assert languages_of("Казакстандын") == {"ky"}
    assert languages_of("Kazakhstan") == {"en"}
    assert languages_of("казахи") == {"ru"} and languages_of("Kazakhs") == {"en"}
    assert languages_of("қазақтар") == {"kk"} and languages_of("кыргыздар") == {"ru", "ky"}
    assert languages_of("Сирия") == {"ru", "kk", "ky"}
    assert languages_of("Ресейдің") == {"kk"} and languages_of("Russians") == {"en"}
    assert languages_of("United States") == {"en"} and languages_of("АҚШ") == {"kk"}
    assert languages_of("казахст", prefix=True) == {"ru"}
    assert languages_of("погода") == set()
    tm, kz = entity_of("Туркменистан"), entity_of("Kazakh")
    assert tm is not None and tm.id == "TM" and kz is not None and kz.id == "KZ"
    # the alphabet: Kazakh letters are Kazakh, ң ө ү Kazakh or Kyrgyz, Cyrillic never English
    every = ["ru", "kk", "ky", "en", "und"]
    assert compatible_languages("түпнұсқалығын", every) == {"kk"}
    assert compatible_languages("өлтүр", every) == {"kk", "ky"}
    assert compatible_languages("граждан", every) == {"ru", "kk", "ky"}
    assert compatible_languages("citizens", every) == {"en"}
    assert translit_key("Токаев") == translit_key("Tokayev")
    assert translit_key("Ерлан") == translit_key("Yerlan")
    assert language_list(["ru", "kk", "en"]) == "English-, Kazakh- and Russian-language"
    assert attested({"ru": (30, 100), "kk": (1, 100)}) == {"ru"}  # one quotation
    assert attested({"ru": (30, 100), "kk": (20, 100)}) == {"ru", "kk"}


def test_a_proposed_country_matches_its_names_in_every_language(tmp_path: Path) -> None:
    texts = {
        "r1": ["Взрыв прогремел в Казахстане, сообщили спасатели."] * 4,
        "r2": ["Власти Казахстана расследуют взрыв на заводе."] * 4,
        "k1": ["Қазақстанның оңтүстігінде жарылыс болды."] * 4,
        "y1": ["Казакстанда жарылуу болду, деп билдирди куткаруучулар."] * 4,
        "e1": ["An explosion hit a factory in Kazakhstan on Monday."] * 4,
    }
    texts = {o: [f"{t} №{k}" for k, t in enumerate(ts)] for o, ts in texts.items()}
    outlets = {"r1": ("a", "ru"), "r2": ("b", "ru"), "k1": ("c", "kk"), "y1": ("d", "ky"),
               "e1": ("e", "en")}
    study = _archive(tmp_path, outlets, texts,
                     story="взрыв* OR жарылыс* OR жарылуу* OR explosion")
    data, _ = _data(study)
    [kz] = [c for c in data.proposed if c.country == "KZ"]
    assert kz.languages == ("en", "kk", "ky", "ru")
    assert data.fact_hits[kz.id] == set(data.articles)  # every article, in its own language
    assert "kazakh*" in data.facts[kz.id] and "қазақ*" in data.facts[kz.id]


def test_written_fact_languages_by_lexicon_alphabet_and_usage() -> None:
    """The rules on their own; ``usage`` stands for the archive's word counts (the
    archive itself is used by every other test here)."""
    asked: list[str] = []
    usage = {"граждан": {"ru"}, "подлинность": {"ru"}, "подтвердить": {"ru"},
             "аныктыгын": {"ky"}, "тастыктоо": {"ky"}, "citizens": {"en"}}

    def attest(word: Node, langs: frozenset[str]) -> set[str]:
        text = getattr(word, "word", "")
        asked.append(text)
        return usage.get(text, set()) & langs

    present = {"ru", "kk", "ky", "en", "und"}

    def langs(q: str) -> set[str]:
        return set(fact_languages(parse(q), present, attest))

    assert langs("азамат* NEAR/3 қазақстан*") == {"kk"}  # the Kazakh word settles it
    assert langs("жаран* NEAR/3 казакстан*") == {"ky"}  # the lexicon's Kyrgyz form
    assert langs("граждан* NEAR/5 (казахстан* OR рк)") == {"ru"}
    # only the alternative nothing placed (граждан* NEAR/5 рк) went to the archive
    assert asked == ["граждан", "рк"]
    assert langs("подлинность NEAR/4 подтвердить") == {"ru"}
    assert langs('"Сирия" AND граждан*') == {"ru"}  # Сирия is written alike in three
    assert langs("Сирия") == {"ru", "kk", "ky"}
    assert langs("(citizens NEAR/3 Kazakhstan) OR (аныктыгын NEAR/4 тастыктоо)") == {
        "en", "ky"}
    assert langs("видео -граждан*") == set()  # used by no language's articles here
    assert langs("граждан* AND lang:kk") == set()
    assert langs("outlet:x") == {"ru", "kk", "ky", "en"}  # never "und"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from untold.demo.bulk import fill_archive

    dest = tmp_path_factory.mktemp("demo")
    (dest / "archive").mkdir()
    res = fill_archive(dest / "archive" / "archive.sqlite", n_articles=2000, patterns=True)
    (dest / "study.toml").write_text(res["study_toml"], encoding="utf-8")
    return dest / "study.toml"


@pytest.mark.slow
def test_demo_facts_have_forms_in_four_languages_and_single_forms_in_one(demo: Path) -> None:
    st = load_study(demo)
    store = open_store(st.db_path)
    try:
        data = load_story_data(store, st, st.stories[0])
        extra = load_story_data(store, st, st.stories[0], facts={
            "ru": "граждан* NEAR/3 казахстан*", "kk": "азамат* NEAR/3 қазақстан*",
            "ky": "жаран* NEAR/3 казакстан*", "en": "citizens NEAR/3 Kazakhstan",
            "any": "(граждан* NEAR/3 казахстан*) OR lang:kk"})
    finally:
        store.close()
    four = frozenset({"ru", "kk", "ky", "en"})
    assert data.fact_languages == {"nationality": four, "unverified": four}
    assert extra.fact_languages == {"ru": {"ru"}, "kk": {"kk"}, "ky": {"ky"}, "en": {"en"},
                                    "any": {"ru", "kk"}}


def test_findings_record_languages_in_json(tmp_path: Path) -> None:
    """``untold findings --format json`` carries the languages in the detail."""
    outlets = {f"r{i}": ("x", "ru") for i in range(1, 5)} | {"e1": ("y", "en")}
    texts = {f"r{i}": [f"{RU}. Заметка {k}." for k in range(8)] for i in range(1, 4)}
    texts["r4"] = [f"Опубликовано видео казни. Заметка {k}." for k in range(10)]
    texts["e1"] = [f"{EN}. Note {k}." for k in range(8)]
    study = _archive(tmp_path, outlets, texts, story="видео OR video",
                     facts={"nationality": "граждан* NEAR/3 казахстан*"}, filler=FILLER)
    found = [f for f in api.compute_findings(study) if f.rule == "omission.outlet"]
    assert [f.subject for f in found] == ["r4"]  # not e1, which writes in English
    assert found[0].detail["languages"] == ["ru"]
    assert "Compared among Russian-language articles" in found[0].sentence
    [row] = json.loads(str(api.findings(study, fmt="json")))
    assert row["subject"] == "r4" and row["detail"]["languages"] == ["ru"]
    conn = sqlite3.connect(load_study(study).db_path)
    reasons = [json.loads(v)["reason"] for (v,) in conn.execute(
        "SELECT value FROM observations WHERE kind='not_tested' AND subject='e1'")]
    conn.close()
    assert any("not compared" in r and "English" in r for r in reasons)
