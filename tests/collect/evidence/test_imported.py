"""Imported WARC files are first-class evidence: registered, shown, checked.

One study imports two WARC files made outside it (untold's WarcWriter, gzip;
another crawler's, uncompressed with chunked bodies). Tests that move or change
a source file put it back (with its time) before they end.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.archives.evidence import IMPORT_STUDY, db, flip, run_cli, source_warcs
from untold import api
from untold.collect.warcwriter import read_record
from untold.errors import WarcError

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("imported")
    files = source_warcs(root / "downloads")
    study = root / "study.toml"
    study.write_text(IMPORT_STUDY, "utf-8")
    r = run_cli("import", str(study), "--workers", "1", *map(str, files), cwd=root)
    assert r.returncode == 0, r.stderr
    return study, files


@contextmanager
def kept(path: Path) -> Iterator[None]:
    """Put ``path`` back as it was (bytes and times) however the test ends."""
    backup = path.with_name(path.name + ".bak")
    shutil.copy2(path, backup)
    try:
        yield
    finally:
        if path.exists():
            path.unlink()
        backup.rename(path)


def test_import_registers_each_file_with_size_and_digest(
        imported: tuple[Path, list[Path]]) -> None:
    study, files = imported
    con = db(study)
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT path, size, sha256, first_imported FROM warc_files")}
    cap_files = {r[0] for r in con.execute("SELECT DISTINCT warc_file FROM captures")}
    con.close()
    assert set(rows) == {str(f.resolve()) for f in files} == cap_files
    for f in files:
        size, sha, first = rows[str(f.resolve())]
        assert size == f.stat().st_size
        assert sha == hashlib.sha256(f.read_bytes()).hexdigest()
        assert first


def test_sound_import_checks_ok(imported: tuple[Path, list[Path]]) -> None:
    study, _ = imported
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "checked 9 captures in 2 WARC files" in r.stdout
    # full: each file hashed whole against the registry its import made
    assert "(full: 9 imported records rest on WARC files whose SHA-256 matches their " \
        "import): no problems" in r.stdout
    assert r.stdout.splitlines()[-1] == "archive ok"
    d = run_cli("check", str(study), "--deep", cwd=study.parent)
    assert d.returncode == 0, d.stdout + d.stderr
    assert "(deep: 9 payload digests verified): no problems" in d.stdout


def test_report_shows_captured_copies_of_imported_articles(
        imported: tuple[Path, list[Path]]) -> None:
    study, _ = imported
    out = study.parent / "out" / "r.html"
    out.parent.mkdir(exist_ok=True)
    r = run_cli("report", str(study), "-o", str(out), cwd=study.parent)
    assert r.returncode == 0, r.stderr
    page = out.read_text("utf-8")
    assert "has no WARC record" not in page and "not registered" not in page
    con = db(study)
    digests = dict(con.execute("SELECT a.url, c.sha256 FROM articles a JOIN captures c "
                               "ON c.id = a.capture_id"))
    con.close()
    hrefs = set(re.findall(r'href="(r_files/captures/[0-9a-f]{64}\.html)"', page))
    shown = {Path(h).stem for h in hrefs}
    # the chunked pages (one gzip-coded too) of the uncompressed crawl among them
    assert {digests["https://free.example/c/1.html"],
            digests["https://free.example/c/2.html"]} <= shown
    assert len(shown) == len(digests) == 9
    for h in hrefs:
        copy = (out.parent / h).read_text("utf-8")
        inner = html.unescape(re.search(r'srcdoc="([^"]*)"', copy).group(1))  # type: ignore[union-attr]
        inner = inner[inner.index(">") + 1:]  # after the copy's own policy: the page
        assert hashlib.sha256(inner.encode()).hexdigest() == Path(h).stem


def test_record_reader_reads_registered_paths_only(imported: tuple[Path, list[Path]]) -> None:
    study, _ = imported
    con = db(study)
    row = con.execute("SELECT warc_file, warc_offset, warc_length, sha256 FROM captures "
                      "WHERE url = 'https://free.example/c/1.html'").fetchone()
    con.close()
    cap = dict(zip(("warc_file", "warc_offset", "warc_length", "sha256"), row, strict=True))
    warc_dir = api.load(study).warc_dir
    with pytest.raises(WarcError, match="not registered"):
        read_record(warc_dir, cap)
    with pytest.raises(WarcError, match="not registered"):  # any other absolute path
        read_record(warc_dir, {**cap, "warc_file": "/etc/passwd"}, external={cap["warc_file"]})
    _, payload = read_record(warc_dir, cap, external={cap["warc_file"]})
    assert hashlib.sha256(payload).hexdigest() == cap["sha256"]
    assert payload.startswith(b"<!DOCTYPE html>")  # de-chunked, as the importer hashed it


def test_moved_source_file_is_reported_with_the_fix(imported: tuple[Path, list[Path]]) -> None:
    study, files = imported
    crawl = files[-1].resolve()
    with kept(crawl):
        crawl.rename(crawl.with_name("elsewhere.warc"))
        try:
            for mode in ((), ("--quick",)):
                r = run_cli("check", str(study), *mode, cwd=study.parent)
                assert r.returncode == 1, r.stdout + r.stderr
                assert (f"problem: {crawl}: imported WARC file moved or deleted: 3 captures "
                        "point into it at that path (put it back there") in r.stdout
                assert re.search(r"^  free: 3 \(WARC file missing 3\)$", r.stdout, re.M)
        finally:
            crawl.with_name("elsewhere.warc").rename(crawl)


def test_changed_source_file_is_reported_not_trusted(imported: tuple[Path, list[Path]]) -> None:
    study, files = imported
    crawl = files[-1].resolve()
    con = db(study)
    off, length = con.execute("SELECT warc_offset, warc_length FROM captures "
                              "WHERE url = 'https://free.example/c/3.html'").fetchone()
    con.close()
    with kept(crawl):
        flip(crawl, off + length - 300)  # in the page's body: same size, other bytes
        r = run_cli("check", str(study), cwd=study.parent)
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"problem: {crawl}: imported WARC file changed since its import" in r.stdout
        assert re.search(r"^    article \d+ https://free.example/c/3.html: record altered: "
                         "payload SHA-256 mismatch", r.stdout, re.M), r.stdout
        # --quick does not read payloads, but a file modified since its import is hashed
        q = run_cli("check", str(study), "--quick", cwd=study.parent)
        assert q.returncode == 1, q.stdout
        assert "imported WARC file changed since its import" in q.stdout
        assert "record altered" not in q.stdout
        # importing it again is refused with one error line; nothing new is stored
        n = db(study).execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        i = run_cli("import", str(study), "--workers", "1", str(crawl), cwd=study.parent)
        assert "Traceback" not in i.stderr
        assert f"{crawl}: the WARC file changed since it was imported" in i.stderr
        assert db(study).execute("SELECT COUNT(*) FROM captures").fetchone()[0] == n
    assert run_cli("check", str(study), cwd=study.parent).returncode == 0


def test_resumed_import_fills_in_the_digest(imported: tuple[Path, list[Path]]) -> None:
    """An import killed before a file was read whole left its digest unknown."""
    study, files = imported
    own = str(files[0].resolve())
    con = db(study)
    con.execute("UPDATE warc_files SET sha256 = NULL WHERE path = ?", (own,))
    con.commit()
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 0 and f"note: {own}: its SHA-256 is unknown" in r.stdout
    i = run_cli("import", str(study), "--workers", "1", own, cwd=study.parent)
    assert i.returncode == 0, i.stderr
    sha = con.execute("SELECT sha256 FROM warc_files WHERE path = ?", (own,)).fetchone()[0]
    con.close()
    assert sha == hashlib.sha256(files[0].read_bytes()).hexdigest()
    assert run_cli("check", str(study), cwd=study.parent).stdout.splitlines()[-1] == "archive ok"


def test_changed_import_is_reported_and_its_damaged_captures_named(
        imported: tuple[Path, list[Path]]) -> None:
    """Full mode hashes an imported file whole; changed, its captures are read as
    records, which names the damaged one; --deep finds the same."""
    study, files = imported
    own = files[0].resolve()  # untold's WarcWriter: gzip members
    con = db(study)
    caps = con.execute("SELECT id, url, warc_offset, warc_length FROM captures "
                       "WHERE warc_file = ? ORDER BY warc_offset", (str(own),)).fetchall()
    con.close()
    cid, url, off, length = caps[2]
    with kept(own):
        flip(own, off + length // 2)
        full = api.archive_check(study, workers=1)
        deep = api.archive_check(study, deep=True, workers=1)
        r = run_cli("check", str(study), cwd=study.parent)
    [changed] = full.file_problems
    assert changed.startswith(f"{own}: imported WARC file changed since its import on ")
    assert full.file_problems == deep.file_problems
    # the other file proved whole; the changed one's captures read: all but one sound
    assert full.as_imported == 3 and full.verified == len(caps) - 1
    [p] = full.by_outlet["free"].listed
    assert (p.capture_id, p.url, p.kind) == (cid, url, "altered")
    assert full.as_dict()["by_outlet"] == deep.as_dict()["by_outlet"]
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"problem: {own}: imported WARC file changed since its import" in r.stdout
    assert re.search(rf"^    article \d+ {re.escape(url)}: record altered: ", r.stdout, re.M)
