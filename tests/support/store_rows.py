"""Rows for store tests, built only through the store's public methods.

The store conformance suite (``tests/store``) runs the same cases on every backend,
so nothing here writes SQL: an article is a capture (``add_capture``) plus an
extracted page (``add_articles``), exactly as the collector stores one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from untold.models import (
    CaptureRecord,
    CheckRecord,
    ExtractedArticle,
    NewArticle,
    Outlet,
    Tracked,
)
from untold.store.base import Store
from untold.text.minhash import NUM_PERM, SIGNATURE_VERSION, text_hash

__all__ = ["STORY_OUTLETS", "T0", "WIRE", "add_article", "capture", "check", "extracted", "iso",
           "outlet", "signature", "story_archive"]

# A fixed instant (a Tuesday, mid-morning UTC): tests compare exact stored times.
T0 = datetime(2026, 10, 6, 10, 0, tzinfo=UTC)


def iso(at: datetime) -> str:
    """The store's text form of a UTC instant (``2026-10-06T10:00:00Z``)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signature(seed: int, *, changed: int = 0) -> bytes:
    """A MinHash signature as extraction serialises it, made up instead of computed (the
    store only compares signatures): ``changed`` of its values differ from ``seed``'s, so
    two signatures' estimated similarity is exactly 1 - changed / NUM_PERM."""
    values = [(seed * 1_000_003 + i * 7919) % 2**32 for i in range(NUM_PERM)]
    for i in range(changed):
        values[i] = (values[i] + 1) % 2**32
    return bytes([SIGNATURE_VERSION]) + b"".join(v.to_bytes(4, "little") for v in values)


def outlet(oid: str, *, name: str | None = None, country: str = "KZ",
           languages: tuple[str, ...] = ("ru",), groups: tuple[str, ...] = (),
           curated: bool = True) -> Outlet:
    """An outlet at ``<oid>.example`` (names may be Cyrillic: they are stored as given)."""
    return Outlet(id=oid, name=name or oid.upper(), domains=(f"{oid}.example",),
                  country=country, languages=languages, groups=groups,
                  feeds=(f"https://{oid}.example/rss",), sitemaps=(), curated=curated)


def capture(url: str, outlet_id: str, *, fetched_at: datetime = T0, kind: str = "article",
            status: int | None = 200, failure: str | None = None,
            warc_file: str | None = "a.warc.gz", offset: int | None = 0,
            length: int | None = 100, sha256: str | None = "ab" * 32,
            record_id: str | None = None, warc_sha256: str | None = None) -> CaptureRecord:
    """One fetch of ``url`` (a 200 by default) with where its WARC record lies."""
    return CaptureRecord(url=url, outlet_id=outlet_id, kind=kind, fetched_at=fetched_at,
                         status=status, failure=failure, warc_file=warc_file,
                         warc_offset=offset, warc_length=length, sha256=sha256,
                         content_type="text/html" if failure is None else "",
                         record_id=record_id, warc_sha256=warc_sha256)


def extracted(url: str, text: str, *, title: str = "", published: datetime | None = T0,
              language: str = "ru", canonical: str | None = None, precision: str = "time",
              author: str | None = None, minhash: bytes = b"") -> ExtractedArticle:
    """A page as extraction leaves it (the store computes its index text itself)."""
    return ExtractedArticle(
        url=url, canonical_url=canonical or url, title=title, text=text, author=author,
        published=published, language=language, language_confidence=0.9,
        text_hash=text_hash(text), minhash=minhash,
        published_precision=precision if published is not None else "",
        published_source="jsonld" if published is not None else "")


