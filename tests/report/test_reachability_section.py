"""The Reachability section: per outlet, verdicts over time beside its output, with the
periods it could not be reached (blocked vs down), OONI's own verdict, and escaping."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.support import report_sample as sample
from tests.support.archives.report import build
from tests.support.browser import Watch
from untold import api
from untold.report.context import ReportContext
from untold.report.html import esc
from untold.report.render import render, write_report
from untold.report.sections_reach import (
    MARK_MERGE_UNITS,
    ooni_verdict,
    reach_span,
    reachability_section,
)

NAMES = {k: v[0] for k, v in sample.OUTLETS.items()}


def context(rows: list[dict[str, object]] | None = None, **kw: object) -> ReportContext:
    st = sample.story()
    return ReportContext(title="t", stories=[st], events=st.events,
                         reachability=sample.reach_rows() if rows is None else rows,
                         outlet_output=sample.reach_output(), outlet_names=NAMES, **kw)  # type: ignore[arg-type]


def figures(html: str) -> dict[str, str]:
    """Each outlet's figure by the name in its caption (as escaped in the page)."""
    out = {}
    for part in html.split('<figure class="reach-outlet"')[1:]:
        fig = part[:part.index("</figure>")]
        name = re.search(r"<figcaption><b>(.*?)</b>", fig)
        assert name is not None
        out[name.group(1)] = fig
    return out


def data(html: str, tid: str) -> list[dict[str, object]]:
    """A table's embedded download (what its CSV and JSON buttons write)."""
    m = re.search(rf'<script type="application/json" id="data-{tid}">(.*?)</script>', html)
    assert m is not None, tid
    d = json.loads(m.group(1))
    return [dict(zip(d["columns"], r, strict=True)) for r in d["rows"]]


def lanes(fig: str) -> list[str]:
    return re.findall(r'<text x="\d+" y="[\d.]+" text-anchor="end"><title>([^<]*)</title>', fig)


def test_blocked_in_one_network_reachable_in_another() -> None:
    html = reachability_section(context())
    fig = figures(html)["Free Press"]
    assert lanes(fig) == ["untold&#x27;s probe, KZ AS65101 Home ISP",
                          "OONI, KZ AS65102 Mobile ISP"]
    # one blocked band, in the home network's lane (the first), none in the mobile one
    bands = re.findall(r'<g class="rperiod" data-state="(\w+)">.*?<rect x="[\d.]+" '
                       r'y="([\d.]+)"', fig)
    assert [s for s, _ in bands] == ["blocked"]
    lane_tops = [float(y) for y in re.findall(
        r'<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="[\d.]+" stroke="#eee"/>', fig)]
    assert len(lane_tops) == 2 and float(bands[0][1]) == pytest.approx(lane_tops[0] + 1)
    periods = data(html, "reach-periods")
    free = [p for p in periods if p["outlet_id"] == "free-press"]
    assert free == [{
        "outlet_id": "free-press", "outlet": "Free Press", "state": "blocked",
        "first": "2026-03-13T06:00:00Z", "last": "2026-03-16T18:00:00Z",
        "start": "2026-03-12T18:00:00Z", "end": "2026-03-17T06:00:00Z", "count": 8,
        "classes": ["sni_filtering_reset"], "network": "KZ AS65101 Home ISP",
        "source": "untold"}]
    assert ("blocked in KZ AS65101 Home ISP (untold&#x27;s probe) from 2026-03-13 06:00 to "
            "2026-03-16 18:00 UTC: 8 measurements (sni_filtering_reset)") in fig
    # the reachable network's marks are all accessible
    mobile = fig[fig.index("OONI, KZ AS65102 Mobile ISP"):]
    assert "\u2715" not in re.sub(r"<title>.*?</title>", "", mobile.split("<g class")[0])


def test_outage_is_down_not_blocking() -> None:
    html = reachability_section(context())
    wire = figures(html)["Wire Service"]
    assert '<g class="rperiod" data-state="down">' in wire
    assert 'data-state="blocked"' not in wire
    assert "down (not blocking) in KZ AS65101 Home ISP" in wire
    # dotted, not hatched: the pattern and the word tell it apart, not only the colour
    assert 'fill="url(#rp2-d)"' in wire and ">down</text>" in wire
    assert [p["state"] for p in data(html, "reach-periods") if p["outlet_id"] == "wire"] == \
        ["down"]
    facts = html[html.index('<ul class="facts">'):html.index("</ul>")]
    assert "<b>2</b><span>blocked at some time</span>" in facts
    assert "<b>1</b><span>down at some time (outages)</span>" in facts
    assert "the site failed from the control too: an outage, not blocking" in html


def test_outlets_with_periods_come_first_then_by_name() -> None:
    names = list(figures(reachability_section(context())))
    assert names == ["&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;",
                     "Free Press", "Wire Service", "&lt;b&gt;evil&lt;/b&gt;&quot;.example",
                     "Quiet Daily"]


