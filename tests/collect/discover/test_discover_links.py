"""article_links on realistic home pages in Russian, Kazakh and English."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from untold.collect.links import article_links, looks_like_article

# A Russian-language Kazakh outlet (tengrinews/nur.kz-like): menus, tags, pagination,
# social links, a login, static files, and articles with ids, dates and Cyrillic slugs.
SLUG_RU = "президент-подписал-закон-о-сми"
SLUG_RU_Q = quote(SLUG_RU)
RU_HOME = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Новости Казахстана</title>
<link rel="alternate" type="application/rss+xml" href="/rss/">
<link rel="stylesheet" href="/static/css/app.css"></head>
<body>
<header>
  <a href="/" class="logo"><img src="/static/logo.svg" alt="Главная"></a>
  <nav>
    <a href="/kazakhstan_news/">Казахстан</a>
    <a href="/world_news/">В мире</a>
    <a href="/sport/">Спорт</a>
    <a href="/tag/koronavirus/">#коронавирус</a>
    <a href="/search/?q=">Поиск</a>
    <a href="/login/">Войти</a>
    <a href="/rss/">RSS</a>
    <a href="https://www.instagram.com/example_kz/">Instagram</a>
    <a href="https://t.me/example_kz">Telegram</a>
    <a href="javascript:void(0)" onclick="menu()">Меню</a>
    <a href="#top">Наверх</a>
    <a href="mailto:info@news.example.kz">Написать</a>
  </nav>
</header>
<main>
  <article class="card">
    <a href="/kazakhstan_news/tokaev-podpisal-zakon-o-smi-534567/">
      <img src="/userdata/news/2025/news_534567/thumb_m/photo.jpeg"></a>
    <h2><a href="/kazakhstan_news/tokaev-podpisal-zakon-o-smi-534567/">Токаев подписал закон о СМИ</a></h2>
    <a href="/kazakhstan_news/tokaev-podpisal-zakon-o-smi-534567/#comments">12 комментариев</a>
  </article>
  <article class="card">
    <h2><a href="https://www.news.example.kz/news/2025/10/06/kurs-tenge/">Курс тенге</a></h2>
  </article>
  <article class="card">
    <h2><a href="/novosti/{SLUG_RU_Q}">Президент подписал закон о СМИ</a></h2>
  </article>
  <article class="card">
    <h2><a href="https://m.news.example.kz/world_news/ssha-vveli-novye-sankcii-534570/">США ввели новые санкции</a></h2>
  </article>
  <a href="/news/2025/10/06/">Все новости за 6 октября</a>
  <a href="/news/2025/">Архив 2025</a>
  <a href="/kazakhstan_news/page/2/">Следующая страница</a>
  <a href="/news/?PAGEN_1=3">3</a>
  <a href="/upload/docs/otchet-2025-po-smi-kazakhstana.pdf">Отчёт о СМИ Казахстана 2025 года</a>
  <a href="/author/ivan-ivanov-petrovich/">Иван Иванов</a>
  <a href="https://other-news.example.kz/news/2025/10/06/chuzhaya-statya/">Чужая статья о законе</a>
  <a href="https://news.example.kz.evil.example/news/2025/10/06/fake-news-here/">Подделка</a>
</main>
<footer><a href="/about/">О нас</a> <a href="/reklama/">Реклама</a>
<a href="/politika-konfidentsialnosti/">Политика конфиденциальности</a></footer>
</body></html>"""


def test_russian_home_page() -> None:
    links = article_links(RU_HOME.encode("utf-8"), base_url="https://news.example.kz/",
                          domains=["news.example.kz"])
    assert links == [
        "https://news.example.kz/kazakhstan_news/tokaev-podpisal-zakon-o-smi-534567/",
        "https://www.news.example.kz/news/2025/10/06/kurs-tenge/",
        f"https://news.example.kz/novosti/{SLUG_RU_Q}",
        "https://m.news.example.kz/world_news/ssha-vveli-novye-sankcii-534570/",
    ]


def test_russian_home_page_in_cp1251_and_as_text() -> None:
    page = RU_HOME.replace('charset="utf-8"', 'charset="windows-1251"')
    as_bytes = article_links(page.encode("cp1251"), base_url="https://news.example.kz/",
                             domains=["news.example.kz"])
    as_text = article_links(page, base_url="https://news.example.kz/",
                            domains=["news.example.kz"])
    assert as_bytes == as_text and len(as_text) == 4


