"""`untold import` on WARC files written the way other crawlers write them."""

from __future__ import annotations

import io
import shutil
from contextlib import closing
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support.warcs import (
    BASE_DATE,
    Rec,
    chunked,
    gzipped,
    make_study,
    news_page,
    page_records,
    sha256,
    write_warc,
)
from untold.collect.warcimport import ImportProgress, ImportStats, import_warcs
from untold.config import Study
from untold.store import Store, open_store
from untold.timeutil import to_iso

pytestmark = pytest.mark.slow

N = 5  # articles per language

# url, language, outlet id the page must land in, whether that outlet is curated
HOSTS = {
    "ru": ("https://vlast.kz/novosti/{n}-ekonomika.html", "vlast", True),
    "kk": ("https://kazakh.azattyq.org/a/{n}.html", "azattyq-kk", True),
    "ky": ("https://ky.example-news.kg/news/{n}", "example-news.kg", False),
    "en": ("https://world.example-wire.com/story/{n}", "example-wire.com", False),
}


def corpus() -> list[tuple[str, bytes, str]]:
    """(url, html, language) of every distinct article page."""
    out = []
    for lang, (url, _, _) in HOSTS.items():
        for n in range(N):
            out.append((url.format(n=n), news_page(lang, n), lang))
    # a subdomain of a curated outlet maps to it
    out.append(("https://www.vlast.kz/novosti/99.html", news_page("ru", 99), "ru"))
    return out


