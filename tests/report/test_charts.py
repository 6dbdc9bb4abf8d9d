"""The SVG charts: well-formed, values where they belong, events on the time axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from untold.report.charts import Marker, Series, TimeScale, line_chart, timeline_chart
from untold.report.charts_grid import Cell, diverging_bars, heatmap, stacked_bars

NS = {"s": "http://www.w3.org/2000/svg"}
T0 = datetime(2026, 3, 10, tzinfo=UTC)
EVIL = "<script>alert(1)</script>"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on markup an unescaped label would break


def test_time_scale_maps_and_ticks() -> None:
    sc = TimeScale(T0, T0 + timedelta(days=10), 100, 1100)
    assert sc.x(T0) == 100 and sc.x(T0 + timedelta(days=10)) == 1100
    assert sc.x(T0 + timedelta(days=5)) == 600
    ticks = sc.ticks(max_ticks=10)
    assert 5 <= len(ticks) <= 11 and ticks[0][1] == "10 Mar"
    assert all(T0 <= t <= T0 + timedelta(days=10) for t, _ in ticks)
    hours = TimeScale(T0, T0 + timedelta(hours=30), 0, 1).ticks()
    assert [label for _, label in hours[:3]] == ["10 Mar", "03:00", "06:00"]  # round steps
    assert len(hours) <= 11


def test_line_chart_points_bands_and_events() -> None:
    days = [T0 + timedelta(days=i, hours=12) for i in range(5)]
    a = Series("s-a", "state " + EVIL, "#0072B2",
               [(t, v, max(v - 0.05, 0), v + 0.05, f"tip {EVIL}")
                for t, v in zip(days, [0.0, 0.1, 0.4, 0.2, 0.1], strict=True)])
    b = Series("s-b", "independent", "#E69F00", [(days[0], 0.3, 0.2, 0.4, "b")])
    marks = [Marker(T0 + timedelta(days=2), "1", "warning " + EVIL),
             Marker(T0 + timedelta(days=40), "2", "outside the window")]
    gap = Series("s-c", "gap", "#009E73", [(days[0], 0.1, 0, 0.2, "c"),
                                           (days[1], float("nan"), 0, 0, ""),
                                           (days[2], 0.1, 0, 0.2, "c"), (days[3], 0.2, 0, 0.3, "")])
    svg = line_chart([a, b, gap], marks, start=T0, end=T0 + timedelta(days=5), title=EVIL)
    root = parse(svg)
    circles = root.findall(".//s:g[@class='series']/s:circle", NS)
    assert len(circles) == 9  # a NaN point draws nothing ...
    gap_g = root.find(".//s:g[@data-series='s-c']", NS)
    assert gap_g is not None and len(gap_g.findall("s:polyline", NS)) == 2  # ... and breaks it
    ys = [float(c.get("cy") or 0) for c in circles[:5]]
    assert ys[2] < ys[3] < ys[1] < ys[0]  # a larger share is drawn higher
    assert len(root.findall(".//s:polygon[@class='band']", NS)) == 4
    events = root.findall(".//s:g[@class='ev']", NS)
    assert len(events) == 1  # the event outside the window is not drawn
    assert events[0].find("s:title", NS).text.endswith("warning " + EVIL)  # type: ignore[union-attr]
    x = float(events[0].find("s:line", NS).get("x1") or 0)  # type: ignore[union-attr]
    assert abs(x - TimeScale(T0, T0 + timedelta(days=5), 56, 930).x(marks[0].time)) < 0.2
    assert "<script>" not in svg


def test_timeline_orders_rows_and_marks_events() -> None:
    items = [("Free " + EVIL, T0 + timedelta(days=1), "first", "#009E73"),
             ("Wire", T0 + timedelta(days=2), "+24.0 h", "#009E73")]
    root = parse(timeline_chart(items, [Marker(T0 + timedelta(days=3), "1", "e")],
                                start=T0, end=T0 + timedelta(days=5)))
    dots = root.findall(".//s:g[@class='row']/s:circle", NS)
    assert float(dots[0].get("cx") or 0) < float(dots[1].get("cx") or 0)
    assert float(dots[0].get("cy") or 0) < float(dots[1].get("cy") or 0)
    assert len(root.findall(".//s:g[@class='ev']", NS)) == 1


def test_heatmap_cells_shade_by_value_and_hatch_missing() -> None:
    cells = [[Cell(0.0, "", "a"), Cell(0.5, "5", "b"), Cell(None, "", "none")],
             [Cell(1.0, "9", "c"), Cell(0.1, "1", "d"), Cell(0.0, "", "e")]]
    svg = heatmap(["A " + EVIL, "B"], ["d1", "d2", "d3"], cells, row_notes=["silent", "x"])
    root = parse(svg)
    rects = root.findall(".//s:g[@class='cell']/s:rect", NS)
    assert len(rects) == 6
    fills = [r.get("fill") or "" for r in rects]
    assert fills[2] == "url(#hatch)" and fills[0] == "#ffffff"

    def lum(f: str) -> int:
        return sum(int(f[i:i + 2], 16) for i in (1, 3, 5))

    assert lum(fills[3]) < lum(fills[1]) < lum(fills[4]) < lum(fills[0])
    assert "silent" in svg and EVIL not in svg


def test_stacked_and_diverging_bars_scale_with_values() -> None:
    root = parse(stacked_bars([("A", [10, 5]), ("B " + EVIL, [3, 0])],
                              [("original", "#0072B2"), ("reprints", "#E69F00")]))
    widths = [float(r.get("width") or 0) for r in root.findall(".//s:rect", NS)]
    assert len(widths) == 3  # a zero part draws no bar
    assert abs(widths[0] / widths[1] - 2.0) < 1e-3 and abs(widths[0] / widths[2] - 10 / 3) < 1e-3
    svg = diverging_bars([("term " + EVIL, 4, 2), ("other", 1, 4)], left_label="state",
                         right_label="independent")
    root = parse(svg)
    rects = root.findall(".//s:rect", NS)
    mid = float(root.findall(".//s:line", NS)[-1].get("x1") or 0)
    assert abs(float(rects[0].get("x") or 0) + float(rects[0].get("width") or 0) - mid) < 0.2
    assert float(rects[1].get("x") or 0) == mid
    assert re.search(r"term &lt;script&gt;", svg)
