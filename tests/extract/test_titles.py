"""Titles (issue 10, case 5): the visible headline, not the site name, a section label
or the SEO title; and an outlet's template learned from its own titles.

Pages are written as real news sites write them (meta tags, JSON-LD, mastheads,
menus with their own <h1>), parsed with trafilatura's loader as extraction does,
and go through the whole ``extract_page`` where the stored title matters.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from untold.extract import extract_page
from untold.extract.titles import (
    TitleAffixes,
    agreement,
    learn_affixes,
    outlet_title_stripper,
    page_title,
    refresh_outlet_titles,
    site_names,
    strip_affixes,
    strip_site_affixes,
)
from untold.models import CaptureRecord, ExtractedArticle, Outlet
from untold.store import NewArticle, open_store
from untold.text.textindex import index_text

BODY = ("<p>The regional government confirmed on Tuesday that the new bridge over the river "
        "will open to traffic next spring, two years later than first planned.</p>"
        "<p>Officials said the delay was caused by flooding that damaged the foundations "
        "in the autumn, and that the budget had grown by a third since work began.</p>"
        "<p>Residents of both banks have waited for the crossing for more than a decade.</p>")


def page(*, title: str, h1s: tuple[str, ...] = (), og_title: str | None = None,
         site_name: str | None = None, jsonld: dict[str, object] | None = None,
         masthead: str | None = None, extra_head: str = "", headline_html: str = "") -> str:
    head = f"<title>{title}</title>"
    if og_title is not None:
        head += f'<meta property="og:title" content="{og_title}">'
    if site_name is not None:
        head += f'<meta property="og:site_name" content="{site_name}">'
    if jsonld is not None:
        head += f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    top = f'<header><h1 class="logo">{masthead}</h1></header>' if masthead else ""
    nav = '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>'
    heads = "".join(f"<h1>{h}</h1>" for h in h1s)
    aside = '<aside><h1>Most read</h1><ul><li><a href="/a">Another story</a></li></ul></aside>'
    return (f"<!doctype html><html><head><meta charset='utf-8'>{head}{extra_head}</head><body>"
            f"{top}{nav}<main><article>{headline_html}{heads}{BODY}</article></main>{aside}"
            "</body></html>")


def title_of(html: str, url: str = "https://www.dailyexample.com/news/bridge") -> str:
    tree = load_html(html)
    return page_title(tree, url=url, fallback="trafilatura's title")


HEADLINE = "Bridge over the river to open next spring, two years late"


@pytest.mark.parametrize("sep", [" | ", " – ", " — ", " - ", " : ", " · ", " » ", " / ", " :: ",
                                 "|", "»", "::"])
def test_site_name_suffix_and_prefix_removed_for_every_separator(sep: str) -> None:
    names = ["dailyexample"]
    assert strip_site_affixes(f"{HEADLINE}{sep}Daily Example", names) == HEADLINE
    assert strip_site_affixes(f"Daily Example{sep}{HEADLINE}", names) == HEADLINE


def test_an_inner_separator_is_part_of_the_headline() -> None:
    title = "Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars - VG247"
    assert strip_site_affixes(title, ["vg247"]) == (
        "Star Wars Jedi: Fallen Order review - shoots for the moon, lands among the stars")
    # not a separator: no spaces around the dash, colon and slash
    for t in ("Kim-Jong meets envoy", "Chaos: China deploys troops", "A 24/7 service"):
        assert strip_site_affixes(t + " | Daily Example", ["dailyexample"]) == t


def test_multi_part_site_name_and_domain_forms() -> None:
    assert strip_site_affixes("Black Friday per nostalgici - Remember 80/90 - Memorabilia anni 80/90",
                              ["remember8090memorabiliaanni8090"]) == "Black Friday per nostalgici"
    # no name in the page: the domain tells (initials and last word, a ".com" label)
    assert strip_site_affixes("Trade War Keeps World Guessing - The New York Times", [],
                              "https://www.nytimes.com/2019/11/18/business/x.html") == (
        "Trade War Keeps World Guessing")
    assert strip_site_affixes("Disney+ glitches blamed on demand - Los Angeles Times", [],
                              "https://www.latimes.com/story") == "Disney+ glitches blamed on demand"
    assert strip_site_affixes("Economy in stress; time to be careful? - Moneycontrol.com", [],
                              "https://www.moneycontrol.com/news/x.html") == (
        "Economy in stress; time to be careful?")


def test_never_strips_the_headline_itself() -> None:
    assert strip_site_affixes("Daily Example", ["dailyexample"]) == "Daily Example"
    assert strip_site_affixes("Daily Example | Daily Example", ["dailyexample"]) == "Daily Example"
    # a part that is not the site's name stays, even at the end
    assert strip_site_affixes("Floods: what we know - analysis", ["dailyexample"]) == (
        "Floods: what we know - analysis")


def test_visible_headline_over_site_suffix_and_section_label() -> None:
    html = page(title=f"Opinion | {HEADLINE} - Daily Example", h1s=(HEADLINE,),
                og_title=f"Opinion | {HEADLINE}", site_name="Daily Example")
    assert title_of(html) == HEADLINE


def test_visible_headline_over_seo_title() -> None:
    """The <title> is written for search engines; the page shows readers its headline,
    which the social title (og:title) repeats."""
    visible = "‘We had some issues,’ exec says on streaming service glitches"
    html = page(title="Streaming glitches blamed on heavy demand says executive - Daily Example",
                h1s=(visible,), og_title="'We had some issues,' exec says on streaming service "
                "glitches", site_name="Daily Example")
    assert title_of(html) == visible


def test_not_blindly_the_first_h1() -> None:
    """Mastheads, menus and sidebars have their own <h1>: the headline is the one that
    agrees with what the page says its title is."""
    html = page(title=f"{HEADLINE} | Daily Example", masthead="The Daily ExampleOpinion",
                h1s=(HEADLINE,), jsonld={"@type": "NewsArticle", "headline": HEADLINE})
    assert title_of(html) == HEADLINE
    menu = page(title=f"{HEADLINE} - IGN", masthead="Games", h1s=("Entertainment", HEADLINE))
    assert title_of(menu, "https://www.ign.com/articles/x") == HEADLINE


def test_h1_that_is_the_site_name_is_not_the_headline() -> None:
    """Blog themes put the blog's name in the <h1>: the metadata title then, without it."""
    html = page(title=f"{HEADLINE} | Kabar tentang Dunia Islam",
                h1s=("Kabar tentang Dunia Islam",), og_title=HEADLINE,
                site_name="Kabar tentang Dunia Islam")
    assert title_of(html) == HEADLINE
    # no og:site_name: the <h1> disagrees with the <title>, so the <title> wins, unsuffixed
    html = page(title=f"{HEADLINE} - Entermedia", h1s=("엔터 미디어",))
    assert title_of(html, "http://entermedia.co.kr/news/news_view.html?idx=8576") == HEADLINE


