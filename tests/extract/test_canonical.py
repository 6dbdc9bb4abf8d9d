"""Canonical URLs: declared ones accepted only on the same site, tracking stripped."""

from __future__ import annotations

from tests.support.pages import ARTICLES, news_page
from untold.extract import extract_page
from untold.extract.canonical import find_canonical, normalize_url, same_site

EN = ARTICLES["en"]
HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def _extract(url: str, canonical: str | None = None,
             og_url: str | None = None) -> tuple[str, dict[str, str]]:
    page = news_page(EN, url=url, canonical=canonical, og_url=og_url)
    res = extract_page(url=url, body=page.encode(), headers=HEADERS)
    assert res.article is not None
    return res.article.canonical_url, res.article.extra


def test_canonical_on_another_site_is_rejected() -> None:
    url = "https://steppewire.example.kz/news/fuel-prices-2024"
    canonical, extra = _extract(url, canonical="https://www.rival-outlet.example.com/exclusive/1",
                                og_url="https://rival-outlet.example.com/exclusive/1")
    assert canonical == url
    assert extra["canonical_source"] == "fetched"
    assert extra["canonical_rejected"] == "other_site"
    assert extra["canonical_claimed"] == "https://www.rival-outlet.example.com/exclusive/1"


def test_canonical_on_the_same_site_is_used_and_cleaned() -> None:
    url = "https://m.steppewire.example.kz/news/fuel-prices-2024?utm_source=telegram"
    canonical, extra = _extract(
        url, canonical="HTTPS://www.SteppeWire.example.kz:443/news/fuel-prices-2024"
                       "?utm_medium=social&fbclid=IwAR0xyz&id=77#comments")
    assert canonical == "https://www.steppewire.example.kz/news/fuel-prices-2024?id=77"
    assert extra["canonical_source"] == "link"
    assert "canonical_rejected" not in extra


def test_og_url_used_when_there_is_no_canonical_link_and_relative_values_resolve() -> None:
    url = "https://steppewire.example.kz/amp/fuel-prices-2024"
    canonical, extra = _extract(url, og_url="/news/fuel-prices-2024")
    assert canonical == "https://steppewire.example.kz/news/fuel-prices-2024"
    assert extra["canonical_source"] == "og:url"


def test_fetched_url_tracking_parameters_are_stripped() -> None:
    url = ("https://Steppewire.example.kz:443/news/fuel?gclid=abc&yclid=123&utm_campaign=x"
           "&utm_content=y&_openstat=zz&page=2#top")
    canonical, extra = _extract(url)
    assert canonical == "https://steppewire.example.kz/news/fuel?page=2"
    assert extra["canonical_source"] == "fetched"


def test_home_page_canonical_on_an_article_is_a_cms_bug_not_a_url() -> None:
    url = "https://steppewire.example.kz/news/fuel-prices-2024"
    canonical, extra = _extract(url, canonical="https://steppewire.example.kz/")
    assert canonical == url
    assert extra["canonical_rejected"] == "home_page"


def test_non_http_canonical_is_rejected() -> None:
    page = '<html><head><link rel="canonical" href="javascript:alert(1)"></head><body></body></html>'
    got = find_canonical(page, "http://127.0.0.1:8080/news/1")
    assert got.url == "http://127.0.0.1:8080/news/1"
    assert got.rejected == "invalid"


def test_same_site_uses_registrable_domains() -> None:
    assert same_site("https://rus.azattyk.org/a/1.html", "https://www.azattyk.org/a/1.html")
    assert same_site("https://news.bbc.co.uk/x", "https://www.bbc.co.uk/y")
    assert not same_site("https://evil.co.uk/x", "https://bbc.co.uk/x")
    assert not same_site("https://a.github.io/x", "https://b.github.io/x")  # public suffix
    assert same_site("http://127.0.0.1:8080/a", "http://127.0.0.1:9090/b")
    assert not same_site("http://127.0.0.2/a", "http://127.0.0.1/b")


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTP://Example.KG:80/a//b?z=1&a=2&utm_source=x#frag")
    assert once == "http://example.kg/a/b?a=2&z=1"
    assert normalize_url(once) == once
