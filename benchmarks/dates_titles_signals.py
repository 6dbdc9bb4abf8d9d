"""Every date and title signal of the Scrapinghub benchmark pages, for annotating them.

Prints, for each page of ``../shared/data/extraction-benchmark``, what a person
judging its true publication date and headline needs side by side: the URL,
``<title>``, ``og:title``, the JSON-LD headline and dates, the meta tags and
``itemprop`` values about dates, ``<time>`` elements, the ``<h1>`` elements, and the
visible text of elements that look like a dateline or byline (classes and ids with
date/time/byline/posted/published/meta in them, and text right after the ``<h1>``).
The annotations in ``benchmarks/data/scrapinghub_dates_titles.json`` were judged
from this output (the visible dateline and headline are the truth; metadata only
confirms), so anyone can check them.

Run: ``.venv/bin/python benchmarks/dates_titles_signals.py [ID_PREFIX ...]``
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "data" / "extraction-benchmark"
MAX_ITEMS = 8  # signals of one kind printed per page; more are repeats (related stories)
MAX_TEXT = 160  # characters of one visible text printed
NEAR_BEFORE = 150  # characters of visible text printed before the headline
NEAR_AFTER = 450  # and after it: the dateline and byline sit there
DATELINE_CLASS = re.compile(r"date|time|byline|posted|publish|meta|dateline|author|updated",
                            re.I)
DATE_WORDS = re.compile(
    r"\b(19|20)\d\d\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b\d{1,2}:\d\d|\bago\b|"
    r"janv|févr|mars|avr|juin|juil|août|sept|déc|"
    r"январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"\d+년|\d+월|\d+日", re.I)


def _clip(text: str | None) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _jsonld(tree: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            if any(k in node for k in ("headline", "datePublished", "dateModified",
                                       "dateCreated", "uploadDate")):
                out.append({k: node.get(k) for k in ("@type", "headline", "name",
                                                     "datePublished", "dateCreated",
                                                     "dateModified", "uploadDate")
                            if node.get(k) is not None})
            for v in node.values():
                if isinstance(v, dict | list):
                    walk(v)

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            walk(json.loads(script.text or ""))
        except ValueError:
            out.append({"unparsable": _clip(script.text)})
    return out


def signals(url: str, body: bytes) -> dict[str, Any]:
    """The candidate signals of one page (see the module docstring)."""
    import lxml.html

    from untold.extract.decoding import decode_html

    tree = lxml.html.fromstring(decode_html(body, {"Content-Type": "text/html"}).text)
    for bad in tree.xpath("//script[not(@type='application/ld+json')]|//style|//noscript"):
        bad.drop_tree()
    meta = []
    for m in tree.xpath("//meta"):
        key = m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or ""
        if re.search(r"date|time|publish|modified|created|title|site_name", key, re.I):
            meta.append(f"{key}={_clip(m.get('content'))}")
    itemprops = [f"{e.get('itemprop')}={_clip(e.get('content') or e.get('datetime'))} "
                 f"[{_clip(e.text_content())[:60]}]"
                 for e in tree.xpath('//*[@itemprop="datePublished" or @itemprop="dateModified"'
                                     ' or @itemprop="dateCreated" or @itemprop="headline"]')]
    times = [f"{e.get('datetime')} [{_clip(e.text_content())}]" for e in tree.xpath("//time")]
    h1s = [_clip(h.text_content()) for h in tree.xpath("//h1")]
    datelines = []
    for e in tree.xpath("//body//*[@class or @id]"):
        if not isinstance(e.tag, str):
            continue
        label = f"{e.get('class', '')} {e.get('id', '')}"
        if not DATELINE_CLASS.search(label):
            continue
        text = _clip(e.text_content())
        if text and DATE_WORDS.search(text) and len(text) < MAX_TEXT:
            datelines.append(f"<{e.tag} {label.strip()[:40]}> {text}")
    after_h1 = []
    for h in tree.xpath("//h1")[:2]:
        seen = 0
        for e in h.itersiblings():
            if not isinstance(e.tag, str):
                continue  # a comment or processing instruction
            seen += 1
            text = _clip(e.text_content())
            if text and DATE_WORDS.search(text):
                after_h1.append(text)
            if seen > 6:
                break
        parent = h.getparent()
        if parent is not None:
            for e in parent.itersiblings():
                if not isinstance(e.tag, str):
                    continue
                text = _clip(e.text_content())
                if text and DATE_WORDS.search(text):
                    after_h1.append(text)
                    break
    title = tree.xpath("//title")
    return {
        "url": url,
        "title": _clip(title[0].text_content()) if title else None,
        "h1": h1s[:MAX_ITEMS],
        "jsonld": _jsonld(tree)[:MAX_ITEMS],
        "meta": meta[:2 * MAX_ITEMS],
        "itemprop": itemprops[:MAX_ITEMS],
        "time": list(dict.fromkeys(times))[:MAX_ITEMS],
        "dateline": list(dict.fromkeys(datelines))[:MAX_ITEMS],
        "after_h1": list(dict.fromkeys(after_h1))[:MAX_ITEMS],
        "near_h1": _near_h1(tree, h1s[0] if h1s else ""),
    }


def _near_h1(tree: Any, h1: str) -> str:
    """The visible text just before and after the first headline: where a dateline is."""
    body = tree.find("body")
    if body is None or not h1:
        return ""
    text = re.sub(r"\s+", " ", body.text_content())
    at = text.find(h1[:60])
    if at < 0:
        return ""
    return text[max(0, at - NEAR_BEFORE):at + len(h1) + NEAR_AFTER]


def main(argv: list[str]) -> int:
    if not (BENCH / "ground-truth.json").is_file():
        print(f"skipped: {BENCH} not found (../shared is absent in this clone)")
        return 0
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        if argv and not any(key.startswith(p) for p in argv):
            continue
        with gzip.open(BENCH / "html" / f"{key}.html.gz") as fh:
            sig = signals(truth[key]["url"], fh.read())
        print(f"=== {key[:12]}")
        for name, value in sig.items():
            if isinstance(value, list):
                for v in value:
                    print(f"  {name}: {v}")
            elif value:
                print(f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
