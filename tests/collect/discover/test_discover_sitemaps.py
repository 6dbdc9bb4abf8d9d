"""parse_sitemap and walk_sitemaps on real sitemap bytes, with an in-memory fetch."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from untold.collect import sitemaps as sm
from untold.collect.sitemaps import (
    MAX_SITEMAP_BYTES,
    MAX_URLS_PER_SITEMAP,
    Sitemap,
    SitemapEntry,
    parse_sitemap,
    walk_sitemaps,
)
from untold.errors import FetchError, SitemapError

SRC = "https://news.example.kz/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str, extra: str = "") -> bytes:
    body = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{body}{extra}</urlset>'.encode()


def index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0"?><sitemapindex {NS}>{body}</sitemapindex>'.encode()


def test_urlset_with_lastmod_in_every_w3c_form() -> None:
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS}>
  <url><loc> https://news.example.kz/a?x=1&amp;y=2 </loc><lastmod>2025-10-06T10:00:00+05:00</lastmod></url>
  <url><loc>https://news.example.kz/b#top</loc><lastmod>2025-10-06</lastmod></url>
  <url><loc>https://news.example.kz/c</loc><lastmod>2025-10</lastmod></url>
  <url><loc>https://news.example.kz/d</loc><lastmod>2025</lastmod></url>
  <url><loc>https://news.example.kz/e</loc><lastmod>2025-10-06T10:00:00.123Z</lastmod></url>
  <url><loc>https://news.example.kz/f</loc><lastmod>Mon, 06 Oct 2025 10:00:00 GMT</lastmod></url>
  <url><loc>https://news.example.kz/g</loc><lastmod>yesterday</lastmod></url>
  <url><loc>/relative/h</loc></url>
  <url><loc>https://news.example.kz/a?x=1&amp;y=2</loc></url>
</urlset>""".encode()
    got = parse_sitemap(body, source=SRC)
    assert got.children == [] and got.warnings == []
    assert [e.url for e in got.urls] == [
        "https://news.example.kz/a?x=1&y=2", "https://news.example.kz/b",
        "https://news.example.kz/c", "https://news.example.kz/d",
        "https://news.example.kz/e", "https://news.example.kz/f",
        "https://news.example.kz/g", "https://news.example.kz/relative/h"]
    assert [e.lastmod for e in got.urls[:7]] == [
        datetime(2025, 10, 6, 5, 0, tzinfo=UTC), datetime(2025, 10, 6, tzinfo=UTC),
        datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC),
        datetime(2025, 10, 6, 10, 0, 0, 123000, tzinfo=UTC),
        datetime(2025, 10, 6, 10, 0, tzinfo=UTC), None]


def test_bad_locs_are_skipped_with_a_warning() -> None:
    got = parse_sitemap(urlset("https://x.kz/ok", "javascript:alert(1)", "ftp://x.kz/f",
                               "https://x.kz/with space", ""), source=SRC)
    assert [e.url for e in got.urls] == ["https://x.kz/ok"]
    assert got.warnings == ["4 entries without a usable absolute http(s) loc were skipped"]


def test_namespace_missing_or_old_is_tolerated() -> None:
    body = (b'<urlset xmlns="http://www.google.com/schemas/sitemap/0.84">'
            b"<url><loc>https://x.kz/1</loc></url></urlset>")
    assert [e.url for e in parse_sitemap(body, source=SRC).urls] == ["https://x.kz/1"]
    assert parse_sitemap(b"<urlset><url><loc>https://x.kz/2</loc></url></urlset>",
                         source=SRC).urls == [SitemapEntry("https://x.kz/2")]


NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example.kz/ru/news/prezident-podpisal-zakon-534567/</loc>
    <image:image><image:loc>https://news.example.kz/img/1.jpg</image:loc></image:image>
    <news:news>
      <news:publication><news:name>Новости</news:name><news:language>RU</news:language></news:publication>
      <news:publication_date>2025-10-06T15:00:00+05:00</news:publication_date>
      <news:title>Президент подписал закон «О СМИ»: что изменится</news:title>
    </news:news>
  </url>
  <url>
    <loc>https://news.example.kz/kk/news/ukimet-534568/</loc>
    <lastmod>2025-10-06T11:00:00Z</lastmod>
    <news:news>
      <news:publication><news:name>Жаңалықтар</news:name><news:language>kk</news:language></news:publication>
      <news:publication_date>2025-10-06</news:publication_date>
      <news:title>Үкімет   жаңа
        бағдарлама қабылдады &amp; т.б.</news:title>
    </news:news>
  </url>
