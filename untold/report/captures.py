"""Captured copies beside the report: each linked capture as one inert, self-contained page.

The archived HTML is read from its WARC record (checked against its SHA-256): the
collector's WARC files under the archive, or for imported pages the source file
the import registered (``untold check`` tells when one moved or changed),
decoded, escaped and shown inside ``<iframe sandbox srcdoc=...>``: no script
runs, and the page's Content-Security-Policy (inherited by the srcdoc frame)
lets nothing load from the network. URL, fetch time and SHA-256 sit on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from untold.collect.warcwriter import read_record
from untold.errors import UntoldError
from untold.extract.decoding import decode_html
from untold.report.html import esc, safe_href
from untold.store.base import Store

__all__ = ["ArticleRef", "article_refs", "capture_page", "write_captures"]

MAX_SHOWN_BYTES = 8_000_000  # a copy larger than this is cut: the page must stay openable
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss",
              "application/atom", "application/xhtml")
_HEX64 = re.compile(r"[0-9a-f]{64}")
CAPTURE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "base-uri 'none'; form-action 'none'")
CAPTURE_CSS = """body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
Arial,sans-serif;color:#1b1b1b;background:#fff}header{padding:.8rem 1.4rem;background:#f5f6f7;
border-bottom:2px solid #1b1b1b}h1{font-size:1.15rem;margin:0 0 .4rem}dl{display:grid;
grid-template-columns:max-content 1fr;gap:.15rem .8rem;margin:0;font-size:.9rem}dt{color:#555}
dd{margin:0;word-break:break-all}code{font-family:ui-monospace,Menlo,Consolas,monospace}
p.warn{margin:.5rem 0 0;font-size:.85rem;color:#555}iframe{width:100%;height:calc(100vh - 12rem);
min-height:420px;border:0;display:block}pre{white-space:pre-wrap;padding:1rem 1.4rem}"""


@dataclass(frozen=True)
class ArticleRef:
    """What the report shows of an article it links to."""

    article_id: int
    outlet_id: str
    title: str
    url: str
    published: str | None
    fetched_at: str
    capture_id: int
    sha256: str | None


def article_refs(store: Store, ids: Iterable[int]) -> dict[int, ArticleRef]:
    """Articles by id (those that exist), with their capture's SHA-256."""
    return {int(r[0]): ArticleRef(int(r[0]), r[1], r[2] or "", r[3], r[4], r[5], int(r[6]),
                                  r[7])
            for r in store.evidence_articles(ids)}


def capture_page(cap: dict[str, Any], headers: dict[str, str], payload: bytes, *,
                 title: str = "", back: str | None = None) -> str:
    """The inert page for one capture (see the module docstring)."""
    ctype = headers.get("content-type", cap.get("content_type") or "")
    cut = len(payload) > MAX_SHOWN_BYTES
    shown = payload[:MAX_SHOWN_BYTES]
    is_html = "html" in ctype.lower() or (not ctype and shown.lstrip()[:1] == b"<")
    text = decode_html(shown, headers).text if (
        is_html or ctype.lower().startswith(TEXT_TYPES)) else None
    url = str(cap.get("url") or "")
    href = safe_href(url)
    url_html = (f'<a href="{href}" rel="noopener noreferrer nofollow">{esc(url)}</a>'
                if href else f"<code>{esc(url)}</code>")
    rows = [("URL", url_html), ("Fetched", esc(cap.get("fetched_at"))),
            ("HTTP status", esc(cap.get("status") if cap.get("status") is not None else "-")),
            ("Content-Type", esc(ctype or "-")),
            ("SHA-256", f"<code>{esc(cap.get('sha256') or '-')}</code>"),
            ("WARC record", f"<code>{esc(cap.get('warc_file'))} @ {esc(cap.get('warc_offset'))}"
                            "</code>")]
    meta = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    if text is None:
        body = (f'<p class="warn">This capture is {esc(ctype or "binary")} '
                f"({len(payload)} bytes), not shown here; it is in the WARC record above.</p>")
    elif is_html:
        # The frame inherits this page's policy, but Chromium's preload scanner can fetch
        # an image before it applies; a policy inside the document itself stops that too.
        inner = f'<meta http-equiv="Content-Security-Policy" content="{CAPTURE_CSP}">' + text
        body = (f'<iframe sandbox="" referrerpolicy="no-referrer" title="captured page" '
                f'srcdoc="{esc(inner)}"></iframe>')
    else:
        body = f"<pre>{esc(text)}</pre>"
    note = (f"Showing the first {MAX_SHOWN_BYTES:,} of {len(payload):,} bytes. " if cut else "")
    back_html = f' <a href="{esc(back)}">Back to the report</a>' if back else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta name="untold-capture-id" content="{esc(cap.get("id"))}">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CAPTURE_CSP)}">'
            '<meta name="referrer" content="no-referrer">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Captured copy: {esc(title or url)}</title><style>{CAPTURE_CSS}</style>"
            f"</head><body><header><h1>Captured copy: {esc(title or url)}</h1><dl>{meta}</dl>"
            f'<p class="warn">{note}An inert copy from the archive: its scripts do not run and '
            f"nothing it references is loaded.{back_html}</p></header>{body}</body></html>\n")


def _file_name(out_dir: Path, cid: int, sha: str) -> str:
    """``<sha256>.html``; the same payload fetched again (another URL or time) gets
    ``<sha256>-<capture id>.html`` so no copy's header is overwritten by another's."""
    if not _HEX64.fullmatch(sha):  # the digest names the file only when it is one
        return f"capture-{cid}.html"
    first = out_dir / f"{sha}.html"
    if not first.exists():
        return first.name
    with open(first, encoding="utf-8", errors="replace") as f:
        head = f.read(256)  # the id sits right after <meta charset>
    mine = f'<meta name="untold-capture-id" content="{cid}">'
    return first.name if mine in head else f"{sha}-{cid}.html"


def write_captures(store: Store, warc_dir: Path, files_dir: Path, report_name: str,
                   capture_ids: Iterable[int],
                   titles: dict[int, str] | None = None) -> tuple[dict[int, str], list[str]]:
    """Write each capture's page under ``files_dir/captures``.

    Returns (capture id -> href relative to the report, problems met). A capture
    that cannot be read is reported, not fatal: the report still links its URL.
    """
    hrefs: dict[int, str] = {}
    problems: list[str] = []
    out_dir = files_dir / "captures"
    # imported captures are read from their source WARC files, those the archive registered
    external = {f.path for f in store.warc_files()}
    for cid in sorted(set(capture_ids)):
        cap = store.capture(cid)
        if cap is None:
            problems.append(f"capture {cid} is not in the archive")
            continue
        if not cap.get("warc_file"):
            problems.append(f"capture {cid} ({cap.get('url')}) has no WARC record")
            continue
        try:
            headers, payload = read_record(warc_dir, cap, external=external)
        except UntoldError as exc:
            problems.append(f"capture {cid}: {exc}")
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        name = _file_name(out_dir, cid, str(cap.get("sha256") or ""))
        back = "../../" + quote(report_name)
        (out_dir / name).write_text(
            capture_page(cap, headers, payload, title=(titles or {}).get(cid, ""), back=back),
            encoding="utf-8")
        hrefs[cid] = quote(f"{files_dir.name}/captures/{name}")
    return hrefs, problems
