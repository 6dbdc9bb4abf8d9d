"""Sections on edge cases: empty stories, hourly stories, long tables, many verdicts."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from tests.support import report_sample as sample
from untold.analyze.results import StoryResult
from untold.report.captures import ArticleRef
from untold.report.context import ReportContext
from untold.report.render import render
from untold.report.sections_reach import reachability_section, verdict_state
from untold.report.sections_story import TABLE_MAX_ROWS, story_section
from untold.report.sections_study import findings_section
from untold.report.tables import Col, table


def empty_story(bucket: str = "hour") -> StoryResult:
    return StoryResult(story_id="empty", title="Nothing", query="x", bucket=bucket,  # type: ignore[arg-type]
                       window_start="2026-03-10T00:00:00Z", window_end="2026-03-11T00:00:00Z",
                       attention=(), coverage=(), reprints=(), samples=(), first_report=None,
                       events=(), matching_total=0)


def test_empty_story_and_empty_study_render() -> None:
    html = story_section(empty_story(), ReportContext(title="t"))
    assert "No outlet reported this story" in html and "No articles to show" in html
    odd = replace(empty_story("day"), window_start="not a time", window_end="")
    assert "<h3>Outlet by day</h3>" in story_section(odd, ReportContext(title="t"))
    page = render(ReportContext(title="t"))
    assert "No story results" in page and "No findings yet" in page
    assert "No reachability measurements" in page


def test_hourly_story_heatmap_has_hour_columns() -> None:
    st = sample.story()
    hourly = replace(st, bucket="hour", window_end="2026-03-11T00:00:00Z", attention=tuple(
        replace(p, bucket=p.bucket + "T09") for p in st.attention if p.bucket == "2026-03-10"))
    html = story_section(hourly, ReportContext(title="t"))
    assert "<h3>Outlet by hour</h3>" in html
    heat = html[html.index('<svg class="chart heatmap"'):]
    heat = heat[:heat.index("</svg>")]
    assert heat.count('<g class="cell">') == 24 * len(sample.OUTLETS)
    assert ">09h<" in heat and "2026-03-10 09:00: 0 of 20 articles" in heat


def test_long_tables_show_some_rows_and_download_all() -> None:
    rows = [[i, f"r{i}"] for i in range(TABLE_MAX_ROWS + 100)]
    html = table("t", [Col("n", True), Col("name")], rows, max_rows=TABLE_MAX_ROWS)
    assert html.count("<tr>") == TABLE_MAX_ROWS + 1  # header row too
    data = json.loads(html[html.index('id="data-t">') + 12: html.rindex("</script>")])
    assert len(data["rows"]) == TABLE_MAX_ROWS + 100
    assert f"first {TABLE_MAX_ROWS} of {TABLE_MAX_ROWS + 100} rows" in html


def test_many_verdicts_share_marks() -> None:
    base = sample.reachability()[0]
    rows = [dict(base, measured_at=f"2026-03-11T{h:02d}:{m:02d}:00Z")
            for h in range(24) for m in range(0, 60, 5)]  # 288 measurements in one day
    rows.append(dict(base, measured_at="2026-03-20T00:00:00Z", blocking=False,
                     accessible=True))
    html = reachability_section(ReportContext(title="t", reachability=rows))
    marks = re.findall(r'<text class="mark"', html)
    assert 2 <= len(marks) <= 20
    assert "measurements 2026-03-11T" in html
    assert [verdict_state(r) for r in sample.reachability()] == \
        ["blocked", "blocked", "accessible", "accessible", "unknown"]


def test_findings_numbers_and_evidence_links() -> None:
    ref = ArticleRef(101, "free-press", "Protests <b>reach</b>", "javascript:x", None,
                     "2026-03-11T10:00:00Z", 7, "ab" * 32)
    ctx = ReportContext(title="t", findings=sample.findings(), articles={101: ref},
                        capture_hrefs={7: "r_files/captures/" + "ab" * 32 + ".html"},
                        outlet_names={"state-tv": "State TV"})
    html = findings_section(ctx)
    assert "1.2e-08" in html and "3.4e-08" in html and "q_max" in html
    assert f'<a href="r_files/captures/{"ab" * 32}.html">Protests &lt;b&gt;reach&lt;/b&gt;</a>' \
        in html
    assert "javascript:x" not in html  # the unsafe original URL is not even offered
    assert "article #102 <span class=muted>(not in the archive)</span>" in html
    assert "<code>silence.binomial</code> version <code>2026.1</code>" in html


def test_framing_findings_get_a_diverging_chart() -> None:
    html = findings_section(ReportContext(title="t", findings=sample.findings()))
    assert html.count('<figure class="framing">') == 1
    chart = html[html.index('<figure class="framing">'):]
    chart = chart[:chart.index("</figure>")]
    assert chart.count('<g class="dbar">') == 3  # the malformed row is left out
    assert "провокаци" in chart and "митинг" in chart and "more often in state" in chart
    assert "<script>" not in chart and "&lt;script&gt;" in chart
