"""One damaged record costs that record, not the rest of its file.

Twenty pages, one record each (one gzip member per record, or a plain .warc);
record 10 is damaged the ways downloads and writers damage WARCs: a corrupt gzip
member, a Content-Length too long or too short (up to swallowing the next record
whole), junk between records. The other pages must all be stored, with offsets
that read back exactly their records; the damage is counted and reported
(file@offset, bytes, why); the CLI exits 1 with a summary; and an import run
again stores nothing new and reports the same damage.
"""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support.warcs import (
    gzipped,
    make_study,
    news_page,
    page_records,
    record_bytes,
    with_content_length,
)
from untold.collect.warcimport import ImportStats, import_warcs
from untold.collect.warcimport_read import Gap, PageRecord, iter_records
from untold.collect.warcwriter import read_record
from untold.config import Study
from untold.errors import WarcError
from untold.store import Store, open_store

N = 20  # pages in the file, one record each
BAD = 10  # the damaged record
JUNK = b"these bytes are no WARC record\r\n" * 3


def pages() -> list[tuple[str, bytes]]:
    return [(f"https://vlast.kz/novosti/{i}.html", news_page("ru", i)) for i in range(N)]


def records(*, http_length: bool = False) -> list[bytes]:
    """The 20 response records, uncompressed, as a crawler writes them (``http_length``:
    with the HTTP Content-Length header, as most servers send)."""
    recs = page_records(pages(), with_extras=False)
    if http_length:
        for r in recs:
            r.headers = [("Content-Length", str(len(r.body)))]
    return record_bytes(recs)


def write(path: Path, parts: list[bytes]) -> list[int]:
    """Write the file's parts (records, members, junk) one after another; their offsets."""
    offsets, at = [], 0
    for p in parts:
        offsets.append(at)
        at += len(p)
    path.write_bytes(b"".join(parts))
    return offsets


def stored(store: Store) -> dict[str, tuple[str, int, int, str]]:
    """url -> (warc_file, offset, length, sha256) of every stored capture."""
    rows = store.conn.execute(  # type: ignore[attr-defined]
        "SELECT url, warc_file, warc_offset, warc_length, sha256 FROM captures").fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def check_stored(study: Study, store: Store, lost: set[int]) -> None:
    """Every page but ``lost`` stored once, and its capture reads back as that page."""
    caps = stored(store)
    want = {u: html for i, (u, html) in enumerate(pages()) if i not in lost}
    assert set(caps) == set(want)
    assert store.count_articles() == len(want)
    for url, (wfile, off, length, sha) in caps.items():
        cap = {"warc_file": wfile, "warc_offset": off, "warc_length": length, "sha256": sha}
        _, payload = read_record(study.warc_dir, cap, external={wfile})
        assert payload == want[url], url
        assert hashlib.sha256(payload).hexdigest() == sha


def import_one(study: Study, store: Store, warc: Path) -> ImportStats:
    return import_warcs(study, store, [warc], workers=1)


def assert_one_gap(stats: ImportStats, warc: Path, offset: int, length: int, records: int,
                   why: str) -> None:
    assert stats.skipped_bytes == length and stats.skipped_records == records
    assert stats.files_damaged == 1 and stats.files_failed == 0
    assert len(stats.errors) == 1, stats.errors
    lost = f", {records} record lost" if records else ""
    assert stats.errors[0].startswith(f"{warc}@{offset}: skipped {length} bytes{lost}: "), \
        stats.errors
    assert why in stats.errors[0], stats.errors