def extras() -> list[Rec]:
    """Records around the articles that must not become articles (or must, once)."""
    en7 = news_page("en", 7)
    ru8 = news_page("ru", 8)
    return [
        Rec("https://vlast.kz/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
            content_type="image/png"),
        Rec("https://vlast.kz/site.css", b"body { color: red }", content_type="text/css"),
        Rec("https://vlast.kz/api/x.json", b'{"a": 1}', content_type="application/json"),
        Rec("https://vlast.kz/missing", b"<html><body>Not found</body></html>", status=404),
        Rec("https://vlast.kz/old", b"", status=301, headers=[("Location", "/new")]),
        # transfer- and content-encoded as received on the wire
        Rec("https://world.example-wire.com/story/7", chunked(gzipped(en7)),
            headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")]),
        # a resource record (a crawler's own capture of a page) holding HTML
        Rec("https://vlast.kz/novosti/8-resource.html", ru8, kind="resource",
            content_type="text/html"),
        # the same capture twice: imported once
        Rec("https://vlast.kz/novosti/0-ekonomika.html", news_page("ru", 0)),
        # a recapture with other boilerplate but the same article: a duplicate
        Rec("https://kazakh.azattyq.org/a/1.html",
            news_page("kk", 1).replace(b"All rights reserved", b"Barlyq quqyq qorgalgan")),
        # a page with no article on it
        Rec("https://vlast.kz/login", b"<html><body><form>Login</form></body></html>"),
    ]


def build(tmp_path: Path, name: str = "crawl.warc.gz", gzip: bool = True) -> Path:
    recs = page_records((u, h) for u, h, _ in corpus()) + extras()
    return write_warc(tmp_path / name, recs, gzip=gzip)


ARTICLES = 4 * N + 1 + 2  # the corpus, the chunked page and the resource record
PAGES = ARTICLES + 3  # plus the duplicate capture, the recapture and the login page


def rows(store: Store, sql: str, *args: object) -> list[tuple]:
    return store.conn.execute(sql, args).fetchall()  # type: ignore[attr-defined,no-any-return]


def check_articles_once(store: Store) -> None:
    assert store.integrity_check() == []
    dup = rows(store, "SELECT url, COUNT(*) FROM articles GROUP BY url HAVING COUNT(*) > 1")
    assert dup == []
    assert store.count_articles() == ARTICLES


@pytest.fixture()
def imported(tmp_path: Path) -> tuple[Study, Store, Path, ImportStats, list[ImportProgress]]:
    study = make_study(tmp_path)
    warc = build(tmp_path)
    store = open_store(study.db_path)
    seen: list[ImportProgress] = []
    stats = import_warcs(study, store, [warc], workers=2, progress=seen.append, batch_size=7)
    yield study, store, warc, stats, seen  # type: ignore[misc]
    store.close()


def test_import_stores_each_article_once_in_its_outlet(imported: tuple) -> None:
    _study, store, _warc, stats, seen = imported
    assert stats.errors == [] and stats.error_count == 0, stats.errors
    assert stats.articles_new == ARTICLES
    assert stats.pages == PAGES
    assert stats.already_imported == 1  # the same capture twice
    assert stats.duplicates == 1  # the recapture
    assert stats.skipped["not_html"] == 3
    assert stats.skipped["http_status"] == 2
    assert sum(stats.skipped.values()) == 3 + 2 + 1  # and the login page, whatever the reason
    assert stats.other_records == 2 * (4 * N + 1)  # requests and metadata
    assert stats.uncurated_outlets == 2
    check_articles_once(store)

    by_outlet = dict(rows(store, "SELECT outlet_id, COUNT(*) FROM articles GROUP BY outlet_id"))
    assert by_outlet == {"vlast": N + 2, "azattyq-kk": N, "example-news.kg": N,
                         "example-wire.com": N + 1}
    outlets = {o.id: o for o in store.outlets()}
    assert outlets["vlast"].curated and outlets["azattyq-kk"].curated
    assert not outlets["example-news.kg"].curated
    assert outlets["example-wire.com"].domains == ("example-wire.com",)

    langs = dict(rows(store, "SELECT url, language FROM articles"))
    for url, _, lang in corpus():
        assert langs[url] == lang, url  # the outlet's languages reach the detector
    titles = dict(rows(store, "SELECT url, title FROM articles"))
    assert titles["https://ky.example-news.kg/news/3"] == "Экономика жаңылыктары: 3 чыгарылыш"
    kk_text = rows(store, "SELECT text FROM articles WHERE url=?",
                   "https://kazakh.azattyq.org/a/2.html")[0][0]
    assert "Қаржы министрі" in kk_text or "тұрақты" in kk_text
    en7 = rows(store, "SELECT text FROM articles WHERE url=?",
               "https://world.example-wire.com/story/7")[0][0]
    assert "report number" in en7  # de-chunked and gunzipped before extraction

    # progress came during the run and once at the end, with counts and rates
    assert seen and seen[-1].done and seen[-1].articles_new == ARTICLES
    assert seen[-1].records_read == stats.records_read and seen[-1].records_per_s > 0


def test_captures_point_at_the_source_warc_record(imported: tuple) -> None:
    _study, store, warc, _stats, _ = imported
    caps = rows(store, "SELECT c.url, c.warc_file, c.warc_offset, c.warc_length, c.sha256, "
                       "c.record_id, c.fetched_at, c.kind, c.status FROM articles a "
                       "JOIN captures c ON a.capture_id = c.id")
    assert len(caps) == ARTICLES
    data = warc.read_bytes()
    pages = {u: h for u, h, _ in corpus()}
    pages["https://world.example-wire.com/story/7"] = news_page("en", 7)
    for url, wfile, off, length, sha, rid, fetched, kind, status in caps:
        assert wfile == str(warc.resolve()) and kind == "import"
        rec = next(iter(ArchiveIterator(io.BytesIO(data[off:off + length]))))
        assert rec.rec_headers.get_header("WARC-Target-URI") == url
        assert rec.rec_headers.get_header("WARC-Record-ID") == rid
        assert rec.rec_headers.get_header("WARC-Date") == fetched
        body = rec.content_stream().read()
        assert sha == sha256(body)  # of the decoded payload, as the fetcher records it
        if url in pages:
            assert body == pages[url]
        assert status == (None if rec.rec_type == "resource" else 200)
    assert {c[6] for c in caps} >= {to_iso(BASE_DATE)}


def test_reimport_skips_everything(imported: tuple, tmp_path: Path) -> None:
    study, store, warc, first, _ = imported
    n_caps = rows(store, "SELECT COUNT(*) FROM captures")[0][0]
    again = import_warcs(study, store, [warc], workers=1)
    assert again.articles_new == 0 and again.duplicates == 0
    assert again.already_imported == first.pages
    # the same records in a copied file are the same captures
    copy = Path(shutil.copy(warc, tmp_path / "copy.warc.gz"))
    third = import_warcs(study, store, [copy], workers=2)
    assert third.articles_new == 0 and third.already_imported == first.pages
    assert rows(store, "SELECT COUNT(*) FROM captures")[0][0] == n_caps
    check_articles_once(store)
    runs = rows(store, "SELECT kind, finished_at FROM runs WHERE kind='import'")
    assert len(runs) == 3 and all(r[1] for r in runs)


def test_only_study_outlets_skips_other_domains(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    warc = build(tmp_path)
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [warc], only_study_outlets=True, workers=2)
        assert stats.skipped["not_study_outlet"] == 2 * N + 1  # ky and en pages
        assert stats.uncurated_outlets == 0
        assert {o.id for o in store.outlets()} == {"vlast", "azattyq-kk"}
        assert stats.articles_new == 2 * N + 2
        assert store.integrity_check() == []


def test_plain_warc_with_one_worker(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    warc = build(tmp_path, "crawl.warc", gzip=False)
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [warc], workers=1)
        assert stats.errors == [] and stats.articles_new == ARTICLES
        check_articles_once(store)
        data = warc.read_bytes()
        for off, length, url in rows(store, "SELECT warc_offset, warc_length, url FROM captures"):
            rec = next(iter(ArchiveIterator(io.BytesIO(data[off:off + length]))))
            assert rec.rec_headers.get_header("WARC-Target-URI") == url


def test_one_gzip_stream_is_read_but_not_seekable(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    plain = build(tmp_path, "crawl.warc", gzip=False)
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzipped(plain.read_bytes()))
    with closing(open_store(study.db_path)) as store:
        stats = import_warcs(study, store, [whole], workers=2)
        assert stats.errors == [] and stats.articles_new == ARTICLES
        # offsets into one gzip stream would point nowhere: none are recorded
        assert rows(store, "SELECT COUNT(*) FROM captures WHERE warc_offset IS NOT NULL") == [(0,)]