def test_marked_up_headline_when_every_title_is_an_seo_variant() -> None:
    visible = "The Disappearance of John M. Ford"
    html = page(title="Ford's books are being republished, but how did he fall into obscurity?",
                og_title="The Resurrection of the Greatest Writer You've Never Read",
                headline_html=f'<h1 itemprop="headline">{visible}</h1>')
    assert title_of(html) == visible


def test_pages_without_metadata() -> None:
    assert title_of(page(title="", h1s=(HEADLINE,))) == HEADLINE
    # a <title> that is only the site's name says nothing about the headline
    assert title_of(page(title="The Daily Example", h1s=(HEADLINE,))) == HEADLINE
    tree = load_html(f"<html><head></head><body>{BODY}</body></html>")
    assert page_title(tree, fallback="  From   trafilatura ") == "From trafilatura"


def test_site_names_come_from_the_page() -> None:
    html = page(title="x", site_name="The Daily Example",
                jsonld={"@type": "NewsArticle", "headline": "x",
                        "publisher": {"@type": "Organization", "name": "Example Media Group"}})
    names = site_names(load_html(html), "Trafilatura Site")
    assert names == ["thedailyexample", "examplemediagroup", "trafilaturasite"]


def test_agreement() -> None:
    assert agreement("Prison guards charged in connection with Epstein's death",
                     "Two federal prison officers charged in connection with Epstein's "
                     "suicide") >= 0.5
    assert agreement("Games", HEADLINE) == 0.0
    assert agreement("", HEADLINE) == 0.0


def test_extract_page_stores_the_visible_headline() -> None:
    """The whole extraction: trafilatura's own title keeps the section label here."""
    html = page(title=f"Opinion | {HEADLINE} - Daily Example", masthead="Daily Example",
                h1s=(HEADLINE,), og_title=f"Opinion | {HEADLINE}",
                site_name="Daily Example").encode()
    res = extract_page(url="https://www.dailyexample.com/news/bridge", body=html,
                       headers={"Content-Type": "text/html; charset=utf-8"})
    assert res.article is not None and res.article.title == HEADLINE


# -- an outlet's template -----------------------------------------------------------

STORIES = ["Bridge to open next spring", "Floods reach the capital", "Minister resigns",
           "Teachers strike for a second day", "Wheat harvest below forecast",
           "New metro line approved", "Court frees journalist", "Heat wave: what to know"]


