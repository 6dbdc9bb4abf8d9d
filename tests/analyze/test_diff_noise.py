"""Word diffs (Cyrillic included) and what counts as noise."""

from __future__ import annotations

from untold.analyze.diff import diff_text
from untold.collect.revisit_classify import http_class, page_likeness, page_shingles, redirect_kind
from untold.text.noise import mask_text, masked_hash


def test_cyrillic_word_diff_marks_the_changed_words_only() -> None:
    old = "Власти сообщили о 12 погибших. Спасатели работают на месте. Причины выясняются."
    new = "Власти сообщили о 5 погибших. Причины выясняются. Қазақстан үкіметі мәлімдеді."
    d = diff_text(old, new)
    assert ("removed", "12") in d.old and ("added", "5") in d.new
    assert d.sentences_changed == [("Власти сообщили о 12 погибших.",
                                    "Власти сообщили о 5 погибших.")]
    assert d.sentences_removed == ["Спасатели работают на месте."]
    assert d.sentences_added == ["Қазақстан үкіметі мәлімдеді."]
    assert "".join(t for _, t in d.old) == old and "".join(t for _, t in d.new) == new
    assert d.summary()["words_added"] == 4 and d.summary()["words_removed"] == 5


def test_whitespace_alone_is_no_change() -> None:
    d = diff_text("Первая фраза.  Вторая\nфраза.", "Первая фраза. Вторая фраза.")
    assert not d.changed
    assert all(tag == "same" for tag, _ in d.old + d.new)


def test_identical_and_empty_texts() -> None:
    assert not diff_text("", "").changed
    d = diff_text("", "Новый текст появился.")
    assert d.sentences_added == ["Новый текст появился."] and d.words_added == 3


def test_numbers_in_sentences_are_substance() -> None:
    a = "В результате аварии на шахте в понедельник погибли 12 горняков, сообщили спасатели."
    b = a.replace("12", "5")
    assert masked_hash("t", a) != masked_hash("t", b)


def test_furniture_is_noise() -> None:
    body = "Длинное предложение статьи о событиях в регионе, которое не меняется со временем."
    a = f"{body}\nПросмотров: 120\nОбновлено 10:15\nИд 8f3a9c0d1e2f3a4b5c6d\n\nЧитайте также:\nА"
    b = f"{body}\nПросмотров: 9120\nОбновлено 23:59\nИд 0000aaaa1111bbbb2222\n\nRelated\nБ"
    assert masked_hash("t", a) == masked_hash("t", b)
    noise = mask_text(b).noise
    assert noise["counter"] == 1 and noise["updated_line"] == 1 and noise["token"] == 1
    assert noise["related_block"] == 2


def test_http_classes_keep_outages_apart_from_deletions() -> None:
    assert http_class(None, "connection_reset") == "failure"
    assert http_class(503, None) == "server_error"
    assert http_class(403, None) == "refused"
    assert http_class(429, None) == "refused"
    assert http_class(404, None) == "gone" and http_class(410, None) == "gone"
    assert http_class(304, None) == "not_modified"
    assert http_class(200, None) == "ok"


def test_redirect_kinds() -> None:
    u = "https://www.site.kz/news/2026/10/05/story.html"
    assert redirect_kind(u, "https://site.kz/", "https://site.kz/") == "redirect_home"
    assert redirect_kind(u, "https://site.kz/politics/", "https://site.kz/") == \
        "redirect_section"
    assert redirect_kind(u, "https://site.kz/news/2026/10/05/story-2.html",
                         "https://site.kz/") is None


def test_soft_404_likeness() -> None:
    nf = page_shingles("<html><body><h1>Страница не найдена</h1><p>К сожалению, такой "
                       "страницы нет на нашем сайте, вернитесь на главную.</p></body></html>")
    page = page_shingles("<html><body><script>var x=1</script><h1>Страница не найдена</h1>"
                         "<p>К сожалению, такой страницы нет на нашем сайте, вернитесь на "
                         "главную.</p></body></html>")
    article = page_shingles("<p>Совсем другой текст о событиях дня и о погоде в регионе.</p>")
    assert page_likeness(page, nf, None) == "soft_404"
    assert page_likeness(article, nf, None) is None
    assert page_likeness(page, None, None) is None


def test_one_page_for_every_path_is_not_a_deletion() -> None:
    block = page_shingles("<h1>Доступ ограничен</h1><p>Ресурс заблокирован по решению "
                          "уполномоченного органа в соответствии с законом.</p>")
    # the random path and the home page showed the block page: nothing can be told
    assert page_likeness(block, block, block) is None
