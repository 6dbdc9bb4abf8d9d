"""Exact and near-duplicate keys: reprints are found, same-topic stories are not."""

from __future__ import annotations

import pytest

from tests.support.pages import ARTICLES, news_page
from untold.errors import InputError
from untold.extract import (
    NEAR_DUPLICATE_THRESHOLD,
    extract_page,
    lsh_keys,
    minhash_signature,
    similarity,
    text_hash,
)
from untold.models import ExtractedArticle
from untold.text.minhash import LSH_BANDS, NUM_PERM, candidate_probability

EN = ARTICLES["en"]
HEADERS = {"Content-Type": "text/html; charset=utf-8"}

# Same topic (fuel prices in Kazakhstan), different story.
OTHER_STORY = (
    "Hundreds of truck drivers blocked a section of the highway outside Aktobe on Wednesday, "
    "demanding that regional authorities cap the cost of diesel after weeks of shortages.",
    "Drivers parked their lorries across two lanes and said they would stay until officials "
    "met them. Several told reporters they now spend half of their monthly earnings on fuel "
    "and can no longer afford to take long-distance contracts.",
    "The regional governor's office said a working group had been formed to review supplies "
    "to local filling stations, and police urged the protesters to clear the road. By evening "
    "traffic was moving slowly through a single lane.",
    "Transport unions in neighbouring regions expressed support for the drivers and warned of "
    "similar actions if the national energy ministry does not respond within a week.",
)


def _article(url: str, title: str | None = None,
             paragraphs: tuple[str, ...] | None = None) -> ExtractedArticle:
    page = news_page(EN, url=url, title=title, paragraphs=paragraphs)
    res = extract_page(url=url, body=page.encode(), headers=HEADERS)
    assert res.article is not None, res.skipped
    return res.article


def _shared_band(a: bytes, b: bytes) -> bool:
    return bool(set(lsh_keys(a)) & set(lsh_keys(b)))


def test_wire_story_reprinted_with_new_headline_and_extra_paragraph_is_near_duplicate() -> None:
    original = _article("https://wire.example.com/2024/05/14/fuel-prices")
    reprint = _article(
        "https://daily.example.kz/economy/benzin-narxi",
        title="Petrol and diesel to cost 8% more from June, ministry says",
        paragraphs=(*EN.paragraphs[:2],
                    "Drivers queuing at a filling station in Astana on Tuesday evening said "
                    "they had already noticed prices creeping up at several private chains.",
                    *EN.paragraphs[2:]),
    )
    assert reprint.text_hash != original.text_hash
    sim = similarity(original.minhash, reprint.minhash)
    assert sim >= NEAR_DUPLICATE_THRESHOLD
    assert _shared_band(original.minhash, reprint.minhash)  # the store will find it


def test_different_stories_on_the_same_topic_are_not_similar() -> None:
    first = _article("https://wire.example.com/2024/05/14/fuel-prices")
    second = _article("https://wire.example.com/2024/05/15/aktobe-truckers",
                      title="Truck drivers block highway near Aktobe over diesel costs",
                      paragraphs=OTHER_STORY)
    assert similarity(first.minhash, second.minhash) < 0.2
    assert not _shared_band(first.minhash, second.minhash)


def test_exact_duplicate_hash_is_stable_under_whitespace_case_and_yo() -> None:
    base = ARTICLES["ru"].text
    variants = [
        "  " + base.replace(" ", "  ").replace("\n", "\n\n   ") + "\n",
        base.replace(" ", "\u00a0"),  # no-break spaces from a CMS
        base.upper(),
        base.replace("е", "ё", 3),
        base.replace("журналиста", "жур\u00adна\u200bлиста"),  # soft hyphen, zero-width space
    ]
    for variant in variants:
        assert text_hash(variant) == text_hash(base)
    assert text_hash(base.replace("третье", "четвертое")) != text_hash(base)


def test_exact_duplicate_through_the_pipeline_ignores_markup_whitespace() -> None:
    url = "https://example.kg/news/1.html"
    page = news_page(ARTICLES["ru"], url=url)
    spaced = page.replace("<p>", "<p>\n      ").replace(". ", ".   \n ")
    a = extract_page(url=url, body=page.encode(), headers=HEADERS).article
    b = extract_page(url=url, body=spaced.encode(), headers=HEADERS).article
    assert a is not None and b is not None
    assert a.text_hash == b.text_hash
    assert a.minhash == b.minhash


def test_signature_shape_and_lsh_keys() -> None:
    sig = minhash_signature(EN.text)
    assert len(sig) == 1 + 4 * NUM_PERM
    keys = lsh_keys(sig)
    assert [band for band, _ in keys] == list(range(LSH_BANDS))
    assert all(isinstance(k, bytes) and len(k) == 8 for _, k in keys)
    assert similarity(sig, sig) == 1.0
    assert minhash_signature(EN.text) == sig  # deterministic
    assert minhash_signature("") == b""


def test_malformed_signature_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="MinHash signature"):
        similarity(b"\x01abc", minhash_signature(EN.text))
    with pytest.raises(InputError):
        lsh_keys(b"")


def test_bands_suit_the_threshold() -> None:
    # Candidates for nearly all pairs at the threshold, few for unrelated texts.
    assert candidate_probability(NEAR_DUPLICATE_THRESHOLD) >= 0.9
    assert candidate_probability(0.5) <= 0.1
