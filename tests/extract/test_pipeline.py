"""extract_page end to end: text without boilerplate, metadata, skips, worker processes."""

from __future__ import annotations

import multiprocessing
import pickle
from datetime import UTC, datetime

import pytest

from tests.support.pages import ARTICLES, BOILERPLATE, news_page
from untold.extract import (
    NO_TEXT,
    NOT_ARTICLE,
    NOT_HTML,
    TOO_LARGE,
    TOO_SHORT,
    ExtractResult,
    PageInput,
    extract_many,
    extract_page,
)
from untold.extract.pipeline import MAX_HTML_BYTES

HEADERS = {"Content-Type": "text/html; charset=utf-8"}


@pytest.mark.parametrize("lang", ["ru", "kk", "ky", "en"])
def test_article_text_metadata_and_no_boilerplate(lang: str) -> None:
    article = ARTICLES[lang]
    url = f"https://outlet.example.kg/{lang}/2024/05/14/story.html"
    res = extract_page(url=url, body=news_page(article, url=url).encode(), headers=HEADERS,
                       outlet_languages=(lang,))
    assert res.skipped is None and res.article is not None
    art = res.article
    for para in article.paragraphs:
        assert para in art.text
    assert [s for s in BOILERPLATE[lang].strings() if s in art.text] == []
    assert art.title == article.title
    assert art.author == article.author
    assert art.published == datetime(2024, 5, 14, 3, 30, tzinfo=UTC)  # 09:30 +06:00
    assert art.extra["published_precision"] == "time"
    assert art.url == url
    assert art.canonical_url == url
    assert art.language == lang
    assert len(art.text_hash) == 64
    assert art.minhash


def test_date_without_time_is_day_precision() -> None:
    url = "https://outlet.example.kg/news/1.html"
    page = news_page(ARTICLES["en"], url=url, published="2024-05-14")
    art = extract_page(url=url, body=page.encode(), headers=HEADERS).article
    assert art is not None
    assert art.published == datetime(2024, 5, 14, tzinfo=UTC)
    assert art.extra["published_precision"] == "day"


def test_index_page_of_headlines_is_not_an_article() -> None:
    items = "".join(f'<li><a href="/news/{i}.html">Заголовок новости номер {i} о событиях '
                    f'дня в столице</a> <span>14.05.2024</span></li>' for i in range(25))
    page = (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Все новости'
            f'</title></head><body><header><nav><a href="/">Главная</a></nav></header><main>'
            f'<h1>Все новости</h1><ul class="news-list">{items}</ul><a href="?page=2">Далее</a>'
            f'</main><footer>© 2024 Ала-Тоо Ньюс</footer></body></html>')
    res = extract_page(url="https://outlet.example.kg/news/", body=page.encode(), headers=HEADERS)
    assert (res.article, res.skipped) == (None, NOT_ARTICLE)


def test_error_page_is_too_short() -> None:
    page = ("<html><head><title>404</title></head><body><h1>Страница не найдена</h1>"
            "<p>Запрошенная страница не существует. Вернитесь на главную.</p></body></html>")
    res = extract_page(url="https://outlet.example.kg/x", body=page.encode(), headers=HEADERS)
    assert res.skipped == TOO_SHORT


@pytest.mark.parametrize(("body", "headers", "reason"), [
    (b"", HEADERS, NO_TEXT),
    (b"   \r\n ", HEADERS, NO_TEXT),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", {"Content-Type": "application/pdf"}, NOT_HTML),
    (b"%PDF-1.7\n binary labelled html", HEADERS, NOT_HTML),
    (b"\x89PNG\r\n\x1a\n....", {}, NOT_HTML),
    (b'{"items": [1, 2, 3]}', {"Content-Type": "application/json"}, NOT_HTML),
    (b"<?xml version='1.0'?><rss><channel><title>t</title></channel></rss>",
     {"Content-Type": "application/rss+xml"}, NOT_HTML),
    (b"just some plain words, not a page", {"Content-Type": "text/plain"}, NOT_HTML),
])
def test_bodies_that_are_not_html_pages(body: bytes, headers: dict[str, str], reason: str) -> None:
    assert extract_page(url="https://outlet.example.kg/f", body=body, headers=headers) \
        == ExtractResult(skipped=reason)


def test_html_under_a_generic_type_is_sniffed_and_header_names_are_case_insensitive() -> None:
    url = "https://outlet.example.kg/news/2.html"
    body = news_page(ARTICLES["kk"], url=url).encode()
    res = extract_page(url=url, body=body, headers={"CONTENT-TYPE": "application/octet-stream"})
    assert res.article is not None and res.article.language == "kk"


def test_oversized_body_is_skipped_before_decoding() -> None:
    body = b"<html><body><p>" + b"a" * MAX_HTML_BYTES
    assert extract_page(url="https://o.example.kg/big", body=body, headers=HEADERS).skipped == TOO_LARGE


def test_deeply_nested_hostile_markup_does_not_raise() -> None:
    para = "<p>" + ARTICLES["en"].text + "</p>"
    page = "<html><body>" + "<div>" * 20000 + para + "</div>" * 20000 + "</body></html>"
    res = extract_page(url="https://o.example.kg/deep", body=page.encode(), headers=HEADERS)
    assert res.article is not None or res.skipped in (NO_TEXT, TOO_SHORT)


def _pages() -> list[PageInput]:
    out = []
    for lang, article in ARTICLES.items():
        url = f"https://outlet.example.kg/{lang}/1.html"
        out.append(PageInput(url, news_page(article, url=url).encode("utf-8"), HEADERS, (lang,)))
    out.append(PageInput("https://outlet.example.kg/x.pdf", b"%PDF-1.4", {}, ()))
    return out


@pytest.mark.slow
def test_extract_many_runs_in_a_spawned_worker_process_with_identical_results() -> None:
    pages = _pages()
    local = extract_many(pages)
    assert [r.skipped for r in local] == [None, None, None, None, NOT_HTML]
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    with ctx.Pool(1) as pool:
        remote = pool.map(extract_many, [pages[:2], pages[2:]])
        single = pool.apply(extract_page, kwds={"url": pages[1].url, "body": pages[1].body,
                                                "headers": HEADERS})
    assert remote[0] + remote[1] == local  # same text, hashes, MinHash bytes, language
    assert single == local[1]
    assert pickle.loads(pickle.dumps(local)) == local
