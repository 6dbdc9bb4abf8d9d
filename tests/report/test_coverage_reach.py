"""The story's coverage table and heatmap show when an outlet could not be reached."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from tests.support import report_sample as sample
from untold.analyze.results import CoverageRow, StoryResult
from untold.report.assets import STATUS_STYLE
from untold.report.context import ReportContext
from untold.report.sections_story import story_section

HOSTILE_CLASS = "<img src=x onerror=alert(5)>"
KG = "KG AS65001 Example <ISP>"
KZ = "KZ AS65002 Another ISP"


def _period(state: str, start: str, end: str, classes: list[str], network: str,
            source: str, count: int = 4) -> dict[str, Any]:
    return {"state": state, "start": start, "end": end, "first": start, "last": end,
            "count": count, "classes": classes, "network": network, "source": source}


def reach_story() -> StoryResult:
    """The sample story: radio-x blocked from 12 to 16 March on two networks (untold's
    probe and OONI), wire down part of 18 March (while it published), state-tv measured
    reachable throughout, the others never measured."""
    st = sample.story()
    rows: list[CoverageRow] = []
    for r in st.coverage:
        if r.outlet_id == "radio-x":
            r = replace(r, unreachable_days=5, reach_measured=12, reach_blocked=10,
                        reach_accessible=2, reach_periods=[
                            _period("blocked", "2026-03-12T06:00:00Z", "2026-03-16T06:00:00Z",
                                    ["sni_filtering_reset"], KG, "untold", 8),
                            _period("blocked", "2026-03-13T00:00:00Z", "2026-03-15T00:00:00Z",
                                    [HOSTILE_CLASS], KZ, "ooni", 2)])
        elif r.outlet_id == "wire":
            r = replace(r, unreachable_days=1, reach_measured=3, reach_down=1,
                        reach_accessible=2, reach_periods=[
                            _period("down", "2026-03-18T03:00:00Z", "2026-03-18T15:00:00Z",
                                    ["site_down"], KZ, "ooni", 1)])
        elif r.outlet_id == "state-tv":
            r = replace(r, reach_measured=8, reach_accessible=8)
        rows.append(r)
    return replace(st, coverage=tuple(rows))


class _Parse(HTMLParser):
    """The coverage table's rows (cell texts and sort keys) and the heatmap's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self.cells: list[tuple[str, str]] = []  # (class, tooltip)
        self.scripts: list[str] = []
        self._table = self._th = self._td = self._cell_title = self._script = False
        self._sort = ""
        self._text: list[str] = []
        self._cell_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and (a.get("id") or "").startswith("coverage-"):
            self._table = True
        elif self._table and tag == "th":
            self._th, self._text = True, []
        elif self._table and tag == "tr":
            self.rows.append([])
        elif self._table and tag == "td":
            self._td, self._text, self._sort = True, [], a.get("data-sort") or ""
        elif tag == "g" and (a.get("class") or "").startswith("cell"):
            self._cell_class = a.get("class") or ""
        elif tag == "title" and self._cell_class:
            self._cell_title, self._text = True, []
        elif tag == "script":
            self._script, self._text = True, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = False
        elif tag == "th" and self._th:
            self._th = False
            self.headers.append("".join(self._text).strip())
        elif tag == "td" and self._td:
            self._td = False
            self.rows[-1].append(("".join(self._text).strip(), self._sort))
        elif tag == "title" and self._cell_title:
            self._cell_title = False
            self.cells.append((self._cell_class, "".join(self._text)))
            self._cell_class = ""
        elif tag == "script" and self._script:
            self._script = False
            self.scripts.append("".join(self._text))

    def handle_data(self, data: str) -> None:
        if self._th or self._td or self._cell_title or self._script:
            self._text.append(data)


def _parsed() -> tuple[_Parse, str]:
    html = story_section(reach_story(), ReportContext(title="t"))
    p = _Parse()
    p.feed(html)
    return p, html


def _row(p: _Parse, name: str) -> dict[str, tuple[str, str]]:
    rows = [dict(zip(p.headers, r, strict=True)) for r in p.rows if r]
    [got] = [r for r in rows if r["Outlet"][0].startswith(name)]
    return got


def test_reachability_column_names_periods_classes_and_networks() -> None:
    p, _ = _parsed()
    assert "Reachability" in p.headers
    text, sort = _row(p, sample.HOSTILE_TITLE)["Reachability"]
    # the two networks' overlapping blocks read as one line, with both networks
    assert text.startswith("blocked 03-12 \u2192 03-16")
    assert "sni_filtering_reset" in text and HOSTILE_CLASS in text  # as text, escaped
    assert "KG AS65001 (untold), KZ AS65002 (ooni)" in text
    assert "could not be reached on 5 days of the window" in text
    assert "12 measurements: 10 blocked, 0 down, 2 reachable" in text
    assert sort == "5"  # sorts by the days it could not be reached
    text, sort = _row(p, "Wire")["Reachability"]
    assert text.startswith("down 03-18 \u2192 03-18") and "site_down" in text and sort == "1"
    assert _row(p, "State TV")["Reachability"] == ("reachable (8 measurements)", "0")
    assert _row(p, "Gov News")["Reachability"] == ("-", "-1")