</urlset>"""


def test_google_news_sitemap_with_cyrillic_titles() -> None:
    got = parse_sitemap(NEWS.encode("utf-8"), source=SRC)
    first, second = got.urls
    assert first == SitemapEntry(
        url="https://news.example.kz/ru/news/prezident-podpisal-zakon-534567/",
        lastmod=None,
        news_title="Президент подписал закон «О СМИ»: что изменится",
        news_published=datetime(2025, 10, 6, 10, 0, tzinfo=UTC),
        news_language="ru")
    assert second.news_title == "Үкімет жаңа бағдарлама қабылдады & т.б."
    assert second.news_language == "kk"
    assert second.news_published == datetime(2025, 10, 6, tzinfo=UTC)
    assert second.lastmod == datetime(2025, 10, 6, 11, tzinfo=UTC)


@pytest.mark.parametrize("declared", ["windows-1251", "UTF-8", None])
def test_google_news_sitemap_in_cp1251_declared_right_or_wrong(declared: str | None) -> None:
    body = NEWS[:NEWS.index("<url>", NEWS.index("</url>"))] + "</urlset>"  # Russian entry only
    decl = f' encoding="{declared}"' if declared else ""
    body = body.replace(' encoding="UTF-8"', decl)
    got = parse_sitemap(body.encode("cp1251"), source=SRC)
    assert [e.news_title for e in got.urls] == [
        "Президент подписал закон «О СМИ»: что изменится"]


@pytest.mark.parametrize("url", [SRC, "https://x.kz/sitemap.xml.gz", "https://x.kz/sm"])
def test_gzip_is_detected_by_magic_bytes_not_by_name(url: str) -> None:
    got = parse_sitemap(gzip.compress(NEWS.encode()), source=url)
    assert len(got.urls) == 2
    # and a ".gz" name on a plain body is not trusted either
    assert len(parse_sitemap(NEWS.encode(), source=url).urls) == 2


def test_gzip_bomb_and_corrupt_gzip_raise() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    bomb = packer.compress(b" " * (MAX_SITEMAP_BYTES + 1)) + packer.flush()
    assert len(bomb) < 200_000
    with pytest.raises(SitemapError, match="50 MB"):
        parse_sitemap(bomb, source=SRC)
    with pytest.raises(SitemapError, match="corrupt gzip"):
        parse_sitemap(gzip.compress(NEWS.encode())[:60], source=SRC)


def test_index_children_newest_first() -> None:
    body = f"""<sitemapindex {NS}>
  <sitemap><loc>https://x.kz/sitemap-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
  <sitemap><loc>https://x.kz/sitemap-static.xml</loc></sitemap>
  <sitemap><loc>https://x.kz/sitemap-2025-10.xml</loc><lastmod>2025-10-06T09:00:00Z</lastmod></sitemap>
  <sitemap><loc>https://x.kz/sitemap-tags.xml</loc></sitemap>
  <sitemap><loc>https://x.kz/sitemap-2025-09.xml</loc><lastmod>2025-09-30</lastmod></sitemap>
