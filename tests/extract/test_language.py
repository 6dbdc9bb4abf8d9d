"""Language: Russian, Kazakh, Kyrgyz and English told apart, Kyrgyz included."""

from __future__ import annotations

import pytest

from tests.support.pages import ARTICLES, news_page
from untold.extract import detect_language, extract_page
from untold.extract.language import MIN_LANG_LETTERS, _langid


@pytest.mark.parametrize("lang", ["ru", "kk", "ky", "en"])
def test_full_articles(lang: str) -> None:
    guess = detect_language(ARTICLES[lang].text)
    assert guess.code == lang
    assert guess.confidence >= 0.9


@pytest.mark.parametrize("lang", ["ru", "kk", "ky", "en"])
def test_pipeline_sets_language(lang: str) -> None:
    url = f"https://example.kg/{lang}/news/1.html"
    res = extract_page(url=url, body=news_page(ARTICLES[lang], url=url).encode(),
                       headers={"Content-Type": "text/html; charset=utf-8"})
    assert res.article is not None
    assert res.article.language == lang
    assert res.article.extra["language_method"] in ("letters", "detector")


def test_kyrgyz_that_the_detector_calls_kazakh_is_kyrgyz() -> None:
    text = ARTICLES["ky"].text
    raw = _langid()
    assert raw.classify(text)[0] != "ky"  # the detector alone gets this wrong (says kk)
    guess = detect_language(text)
    assert (guess.code, guess.method) == ("ky", "letters")
    # and with a Kazakh-language outlet's hint the letters still win
    assert detect_language(text, ("kk", "ru")).code == "ky"


def test_short_kyrgyz_snippet_without_kazakh_letters_is_not_kazakh() -> None:
    snippet = ARTICLES["ky"].paragraphs[0][:200]
    assert _langid().classify(snippet)[0] == "kk"  # detector alone: wrong
    assert detect_language(snippet).code == "ky"
    assert detect_language(snippet, ("ky",)).code == "ky"


def test_russian_text_quoting_kazakh_and_kyrgyz_names_stays_russian() -> None:
    text = ("Президент Касым-Жомарт Токаев подписал закон о Мәжіліс и поручил акиму решить "
            "проблемы Қарасай ауданы. Депутаты Жогорку Кеңеша обсудили законопроект, который "
            "внёс Өмүрбек Текебаев, и отправили его на доработку в профильный комитет.")
    assert detect_language(text).code == "ru"


def test_other_cyrillic_languages_are_left_to_the_detector() -> None:
    uk = ("Президент України заявив, що уряд ухвалив нові правила для підприємців, які "
          "працюють у прикордонних областях країни.")
    mn = ("Монгол Улсын Ерөнхийлөгч өнөөдөр Улаанбаатар хотод гадаадын хөрөнгө "
          "оруулагчидтай уулзаж, эдийн засгийн хамтын ажиллагааны талаар ярилцлаа.")
    assert detect_language(uk).code == "uk"
    assert detect_language(mn).code == "mn"  # ө ү but no ң: not Kyrgyz


def test_too_short_is_und() -> None:
    assert detect_language("Бишкек").code == "und"
    assert detect_language("x" * (MIN_LANG_LETTERS - 1)).confidence == 0.0
    assert detect_language("12 345 678 — 2024 !!!").code == "und"


def test_declared_language_tips_an_ambiguous_short_text() -> None:
    # A caption of proper names: the detector alone guesses Dutch; an English outlet's hint decides.
    text = "Video: Bishkek, Osh, Naryn, Talas, Batken"
    free = detect_language(text)
    assert free.code != "en"
    hinted = detect_language(text, ("en",))
    assert (hinted.code, hinted.method) == ("en", "hint")
    # a clear verdict is not overturned by a hint
    assert detect_language(ARTICLES["en"].text, ("ru", "kk")).code == "en"
