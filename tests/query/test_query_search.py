"""End to end: queries over a real SQLite archive built by the store itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from untold.errors import QueryError
from untold.models import CaptureRecord, ExtractedArticle, Outlet
from untold.query import CompiledQuery, Form, Match, Word, count_matches, search
from untold.store import NewArticle, Store, open_store
from untold.store.sqlite.fts import matching_ids_sql, where_sql

OUTLETS = [
    Outlet(id="tengri", name="Tengri", domains=("tengri.example",), country="KZ",
           languages=("ru",), groups=("private",)),
    Outlet(id="kazinform", name="Kazinform", domains=("kazinform.example",), country="KZ",
           languages=("ru", "kk"), groups=("state",)),
    Outlet(id="eurasianet", name="Eurasianet", domains=("eurasianet.example",),
           country="US", languages=("en",), groups=("foreign",)),
    Outlet(id="akipress", name="AKIpress", domains=("akipress.example",), country="KG",
           languages=("ru",), groups=("private",)),
]

# (outlet, language, day of January 2026 or None, title, text); ids are 1..7 in this order
ARTICLES = [
    ("tengri", "ru", 10, "Граждане Казахстана вернулись домой",
     "Более ста граждан Казахстана эвакуированы из зоны конфликта."),
    ("kazinform", "ru", 12, "Видео: президент встретился с послом",
     "Президент Казахстану обещал помощь. Токаев провёл встречу."),
    ("kazinform", "kk", 15, "Қазақстанның азаматтары",
     "Қазақстанның азаматтары елге оралды."),
    ("eurasianet", "en", 20, "Citizens of Kazakhstan evacuated",
     "The citizens of Kazakhstan were flown home, officials said."),
    ("eurasianet", "en", 22, "A citizen speaks",
     "One citizen said the treasury was empty. Kazakhstan officials declined to comment."),
    ("akipress", "ru", 25, "Казна пуста",
     "Казначейство Кыргызстана сообщило о дефиците. Видео прилагается."),
    ("tengri", "ru", None, "Без даты", "Переговоры с Казахстаном продолжатся."),
]
ALL = set(range(1, len(ARTICLES) + 1))


def _day(day: int | None) -> datetime | None:
    return None if day is None else datetime(2026, 1, day, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path: Path = tmp_path_factory.mktemp("archive") / "a.sqlite"
    s = open_store(path)
    s.sync_outlets(OUTLETS)
    fetched = datetime(2026, 2, 1, tzinfo=UTC)
    for n, (outlet, lang, day, title, text) in enumerate(ARTICLES, start=1):
        url = f"https://{outlet}.example/{n}"
        cid = s.add_capture(CaptureRecord(
            url=url, outlet_id=outlet, kind="article", fetched_at=fetched, status=200,
            failure=None, warc_file="a.warc.gz", warc_offset=n, warc_length=1, sha256="00"))
        art = ExtractedArticle(
            url=url, canonical_url=url, title=title, text=text, author=None,
            published=_day(day), language=lang, language_confidence=0.9,
            text_hash=hashlib.sha256(text.encode()).hexdigest(), minhash=b"")
        [outcome] = s.add_articles([NewArticle(art, outlet, cid, fetched, "00")])
        assert outcome.article_id == n
    yield s
    s.close()


def ids(store: Store, query: str) -> set[int]:
    found = {h.id for h in search(store, query)}
    assert count_matches(store, query) == len(found)
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Russian case forms all meet, whatever form is typed
        ("Казахстан", {1, 2, 7}),
        ("Казахстана", {1, 2, 7}),
        ("Казахстану", {1, 2, 7}),
        ("казахстаном", {1, 2, 7}),
        ("КАЗАХСТАН", {1, 2, 7}),
        # Kazakh forms by prefix of the stem
        ("Қазақстан", {3}),
        ("Қазақстанның", {3}),
        # English stems
        ("citizens", {4, 5}),
        ("citizen", {4, 5}),
        ("Kazakhstan", {4, 5}),
        # prefixes
        ("казн*", {6}),
        ("citizens*", {4, 5}),
        # phrases keep order and adjacency
        ('"граждан Казахстана"', {1}),
        ('"граждане Казахстану"', {1}),
        ('"Казахстана граждане"', set()),
        ('"citizens of Kazakhstan"', {4}),
        ('"citizen of Kazakhstan"', {4}),
        # NEAR counts the words between, in either order
        ("граждан* NEAR/5 казахстан", {1}),
        ("Казахстан NEAR/2 Токаев", {2}),
        ("Казахстан NEAR/1 Токаев", set()),
        ("Токаев NEAR/2 Казахстан", {2}),
        ('"citizens of" NEAR/3 Kazakhstan', {4}),
        ("citizen NEAR/2 kazakhstan", {4}),
        ("citizen NEAR/5 kazakhstan", {4, 5}),
        # an OR-group on a side: any alternative near any other, each one counts
        ("(Токаев OR граждан*) NEAR/5 казахстан", {1, 2}),
        ("(Токаев OR граждан*) NEAR/1 казахстан", {1}),
        ("казахстан NEAR/5 (Токаев OR (граждан* OR посол))", {1, 2}),
        ('("citizens of" OR treasury) NEAR/3 (kazakhstan OR empty)', {4, 5}),
        ("citizen NEAR/1 (treasury OR kazakhstan)", {4}),
        ("title:((граждан* OR токаев) NEAR/1 казахстан)", {1}),
        ("(Токаев OR граждан*) NEAR/5 казахстан -title:видео", {1}),
        # fields
        ("видео", {2, 6}),
        ("title:видео", {2}),
        ("видео -title:видео", {6}),
        ('title:"граждане Казахстана"', {1}),
        ("title:казахстан", {1}),
        ("body:kazakhstan -title:kazakhstan", {5}),
        ("title:(казна OR citizen)", {4, 5, 6}),
        ("title:(граждан NEAR/1 казахстан)", {1}),
        # metadata filters and their combination with text
        ("lang:kk", {3}),
        ("lang:EN", {4, 5}),
        ("outlet:akipress", {6}),
        ("country:kz", {1, 2, 3, 7}),
        ("group:state", {2, 3}),
        ("(group:state OR group:private) AND country:KZ", {1, 2, 3, 7}),
        ("group:foreign OR outlet:akipress", {4, 5, 6}),
        ("(казахстан OR lang:en) AND -title:видео", {1, 4, 5, 7}),
        ("казахстан -lang:ru", set()),
        ("citizen country:US -treasury", {4}),
        ("group:nonexistent", set()),
        # booleans
        ("citizen OR казна", {4, 5, 6}),
        ("citizen AND kazakhstan", {4, 5}),
        ("citizen kazakhstan -treasury", {4}),
        ("citizen -(treasury OR flown)", set()),
        ("NOT видео", ALL - {2, 6}),
        ("-видео -казахстан", ALL - {1, 2, 6, 7}),
        ("citizen OR -lang:en", ALL),
        ("NOT NOT видео", {2, 6}),
        # lower-case operators are words (Lucene): "and" is in no article
        ("citizen and kazakhstan", set()),
        # punctuation inside a word makes a phrase, as the text was indexed
        ("flown-home", {4}),
    ],
)
def test_queries(store: Store, query: str, expected: set[int]) -> None:
    assert ids(store, query) == expected


def test_hits_carry_metadata_in_published_order(store: Store) -> None:
    hits = search(store, "Казахстан OR Kazakhstan")
    assert [h.id for h in hits] == [1, 2, 4, 5, 7]  # undated last
    first = hits[0]
    assert (first.outlet_id, first.title, first.url, first.language) == (
        "tengri", "Граждане Казахстана вернулись домой", "https://tengri.example/1", "ru")
    assert first.published == datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    assert hits[-1].published is None


def test_restrictions(store: Store) -> None:
    q = "Казахстан OR Kazakhstan"
    since, until = datetime(2026, 1, 12, 9, 0, tzinfo=UTC), datetime(2026, 1, 22, 9, 0, tzinfo=UTC)
    assert [h.id for h in search(store, q, since=since)] == [2, 4, 5]
    assert [h.id for h in search(store, q, until=until)] == [1, 2, 4]  # until is exclusive
    assert [h.id for h in search(store, q, since=since, until=until)] == [2, 4]
    assert [h.id for h in search(store, q, outlets=["tengri", "akipress"])] == [1, 7]
    assert [h.id for h in search(store, q, outlets="eurasianet")] == [4, 5]
    assert [h.id for h in search(store, q, groups=["state", "foreign"])] == [2, 4, 5]
    assert [h.id for h in search(store, q, limit=2)] == [1, 2]
    assert search(store, q, limit=0) == []
    assert count_matches(store, q, groups=["private"], since=since) == 0
    assert count_matches(store, q, groups=["private"]) == 2
    # "who left it out": state outlets' articles that do not mention Kazakhstan
    assert [h.id for h in search(store, "NOT Казахстан", groups=["state"])] == [3]


def test_matching_ids_sql_is_a_reusable_subquery(store: Store) -> None:
    sql, params = matching_ids_sql("(казахстан OR lang:en) AND -title:видео",
                                   outlets=["tengri", "eurasianet"])
    assert "казахст" not in sql and "tengri" not in sql  # all user text is bound
    conn = store.conn  # type: ignore[attr-defined]
    rows = conn.execute(
        f"SELECT outlet_id, COUNT(*) FROM articles WHERE id IN ({sql}) "
        "GROUP BY outlet_id ORDER BY outlet_id", params).fetchall()
    assert rows == [("eurasianet", 2), ("tengri", 2)]


@pytest.mark.parametrize(
    "query",
    [
        '"; DROP TABLE articles; --"',
        "x' OR '1'='1",
        "казна'); DELETE FROM articles; --x",
        '"казна OR видео"',  # FTS5 operators inside a phrase are words
        '"казна" * NEAR',
        "title:казна* OR {title}",
        'title:x" OR *',
        '"; DROP TABLE articles; --',
        "казна\x00видео",
        'outlet:"x\' OR 1=1 --"',
        "group:x'); DROP TABLE outlets; --",
    ],
)
def test_injection_is_harmless(store: Store, query: str) -> None:
    try:
        hits = {h.id for h in search(store, query)}
    except QueryError:
        hits = set()  # a clean parse error is harmless too
    assert hits <= {6}  # at most a literal match of the word казна, never "everything"
    conn = store.conn  # type: ignore[attr-defined]
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(ARTICLES)
    assert conn.execute("SELECT COUNT(*) FROM outlets").fetchone()[0] == len(OUTLETS)


def test_fts_syntax_in_phrase_is_literal(store: Store) -> None:
    assert ids(store, "казна OR видео") == {2, 6}
    assert ids(store, '"казна OR видео"') == set()
    assert ids(store, '"казна пуста"') == {6}
    assert ids(store, "title:казна*") == {6}


def test_malformed_query_raises_before_touching_the_store(store: Store) -> None:
    with pytest.raises(QueryError) as info:
        search(store, "(казахстан OR")
    assert info.value.column == 12
    with pytest.raises(QueryError):
        count_matches(store, "")
    with pytest.raises(QueryError):
        matching_ids_sql("lang:")


def test_fts_syntax_inside_a_stem_stays_a_string(store: Store) -> None:
    # the parser never yields such a stem; the compiler must still quote it
    hostile = Form('x" OR "казн', prefix=True)
    compiled = CompiledQuery(Match((Word((hostile,)),)))
    sql, params = where_sql(compiled)
    conn = store.conn  # type: ignore[attr-defined]
    rows = conn.execute(f"SELECT a.id FROM articles a WHERE {sql}", params).fetchall()
    assert rows == []
    # unquoted, the same text would have been an OR reaching article 6
    raw = conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                       ['"x" OR "казн"*']).fetchall()
    assert raw == [(6,)]