def test_learns_a_suffix_most_titles_share() -> None:
    titles = [f"{s} | The Daily Example" for s in STORIES[:6]] + STORIES[6:]
    learned = learn_affixes(titles)
    assert learned.suffixes == (" | The Daily Example",) and learned.prefixes == ()
    assert [strip_affixes(t, learned) for t in titles] == STORIES


def test_learns_a_prefix_and_section_labels() -> None:
    sections = ["World", "World", "Politics", "World", "Politics", "Politics", "Business",
                "Sport"]
    titles = [f"Daily Example » {sec} » {s}" for sec, s in zip(sections, STORIES, strict=True)]
    learned = learn_affixes(titles)
    assert "Daily Example » " in learned.prefixes
    assert {"World » ", "Politics » "} <= set(learned.prefixes)
    stripped = [strip_affixes(t, learned) for t in titles]
    assert stripped[:6] == STORIES[:6]
    # a label seen once or twice is not a template: it stays
    assert stripped[6:] == [f"Business » {STORIES[6]}", f"Sport » {STORIES[7]}"]


def test_learns_nothing_without_evidence() -> None:
    assert not learn_affixes([f"{s} | Daily Example" for s in STORIES[:4]])  # too few titles
    few = [f"{s} - Daily Example" for s in STORIES[:3]] + STORIES[3:]
    assert not learn_affixes(few)  # shared by fewer than most
    # a short tail behind a strong separator is a label once it repeats three times
    two = [f"{s} | Daily Example" for s in STORIES[:2]] + STORIES[2:]
    assert not learn_affixes(two)
    three = [f"{s} | Daily Example" for s in STORIES[:3]] + STORIES[3:]
    assert learn_affixes(three).suffixes == (" | Daily Example",)
    assert not learn_affixes(STORIES)  # headlines share nothing
    # tails behind a dash that differ, or repeat on fewer than most, are headline words
    tails = ["report", "analysis", "update", "report", "video", "analysis", "live", "report"]
    assert not learn_affixes([f"{s} - {w}" for s, w in zip(STORIES, tails, strict=True)])


def test_strip_affixes_never_empties() -> None:
    aff = TitleAffixes(prefixes=("Daily Example | ",), suffixes=(" | Daily Example",))
    assert strip_affixes("Daily Example", aff) == "Daily Example"
    assert strip_affixes(" | Daily Example", aff) == "| Daily Example"
    assert strip_affixes(f"Daily Example | {STORIES[0]} | Daily Example", aff) == STORIES[0]


def _article(title: str, n: int) -> ExtractedArticle:
    text = f"{BODY} Story number {n}."
    return ExtractedArticle(url=f"https://dailyexample.com/{n}",
                            canonical_url=f"https://dailyexample.com/{n}", title=title,
                            text=text, author=None, published=None, language="en",
                            language_confidence=0.9, text_hash=f"h{n}")


def test_refresh_rewrites_stored_titles_and_the_index(tmp_path: Path) -> None:
    """Learned from the stored titles, kept in the archive, removed from articles, their
    versions and the full-text index; later articles lose it even as a minority."""
    store = open_store(tmp_path / "a.sqlite")
    try:
        store.sync_outlets([Outlet(id="daily", name="Daily", domains=("dailyexample.com",))])

        def add(titles: list[str], start: int) -> None:
            when = datetime(2026, 1, 1, tzinfo=UTC)
            items = []
            for i, t in enumerate(titles, start):
                cid = store.add_capture(CaptureRecord(
                    url=f"https://dailyexample.com/{i}", outlet_id="daily", kind="article",
                    fetched_at=when, status=200, failure=None, warc_file=None,
                    warc_offset=None, warc_length=None, sha256=None))
                items.append(NewArticle(_article(t, i), "daily", cid, when, None))
            store.add_articles(items)

        add([f"{s} | The Daily Example" for s in STORIES], 0)
        conn: sqlite3.Connection = store.conn  # type: ignore[attr-defined]
        first = conn.execute("SELECT id FROM articles ORDER BY id").fetchone()[0]
        conn.execute("INSERT INTO article_versions (article_id, version, capture_id, fetched_at, "
                     "title, text, text_hash) VALUES (?, 2, 999, '2026-01-02T00:00:00Z', ?, 'x', "
                     "'y')", (first, f"{STORIES[0]} (updated) | The Daily Example"))
        conn.commit()
        assert refresh_outlet_titles(store, ["daily"]) == len(STORIES) + 1
        assert [r[0] for r in conn.execute("SELECT title FROM articles ORDER BY id")] == STORIES
        assert conn.execute("SELECT title FROM article_versions").fetchone()[0] == (
            f"{STORIES[0]} (updated)")
        assert store.title_affixes("daily") == ([], [" | The Daily Example"])
        # the index's title column follows: the site's name no longer matches as a title word
        hits = conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?",
                            (f"title:{index_text('Daily')}",)).fetchone()[0]
        assert hits == 0
        assert conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?",
                            (f"title:{index_text('bridge')}",)).fetchone()[0] == 1
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        assert refresh_outlet_titles(store, ["daily"]) == 0  # nothing left to do
        # two more pages with the template, among eight without: the kept template applies
        add(["Budget passes | The Daily Example", "Storm warning | The Daily Example"], 100)
        assert refresh_outlet_titles(store, ["daily"]) == 2
        assert conn.execute("SELECT COUNT(*) FROM articles WHERE title LIKE '%Daily%'"
                            ).fetchone()[0] == 0
        strip = outlet_title_stripper(store, "daily")
        assert strip("New story | The Daily Example") == "New story"
        assert outlet_title_stripper(store, "nobody")("Same | title ") == "Same | title "
    finally:
        store.close()


