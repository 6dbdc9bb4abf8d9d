"""The report in real Chromium (Debian's), opened from file:// with no network."""

from __future__ import annotations

import base64
import csv
import io
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import report_sample as sample
from tests.support.archives.report import build
from tests.support.browser import Watch
from untold import api
from untold.report.context import ReportContext
from untold.report.render import write_report

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(120)]

@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    st = sample.story()
    ctx = ReportContext(
        title="Media watch", subtitle="browser test", stories=[st],
        findings=sample.findings(), reachability=sample.reachability(), events=st.events,
        outlet_names={k: v[0] for k, v in sample.OUTLETS.items()},
        extra_sections=[("Stealth edits", "<p>No edits seen.</p>")])
    return write_report(ctx, tmp_path_factory.mktemp("browser") / "report.html")


def _matching_column(page: Any) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all(
        "#coverage-protests tbody tr td:nth-child(4)", "tds => tds.map(t => t.textContent)")]


def _outlets(page: Any) -> list[str]:
    return page.eval_on_selector_all("#coverage-protests tbody tr td:first-child",
                                     "tds => tds.map(t => t.textContent)")


def test_report_shows_story_sorts_and_stays_offline(browser: Any, sample_report: Path,
                                                    tmp_path: Path) -> None:
    w = Watch(browser)
    page = w.page
    page.goto(sample_report.as_uri())
    title = page.locator("section.story h2").inner_text()
    assert title == "Regional protests " + sample.HOSTILE_TITLE  # shown as text
    # no element came out of the hostile strings, and nothing ran
    assert page.locator("img").count() == 0
    assert page.locator("script:not([type='application/json'])").count() == 1
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("[onmouseover]").count() == 0
    assert w.dialogs == []
    # the attention chart: one line per group and both events on the time axis
    chart = page.locator("figure.attention svg")
    assert chart.count() == 1 and chart.locator("g.series").count() == 3
    assert chart.locator("g.ev").count() == 2
    assert "Prosecutor warns media" in page.locator("figure.attention ol.events").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # no sideways scroll
    box = chart.bounding_box()
    assert box is not None and 900 <= box["width"] <= 1250 and box["height"] > 200
    # legend toggles a series
    page.locator("figure.attention input[type=checkbox]").first.uncheck()
    assert page.locator("figure.attention g.series").first.is_hidden()
    page.locator("figure.attention input[type=checkbox]").first.check()
    # the coverage table sorts on a header click
    assert _outlets(page)[0].startswith("State TV")
    before = _matching_column(page)
    assert before == [0, 6, 24, 0, 36, 0]
    header = page.locator("#coverage-protests thead th").nth(3)
    header.locator("button").click()
    assert _matching_column(page) == sorted(before)
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert _matching_column(page) == sorted(before, reverse=True)
    assert _outlets(page)[0].startswith("Wire Service")
    assert page.locator("#coverage-protests .status").first.inner_text().strip() == "\u25cf covered"
    # the heatmap: outlets x days, the hostile outlet name as text
    assert page.locator("svg.heatmap g.cell").count() == len(sample.OUTLETS) * sample.DAYS
    assert sample.HOSTILE_TITLE[:20] in page.locator("svg.heatmap").inner_html().replace(
        "&lt;", "<").replace("&gt;", ">")
    # findings and reachability
    findings = page.locator("#findings p.sentence").all_inner_texts()
    assert findings[0].startswith("State TV published 200 articles")
    assert findings[1] == "Gov News left out a fact: " + sample.HOSTILE_TITLE
    assert "silence.binomial" in page.locator("#findings article.finding code").all_inner_texts()
    assert page.locator("#reach-latest tbody tr").count() == 2
    assert page.locator("svg.reach text.mark").count() == 5
    assert page.locator("#extra-stealth-edits").inner_text().endswith("No edits seen.")
    # a table downloads as CSV from its embedded data (offline, no server)
    with page.expect_download() as dl:
        page.locator("button.dl[data-src='data-coverage-protests'][data-format='csv']").click()
    csv_text = Path(dl.value.path()).read_text("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("outlet_id,name,country,groups")
    assert '"' + sample.HOSTILE_TITLE.replace('"', '""') in csv_text or \
        sample.HOSTILE_TITLE in csv_text
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report-1366x768.png"
    page.screenshot(path=str(shot))
    assert w.errors == [], w.errors
    assert all(u.startswith(("file://", "data:")) for u in w.requests), w.requests
    _assert_not_blank(browser, shot)
    w.ctx.close()


def _assert_not_blank(browser: Any, shot: Path) -> None:
    """Decode the PNG in a blank page's canvas and count its colours."""
    page = browser.new_page()
    data = base64.b64encode(shot.read_bytes()).decode()
    page.set_content(f'<img id="i" src="data:image/png;base64,{data}">')
    stats = page.evaluate("""() => new Promise(ok => { const i = document.getElementById('i');
      const go = () => { const c = document.createElement('canvas'); c.width = i.naturalWidth;
        c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        let dark = 0; for (let k = 0; k < d.length; k += 16) {
          seen.add((d[k] << 16) | (d[k + 1] << 8) | d[k + 2]);
          if (d[k] + d[k + 1] + d[k + 2] < 600) dark++; }
        ok({w: c.width, h: c.height, colours: seen.size, dark: dark / (d.length / 16)}); };
      i.complete ? go() : i.onload = go; })""")
    page.close()
    assert (stats["w"], stats["h"]) == (1366, 768)
    assert stats["colours"] > 50 and stats["dark"] > 0.03, stats


@pytest.fixture()
def tracker() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback TCP listener standing in for a tracking server; records what reaches it."""
    srv = socket.create_server(("127.0.0.1", 0))
    srv.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            with conn:
                hits.append(conn.recv(200))
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}/tracker.png", hits
    stop.set()
    t.join()
    srv.close()


def test_captured_copy_is_inert(browser: Any, tmp_path: Path,
                                tracker: tuple[str, list[bytes]]) -> None:
    study, _ = build(tmp_path, tracker[0])
    (tmp_path / "out").mkdir(exist_ok=True)
    out = api.report(study, tmp_path / "out" / "report.html")
    w = Watch(browser)
    page = w.page
    page.goto(out.as_uri())
    link = page.locator("ul.samples a", has_text="Floods day 1").first
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(out.parent.as_uri() + "/report_files/captures/")
    assert page.locator("dl").get_by_text("https://free.example/news/26").count() == 1
    frame = page.frame_locator("iframe[sandbox='']")
    assert frame.locator("h1").inner_text() == "Floods day 1: rivers rise"
    assert page.frames[1].evaluate("document.title") != "pwned"  # its script never ran
    assert w.dialogs == [] and w.offline(), (w.requests, w.failed)  # no tracker fetched
    page.wait_for_timeout(200)
    assert tracker[1] == []  # nothing reached the tracker
    page.locator("a", has_text="Back to the report").click()
    page.wait_for_load_state()
    assert page.url == out.as_uri()
    # the hostile title of a captured article is text both in the report and its copy
    assert page.locator("ul.samples").get_by_text("<script>alert(1)</script>").count() == 1
    shutil.rmtree(tmp_path / "out")
    w.ctx.close()


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _download_csv(page: Any, src: str) -> list[list[str]]:
    """Click a table's CSV button (folded tables too) and parse what the page saved."""
    with page.expect_download() as dl:
        page.evaluate("s => document.querySelector(`button.dl[data-src='${s}']"
                      "[data-format='csv']`).click()", src)
    text = Path(dl.value.path()).read_bytes().decode("utf-8-sig")  # keep a lone CR as is
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_download_writes_formulas_as_text(browser: Any, tmp_path: Path) -> None:
    """Titles that a spreadsheet would run get a leading quote (OWASP); numbers stay."""
    study, _ = build(tmp_path, titles=FORMULAS)
    (tmp_path / "out").mkdir(exist_ok=True)
    out = api.report(study, tmp_path / "out" / "report.html")
    w = Watch(browser)
    w.page.goto(out.as_uri())
    rows = _download_csv(w.page, "data-story-articles-floods")
    titles = [r[rows[0].index("title")] for r in rows[1:]]
    for f in FORMULAS:
        assert "'" + f in titles, (f, titles)
    assert not [t for t in titles if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    found = _download_csv(w.page, "data-findings")
    effects = [r[found[0].index("effect")] for r in found[1:]]
    assert "-0.33" in effects  # a negative number is written as a number
    assert w.errors == [], w.errors
    w.ctx.close()