def add_article(store: Store, outlet_id: str, url: str, text: str, *, title: str = "",
                published: datetime | None = T0, fetched_at: datetime | None = None,
                language: str = "ru", precision: str = "time", minhash: bytes = b"",
                sha256: str | None = None, offset: int = 0,
                warc_file: str = "a.warc.gz") -> int:
    """Capture and store one article; return its id (the existing one for a duplicate)."""
    fetched = fetched_at or (published or T0) + timedelta(minutes=5)
    digest = sha256 or text_hash(url)
    cid = store.add_capture(capture(url, outlet_id, fetched_at=fetched, sha256=digest,
                                    offset=offset, warc_file=warc_file))
    page = extracted(url, text, title=title, published=published, language=language,
                     precision=precision, minhash=minhash)
    (out,) = store.add_articles([NewArticle(page, outlet_id, cid, fetched, digest)])
    return out.article_id


def check(t: Tracked, at: datetime, *, outcome: str = "unchanged", status: int | None = 200,
          capture_rec: CaptureRecord | None = None,
          new_version: tuple[str, str, str] | None = None, **changes: object) -> CheckRecord:
    """A revisit of ``t`` at ``at``: ``changes`` are the tracked fields after it."""
    after = replace(t, last_checked=iso(at), **changes)  # type: ignore[arg-type]
    return CheckRecord(tracked=after, capture=capture_rec, checked_at=iso(at), outcome=outcome,
                       status=status, new_version=new_version)


# The story archive: three outlets, a story about Kazakhstan's citizens in Russian and
# Kazakh, told first by the foreign outlet, reprinted by the state one, plus unrelated
# and undated articles. Keys are the names tests use for the article ids.
STORY_OUTLETS = (
    outlet("state", name="Мемлекеттік", groups=("state", "domestic"), languages=("ru", "kk")),
    outlet("indep", name="Тәуелсіз", groups=("independent", "domestic"),
           languages=("kk", "ru")),
    outlet("foreign", name="Иностранное", country="RU", groups=("foreign",)),
)
WIRE = "Граждане Казахстана эвакуированы из зоны конфликта, сообщает агентство."


def story_archive(store: Store) -> dict[str, int]:
    """Store the story archive; return the article ids by name (see STORY_OUTLETS)."""
    store.sync_outlets(STORY_OUTLETS)
    day = timedelta(days=1)
    rows: list[tuple[str, str, str, str, datetime | None, str, str, bytes]] = [
        # name, outlet, title, text, published, language, precision, minhash
        ("wire", "foreign", "Эвакуация", WIRE, T0 - 4 * timedelta(hours=1), "ru", "time",
         signature(7)),
        ("reprint", "state", "Граждан эвакуировали", WIRE + " Подробности позже.",
         T0 - timedelta(hours=2), "ru", "time", signature(7, changed=8)),
        ("weather", "state", "Погода", "В Астане ожидается снег и сильный ветер.", T0, "ru",
         "time", b""),
        ("kazakh", "indep", "Азаматтар оралды",
         "Қазақстан азаматтары эвакуацияланды, деп хабарлайды агенттік.", T0 + day, "kk",
         "time", b""),
        ("dayonly", "indep", "Просьба о помощи",
         "Граждане Казахстана просят помощи у посольства.", T0 - day, "ru", "day", b""),
        ("sport", "foreign", "Спорт", "Футбольный клуб «Кайрат» выиграл матч в Алматы.",
         T0 + 2 * day, "ru", "time", b""),
        ("undated", "foreign", "Договор", "Казахстан и Россия подписали договор о гражданах.",
         None, "ru", "time", b""),
        ("english", "foreign", "Citizens evacuated",
         "Citizens of Kazakhstan were evacuated from the conflict zone.", T0 + 3 * day, "en",
         "time", b""),
    ]
    ids: dict[str, int] = {}
    for k, (name, oid, title, text, published, lang, precision, sig) in enumerate(rows):
        day_only = published is not None and precision == "day"
        ids[name] = add_article(
            store, oid, f"https://{oid}.example/{name}", text, title=title,
            published=published.replace(hour=0, minute=0) if day_only and published else
            published, fetched_at=(published or T0 + 5 * day) + timedelta(minutes=10),
            language=lang, precision=precision, minhash=sig, offset=1000 * k)
    return ids