# -- quotation marks are not separators (issue 10, ecosystem 2) ------------------------

# An outlet's headlines: a template suffix, and a story whose headlines open with, or
# quote, the same name in « » (as ru/kk/ky headlines do); none of it is a template.
QUOTED_STORY = [
    "«Ақтоғай» кенішіндегі апат: облыста аза тұту жарияланды",
    "«Ақтоғай» кенішіндегі апат: комиссия алғашқы нұсқаларды атады",
    "«Ақтоғай» кенішіндегі өрт: туыстары хабар күтуде",
    "«Ақтоғай» кенішіндегі апат: прокуратура іс қозғады",
    "Завод «Восход»: профсоюз требует проверок",
    "Завод «Восход»: как живёт посёлок",
    "Завод «Восход»: прошла неделя",
    "Пожар на «Восходе»: что известно",
    "Авария на «Восходе»: что известно",
    "Взрыв на «Восходе»: что известно",
    "« Les Misérables » : la troupe revient à Paris",
]
OTHER_NEWS = ["Парламент принял бюджет на следующий год", "Тенге укрепился к доллару",
              "В Алматы открылась новая линия метро", "Учителя получат прибавку к зарплате",
              "Сборная выиграла товарищеский матч", "Синоптики обещают заморозки",
              "Фермеры начали уборку урожая", "Министр провёл встречу с инвесторами",
              "Новый мост откроют весной", "Цены на бензин выросли"]


@pytest.mark.parametrize("template", ["{} | Вести Степи", "Вести Степи | {}", "{}"])
def test_a_quoted_name_that_recurs_in_one_story_is_not_a_template(template: str) -> None:
    """ «X» shahtasyndağy ... and «Y»: ... repeat across a story's headlines; the » closes
    a quotation, so it never sets off a prefix («X» ) or a suffix (»: что известно)."""
    heads = QUOTED_STORY + OTHER_NEWS
    titles = [template.format(h) for h in heads]
    learned = learn_affixes(titles)
    assert all("«" not in a and "»" not in a for a in learned.prefixes + learned.suffixes), \
        learned
    assert [strip_affixes(t, learned) for t in titles] == heads


def test_an_affix_never_cuts_a_quotation_or_leaves_a_stub() -> None:
    """Even a template stored by an older, looser learner (or a wrong one) is applied only
    where it is a whole part of the title behind a real separator."""
    wrong = TitleAffixes(prefixes=("«Ақтоғай» ", "Завод «Восход»"),
                         suffixes=("»: что известно", " | Вести Степи"))
    for head in QUOTED_STORY[:10]:
        assert strip_affixes(head, wrong) == head
    assert strip_affixes("Итоги | Вести Степи", wrong) == "Итоги | Вести Степи"  # a stub
    assert strip_affixes("Итоги недели | Вести Степи", wrong) == "Итоги недели"


def test_guillemet_breadcrumbs_still_separate() -> None:
    """A » between spaces (or glued on both sides) with no « open is a breadcrumb."""
    titles = [f"Вести Степи » Новости » {h}" for h in OTHER_NEWS]
    learned = learn_affixes(titles)
    assert [strip_affixes(t, learned) for t in titles] == OTHER_NEWS
    assert strip_site_affixes("«Восход» закрыт на ремонт » Вести Степи", ["вестистепи"]) == (
        "«Восход» закрыт на ремонт")
    # a closing quote is never taken for the site-name separator
    assert strip_site_affixes("Газета «Вести Степи» вышла в цвете", ["вестистепи"]) == (
        "Газета «Вести Степи» вышла в цвете")
