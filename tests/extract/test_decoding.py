"""Decoding: declared, mislabelled, undeclared and broken encodings, through the pipeline."""

from __future__ import annotations

import random

from tests.support.pages import ARTICLES, news_page
from untold.extract import extract_page
from untold.extract.decoding import decode_html, repair_mojibake

URL = "https://kaktus.example.kg/news/2024/05/14/123.html"
RU = ARTICLES["ru"]
KK = ARTICLES["kk"]


def _page(charset: str | None = "utf-8") -> str:
    return news_page(RU, url=URL, charset=charset)


def test_utf8_page_declared_in_header() -> None:
    res = extract_page(url=URL, body=_page().encode("utf-8"),
                       headers={"Content-Type": "text/html; charset=UTF-8"})
    assert res.article is not None
    assert res.article.extra["encoding"] == "utf-8"
    assert res.article.extra["encoding_source"] == "header"
    assert RU.paragraphs[0] in res.article.text


def test_cp1251_page_labelled_utf8_is_read_as_cp1251() -> None:
    body = _page(charset="utf-8").encode("cp1251")  # header and <meta> both lie
    res = extract_page(url=URL, body=body, headers={"content-type": "text/html; charset=utf-8"})
    assert res.article is not None
    art = res.article
    assert art.extra["encoding"] == "cp1251"
    assert "not utf-8" in art.extra["encoding_note"]
    assert art.title == RU.title
    assert RU.paragraphs[2] in art.text
    assert art.language == "ru"


def test_cp1251_kazakh_letters_survive_when_the_page_is_utf8() -> None:
    # cp1251 cannot encode қ or ұ; a Kazakh page in UTF-8 labelled cp1251 must stay UTF-8.
    body = news_page(KK, url=URL, charset="windows-1251").encode("utf-8")
    res = extract_page(url=URL, body=body, headers={"Content-Type": "text/html; charset=windows-1251"})
    assert res.article is not None
    assert res.article.extra["encoding"] == "utf-8"
    assert res.article.extra["encoding_source"] == "verified"
    assert KK.paragraphs[0] in res.article.text
    assert res.article.language == "kk"


def test_page_without_any_charset_declaration() -> None:
    utf8 = extract_page(url=URL, body=_page(charset=None).encode("utf-8"), headers={})
    assert utf8.article is not None
    assert utf8.article.extra["encoding"] == "utf-8"
    assert RU.paragraphs[1] in utf8.article.text
    cp = extract_page(url=URL, body=_page(charset=None).encode("cp1251"),
                      headers={"Content-Type": "text/html"})
    assert cp.article is not None
    assert cp.article.extra["encoding"] == "cp1251"
    assert cp.article.extra["encoding_source"] == "sniffed"
    assert RU.paragraphs[1] in cp.article.text


def test_invalid_utf8_bytes_are_replaced_not_raised() -> None:
    body = bytearray(_page().encode("utf-8"))
    pos = body.index("следственный".encode())
    body[pos:pos] = b"\xff\xfe\xc3"  # stray bytes inside the article
    res = extract_page(url=URL, body=bytes(body), headers={"Content-Type": "text/html; charset=utf-8"})
    assert res.article is not None
    assert res.article.extra["encoding"] == "utf-8"
    assert "invalid utf-8" in res.article.extra["encoding_note"]
    assert "\ufffd" in res.article.text
    assert RU.paragraphs[0] in res.article.text


def test_random_bytes_never_raise() -> None:
    rng = random.Random(7)
    for _ in range(20):
        junk = bytes(rng.randrange(256) for _ in range(3000))
        dec = decode_html(b"<html><body><p>" + junk + b"</p></body></html>", {})
        assert isinstance(dec.text, str)
        res = extract_page(url=URL, body=b"<html><body><p>" + junk, headers={"Content-Type": "text/html"})
        assert res.article is not None or res.skipped


def test_cp1251_mojibake_through_latin1_label_is_repaired() -> None:
    # The server labels cp1251 bytes ISO-8859-1: a Latin reading gives "Ðóññêèé"-style text.
    body = _page(charset=None).encode("cp1251")
    naive = body.decode("latin-1")
    assert "çàäåðæàëè" in naive  # "задержали" as a naive reader would show it
    res = extract_page(url=URL, body=body, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    assert res.article is not None
    assert res.article.extra["encoding"] == "cp1251"
    assert "repaired" in res.article.extra["encoding_note"]
    assert res.article.title == RU.title
    assert RU.paragraphs[3] in res.article.text


def test_double_encoded_mojibake_in_a_utf8_page_is_repaired() -> None:
    # cp1251 text that went through Latin-1 and was saved as UTF-8.
    text = _page().encode("cp1251").decode("latin-1")
    res = extract_page(url=URL, body=text.encode("utf-8"), headers={})
    assert res.article is not None
    assert RU.paragraphs[0] in res.article.text
    # UTF-8 read as Latin-1 then saved as UTF-8 ("Ð—Ð°Ð´ÐµÑ€Ð¶Ð°Ð»Ð¸").
    text2 = _page().encode("utf-8").decode("latin-1")
    fixed, real = repair_mojibake(text2)
    assert real == "utf-8"
    assert RU.paragraphs[0] in fixed


def test_western_pages_are_not_mistaken_for_mojibake_or_cp1251() -> None:
    french = ("<html><body><p>" + "Le président a déclaré à la presse que l'économie était "
              "très forte, même après la crise. " * 20 + "</p></body></html>")
    for body, headers in ((french.encode("latin-1"), {"Content-Type": "text/html; charset=iso-8859-1"}),
                          (french.encode("utf-8"), {}),
                          (french.encode("cp1252"), {})):
        dec = decode_html(body, headers)
        assert "président a déclaré" in dec.text, (dec.encoding, dec.note)
        assert "repaired" not in dec.note


def test_bom_wins_over_a_wrong_declaration() -> None:
    body = ("\ufeff" + _page()).encode("utf-16")
    dec = decode_html(body, {"Content-Type": "text/html; charset=windows-1251"})
    assert dec.source == "bom"
    assert RU.title in dec.text


def test_unknown_charset_label_falls_back_to_detection() -> None:
    dec = decode_html(_page(charset="x-no-such-charset").encode("cp1251"),
                      {"Content-Type": "text/html; charset=klingon"})
    assert dec.encoding == "cp1251"
    assert RU.title in dec.text