</sitemapindex>""".encode()
    got = parse_sitemap(body, source=SRC)
    assert got.urls == []
    assert got.children == ["https://x.kz/sitemap-2025-10.xml", "https://x.kz/sitemap-2025-09.xml",
                            "https://x.kz/sitemap-2019.xml", "https://x.kz/sitemap-static.xml",
                            "https://x.kz/sitemap-tags.xml"]


def test_plain_text_sitemap() -> None:
    body = ("\ufeffhttps://x.kz/news/1\r\nhttps://x.kz/news/2\n\n  https://x.kz/news/%D0%B0  \n"
            "not a url\nhttps://x.kz/news/1\n").encode()
    got = parse_sitemap(body, source="https://x.kz/sitemap.txt")
    assert [e.url for e in got.urls] == ["https://x.kz/news/1", "https://x.kz/news/2",
                                         "https://x.kz/news/%D0%B0"]
    assert got.warnings == ["1 entries without a usable absolute http(s) loc were skipped"]


def test_rss_feed_listed_as_a_sitemap_is_read() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>a</title><link>https://x.kz/news/1</link>"
            b"<pubDate>Mon, 06 Oct 2025 10:00:00 GMT</pubDate></item></channel></rss>")
    got = parse_sitemap(body, source=SRC)
    assert got.urls == [SitemapEntry("https://x.kz/news/1",
                                     lastmod=datetime(2025, 10, 6, 10, tzinfo=UTC))]


NOT_SITEMAPS = {
    "empty": (b"", "is empty"),
    "blank": (b"\n \n", "is empty"),
    "html": (b"<!DOCTYPE html><html><body>404</body></html>", "is an HTML page"),
    "html-text": (b"Not found. <a href=/>home</a>", "is text that is not a list of URLs"),
    "json": (b'{"urls": []}', "is JSON"),
    "binary": (bytes(range(1, 255)) * 4, "is binary data"),
    "garbage-xml": (b"<<<<>>>>", "is not well-formed XML"),
    "other-root": (b"<?xml version='1.0'?><config/>", "root <config>"),
    "truncated-before-any-entry": (urlset("https://x.kz/1")[:70], "not well-formed XML"),
}


@pytest.mark.parametrize("kind", sorted(NOT_SITEMAPS))
def test_not_a_sitemap_raises_naming_the_url(kind: str) -> None:
    body, expected = NOT_SITEMAPS[kind]
    with pytest.raises(SitemapError) as info:
        parse_sitemap(body, source=SRC)
    assert str(info.value).startswith(SRC + ": ")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_truncated_sitemap_keeps_the_entries_before_the_cut() -> None:
    body = urlset(*(f"https://x.kz/news/{i}" for i in range(10)))
    cut = body.index(b"https://x.kz/news/7") + 5
    got = parse_sitemap(body[:cut], source=SRC)
    assert [e.url for e in got.urls] == [f"https://x.kz/news/{i}" for i in range(7)]
    assert len(got.warnings) == 1 and "breaks off" in got.warnings[0]


def _refs(level: int) -> str:
    """Ten references to the entity one level down: the billion-laughs fan-out."""
    return f"&l{level};" * 10


def test_xxe_reads_no_file_and_billion_laughs_expands_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://evil.example/TOP-SECRET", encoding="utf-8")
    xxe = f"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY inner "https://x.kz/inner">]>
<urlset {NS}>
  <url><loc>&xxe;</loc></url>
  <url><loc>&inner;</loc></url>
  <url><loc>https://x.kz/real</loc></url>
</urlset>""".encode()
    got = parse_sitemap(xxe, source=SRC)
    assert [e.url for e in got.urls] == ["https://x.kz/real"]
    assert "TOP-SECRET" not in repr(got)
    assert got.warnings == ["2 entries without a usable absolute http(s) loc were skipped"]

    levels = "".join(f'<!ENTITY l{i} "{_refs(i - 1)}">' for i in range(1, 10))
    laughs = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">{levels}]>'
              f"<urlset {NS}><url><loc>https://x.kz/&l9;</loc></url></urlset>").encode()
    try:
        got = parse_sitemap(laughs, source=SRC)
    except SitemapError as exc:  # libxml2 may refuse the document outright: also harmless
        assert "XML" in str(exc)
    else:
        assert all(len(e.url) < 100 for e in got.urls)


@pytest.mark.slow
def test_over_the_url_limit_is_truncated_with_a_warning() -> None:
    n = MAX_URLS_PER_SITEMAP + 5
    body = urlset(*(f"https://x.kz/{i}" for i in range(n)))
    got = parse_sitemap(body, source=SRC)
    assert len(got.urls) == MAX_URLS_PER_SITEMAP
    assert got.urls[-1].url == f"https://x.kz/{MAX_URLS_PER_SITEMAP - 1}"
    assert got.warnings == [
        "lists more than 50,000 URLs; kept the first 50,000 (the sitemaps.org limit) "
        "and ignored the rest"]


def test_limits_are_the_protocol_numbers() -> None:
    assert MAX_SITEMAP_BYTES == 50 * 1024 * 1024
    assert MAX_URLS_PER_SITEMAP == 50_000
    assert sm.MAX_CHILDREN_PER_INDEX == 50_000


# -- walking -------------------------------------------------------------------


class Site:
    """An in-memory web of sitemaps: url -> body (None: the fetch failed)."""

    def __init__(self, pages: dict[str, bytes | Exception | None]) -> None:
        self.pages = pages
        self.calls: Counter[str] = Counter()

    async def fetch(self, url: str) -> bytes | None:
        self.calls[url] += 1
        await asyncio.sleep(0)
        page = self.pages.get(url, None)
        if isinstance(page, Exception):
            raise page
        return page

    def walk(self, roots: list[str], *, max_depth: int = 3, max_urls: int = 50_000
             ) -> tuple[list[SitemapEntry], list[tuple[str, str]]]:
        return asyncio.run(walk_sitemaps(roots, self.fetch, max_depth=max_depth,
                                         max_urls=max_urls))


A, B, C = "https://x.kz/a.xml", "https://x.kz/b.xml", "https://x.kz/c.xml"


def test_walk_loop_a_b_a_visits_each_once_and_reports_the_loop() -> None:
    site = Site({A: index(B, "https://x.kz/pages-a.xml"),
                 B: index(A, "https://x.kz/pages-b.xml"),
                 "https://x.kz/pages-a.xml": urlset("https://x.kz/1", "https://x.kz/2"),
                 "https://x.kz/pages-b.xml": urlset("https://x.kz/2", "https://x.kz/3")})
    entries, errors = site.walk([A])
    assert [e.url for e in entries] == ["https://x.kz/1", "https://x.kz/2", "https://x.kz/3"]
    assert set(site.calls.values()) == {1} and len(site.calls) == 4
    assert [u for u, m in errors if "loop" in m] == [B]