def test_status_badge_reads_could_not_be_reached() -> None:
    assert STATUS_STYLE["unreachable"][1] == "could not be reached"
    p, _ = _parsed()
    status, sort = _row(p, sample.HOSTILE_TITLE)["Status"]
    assert status.endswith("could not be reached") and sort == "unreachable"


def test_nothing_hostile_reaches_the_markup() -> None:
    _, html = _parsed()
    assert HOSTILE_CLASS not in html and "&lt;img src=x onerror=alert(5)&gt;" in html
    assert "Example <ISP>" not in html and "Example &lt;ISP&gt;" in html


def test_heatmap_cells_show_days_the_outlet_could_not_be_reached() -> None:
    p, html = _parsed()
    name = sample.HOSTILE_TITLE
    blocked = [(c, t) for c, t in p.cells if t.startswith(f"{name}, ")
               and "could not be reached" in t]
    # 12 March 06:00 to 16 March 06:00 touches five days: 12 to 16
    assert [t.split(",")[1].split(":")[0].strip() for _, t in blocked] == [
        f"2026-03-{d}" for d in range(12, 17)]
    assert all(c == "cell blocked" for c, _ in blocked)
    _, tip = blocked[1]  # 13 March: both networks
    assert tip == (f"{name}, 2026-03-13: could not be reached: blocked ({HOSTILE_CLASS}, "
                   f"sni_filtering_reset; {KG} (untold), {KZ} (ooni))")
    # the other days of the outlet (nothing published) stay "no articles"
    assert f"{name}, 2026-03-11: no articles" in [t for _, t in p.cells]
    # wire published on 18 March, while its site was down part of the day: counted,
    # outlined, and the tooltip says both
    [(cls, tip)] = [(c, t) for c, t in p.cells if t.startswith("Wire Service, 2026-03-18")]
    assert cls == "cell down"
    assert tip == ("Wire Service, 2026-03-18: 2 of 30 articles on the story; could not be "
                   f"reached: down (the site failed) (site_down; {KZ} (ooni))")
    heat = html[html.index('<figure class="heatmap">'):]
    caption = heat[heat.index("<figcaption>"):heat.index("</figcaption>")]
    assert "Orange stripes: the outlet could not be reached that day, blocked" in caption
    assert "blue dots: its site was down" in caption
    assert 'id="reach-blocked"' in heat and 'fill="url(#reach-blocked)"' in heat


def test_no_measurements_no_reach_marks() -> None:
    html = story_section(sample.story(), ReportContext(title="t"))
    heat = html[html.index('<figure class="heatmap">'):]
    assert 'class="cell blocked"' not in heat and 'class="cell down"' not in heat
    assert "Orange stripes" not in heat


def test_download_holds_the_reach_fields() -> None:
    import json

    p, _ = _parsed()
    [data] = [json.loads(s) for s in p.scripts if '"reach_periods"' in s]
    cols = data["columns"]
    for key in ("unreachable_days", "reach_measured", "reach_blocked", "reach_down",
                "reach_periods"):
        assert key in cols
    rows = [dict(zip(cols, r, strict=True)) for r in data["rows"]]
    [radio] = [r for r in rows if r["outlet_id"] == "radio-x"]
    assert radio["unreachable_days"] == 5 and len(radio["reach_periods"]) == 2


def test_hourly_heatmap_marks_the_hours_of_a_period() -> None:
    st = reach_story()
    hourly = replace(st, bucket="hour", window_end="2026-03-11T00:00:00Z", attention=tuple(
        replace(p, bucket=p.bucket + "T09") for p in st.attention if p.bucket == "2026-03-10"),
        coverage=tuple(replace(r, reach_periods=[_period(
            "down", "2026-03-10T03:30:00Z", "2026-03-10T06:00:00Z", ["site_down"], KZ,
            "ooni")]) if r.outlet_id == "wire" else r for r in st.coverage))
    p = _Parse()
    p.feed(story_section(hourly, ReportContext(title="t")))
    down = [t for c, t in p.cells if c == "cell down"]
    # 03:30 to 06:00 touches the hours 03, 04 and 05, not 06
    assert [t.split(",")[1].split(":")[0].strip() for t in down] == [
        "2026-03-10 03", "2026-03-10 04", "2026-03-10 05"]
    assert all(t.startswith("Wire Service, ") for t in down)