def test_ooni_verdict_beside_untolds_class() -> None:
    html = reachability_section(context())
    radio = figures(html)[esc(sample.HOSTILE_TITLE)]
    assert ("OONI: blocking http-failure / accessible false; untold: sni_filtering_reset"
            in radio)
    latest = data(html, "reach-latest")
    by = {(r["Outlet"], r["Network"]): r["OONI's verdict"] for r in latest}
    assert by[("Free Press", "KZ AS65101 Home ISP")] == "-"  # untold's own probe
    assert by[("Free Press", "KZ AS65102 Mobile ISP")] == "blocking false / accessible true"
    assert by[(sample.HOSTILE_HOST, "KZ AS65102 Mobile ISP")] == \
        "blocking null / accessible null"  # OONI could not tell
    assert ooni_verdict({"source": "ooni", "ooni_blocking": "dns",
                         "ooni_accessible": None}) == "blocking dns / accessible null"
    # the all-verdicts download keeps OONI's fields as stored
    every = data(html, "reach-all")
    assert len(every) == len(sample.reach_rows())
    assert {r["ooni_blocking"] for r in every if r["outlet_id"] == "radio-x"} == {"http-failure"}


def test_output_lane_shows_days_without_articles_and_story_articles() -> None:
    html = reachability_section(context())
    figs = figures(html)
    free = figs["Free Press"]
    empty = re.findall(r'<rect class="none"[^>]*><title>(.*?)</title>', free)
    lo, hi = reach_span(sample.reach_rows()) or (None, None)
    assert lo is not None and hi is not None
    n_days = (hi - lo).days
    assert n_days == sample.DAYS + 2  # the measured ten days, a day of padding each side
    # blocked days and the padding days have no articles; the tooltip says why
    assert len(empty) == len(sample.FREE_BLOCKED_DAYS) + 2
    assert ("2026-03-14: no article of this day in the archive; blocked in KZ AS65101 Home "
            "ISP (untold&#x27;s probe)") in empty
    # with the story's articles of the day (the sample story's attention per outlet)
    assert "2026-03-11: 10 articles of this day in the archive, 1 on the stories" in free
    radio = figs[esc(sample.HOSTILE_TITLE)]
    assert radio.count('<rect class="none"') == n_days  # nothing at all from radio-x
    assert "articles per day" not in figs["Quiet Daily"]  # its output is not known


