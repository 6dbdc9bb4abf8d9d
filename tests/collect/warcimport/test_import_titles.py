"""``untold import`` ends by learning each outlet's title template from its stored
titles and removing it (issue 10, case 5).

The crawl's pages show no headline element and name their site nowhere but in
the ``<title>`` suffix, so only the outlet's own pages can tell that
`` :: Власть`` is not part of the headlines. Another outlet's titles, which
share nothing, are left as they are.
"""

from __future__ import annotations

import html
from pathlib import Path

from tests.support.warcs import article_text, page_records, write_warc
from untold.collect.warcimport import import_warcs
from untold.config import load_study
from untold.store import open_store

STUDY = """
[study]
name = "import titles"
archive = "archive"

[[outlets]]
id = "vlast"
name = "Vlast"
domains = ["vlast.kz"]
country = "KZ"
languages = ["ru"]
"""
SUFFIX = " :: Власть"
HEADLINES = ["Бюджет принят во втором чтении", "Тенге укрепился к доллару",
             "В Алматы открылась новая школа", "Фермеры завершили уборку",
             "Депутаты обсудили тарифы", "Пенсии проиндексируют с января"]


def _page(title: str, n: int) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in article_text("ru", n))
    return (f"<!doctype html><html lang='ru'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title></head><body>"
            f"<nav><a href='/'>Главная</a></nav><article>{body}</article></body></html>"
            ).encode()


def test_import_removes_the_outlets_template(tmp_path: Path) -> None:
    pages = [(f"https://vlast.kz/news/{i}.html", _page(h + SUFFIX, i))
             for i, h in enumerate(HEADLINES)]
    # another site (an uncurated outlet) whose titles share nothing: left alone
    other_titles = ["Обзор дня - рынки", "Погода: снег в горах", "Матч перенесли",
                    "Кино недели - премьеры", "Цены на бензин", "Выставка в музее"]
    other = [(f"https://other.example.com/{i}.html", _page(t, 50 + i))
             for i, t in enumerate(other_titles)]
    warc = write_warc(tmp_path / "crawl.warc.gz", page_records(pages + other))
    (tmp_path / "study.toml").write_text(STUDY, encoding="utf-8")
    study = load_study(tmp_path / "study.toml")
    store = open_store(study.db_path)
    try:
        stats = import_warcs(study, store, [warc], workers=1)
        assert stats.articles_new == len(pages) + len(other)
        conn = store.conn  # type: ignore[attr-defined]
        got = dict(conn.execute("SELECT url, title FROM articles WHERE outlet_id='vlast'"))
        assert sorted(got.values()) == sorted(HEADLINES)
        others = [r[0] for r in conn.execute(
            "SELECT title FROM articles WHERE outlet_id != 'vlast' ORDER BY url")]
        assert others == other_titles
        assert store.title_affixes("vlast") == ([], [SUFFIX])
    finally:
        store.close()