# A Kazakh-language outlet with /kk/ and /ru/ language prefixes, raw Cyrillic hrefs,
# Bitrix-style ?ELEMENT_ID= links and a headline link with a short path.
KK_HOME = """<!DOCTYPE html>
<html lang="kk"><head><meta charset="utf-8"><base href="https://www.kk.example.kz/kk/"></head>
<body>
<nav>
  <a href="/kk/">Басты бет</a> <a href="/ru/">Рус</a>
  <a href="/kk/news/">Жаңалықтар</a>
  <a href="/kk/news/qogam/">Қоғам</a>
  <a href="/kk/тақырып/сайлау/">#сайлау</a>
  <a href="/kk/санат/саясат/">Саясат</a>
  <a href="/kk/іздеу/">Іздеу</a>
</nav>
<ul class="news">
  <li><a href="жаңалықтар/президент-жаңа-заңға-қол-қойды">Президент жаңа заңға қол қойды</a></li>
  <li><a href="/kk/news/item/612345-ukimet-otyrysy">Үкімет отырысы өтті</a></li>
  <li><a href="/kk/news/detail.php?ELEMENT_ID=98765">Ауа райы: аптап ыстық келеді</a></li>
  <li><a href="/kk/news/12.html">Алматыда жаңа мектеп ашылды бүгін</a></li>
  <li><a href="/kk/news/13.html">Толығырақ</a></li>
  <li><a href="/ru/news/2025-10-06-v-almaty-otkryli-shkolu">В Алматы открыли школу</a></li>
  <li><a href="/kk/news/">Барлық жаңалықтар тізімі осы жерде</a></li>
</ul>
<a href="https://kk.example.kz/kk/news/item/612345-ukimet-otyrysy#video">бейне</a>
<a href="https://www.youtube.com/watch?v=abcdefghijk">YouTube</a>
</body></html>"""


def test_kazakh_home_page_with_base_href_and_raw_cyrillic() -> None:
    links = article_links(KK_HOME.encode(), base_url="https://kk.example.kz/",
                          domains=["kk.example.kz"])
    assert links == [
        "https://www.kk.example.kz/kk/жаңалықтар/президент-жаңа-заңға-қол-қойды",
        "https://www.kk.example.kz/kk/news/item/612345-ukimet-otyrysy",
        "https://www.kk.example.kz/kk/news/detail.php?ELEMENT_ID=98765",
        "https://www.kk.example.kz/kk/news/12.html",
        "https://www.kk.example.kz/ru/news/2025-10-06-v-almaty-otkryli-shkolu",
        "https://kk.example.kz/kk/news/item/612345-ukimet-otyrysy",
    ]


# An English-language outlet (RFE/RL- and Guardian-like URL schemes).
EN_HOME = """<html><head><title>Example News</title></head><body>
<nav><a href="/world">World</a> <a href="/business">Business</a> <a href="/opinion">Opinion</a>
<a href="/arts-and-culture">Arts and culture</a> <a href="/newsletters">Newsletters</a>
<a href="/account/signin?return=/">Sign in</a> <a href="/subscribe">Subscribe</a></nav>
<div class="top">
  <a href="/a/kazakhstan-media-law-protest/33012345.html">Journalists protest new media law</a>
  <a href="/world/2025/oct/06/central-asia-press-freedom-report">Press freedom report</a>
  <a href="/news/central-asia/why-the-regional-water-deal-matters">Why the water deal matters</a>
  <a href="/world/central-asia">Central Asia</a>
  <a href="/world/central-asia?page=2">More</a>
  <a href="/video/12345678">Watch: the protest</a>
  <a href="/live/2025/oct/06/kazakhstan-election-results-live">Live: election results</a>
  <a href="/tags/media-freedom-and-censorship">Media freedom and censorship</a>
  <a href="/authors/jane-smith">Jane Smith</a>
  <a href="/index.php?p=4567">Old blog post</a>
  <a href="/sitemap.xml">Sitemap</a> <a href="/feed/">Feed</a> <a href="/amp/a/33012345.html">AMP</a>
  <a href="/wp-content/uploads/2025/10/report-on-press-freedom.pdf">Report (PDF)</a>
  <a href="/images/2025/10/06/protest-photo-large-version.jpg">Photo</a>
  <a href="/about-us">About us</a> <a href="/privacy-policy">Privacy</a>
  <a href="/in-other-news-today">In other news today</a>
</div></body></html>"""