def test_years_of_measurements_get_weekly_output_bars() -> None:
    """OONI data over years: one output bar per week, not thousands of daily ones."""
    first = dict(sample.reach_rows()[0])
    later = dict(first, measured_at="2027-04-20T06:00:00Z")
    ctx = context([first, later])
    html = reachability_section(ctx)
    fig = figures(html)["Free Press"]
    lo, hi = reach_span([first, later]) or (None, None)
    assert lo is not None and hi is not None
    bars = fig.count('<rect class="none"') + fig.count('<g class="day">')
    assert "articles per week" in fig and bars == -(-(hi - lo).days // 7)
    assert "2026-03-09 to 2026-03-15: 30 articles of this week in the archive" in fig


def test_hostile_strings_are_text() -> None:
    page = render(context())

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[tuple[str, dict[str, str | None]]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, d: str) -> None:
            self.text.append(d)

    p = Tags()
    p.feed(page)
    assert not [t for t, _ in p.tags if t == "img"]
    assert len([a for t, a in p.tags if t == "script" and a.get("type") != "application/json"]) \
        == 1
    assert not [(t, a) for t, a in p.tags if any(k.startswith("on") for k in a)]
    text = "".join(p.text)
    for hostile in (sample.HOSTILE_NET, sample.HOSTILE_CLASS, sample.HOSTILE_HOST):
        assert hostile in text, hostile  # shown, as text
    section = page[page.index('id="reachability"'):]
    section = section[:section.index("</section>")]
    assert "<script>alert('net')" not in section and "<b>evil</b>" not in section
    assert "&lt;script&gt;alert(&#x27;net&#x27;)&lt;/script&gt;" in section


def test_many_measurements_share_marks() -> None:
    """10,000 OONI measurements of one outlet stay a light chart; every one is counted."""
    base = sample.reach_rows()[0]
    rows = []
    t0 = sample.DAY0
    for i in range(10_000):
        blocked = 4_000 <= i < 6_000
        rows.append(dict(base, source="ooni", measured_at=(t0 + timedelta(minutes=i)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"), blocking="tcp_ip" if blocked else False,
            accessible=not blocked, ooni_blocking="tcp_ip" if blocked else False,
            ooni_accessible=not blocked))
    html = reachability_section(context(rows))
    marks = re.findall(r'<text class="mark"[^>]*>[^<]*<title>(.*?)</title>', html)
    assert 3 <= len(marks) <= 2 * (960 // MARK_MERGE_UNITS)
    counted = sum(int(m.group(1)) if (m := re.match(r"(\d+) measurements", t)) else 1
                  for t in marks)
    assert counted == 10_000
    assert any("\u00d7" in t and "OONI: blocking tcp_ip / accessible false" in t for t in marks)
    chart = html[html.index('<div class="reach-timeline">'):html.index("<h3>When outlets")]
    assert len(chart) < 150_000  # the chart stays light (the downloads hold every row)
    assert [p["count"] for p in data(html, "reach-periods")] == [2_000]


def test_empty_archive_keeps_its_note() -> None:
    html = reachability_section(ReportContext(title="t"))
    assert "No reachability measurements in the archive" in html
    assert "reach-outlet" not in html
    # rows with no readable time: the tables still list them, no figure is drawn
    odd = [dict(sample.reach_rows()[0], measured_at="not a time")]
    html = reachability_section(ReportContext(title="t", reachability=odd))
    assert "reach-outlet" not in html and len(data(html, "reach-all")) == 1


def test_report_context_gives_the_output_of_measured_outlets(tmp_path: Path) -> None:
    """From a real archive: State TV (measured, one article a day) gets its output lane."""
    study, _ = build(tmp_path)
    (tmp_path / "out").mkdir()
    ctx = api.report_context(study, tmp_path / "out" / "r.html")
    assert ctx.outlet_output == {"state": {f"2026-03-{d}": 1 for d in range(10, 15)}}
    html = reachability_section(ctx)
    fig = figures(html)["State TV"]
    assert "2026-03-12: 1 article of this day in the archive" in fig
    assert fig.count('<rect class="none"') == 0  # the measured span, padded: 10 to 14 March


@pytest.mark.browser
@pytest.mark.timeout(120)
@pytest.mark.slow
def test_section_in_chromium(browser: Any, tmp_path: Path) -> None:
    """Opened from file:// in Chromium: every outlet's figure fits the page, the bands are
    drawn with their patterns (vermillion hatch for blocked, blue dots for down), the
    hostile strings stay text and nothing runs or loads."""
    out = write_report(context(), tmp_path / "report.html")
    w = Watch(browser)
    page = w.page
    page.goto(out.as_uri())
    section = page.locator("#reachability")
    assert section.locator("figure.reach-outlet").count() == 5
    assert section.locator("g.rperiod").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    box = section.locator("svg.reach").first.bounding_box()
    assert box is not None and box["width"] >= 900
    for state, channel in (("blocked", "red"), ("down", "blue")):
        band = section.locator(f"g.rperiod[data-state='{state}'] rect").first
        shot = tmp_path / f"{state}.png"
        band.screenshot(path=str(shot))
        assert _share(browser, shot, channel) > 0.25, state  # ~0.4 drawn, ~0.12 outline only
    text = section.inner_text()
    assert sample.HOSTILE_NET in text and sample.HOSTILE_HOST in text
    assert w.dialogs == [] and w.errors == [], w.errors
    assert all(u.startswith(("file://", "data:")) for u in w.requests), w.requests
    w.ctx.close()


def _share(browser: Any, shot: Path, channel: str) -> float:
    """The share of a PNG's pixels that are clearly vermillion ("red") or blue."""
    page = browser.new_page()
    data = base64.b64encode(shot.read_bytes()).decode()
    page.set_content(f'<img id="i" src="data:image/png;base64,{data}">')
    share = page.evaluate("""ch => new Promise(ok => { const i = document.getElementById('i');
      const go = () => { const c = document.createElement('canvas'); c.width = i.naturalWidth;
        c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let k = 0; k < d.length; k += 4) { const r = d[k], gr = d[k + 1], b = d[k + 2];
          if (ch === 'red' ? r - b > 60 && r - gr > 30 : b - r > 60) n++; }
        ok(n / (d.length / 4)); };
      i.complete ? go() : i.onload = go; })""", channel)
    page.close()
    return float(share)


def test_ooni_report_ids_are_not_vantage_points() -> None:
    """An imported OONI measurement's vantage is its report id (one per ooniprobe run):
    the latest-verdict table keeps one row per outlet, source and network, not per run."""
    rows = [dict(r) for r in sample.reach_rows()]
    for i, r in enumerate(rows):
        if r["source"] == "ooni":
            r["vantage"] = f"20261003T090000Z_webconnectivity_KZ_65103_n1_{i:04d}"
    html = reachability_section(context(rows))
    latest = data(html, "reach-latest")
    keys = [(r["Outlet"], r["Source"], r["Network"]) for r in latest]
    assert len(keys) == len(set(keys))
    ooni_outlets = {r["outlet_id"] or r["host"] for r in rows if r["source"] == "ooni"}
    assert len([k for k in keys if k[1] == "ooni"]) == len(ooni_outlets)