def test_a_corrupt_gzip_member_costs_its_record_only_and_resume_holds(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    members = [gzipped(r) for r in records()]
    bad = bytearray(members[BAD])
    mid = len(bad) // 2
    bad[mid:mid + 64] = bytes(b ^ 0xFF for b in bad[mid:mid + 64])
    members[BAD] = bytes(bad)
    warc = tmp_path / "crawl.warc.gz"
    offsets = write(warc, members)
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.articles_new == N - 1 and stats.pages == N - 1
        assert_one_gap(stats, warc, offsets[BAD], len(members[BAD]), 1, "gzip member is corrupt")
        check_stored(study, store, {BAD})
        assert store.integrity_check() == []
        # run again: nothing new, nothing taken for new, the same damage reported
        again = import_one(study, store, warc)
        assert again.articles_new == 0 and again.duplicates == 0
        assert again.already_imported == N - 1
        assert again.errors == stats.errors
        assert (again.skipped_bytes, again.skipped_records) == (len(members[BAD]), 1)
        check_stored(study, store, {BAD})


@pytest.mark.parametrize("http_length", [False, True], ids=["no-http-length", "http-length"])
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("how", ["too_long", "too_short", "swallows_next"])
@pytest.mark.slow
def test_a_wrong_content_length_costs_its_record_only(tmp_path: Path, gz: bool, how: str,
                                                      http_length: bool) -> None:
    study = make_study(tmp_path)
    recs = records(http_length=http_length)
    delta = {"too_long": 100, "too_short": -100, "swallows_next": len(recs[BAD + 1])}[how]
    recs[BAD] = with_content_length(recs[BAD], delta)
    parts = [gzipped(r) for r in recs] if gz else recs
    warc = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    offsets = write(warc, parts)
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.articles_new == N - 1
        # the record after the bad one is read, even the one it swallowed whole
        assert_one_gap(stats, warc, offsets[BAD], len(parts[BAD]), 1, "Content-Length")
        check_stored(study, store, {BAD})


def test_a_request_record_that_swallows_the_page_after_it(tmp_path: Path) -> None:
    """A request's Content-Length too long by exactly the response after it: the
    framing holds, but its block holds a record start. The request is skipped (it
    is no page), the response read."""
    study = make_study(tmp_path)
    recs = record_bytes(page_records(pages()))  # request, response, metadata per page
    req = 3 * BAD
    recs[req] = with_content_length(recs[req], len(recs[req + 1]))
    warc = tmp_path / "crawl.warc"
    offsets = write(warc, recs)
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.articles_new == N
        assert_one_gap(stats, warc, offsets[req], len(recs[req]), 1, "Content-Length")
        check_stored(study, store, set())


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_a_record_fastwarc_cannot_parse_is_read_by_warcio(tmp_path: Path, gz: bool) -> None:
    """A 40 kB header line is too long for FastWARC, not for warcio: that record is
    read by warcio, the ones after it by FastWARC again, nothing skipped."""
    study = make_study(tmp_path)
    recs = records()
    recs[BAD] = recs[BAD].replace(b"\r\nWARC-Date:", b"\r\nX-Note: " + b"a" * 40_000
                                  + b"\r\nWARC-Date:", 1)
    warc = tmp_path / ("long.warc.gz" if gz else "long.warc")
    write(warc, [gzipped(r) for r in recs] if gz else recs)
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.errors == [] and stats.skipped_bytes == 0
        assert stats.articles_new == N
        check_stored(study, store, set())


def test_a_whole_record_neither_reader_can_parse_is_skipped_alone(tmp_path: Path) -> None:
    """Too long a header for FastWARC and no WARC-Type for warcio: exactly that record
    is skipped, its neighbours read."""
    study = make_study(tmp_path)
    recs = records()
    recs[BAD] = recs[BAD].replace(b"\r\nWARC-Type: response\r\n", b"\r\nX-Note: " + b"a" * 40_000
                                  + b"\r\n", 1)
    warc = tmp_path / "odd.warc.gz"
    offsets = write(warc, [gzipped(r) for r in recs])
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.articles_new == N - 1
        assert_one_gap(stats, warc, offsets[BAD], offsets[BAD + 1] - offsets[BAD], 1,
                       "the record cannot be parsed (FastWARC: ")
        check_stored(study, store, {BAD})


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_junk_between_records_is_skipped_and_counted(tmp_path: Path, gz: bool) -> None:
    study = make_study(tmp_path)
    recs = records()
    parts = [gzipped(r) for r in recs] if gz else list(recs)
    parts.insert(BAD, JUNK)
    warc = tmp_path / ("junk.warc.gz" if gz else "junk.warc")
    offsets = write(warc, parts)
    with closing(open_store(study.db_path)) as store:
        stats = import_one(study, store, warc)
        assert stats.articles_new == N
        assert_one_gap(stats, warc, offsets[BAD], len(JUNK), 0, "")
        check_stored(study, store, set())


def test_the_reader_resyncs_in_a_file_that_starts_with_junk(tmp_path: Path) -> None:
    warc = tmp_path / "late.warc"
    offsets = write(warc, [JUNK, *records()])
    items = list(iter_records(warc))
    assert items[0] == Gap(0, len(JUNK), 0, items[0].why)  # type: ignore[union-attr]
    got = [i for i in items if isinstance(i, PageRecord)]
    assert [(p.offset, p.url) for p in got] == [(offsets[i + 1], u)
                                                 for i, (u, _) in enumerate(pages())]


def test_empty_and_non_warc_files_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    text = tmp_path / "notes.warc"
    text.write_text("my notes\nWARC/1.0 is a format\n", "utf-8")
    with pytest.raises(WarcError, match="empty file"):
        list(iter_records(empty))
    with pytest.raises(WarcError, match="not a WARC file"):
        list(iter_records(text))
    cut = tmp_path / "cut.warc.gz"  # a WARC whose only record is cut short
    cut.write_bytes(gzipped(records()[0])[:500])
    with pytest.raises(WarcError, match="no readable WARC record"):
        list(iter_records(cut))


# -- the command line -------------------------------------------------------------------
def untold(*args: str, cwd: Path) -> tuple[int, str, list[str]]:
    """(exit status, stdout, stderr lines other than the progress display's)."""
    r = subprocess.run([sys.executable, "-m", "untold", *args], cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip() and not ln.startswith("importing")]
    return r.returncode, r.stdout, lines


@pytest.mark.slow
def test_cli_exits_1_with_a_summary_when_records_were_skipped(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    members = [gzipped(r) for r in records()]
    members[BAD] = members[BAD][:40] + b"\0" * 200 + members[BAD][240:]
    warc = tmp_path / "crawl.warc.gz"
    offsets = write(warc, members)
    rc, stdout, lines = untold("import", str(study.path), str(warc), "--workers", "1",
                               cwd=tmp_path)
    assert rc == 1, lines
    assert lines[0].startswith(f"warning: {warc}@{offsets[BAD]}: skipped "
                               f"{len(members[BAD])} bytes, 1 record lost: "), lines
    assert lines[-1].startswith(f"error: {len(members[BAD])} bytes (1 record) skipped in "
                                "1 damaged file; everything else was imported (19 new "), lines
    assert len(lines) == 2
    assert f"skipped bytes {len(members[BAD])}, skipped records 1" in stdout
    with closing(open_store(study.db_path)) as store:
        check_stored(study, store, {BAD})


@pytest.mark.parametrize("content", [b"", b"just some text\n"], ids=["empty", "text"])
@pytest.mark.slow
def test_cli_one_error_line_for_a_file_that_is_no_warc(tmp_path: Path, content: bytes) -> None:
    study = make_study(tmp_path)
    bad = tmp_path / "bad.warc"
    bad.write_bytes(content)
    rc, _, lines = untold("import", str(study.path), str(bad), "--workers", "1", cwd=tmp_path)
    assert rc == 1, lines
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: "), lines
    assert ("empty file" if not content else "not a WARC file") in lines[0]


@pytest.mark.slow
def test_cli_imports_the_good_file_and_reports_the_bad_ones(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    text = tmp_path / "notes.warc"
    text.write_text("these are my notes\n", "utf-8")
    good = tmp_path / "good.warc.gz"
    write(good, [gzipped(r) for r in records()])
    rc, _, lines = untold("import", str(study.path), str(empty), str(good), str(text),
                          "--workers", "1", cwd=tmp_path)
    assert rc == 1, lines
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"warning: {empty}: empty file")
    assert lines[1].startswith(f"warning: {text}: not a WARC file")
    assert lines[2].startswith("error: 2 of 3 files could not be read; everything else was "
                               f"imported ({N} new articles")
    with closing(open_store(study.db_path)) as store:
        check_stored(study, store, set())


# -- random damage ----------------------------------------------------------------------
def _damage(rng: random.Random, gz: bool) -> tuple[str, bytes]:
    """The 20-page file with one random kind of damage at a random place."""
    recs = records()
    kind = rng.choice(["flip", "length", "junk", "cut", "copy"])
    if kind == "length":
        i = rng.randrange(N)
        recs[i] = with_content_length(recs[i], rng.choice(
            [-50, -2, -1, 1, 2, 5, 200, len(recs[(i + 1) % N])]))
    data = bytearray(b"".join(gzipped(r) for r in recs) if gz else b"".join(recs))
    at = rng.randrange(len(data))
    if kind == "flip":
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "junk":
        data[at:at] = rng.randbytes(rng.randint(1, 300))
    elif kind == "cut":
        del data[at:at + rng.randint(1, 3000)]
    elif kind == "copy":
        src = rng.randrange(len(data))
        data[at:at] = data[src:src + rng.randint(1, 2000)]
    return kind, bytes(data)


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
@pytest.mark.slow
def test_random_damage_never_passes_on_wrong_content_or_offsets(tmp_path: Path,
                                                                gz: bool) -> None:
    """Whatever the damage, a page passed on is a page of the file as written, and its
    offset and length hold exactly its record. (Bits flipped inside a plain record
    keep its framing: only a digest could tell, so there only offsets are judged.)"""
    want = dict(pages())
    rng = random.Random(20260612 + gz)
    warc = tmp_path / ("fuzz.warc.gz" if gz else "fuzz.warc")
    for trial in range(150):
        kind, data = _damage(rng, gz)
        warc.write_bytes(data)
        try:
            items = list(iter_records(warc))
        except WarcError:
            continue  # nothing readable left: one error for the file
        got = [i for i in items if isinstance(i, PageRecord)]
        gaps = [i for i in items if isinstance(i, Gap)]
        assert sum(g.length for g in gaps) <= len(data)
        for page in got:
            if not (kind == "flip" and not gz):
                assert page.payload == want.get(page.url), (trial, kind, page.url)
            assert page.offset is not None and page.length is not None
            blob = data[page.offset:page.offset + page.length]
            rec = next(iter(ArchiveIterator(io.BytesIO(blob))))
            assert rec.rec_headers.get_header("WARC-Target-URI") == page.url
            assert rec.content_stream().read() == page.payload, (trial, kind, page.url)