def test_walk_self_reference_is_read_once() -> None:
    site = Site({A: index(A, A + "#frag", B), B: urlset("https://x.kz/1")})
    entries, errors = site.walk([A, A])
    assert [e.url for e in entries] == ["https://x.kz/1"]
    assert site.calls == Counter({A: 1, B: 1})
    assert len(errors) == 1 and errors[0][0] == A and "loop" in errors[0][1]


def test_walk_shared_child_is_read_once_without_a_loop_error() -> None:
    site = Site({A: index(C), B: index(C), C: urlset("https://x.kz/1")})
    entries, errors = site.walk([A, B])
    assert site.calls[C] == 1 and errors == []
    assert [e.url for e in entries] == ["https://x.kz/1"]


def test_walk_is_breadth_first_and_honours_max_depth() -> None:
    site = Site({A: index(B) .replace(b"</sitemapindex>", b"") +
                 b"<sitemap><loc>https://x.kz/leaf1.xml</loc></sitemap></sitemapindex>",
                 B: index(C), C: index("https://x.kz/leaf3.xml"),
                 "https://x.kz/leaf1.xml": urlset("https://x.kz/d1"),
                 "https://x.kz/leaf3.xml": urlset("https://x.kz/d3")})
    entries, errors = site.walk([A], max_depth=3)
    assert [e.url for e in entries] == ["https://x.kz/d1"]
    assert list(site.calls) == [A, B, "https://x.kz/leaf1.xml", C]
    assert errors == [(C, "1 child sitemaps not read: deeper than max_depth=3")]
    entries, _ = Site(site.pages).walk([A], max_depth=4)
    assert [e.url for e in entries] == ["https://x.kz/d1", "https://x.kz/d3"]


def test_walk_collects_errors_and_goes_on() -> None:
    site = Site({A: index(B, C, "https://x.kz/html.xml", "https://x.kz/refused.xml",
                          "https://x.kz/ok.xml"),
                 B: None,  # the fetch failed
                 C: b"<urlset><url><loc>https://x.kz/broken",
                 "https://x.kz/html.xml": b"<html><body>Not found</body></html>",
                 "https://x.kz/refused.xml": FetchError("connection_refused"),
                 "https://x.kz/ok.xml": urlset("https://x.kz/fine")})
    entries, errors = site.walk([A])
    assert [e.url for e in entries] == ["https://x.kz/fine"]
    by_url = dict(errors)
    assert by_url[B] == "fetch failed"
    assert "not well-formed XML" in by_url[C]
    assert "HTML page" in by_url["https://x.kz/html.xml"]
    assert by_url["https://x.kz/refused.xml"] == "connection_refused"
    assert len(errors) == 4


def test_walk_a_programming_error_in_fetch_is_not_swallowed() -> None:
    site = Site({A: RuntimeError("bug")})
    with pytest.raises(RuntimeError):
        site.walk([A])


def test_walk_max_urls_stops_and_reports() -> None:
    site = Site({A: index(B, C),
                 B: urlset(*(f"https://x.kz/b{i}" for i in range(6))),
                 C: urlset("https://x.kz/c0")})
    entries, errors = site.walk([A], max_urls=4)
    assert [e.url for e in entries] == [f"https://x.kz/b{i}" for i in range(4)]
    assert C not in site.calls
    assert errors == [(B, "stopped at max_urls=4; the rest of this sitemap and 1 queued "
                          "sitemaps were not read")]
    entries, errors = Site(site.pages).walk([A], max_urls=6)
    assert len(entries) == 6
    assert errors == [(C, "stopped at max_urls=6; this and 0 more queued sitemaps were not read")]


@pytest.mark.slow
def test_walk_reports_a_sitemap_over_the_protocol_limit() -> None:
    big = urlset(*(f"https://x.kz/{i}" for i in range(MAX_URLS_PER_SITEMAP + 1)))
    entries, errors = Site({A: big}).walk([A], max_urls=10**6)
    assert len(entries) == MAX_URLS_PER_SITEMAP
    assert len(errors) == 1 and errors[0][0] == A and "more than 50,000 URLs" in errors[0][1]


def test_sitemap_dataclasses_are_frozen() -> None:
    s = Sitemap(urls=[], children=[])
    with pytest.raises(AttributeError):
        s.urls = []  # type: ignore[misc]
    with pytest.raises(AttributeError):
        SitemapEntry("https://x").url = "y"  # type: ignore[misc]
