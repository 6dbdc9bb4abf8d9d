"""``api.report`` and ``untold report`` on a real archive (SQLite + WARC files)."""

from __future__ import annotations

import hashlib
import html
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.archives.report import HOSTILE_TITLE, build
from untold import api
from untold.errors import StoreError, UntoldError

pytestmark = pytest.mark.timeout(120)
T_LATER = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], Path]:
    tmp = tmp_path_factory.mktemp("report")
    study, ids = build(tmp)
    (tmp / "out").mkdir()
    out = api.report(study, tmp / "out" / "my report.html")
    return study, ids, out


def test_report_written_with_captured_copies(built: tuple[Path, dict[str, int], Path]) -> None:
    study, _, out = built
    page = out.read_text("utf-8")
    assert out.name == "my report.html" and "<h2>Spring floods</h2>" in page
    assert "State TV said nothing about the floods" in page  # the stored finding
    assert "silence.test" in page and "test-1" in page
    hrefs = sorted(set(re.findall(r'href="(my%20report_files/captures/[0-9a-f]{64}\.html)"',
                                  page)))
    assert len(hrefs) >= 6  # every sample and evidence article links its copy
    con = sqlite3.connect(api.load(study).db_path)
    digests = {r[0] for r in con.execute("SELECT sha256 FROM captures")}
    con.close()
    for h in hrefs:
        copy = out.parent / h.replace("%20", " ")
        sha = copy.stem
        assert sha in digests
        text = copy.read_text("utf-8")
        assert f"<code>{sha}</code>" in text and 'sandbox=""' in text
        srcdoc = re.search(r'srcdoc="([^"]*)"', text)
        assert srcdoc is not None
        assert "<script" not in text.split("<iframe", 1)[1].split("srcdoc", 1)[0]
        inner = html.unescape(srcdoc.group(1))
        assert inner.startswith('<meta http-equiv="Content-Security-Policy"')
        inner = inner[inner.index(">") + 1:]  # after the policy: the archived page, as stored
        assert hashlib.sha256(inner.encode()).hexdigest() == sha
        assert "<script>document.title" not in text  # only inside the escaped srcdoc
        assert re.search(r"<h1>Captured copy: (Floods day \d|&lt;script&gt;)", text)
    # the hostile title is text in the report, never a tag
    assert HOSTILE_TITLE not in page and html.escape(HOSTILE_TITLE) in page


@pytest.mark.slow
def test_cli_prints_the_path_last(built: tuple[Path, dict[str, int], Path],
                                  tmp_path: Path) -> None:
    study, _, _ = built
    target = tmp_path / "cli.html"
    res = subprocess.run([sys.executable, "-m", "untold", "report", str(study), "-o",
                          str(target)], capture_output=True, text=True, timeout=100)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == str(target.resolve())
    assert target.stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "untold", "report", str(study), "-o",
                          str(tmp_path / "x.pdf")], capture_output=True, text=True, timeout=100)
    assert bad.returncode == 2 and "x.pdf" in bad.stderr and ".html" in bad.stderr
    # a typo in the folder is refused in one line; no folder is made (issue 9, case 9)
    nowhere = tmp_path / "no" / "such" / "r.html"
    bad = subprocess.run([sys.executable, "-m", "untold", "report", str(study), "-o",
                          str(nowhere)], capture_output=True, text=True, timeout=100)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [
        f"error: {nowhere.parent}: the report's folder does not exist "
        "(create it first, or choose another -o)"]
    assert not (tmp_path / "no").exists()


def test_missing_archive_is_one_clear_error(tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(StoreError, match="archive not found"):
        api.report(study, tmp_path / "r.html")
    with pytest.raises(UntoldError, match=r"\.html"):
        api.report(study, tmp_path / "r.txt")


def test_damaged_warc_is_noted_not_fatal(tmp_path: Path) -> None:
    study, ids = build(tmp_path)
    st = api.load(study)
    warc = next(st.warc_dir.glob("*.warc.gz"))
    con = sqlite3.connect(st.db_path)
    off = con.execute("SELECT c.warc_offset FROM articles a JOIN captures c ON c.id = "
                      "a.capture_id WHERE a.id = ?", (ids["Floods day 0: rivers rise"],)
                      ).fetchone()[0]
    con.close()
    data = bytearray(warc.read_bytes())
    data[off:off + 2] = b"XX"  # no gzip member starts there any more
    warc.write_bytes(bytes(data))
    out = api.report(study, tmp_path / "r.html")
    page = out.read_text("utf-8")
    assert 'id="notes"' in page and "not a readable WARC record" in page
    assert "Floods day 0: rivers rise" in page  # still listed, just without a copy
    assert len(list((tmp_path / "r_files" / "captures").glob("*.html"))) >= 5


def test_same_payload_at_two_urls_gets_two_copies(tmp_path: Path) -> None:
    from untold.models import CaptureRecord
    from untold.report.captures import write_captures
    from untold.store import open_store

    study, ids = build(tmp_path)
    st = api.load(study)
    store = open_store(st.db_path)
    try:
        first = store.conn.execute(  # type: ignore[attr-defined]
            "SELECT capture_id FROM articles WHERE id = ?", (ids[HOSTILE_TITLE],)).fetchone()[0]
        cap = store.capture(first)
        assert cap is not None
        again = store.add_capture(CaptureRecord(
            url="https://mirror.example/copy", outlet_id="free", kind="article",
            fetched_at=T_LATER, status=200, failure=None, warc_file=cap["warc_file"],
            warc_offset=cap["warc_offset"], warc_length=cap["warc_length"],
            sha256=cap["sha256"]))
        files = tmp_path / "r_files"
        for _ in range(2):  # a second run reuses the same names
            hrefs, problems = write_captures(store, st.warc_dir, files, "r.html", [first, again])
            assert problems == [] and len(set(hrefs.values())) == 2
    finally:
        store.close()
    assert hrefs[first].endswith(f"{cap['sha256']}.html")
    assert hrefs[again].endswith(f"{cap['sha256']}-{again}.html")
    assert "https://mirror.example/copy" in (tmp_path / hrefs[again]).read_text("utf-8")
    assert "https://mirror.example/copy" not in (tmp_path / hrefs[first]).read_text("utf-8")
    assert len(list((files / "captures").iterdir())) == 2
