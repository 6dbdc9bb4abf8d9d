"""Escaping: hostile titles, URLs and outlet names never become markup or links."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

from tests.support import report_sample as sample
from untold.report.assets import JS
from untold.report.context import ReportContext
from untold.report.html import clip, csp, esc, json_block, safe_href
from untold.report.render import render


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text outside script/style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def context() -> ReportContext:
    st = sample.story()
    return ReportContext(
        title="Study " + sample.HOSTILE_TITLE, stories=[st], findings=sample.findings(),
        reachability=sample.reachability(), events=st.events,
        outlet_names={k: v[0] for k, v in sample.OUTLETS.items()},
        capture_hrefs={101 + 1000: "r_files/captures/a.html"},
        extra_sections=[("Edits " + sample.HOSTILE_TITLE, "<p>fragment</p>")],
        problems=["capture 9: " + sample.HOSTILE_TITLE])


def test_esc_escapes_markup_and_quotes() -> None:
    assert esc('<a href="x" onclick=\'y\'>&') == \
        "&lt;a href=&quot;x&quot; onclick=&#x27;y&#x27;&gt;&amp;"
    assert esc(None) == ""
    assert clip("abcdefgh", 5) == "abcd\u2026"
    assert clip("abc", 5) == "abc"


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "\x00javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "https:", "", None,
    "mailto:a@b.example"])
def test_unsafe_urls_are_not_links(url: str | None) -> None:
    assert safe_href(url) is None


def test_web_urls_are_links_with_quotes_escaped() -> None:
    assert safe_href("https://a.example/x?q=1&b=2") == "https://a.example/x?q=1&amp;b=2"
    href = safe_href(sample.HOSTILE_URL)
    assert href is not None and '"' not in href and "&quot;onmouseover=" in href


@pytest.mark.parametrize("path,ok", [
    ("r_files/captures/ab12.html", True), ("my%20report_files/captures/x.html", True),
    ("//evil.example/x.html", False), ("../x.html", False), ("/etc/x.html", False),
    ("javascript:x.html", False), ("a/b.png", False)])
def test_local_hrefs(path: str, ok: bool) -> None:
    assert (safe_href(path, local=True) is not None) is ok


def test_json_block_cannot_close_its_script() -> None:
    data = {"t": "</script><script>alert(1)</script><!--", "u": "a\u2028b & c"}
    block = json_block("d", data)
    inner = block[block.index(">") + 1: block.rindex("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == data


def test_csp_allows_exactly_the_report_script() -> None:
    digest = base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
    policy = csp(JS)
    assert f"'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_rendered_report_has_no_injected_markup() -> None:
    page = render(context())
    parser = Tags()
    parser.feed(page)
    scripts = [a for t, a in parser.tags if t == "script"]
    assert len([a for a in scripts if a.get("type") != "application/json"]) == 1
    assert not [t for t, _ in parser.tags if t in ("img", "iframe", "object", "embed")]
    for tag, attrs in parser.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        href = attrs.get("href") or ""
        assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), href
    text = "".join(parser.text)
    assert text.count(sample.HOSTILE_TITLE) >= 6  # titles, outlet name, finding, event, notes
    assert "javascript:alert(4)" in text  # shown, as text
    # the hostile URL keeps its quotes inside the attribute
    assert 'href="https://evil.example/&quot;onmouseover=&quot;alert(3)"' in page


def test_extra_sections_and_problems_are_shown() -> None:
    page = render(context())
    assert "<p>fragment</p>" in page  # the hook's fragment is inserted as given
    assert "Edits &lt;script&gt;" in page  # its title escaped
    assert 'id="notes"' in page and "capture 9: &lt;script&gt;" in page
