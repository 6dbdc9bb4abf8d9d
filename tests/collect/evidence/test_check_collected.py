"""`untold check` on an archive the collector wrote: lost and altered evidence is found.

The archive is collected once from loopback outlets (hostile one included, so
some records are truncated) and copied for each test, which then damages its
copy the way disks, people and killed runs do.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import zlib
from collections import Counter
from pathlib import Path

import pytest

from tests.support.archives.evidence import collect_archive, db, flip, run_cli
from untold import api

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return collect_archive(tmp_path_factory.mktemp("collected") / "study").parent


@pytest.fixture()
def study(template: Path, tmp_path: Path) -> Path:
    shutil.copytree(template, tmp_path / "s")
    return tmp_path / "s" / "study.toml"


def _warc(study: Path) -> Path:
    files = sorted((study.parent / "archive" / "warc").glob("*.warc.gz"))
    assert len(files) == 1, files
    return files[0]


def _captures(study: Path) -> list[tuple[int, str, str, int, int, int | None, str]]:
    """(capture id, outlet, url, offset, length, article id, sha256) of every capture."""
    con = db(study)
    rows = con.execute(
        "SELECT c.id, c.outlet_id, c.url, c.warc_offset, c.warc_length, a.id, c.sha256 "
        "FROM captures c LEFT JOIN articles a ON a.capture_id = c.id ORDER BY c.id").fetchall()
    con.close()
    return rows


def test_sound_archive_is_ok_and_every_payload_verified(study: Path) -> None:
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1] == "archive ok"
    n = len(_captures(study))
    # full: every record's stored bytes against the digest the collector took of them
    assert f"checked {n:,} captures in 1 WARC files" in r.stdout
    assert f"(full: stored bytes of {n:,} records match their digests taken at capture " \
        "time): no problems" in r.stdout
    # deep: truncated records (the flood, the bomb) are verified by their WARC digests
    d = run_cli("check", str(study), "--deep", cwd=study.parent)
    assert d.returncode == 0 and d.stdout.splitlines()[-1] == "archive ok", d.stdout
    assert f"(deep: {n:,} payload digests verified): no problems" in d.stdout
    con = db(study)
    assert con.execute("SELECT COUNT(*) FROM captures WHERE failure IN "
                       "('http_body_too_large', 'http_decompression_bomb')").fetchone()[0] >= 1
    con.close()
    q = run_cli("check", str(study), "--quick", cwd=study.parent)
    assert q.returncode == 0 and q.stdout.splitlines()[-1] == "archive ok", q.stdout
    assert "payloads not verified" in q.stdout


def test_deleted_warc_file_is_lost_evidence_by_outlet_and_article(study: Path) -> None:
    warc = _warc(study)
    warc.unlink()
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    caps = _captures(study)
    assert f"{warc.name}: WARC file missing" in r.stdout
    assert f"lost or altered evidence: {len(caps)} captures of" in r.stdout
    for outlet, n in Counter(c[1] for c in caps).items():
        assert re.search(rf"^  {outlet}: {n} \(WARC file missing {n}\)$", r.stdout, re.M), outlet
    listed = re.findall(r"^    article (\d+) (\S+): WARC file missing", r.stdout, re.M)
    articles = {(str(c[5]), c[2]) for c in caps if c[5] is not None}
    assert listed and set(listed) <= articles
    assert f"{len(caps)} captures lost or altered" in r.stdout.splitlines()[-2]
    assert r.stdout.splitlines()[-1].startswith("archive has problems")
    q = run_cli("check", str(study), "--quick", cwd=study.parent)
    assert q.returncode == 1 and "WARC file missing" in q.stdout


def test_flipped_bytes_are_an_altered_record(study: Path) -> None:
    warc = _warc(study)
    # 64 bytes in the middle of the largest record: a page body far past its headers
    cid, _, url, off, length, aid, _ = max(_captures(study), key=lambda c: c[4])
    assert length > 1000
    flip(warc, off + length // 2)
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 1, r.stdout + r.stderr
    who = f"article {aid}" if aid is not None else f"capture {cid}"
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith(f"    {who} {url}:"))
    assert "record altered" in line and ("CRC-32 mismatch" in line or "corrupt" in line), line
    assert "1 captures lost or altered" in r.stdout
    # --quick reads files and record headers only, and says so: the header is intact
    q = run_cli("check", str(study), "--quick", cwd=study.parent)
    assert q.returncode == 0, q.stdout
    assert "payloads not verified" in q.stdout and q.stdout.splitlines()[-1] == "archive ok"


def test_body_bytes_changed_under_a_valid_gzip_are_a_sha256_mismatch(study: Path) -> None:
    """Recompressing an edited record keeps gzip happy; the capture's digest does not."""
    import gzip
    import zlib

    warc = _warc(study)
    caps = [c for c in _captures(study) if c[5] is not None]
    _, _, url, off, length, aid, _ = caps[len(caps) // 2]
    data = bytearray(warc.read_bytes())
    record = zlib.decompress(bytes(data[off:off + length]), 16 + zlib.MAX_WBITS)
    edited = record.replace(b"</p>", b"!</p>", 1)  # same length would do too; any edit
    assert edited != record
    head, _, rest = edited.partition(b"\r\n\r\n")
    fixed = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % (len(rest) - 4), head)
    member = gzip.compress(fixed + b"\r\n\r\n" + rest)
    data[off:off + length] = member
    warc.write_bytes(bytes(data))
    con = db(study)
    con.execute("UPDATE captures SET warc_length = ? WHERE warc_offset = ?", (len(member), off))
    con.execute("UPDATE captures SET warc_offset = warc_offset + ? WHERE warc_offset > ?",
                (len(member) - length, off))
    con.commit()
    con.close()
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(rf"^    article {aid} {re.escape(url)}: record altered: payload SHA-256 "
                     "mismatch", r.stdout, re.M), r.stdout