def test_english_home_page() -> None:
    links = article_links(EN_HOME, base_url="https://en.example.org/", domains=["en.example.org"])
    assert links == [
        "https://en.example.org/a/kazakhstan-media-law-protest/33012345.html",
        "https://en.example.org/world/2025/oct/06/central-asia-press-freedom-report",
        "https://en.example.org/news/central-asia/why-the-regional-water-deal-matters",
        "https://en.example.org/video/12345678",
        "https://en.example.org/live/2025/oct/06/kazakhstan-election-results-live",
        "https://en.example.org/index.php?p=4567",
        "https://en.example.org/in-other-news-today",
    ]


def test_limit_dedup_and_fragment_stripping() -> None:
    page = "".join(f'<a href="/news/{100000 + i}#c">x</a><a href="/news/{100000 + i}">y</a>'
                   for i in range(50))
    links = article_links(page, base_url="https://x.kz/", domains=["x.kz"], limit=10)
    assert links == [f"https://x.kz/news/{100000 + i}" for i in range(10)]
    assert article_links(page, base_url="https://x.kz/", domains=["x.kz"], limit=0) == []
    assert len(article_links(page, base_url="https://x.kz/", domains=["x.kz"])) == 50


def test_domains_may_be_given_with_www_scheme_or_port_and_idn() -> None:
    page = ('<a href="https://www.x.kz/news/123456">a</a>'
            '<a href="http://президент.рф/news/2025/10/06/ukaz">b</a>'
            '<a href="http://xn--d1abbgf6aiiy.xn--p1ai/news/654321">c</a>')
    assert article_links(page, base_url="https://x.kz/", domains=["www.x.kz:443"]) == [
        "https://www.x.kz/news/123456"]
    assert len(article_links(page, base_url="https://x.kz/", domains=["президент.рф"])) == 2
    assert len(article_links(page, base_url="https://x.kz/",
                             domains=["xn--d1abbgf6aiiy.xn--p1ai"])) == 2


def test_the_e2e_outlets_short_article_paths_are_found_by_their_headlines() -> None:
    page = ("<html><body><ul>" + "".join(
        f'<li><a href="/news/{i}.html">Story number {i} today</a></li>' for i in range(3))
        + '</ul><a href="/private/x.html">p</a></body></html>')
    assert article_links(page.encode(), base_url="http://ky.example/",
                         domains=["ky.example"]) == [
        f"http://ky.example/news/{i}.html" for i in range(3)]


@pytest.mark.parametrize("html", [b"", b"   ", "", b"\x00\x01\x02", b"<html></html>"])
def test_empty_or_junk_pages_give_no_links(html: bytes | str) -> None:
    assert article_links(html, base_url="https://x.kz/", domains=["x.kz"]) == []


@pytest.mark.parametrize("url", [
    "https://x.kz/2025/10/06/slug",
    "https://x.kz/news/2025/10/06/a",
    "https://x.kz/news/2025-10-06/any",
    "https://x.kz/2025-10-06-slug",
    "https://x.kz/06.10.2025/statya",
    "https://x.kz/a/33012345.html",
    "https://x.kz/ru/news/612345",
    "https://x.kz/news.php?id=777",
    "https://x.kz/?p=123",
    "https://x.kz/economy/" + quote("нацбанк-снизил-базовую-ставку"),
    "https://x.kz/kk/" + quote("ұлттық-банк-базалық-мөлшерлемені-төмендетті"),
    "https://x.kz/long-top-level-slug-of-an-article",
    "https://x.kz/politics/averyveryverylongunhyphenatedslug",
])
def test_looks_like_article(url: str) -> None:
    assert looks_like_article(url)


@pytest.mark.parametrize("url", [
    "https://x.kz/",
    "https://x.kz/ru/",
    "https://x.kz/politics",
    "https://x.kz/ru/politics/",
    "https://x.kz/2025/10/06/",
    "https://x.kz/news/2025/",
    "https://x.kz/news/20251006",
    "https://x.kz/tag/ukaz-prezidenta-2025",
    "https://x.kz/" + quote("тег") + "/" + quote("президент-подписал-закон"),
    "https://x.kz/category/politics/slug-with-many-words",
    "https://x.kz/news/page/3/",
    "https://x.kz/news/?page=3&id=1234",
    "https://x.kz/files/2025/10/06/annual-report-2025.pdf",
    "https://x.kz/media/photo-123456.jpg",
    "https://x.kz/feed/",
    "https://x.kz/rss.xml",
    "https://x.kz/wp-login.php",
    "https://x.kz/user/123456",
    "https://x.kz/arts-and-culture",
    "https://x.kz/news/0.html",
])
def test_does_not_look_like_article(url: str) -> None:
    assert not looks_like_article(url)