def test_offset_pointing_elsewhere_is_a_missing_record(study: Path) -> None:
    caps = [c for c in _captures(study) if c[5] is not None]
    a, b = caps[1], caps[3]
    con = db(study)
    # a: at the metadata record that follows its response; b: at no record start
    con.execute("UPDATE captures SET warc_offset = ? WHERE id = ?", (a[3] + a[4], a[0]))
    con.execute("UPDATE captures SET warc_offset = ? WHERE id = ?", (b[3] + 7, b[0]))
    con.commit()
    con.close()
    for mode in ((), ("--quick",)):
        r = run_cli("check", str(study), *mode, cwd=study.parent)
        assert r.returncode == 1, r.stdout + r.stderr
        # the capture's WARC-Record-ID tells it from the record found there
        assert re.search(rf"^    article {a[5]} \S+: record missing: another record is at "
                         r"this offset \(metadata <urn:uuid:[-0-9a-f]+>, not <urn:uuid:",
                         r.stdout, re.M), r.stdout
        assert re.search(rf"^    article {b[5]} \S+: record missing: no WARC record starts "
                         "at this offset", r.stdout, re.M)
        assert "2 captures lost or altered" in r.stdout


def test_killed_runs_cut_tail_is_a_note_not_a_failure(study: Path) -> None:
    warc = _warc(study)
    caps = _captures(study)
    off, length = caps[-1][3], caps[-1][4]
    member = warc.read_bytes()[off:off + length]
    with open(warc, "ab") as f:
        tail = f.tell()
        f.write(member[: length // 2])  # a record cut by kill -9: no capture points at it
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"note: {warc.name}: truncated record at byte {tail} (left by a killed run" \
        in r.stdout
    assert r.stdout.splitlines()[-1] == "archive ok (see notes above)"
    report = api.archive_check(study)
    assert report.ok and len(report.notes) == 1


def test_library_call_reports_the_same_in_one_process(study: Path) -> None:
    """workers=1 checks in this process: the same findings as the pool."""
    warc = _warc(study)
    cap = max(_captures(study), key=lambda c: c[4])
    flip(warc, cap[3] + cap[4] // 2)
    one = api.archive_check(study, workers=1)
    pool = api.archive_check(study, workers=2)
    assert not one.ok and one.capture_problems == pool.capture_problems == 1
    assert one.captures == pool.captures == len(_captures(study))
    assert one.as_dict()["by_outlet"] == pool.as_dict()["by_outlet"]


# -- the full check's fixity digests ---------------------------------------------------
def _member(warc: Path, off: int, length: int) -> bytes:
    with open(warc, "rb") as f:
        f.seek(off)
        return f.read(length)


def test_collected_captures_carry_record_id_and_stored_bytes_digest(study: Path) -> None:
    """The collector keeps the main record's WARC-Record-ID and the SHA-256 of its
    stored bytes (its gzip member as written), for responses and failures alike."""
    warc = _warc(study)
    con = db(study)
    rows = con.execute("SELECT warc_offset, warc_length, warc_sha256, record_id, status "
                       "FROM captures").fetchall()
    con.close()
    assert rows and any(r[4] is None for r in rows)  # failures' metadata records too
    for off, length, digest, rid, status in rows:
        member = _member(warc, off, length)
        assert digest == hashlib.sha256(member).hexdigest()
        head = zlib.decompress(member, 16 + zlib.MAX_WBITS).split(b"\r\n\r\n", 1)[0]
        assert re.search(rb"\r\nWARC-Record-ID: " + re.escape(rid.encode()) + rb"\r\n", head)
        assert (b"WARC-Type: response" if status is not None else b"WARC-Type: metadata") \
            in head


def test_full_check_finds_flipped_bytes_by_fixity_and_names_what_broke(study: Path) -> None:
    warc = _warc(study)
    caps = _captures(study)
    cid, _, url, off, length, aid, _ = max(caps, key=lambda c: c[4])
    flip(warc, off + length // 2)
    report = api.archive_check(study, workers=1)
    # every other record proved by its stored bytes; the flipped one read as a record
    assert report.mode == "full" and report.fixity == len(caps) - 1
    assert report.captures == len(caps) and report.verified == 0
    [tally] = report.by_outlet.values()
    [p] = tally.listed
    assert (p.capture_id, p.article_id, p.url, p.kind) == (cid, aid, url, "altered")
    assert "CRC-32 mismatch" in p.detail or "corrupt" in p.detail
    assert f"stored bytes of {len(caps) - 1:,} records match" in report.summary()


def test_rewritten_gzip_header_is_altered_though_the_payload_verifies(study: Path) -> None:
    """Bytes zlib does not check (the gzip header's MTIME) changed: the payload still
    verifies, but the stored bytes are not those written, so full mode says so."""
    warc = _warc(study)
    caps = [c for c in _captures(study) if c[5] is not None]
    _, _, url, off, _, aid, _ = caps[0]
    with open(warc, "r+b") as f:
        f.seek(off + 4)  # MTIME, 4 bytes after the magic, method and flags
        f.write(b"\x01\x02\x03\x04")
    r = run_cli("check", str(study), cwd=study.parent)
    assert r.returncode == 1, r.stdout + r.stderr
    assert re.search(rf"^    article {aid} {re.escape(url)}: record altered: its stored bytes "
                     "differ from those the collector wrote", r.stdout, re.M), r.stdout
    assert run_cli("check", str(study), "--deep", cwd=study.parent).returncode == 0


def test_range_past_the_end_of_the_file_is_a_missing_record(study: Path) -> None:
    warc = _warc(study)
    caps = _captures(study)
    cid, _, _, off, length, _, _ = max(caps, key=lambda c: c[3])  # the last record
    with open(warc, "r+b") as f:
        f.truncate(off + length // 2)
    report = api.archive_check(study, workers=1)
    problems = [p for t in report.by_outlet.values() for p in t.listed]
    assert [(p.capture_id, p.kind) for p in problems] == [(cid, "missing_record")]
    assert problems[0].detail.startswith(f"the file ({off + length // 2} bytes) ends before")


def test_archive_collected_before_stored_bytes_digests_is_fully_verified(study: Path) -> None:
    """Captures without warc_sha256 (nor record id) are read as records in full mode."""
    con = db(study)
    con.execute("UPDATE captures SET warc_sha256 = NULL, record_id = NULL")
    con.commit()
    con.close()
    caps = _captures(study)
    ok = run_cli("check", str(study), cwd=study.parent)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"(full: {len(caps):,} payload digests verified): no problems" in ok.stdout
    warc = _warc(study)
    big = max(caps, key=lambda c: c[4])
    flip(warc, big[3] + big[4] // 2)
    a = next(c for c in caps if c[5] is not None and c[0] != big[0])
    con = db(study)  # a: at the metadata record that follows its response
    con.execute("UPDATE captures SET warc_offset = ? WHERE id = ?", (a[3] + a[4], a[0]))
    con.commit()
    con.close()
    report = api.archive_check(study, workers=1)
    assert report.fixity == 0 and report.verified == len(caps) - 2
    found = {p.capture_id: p for t in report.by_outlet.values() for p in t.listed}
    assert set(found) == {big[0], a[0]}
    assert found[big[0]].kind == "altered"
    assert found[a[0]].detail == ("a metadata record is at this offset, not the capture's "
                                  "response record")


def test_deep_finds_the_same_problems_as_full(study: Path) -> None:
    warc = _warc(study)
    caps = [c for c in _captures(study) if c[5] is not None]
    big = max(caps, key=lambda c: c[4])
    flip(warc, big[3] + big[4] // 2)
    a, b = [c for c in caps if c[0] != big[0]][:2]
    con = db(study)
    con.execute("UPDATE captures SET warc_offset = ? WHERE id = ?", (a[3] + a[4], a[0]))
    con.execute("UPDATE captures SET warc_offset = ? WHERE id = ?", (b[3] + 7, b[0]))
    con.commit()
    con.close()
    full = api.archive_check(study, workers=2)
    deep = api.archive_check(study, deep=True, workers=2)
    assert (full.mode, deep.mode) == ("full", "deep")
    assert full.capture_problems == 3 and full.fixity > 0 and deep.fixity == 0
    assert full.as_dict()["by_outlet"] == deep.as_dict()["by_outlet"]
    r = run_cli("check", str(study), "--deep", cwd=study.parent)
    assert r.returncode == 1 and "3 captures lost or altered" in r.stdout, r.stdout


def test_quick_and_deep_together_are_a_usage_error(study: Path) -> None:
    r = run_cli("check", str(study), "--quick", "--deep", cwd=study.parent)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "--quick and --deep exclude each other" in r.stderr


@pytest.mark.parametrize("block", [300, 1000])
def test_fixity_reads_ranges_across_blocks_and_gaps(study: Path, block: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Small read blocks: ranges span several blocks, gaps of records between ranges
    are read through or skipped; every range is still hashed exactly."""
    from untold.collect import evidence

    monkeypatch.setattr(evidence, "FIXITY_BLOCK", block)
    caps = _captures(study)
    assert max(c[4] for c in caps) > 2 * block  # some records span several blocks
    sound = api.archive_check(study, workers=1)  # in this process: the patched block size
    assert sound.ok and sound.fixity == len(caps), sound.lines()
    warc = _warc(study)
    cid = max(caps, key=lambda c: c[4])[0]
    off, length = next((c[3], c[4]) for c in caps if c[0] == cid)
    with open(warc, "r+b") as f:  # one byte, in the record's last block
        f.seek(off + length - 10)
        last = f.read(1)
        f.seek(off + length - 10)
        f.write(bytes([last[0] ^ 1]))
    report = api.archive_check(study, workers=1)
    assert report.fixity == len(caps) - 1
    assert [p.capture_id for t in report.by_outlet.values() for p in t.listed] == [cid]
